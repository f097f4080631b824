"""The XLSX writer: Excel's sheet limits, and numbers Excel would change written as text instead.

Excel stores every number as a double, and xlsxwriter writes 16 significant digits: an integer past
2^53 (18446744073709551615) would come back as 1.844674407370955E+19, and a decimal with more than 15
significant digits would lose its last ones. A kept value must be written as it was read, so such
columns are written as text, and the analyst is told which (``notes``, shown in the report).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanitas.core.errors import ExportError
from sanitas.core.io.tempdir import private_tempdir

EXCEL_MAX_ROWS = 1_048_575  # data rows under the header row
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL = 32_767
EXACT_INTEGER = 2**53  # larger integers are not all exact in a double
EXACT_DIGITS = 15  # significant digits a double always gives back


def check_excel_limits(path: Path, frame: pl.DataFrame) -> None:
    if frame.height > EXCEL_MAX_ROWS or frame.width > EXCEL_MAX_COLUMNS:
        raise ExportError(
            f"{path.name}: {frame.height:,} rows x {frame.width:,} columns is more than an Excel sheet holds "
            f"({EXCEL_MAX_ROWS:,} x {EXCEL_MAX_COLUMNS:,}). Export as CSV or Parquet."
        )
    long_text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not long_text or not frame.height:
        return
    longest = frame.select(pl.col(long_text).str.len_chars().max()).row(0)  # one pass over the text columns
    for name, length in zip(long_text, longest, strict=True):
        if length is not None and int(length) > EXCEL_MAX_CELL:
            raise ExportError(
                f"{path.name}: column '{name}' has text longer than Excel's {EXCEL_MAX_CELL:,} characters "
                "per cell, which Excel would cut. Export as CSV or Parquet."
            )


def inexact_number_columns(frame: pl.DataFrame) -> dict[str, str]:
    """Column -> why, for the numeric columns Excel would not store exactly (see module docstring)."""
    checks: dict[str, pl.Expr] = {}
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype.is_integer():
            checks[name] = ((column > EXACT_INTEGER) | (column < -EXACT_INTEGER)).any()
        elif isinstance(dtype, pl.Decimal):
            digits = column.cast(pl.String).str.replace_all(r"[^0-9]", "").str.strip_chars("0").str.len_chars()
            checks[name] = (digits > EXACT_DIGITS).any()
    if not checks or not frame.height:
        return {}
    found = frame.select(**checks).row(0, named=True)
    return {
        name: (f"integers beyond 2^53 ({EXACT_INTEGER:,}), which Excel would round"
               if frame.schema[name].is_integer()
               else f"decimals with more than {EXACT_DIGITS} significant digits, which Excel would round")
        for name, hit in found.items() if hit
    }


def excel_ready(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """``frame`` with the inexact numeric columns as text, and a note per such column."""
    inexact = inexact_number_columns(frame)
    if not inexact:
        return frame, {}
    notes = {name: f"column '{name}' is written as text in the XLSX: it holds {why}." for name, why in inexact.items()}
    return frame.with_columns(pl.col(name).cast(pl.String) for name in inexact), notes


def write_xlsx(frame: pl.DataFrame, temp: Path) -> None:
    import xlsxwriter

    # xlsxwriter turns "=..." strings into formulas and "http..." into links unless told not to. It keeps
    # each sheet's XML (the data) in temp files until it zips them: in our private folder, always removed.
    with private_tempdir() as scratch:
        options = {
            "tmpdir": str(scratch),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
            "use_zip64": frame.estimated_size() > 1 << 30,
        }
        with xlsxwriter.Workbook(str(temp), options) as workbook:
            frame.write_excel(workbook=workbook, worksheet="data")
