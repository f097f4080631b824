"""ARX's hierarchy CSV format: one row per original value, then its label at each level, ';'-separated.

ARX (arx-deidentifier/arx) writes these files in UTF-8 without a header, quoting a field with '"'
only when it holds the separator, a quote or a line break; a header line added by hand is recognised
and skipped (``_without_header``). Reading is strict about shape: a ragged
row is reported with its line number, because a hierarchy that silently lost a level would release
data less generalized than the analyst saw in the workbench.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, HierarchyError

ARX_DELIMITER = ";"
QUOTE = '"'
OTHER_SEPARATORS = {",": "commas", "\t": "tabs"}


def column_from_filename(path: str | Path) -> str:
    """ARX names its files ``<dataset>_hierarchy_<column>.csv``; otherwise the file's stem."""
    stem = Path(path).stem
    return stem.split("_hierarchy_", 1)[1] if "_hierarchy_" in stem else stem


def read_arx_csv(path: str | Path, column: str | None = None, *, delimiter: str = ARX_DELIMITER) -> Hierarchy:
    """Read a hierarchy; ``column`` defaults to the name in the file's name (adult_hierarchy_age.csv: age)."""
    path = Path(path)
    column = column or column_from_filename(path)
    rows = _parse(path, _decode(path), delimiter)
    _check_shape(path.name, rows, delimiter)
    return Hierarchy.from_rows(column, _without_header(rows, column), source=path.name)


def write_arx_csv(hierarchy: Hierarchy, path: str | Path, *, delimiter: str = ARX_DELIMITER) -> None:
    """Write the hierarchy as ARX does; atomically, so a failed write leaves an existing file as it was."""
    path = Path(path)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quotechar=QUOTE, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(
        hierarchy.rows()
    )
    try:
        write_text_atomic(path, buffer.getvalue(), newline="")
    except OSError as error:
        raise HierarchyError(f"{path}: cannot write the hierarchy ({error.strerror}).") from error


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HierarchyError(f"{path}: cannot read the hierarchy file ({error.strerror}).") from error
    try:
        return data.decode("utf-8-sig")  # a BOM, as Excel writes one, is dropped
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HierarchyError(
            f"{path.name}, line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8."
        ) from error


def _parse(path: Path, text: str, delimiter: str) -> list[list[str]]:
    """Rows of fields. Row i is line i + 1: a label spanning lines, or an empty line inside, is refused."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=QUOTE, strict=True)
    try:
        for row in reader:
            if reader.line_num != len(rows) + 1:
                raise HierarchyError(
                    f"{path.name}, line {len(rows) + 1}: a label spans several lines; labels must fit on one line."
                )
            rows.append(row)
    except csv.Error as error:
        raise HierarchyError(f"{path.name}, line {reader.line_num}: not readable as CSV ({error}).") from error
    while rows and not rows[-1]:
        rows.pop()  # blank lines at the end are harmless
    return rows


HEADER_WORDS = re.compile(r"(?i)^\s*(level|lvl|generali[sz]ation|value|original|attribute|hierarchy)\b")


def _without_header(rows: list[list[str]], column: str) -> list[list[str]]:
    """The rows without a header line, which ARX does not write but spreadsheets and scripts often add.

    A first line is taken for a header only when its top label differs from the one top label every
    other line shares (so it cannot be a value of the hierarchy), and it names the column or reads
    like level names (``age;level1;level2``, ``value;generalization 1``).
    """
    if len(rows) < 2 or len(rows[0]) < 2:
        return rows
    first, tops = rows[0], {row[-1] for row in rows[1:]}
    names_it = first[0].strip().casefold() == column.strip().casefold() or all(
        HEADER_WORDS.match(field) for field in first[1:])
    return rows[1:] if len(tops) == 1 and first[-1] not in tops and names_it else rows


def _check_shape(name: str, rows: list[list[str]], delimiter: str) -> None:
    if not rows:
        raise HierarchyError(f"{name}: the file is empty; a hierarchy needs one row per value.")
    blank = next((i for i, row in enumerate(rows) if not row), None)
    if blank is not None:
        raise HierarchyError(f"{name}, line {blank + 1}: empty line; every line needs a value and its labels.")
    expected = len(rows[0])
    if expected == 1 and delimiter == ARX_DELIMITER:
        for separator, label in OTHER_SEPARATORS.items():
            if all(separator in row[0] for row in rows):
                raise HierarchyError(
                    f"{name}: every line is a single field holding {label}; ARX hierarchies separate levels "
                    f"with ';'. Save the file with ';' or give the separator."
                )
    ragged = [(i, len(row)) for i, row in enumerate(rows) if len(row) != expected]
    if ragged:
        line, fields = ragged[0]
        more = f" ({len(ragged)} lines differ)" if len(ragged) > 1 else ""
        raise HierarchyError(
            f"{name}, line {line + 1}: {fields} fields, expected {expected} as on line 1{more}. "
            "Every value needs a label at every level."
        )
