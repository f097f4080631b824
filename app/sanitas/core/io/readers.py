"""Parquet (scanned lazily), Excel and JSON arrays (read eagerly: their formats need the whole file).

Excel and JSON are read with type inference over every row, not a prefix, since they are in memory
anyway: a text value far down a numeric-looking column cannot break a later step.
"""

from __future__ import annotations

import codecs
import json
import math
from pathlib import Path

import polars as pl

from sanitas.core.dataset import READ_ERRORS, Dataset
from sanitas.core.errors import LoadError
from sanitas.core.io.backing import FileBacking, read_or_explain
from sanitas.core.io.csv_sniff import check_header
from sanitas.core.io.encoding import find_bad_byte, undecodable
from sanitas.core.io.xlsx_check import ExcelLimits, check_workbook

PARQUET_FOOTER = (b"PAR1", b"PARE")


class ParquetBacking(FileBacking):
    kind = "Parquet data"


def open_parquet(path: Path) -> Dataset:
    """Scan a Parquet file; its footer (schema) is read now, its row groups when a step needs them."""
    with open(path, "rb") as handle:
        handle.seek(max(path.stat().st_size - 4, 0))
        tail = handle.read(4)
    if path.stat().st_size < 12 or tail not in PARQUET_FOOTER:
        raise LoadError(
            f"{path.name}: the Parquet file is truncated or damaged (its footer is missing). Copy or export it again."
        )
    backing = ParquetBacking(path)
    frame = read_or_explain(backing, lambda: pl.scan_parquet(path))
    read_or_explain(backing, frame.collect_schema)
    return Dataset(frame=frame, source=path, format="parquet", options={}, backing=backing)


def _excel_labels(header: list[str | None]) -> list[str]:
    """Positions a person can find: the used range may not start at column A, so name a neighbour."""
    labels: list[str] = []
    previous: str | None = None
    for i, name in enumerate(header):
        labels.append(f"{i + 1} (after '{previous}')" if previous else f"{i + 1}")
        if name and name.strip():
            previous = name
    return labels


def open_excel(path: Path, sheet: str | None = None, limits: ExcelLimits | None = None,
               header_row: int = 1) -> Dataset:
    """Read one sheet of a workbook (the first unless ``sheet`` names another, by name or 1-based number).

    ``header_row`` is the sheet row (1-based, as the spreadsheet numbers it) that names the columns;
    the rows above it (a title) are left out. The workbook is checked against ``limits`` first
    (xlsx_check.py): the reader cannot be stopped once it allocates a sheet's whole extent.
    """
    import fastexcel

    check_workbook(path, limits or ExcelLimits())
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except (fastexcel.FastExcelError, OSError, ValueError):
        raise LoadError(
            f"{path.name}: could not be opened as an Excel workbook (damaged, password-protected, or not "
            "Excel). Open it in a spreadsheet program and save it again as .xlsx, or export it as CSV."
        ) from None
    if not names:
        raise LoadError(f"{path.name}: the workbook has no sheets.")
    chosen = names[0] if sheet is None else _pick_sheet(path, names, sheet)
    where = f"sheet '{chosen}'"
    skip = {"skip_rows": header_row - 1} if header_row > 1 else {}
    try:
        first = reader.load_sheet(chosen, header_row=None, n_rows=1, dtypes="string", **skip).to_polars()
        if first.height == 0:
            raise LoadError(f"{path.name}, {where}: the sheet is empty; name another one with --sheet.")
        frame = pl.read_excel(
            path, sheet_name=chosen, engine="calamine", infer_schema_length=None, raise_if_empty=False,
            **({"read_options": {"header_row": header_row - 1}} if skip else {}),
        )
    except fastexcel.InvalidParametersError:
        if not skip:
            raise
        raise LoadError(f"{path.name}, {where}: header row {header_row:,} is below the sheet's last row. "
                        "Choose the row that holds the column names.", option="header_row") from None
    except (fastexcel.FastExcelError, *READ_ERRORS):
        raise LoadError(
            f"{path.name}, {where}: could not be read (damaged cells or an unsupported layout). "
            "Save the workbook again, or export the sheet as CSV."
        ) from None
    header = [None if value is None else str(value) for value in first.row(0)]
    present = set(frame.columns)
    # Blank header cells over columns that hold data come back as __UNNAMED__<i>; empty ones are dropped.
    checked = [
        ("" if f"__UNNAMED__{i}" in present else f"__empty_{i}") if not (name and name.strip()) else name
        for i, name in enumerate(header)
    ]
    check_header(path, checked, where=f"{where}, row {header_row:,}", columns=_excel_labels(header))
    options: dict[str, object] = {"sheet": chosen, "sheets": names}
    if skip:
        options["header_row"] = header_row
    return Dataset(frame=frame.lazy(), source=path, format="excel", options=options)


