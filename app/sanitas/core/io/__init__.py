"""Loading and writing tables: ``open_dataset`` for every input format, ``write_table`` for output.

Nothing here ever writes next to or over an input file: intermediate copies (a transcoded CSV) go
to a private temp folder, ``write_table`` refuses the input path as a destination, and
``check_destination`` refuses a release (data file and reports) over any file the run reads.
"""

from __future__ import annotations

from pathlib import Path

from sanitas.core.dataset import Dataset
from sanitas.core.errors import LoadError
from sanitas.core.io.csv_reader import open_csv
from sanitas.core.io.fingerprint import fingerprint_file
from sanitas.core.io.formats import FORMATS, check_input_path, detect_format
from sanitas.core.io.ndjson_reader import open_ndjson
from sanitas.core.io.readers import open_excel, open_json, open_parquet
from sanitas.core.io.tempdir import TempFolder, private_tempdir
from sanitas.core.io.writers import (
    WRITE_FORMATS,
    check_destination,
    folders_to_create,
    guard_formulas,
    report_paths,
    write_table,
)
from sanitas.core.io.xlsx_check import ExcelLimits
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

__all__ = [
    "FORMATS",
    "WRITE_FORMATS",
    "ExcelLimits",
    "TempFolder",
    "check_destination",
    "fingerprint_file",
    "folders_to_create",
    "guard_formulas",
    "open_dataset",
    "private_tempdir",
    "report_paths",
    "write_table",
]

HEAD_BYTES = 4096


def open_dataset(
    path: str | Path,
    *,
    format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    excel_limits: ExcelLimits | None = None,
) -> Dataset:
    """Open a CSV/TSV, Parquet, Excel, JSON or NDJSON file as a lazily read Dataset.

    The format comes from ``format`` if given, else from the file's bytes and extension. Options that
    do not apply to the detected format are refused, so a typo does not pass silently. Problems in
    the file raise LoadError naming the file and the line or column. ``excel_limits`` bound a workbook
    before it is read (by default, from the settings). ``header_row`` (CSV/TSV and Excel) is the
    1-based line or sheet row that names the columns, for files with a title above them.
    """
    source = check_input_path(path)
    try:
        with open(source, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise LoadError(f"{source}: cannot be read ({exc.strerror}). Check its permissions.") from None
    kind = detect_format(source, head, format)
    if format and format.strip().lower().lstrip(".") == "tsv" and delimiter is None:
        delimiter = "\t"
    _refuse_options(source, kind, delimiter=delimiter, encoding=encoding, sheet=sheet, header_row=header_row)
    row = _header_row(source, header_row)
    report = progress or no_progress
    token = cancel or NEVER_CANCELLED
    if kind == "csv":
        return open_csv(source, delimiter=delimiter, encoding=encoding, header_row=row, progress=report, cancel=token)
    if kind == "ndjson":
        return open_ndjson(source, encoding=encoding, progress=report, cancel=token)
    if kind == "parquet":
        return open_parquet(source)
    if kind == "excel":
        return open_excel(source, sheet, excel_limits or ExcelLimits(), header_row=row)
    return open_json(source)


def _header_row(path: Path, header_row: object) -> int:
    """The header row as a line number from 1 (1 when not given); a LoadError for anything else."""
    if header_row is None:
        return 1
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise LoadError(f"{path.name}: the header row must be a whole number from 1 (the first line), not "
                        f"{header_row!r}.", option="header_row")
    return header_row


def _refuse_options(path: Path, kind: str, **given: object) -> None:
    allowed = {"csv": {"delimiter", "encoding", "header_row"}, "ndjson": {"encoding"}}.get(kind, set())
    if kind == "excel":
        allowed = {"sheet", "header_row"}
    wrong = [name for name, value in given.items() if value is not None and name not in allowed]
    if wrong:
        options = ", ".join(f"--{name.replace('_', '-')}" for name in wrong)
        raise LoadError(f"{path.name}: {options} does not apply to {kind} files. Leave it out, or pass --format.")
