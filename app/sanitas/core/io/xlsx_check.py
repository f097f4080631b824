"""Checks on a workbook before the Excel reader sees it: the sheets' extent and the unpacked size.

The Rust reader (calamine, via fastexcel) allocates the whole rectangle up to the farthest cell at
once: a 6 KB file with one cell at XFD1048576 asks for 512 GiB and aborts the process (no exception
to catch), and a small file can unpack to gigabytes. So the zip members are streamed through once
(zlib at C speed, counting real bytes, not the sizes the archive declares), the cell references in
each sheet are scanned for the farthest row and column, and a workbook over the limits is refused
with a message naming the setting that raises them. Nothing is kept in memory but one chunk.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sanitas.core.errors import LoadError

CHUNK = 1 << 20
CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3})([0-9]{1,7})"')
OVERLAP = 256  # bytes carried from one chunk to the next, so a tag cut in two is still seen


@dataclass(frozen=True)
class ExcelLimits:
    """How big a workbook may be before reading it; the analyst raises them in the settings."""

    max_cells: int = 50_000_000  # rows x columns of the farthest cell of a sheet
    max_bytes: int = 1 << 30  # the workbook's members unpacked


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def check_workbook(path: Path, limits: ExcelLimits) -> None:
    """Refuse a workbook whose unpacked size or sheet extent passes ``limits`` (LoadError)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip (an old .xls) or damaged: the reader explains it
    total = 0
    with archive:
        for member in archive.infolist():
            sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
            try:
                total, extent = _scan_member(archive, member, total, limits, sheet)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                raise LoadError(f"{path.name}: the workbook is damaged (its part {member.filename} cannot be "
                                "unpacked). Save it again, or export the sheet as CSV.") from None
            if total > limits.max_bytes:
                raise LoadError(
                    f"{path.name}: the workbook unpacks to more than {limits.max_bytes:,} bytes, more than Sanitas "
                    "reads from Excel by default. Export the sheet as CSV or Parquet, or raise excel_max_bytes "
                    "in the settings (SANITAS_EXCEL_MAX_BYTES) if you trust the file."
                )
            rows, columns = extent
            if rows * columns > limits.max_cells:
                raise LoadError(
                    f"{path.name}: a sheet ({member.filename.rsplit('/', 1)[-1]}) reaches row {rows:,} and column "
                    f"{columns:,}, so reading it would need {rows * columns:,} cells, more than the limit of "
                    f"{limits.max_cells:,}. Delete the far-away cells, export the sheet as CSV, or raise "
                    "excel_max_cells in the settings (SANITAS_EXCEL_MAX_CELLS)."
                )


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, limits: ExcelLimits,
                 sheet: bool) -> tuple[int, tuple[int, int]]:
    rows = columns = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > limits.max_bytes:
                return total, (rows, columns)
            if sheet:
                text = tail + chunk
                for match in DIMENSION.finditer(text):
                    columns = max(columns, column_number(match[1]))
                    rows = max(rows, int(match[2]))
                for match in CELL_REF.finditer(text):
                    columns = max(columns, column_number(match[1]))
                    rows = max(rows, int(match[2]))
                for match in ROW_REF.finditer(text):
                    rows = max(rows, int(match[1]))
                tail = text[-OVERLAP:]
    return total, (rows, columns)