def _pick_sheet(path: Path, names: list[str], sheet: str) -> str:
    if sheet in names:
        return sheet
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    listed = ", ".join(f"'{name}'" for name in names)
    raise LoadError(f"{path.name}: no sheet named '{sheet}'. The workbook has: {listed}.")


def _utf8_bytes(path: Path, data: bytes) -> bytes:
    """JSON text as UTF-8 without BOM (RFC 8259 says UTF-8; UTF-16 with a BOM is converted)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bad = find_bad_byte(data, "utf-16", final=True)
        if bad is not None:
            raise undecodable(path, "UTF-16", bad)
        return data.decode("utf-16").encode("utf-8")
    bad = find_bad_byte(data, "utf-8", final=True)
    if bad is not None:
        raise LoadError(
            f"{path.name}, line {bad.line:,}: the byte at offset {bad.offset:,} is not valid UTF-8, and JSON "
            "must be UTF-8. "
            "Save the file as UTF-8."
        )
    return data


def open_json(path: Path) -> Dataset:
    """Read a JSON array of records ``[{...}, {...}]`` into memory."""
    data = _utf8_bytes(path, path.read_bytes())
    start = data.lstrip()[:1]
    if start != b"[":
        raise LoadError(
            f"{path.name}: expected an array of records ([{{...}}, {{...}}]) or one record per line "
            "(NDJSON). Convert the file to one of these shapes."
        )
    try:
        frame = pl.read_json(data, infer_schema_length=None)
    except READ_ERRORS:
        raise _explain_json(path, data) from None
    if frame.width == 0:
        raise LoadError(f"{path.name}: the array holds no records; there is nothing to load.")
    check_header(path, frame.columns, where="record keys")
    return Dataset(frame=frame.lazy(), source=path, format="json", options={})


def _explain_json(path: Path, data: bytes) -> LoadError:
    """Python's parser knows the line and column that polars only gives as a character offset."""
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        return LoadError(
            f"{path.name}, line {exc.lineno:,}, column {exc.colno:,}: invalid JSON ({exc.msg}). Fix the file there."
        )
    except RecursionError:
        return LoadError(f"{path.name}: the JSON nests lists or objects too deep to read (hundreds of levels). "
                         "Flatten the records, or check that this is the data file.")
    if isinstance(parsed, list):
        for index, item in enumerate(parsed):
            if not isinstance(item, dict):
                return LoadError(
                    f"{path.name}: item {index + 1:,} of the array is not a record ({{...}}); "
                    "every item must be an object with the same keys."
                )
            for key, value in item.items():
                if isinstance(value, float) and not math.isfinite(value):  # json reads 1e400 as inf
                    return LoadError(
                        f"{path.name}: record {index + 1:,}, key '{key}': a number too large for a 64-bit float "
                        "(over about 1.8e308), which no table column can hold as a number. Quote it in the file "
                        "(\"1e400\") to load it as text, unchanged."
                    )
    return LoadError(
        f"{path.name}: the records could not be turned into a table (values of different kinds under "
        "the same key?). Make each key hold one kind of value."
    )
