"""CSV dialect sniffing and the checks that are cheap on the first 64 KB.

Python's ``csv`` module parses the sample exactly as polars will parse the file (RFC 4180 quoting),
and it knows the physical line of every record, so the errors found here name the exact line.
Rows further down are checked by a streaming pass (csv_check.py) when a step first reads them all.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sanitas.core.errors import LoadError

SNIFF_BYTES = 64 * 1024
MAX_FIELD_CHARS = 64 << 20
csv.field_size_limit(MAX_FIELD_CHARS)  # the default (131,072) fails on a long header or cell that polars reads
DELIMITERS = (",", ";", "\t", "|")
QUOTES = ('"', "'")
SNIFF_RECORDS = 200
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DELIMITER_ALIASES = {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quote_char: str


def normalize_delimiter(requested: str, path: Path) -> str:
    value = DELIMITER_ALIASES.get(requested.lower(), requested) if len(requested) > 1 else requested
    if len(value) != 1 or value in "\r\n" or len(value.encode("utf-8")) != 1:
        raise LoadError(f"{path.name}: the delimiter must be one ASCII character (or 'tab'), not {requested!r}.")
    if value == '"':
        raise LoadError(f"{path.name}: the delimiter cannot be the quote character \"; name the character that "
                        "separates the fields (for example ',' ';' or 'tab').")
    return value


def parse_records(text: str, dialect: Dialect, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) of each non-blank record in ``text``; line 1 is the header."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quote_char, strict=False
    )
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for fields in reader:
            if fields:
                records.append((next_line, fields))
            next_line = reader.line_num + 1
            if limit is not None and len(records) >= limit:
                break
    except csv.Error:
        records.append((next_line, []))  # the record the parser choked on; the caller decides
    return records


def sniff_dialect(text: str, *, delimiter: str | None, prefer_tab: bool) -> Dialect:
    """The delimiter and quote character that split the sample most consistently.

    A candidate is valid only if the header has the modal field count (this tells a semicolon file
    with decimal commas from a comma file). Ties go to the usual order, tab first for .tsv files.
    """
    order = ("\t", ",", ";", "|") if prefer_tab else DELIMITERS
    candidates = [delimiter] if delimiter else list(order)
    best: tuple[float, int, int] | None = None
    chosen = Dialect(delimiter or order[0], '"')
    for rank, (delim, quote) in enumerate((d, q) for d in candidates for q in QUOTES if q != d):
        counts = [len(fields) for _, fields in parse_records(text, Dialect(delim, quote), SNIFF_RECORDS)]
        if not counts:
            continue
        modal, hits = Counter(counts).most_common(1)[0]
        if counts[0] != modal or (modal < 2 and not delimiter):
            continue
        score = (hits / len(counts), 1 if quote == '"' else 0, -rank)
        if best is None or score > best:
            best, chosen = score, Dialect(delim, quote)
    return chosen


def check_header(path: Path, header: list[str], where: str = "line 1", columns: list[str] | None = None) -> None:
    """Blank and duplicate column names: polars would rename them silently, which breaks recipes.

    ``columns`` names the positions (Excel letters); by default they are numbered from 1.
    """
    labels = columns or [str(i + 1) for i in range(len(header))]
    problems: list[str] = []
    blanks = [labels[i] for i, name in enumerate(header) if not name.strip()]
    if blanks:
        problems.append(f"blank column name in column{'s' if len(blanks) > 1 else ''} {', '.join(blanks)}")
    positions: dict[str, list[str]] = {}
    for i, name in enumerate(header):
        if name.strip():
            positions.setdefault(name, []).append(labels[i])
    for name, found in positions.items():
        if len(found) > 1:
            problems.append(f"duplicate column name '{name}' in columns {', '.join(found)}")
    if problems:
        raise LoadError(
            f"{path.name}, {where}: {'; '.join(problems)}. Rename the columns so each has a unique, non-blank name."
        )


def ragged_message(name: str, line: int, fields: int, expected: int, delimiter: str) -> str:
    sep = DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return (
        f"{name}, line {line:,}: {fields:,} field{'s' if fields != 1 else ''}, expected {expected:,}. "
        f"Fix that row (a missing or extra {sep}, or an unclosed quote), or pass --delimiter if "
        f"{sep} is not the separator."
    )


def check_sample(path: Path, text: str, dialect: Dialect, *, truncated: bool) -> list[str]:
    """Validate the header and every record in the sample; return the header."""
    records = parse_records(text, dialect)
    if truncated and len(records) > 1:
        records = records[:-1]  # the sample may end mid-record
    if not records or not records[0][1]:
        raise LoadError(f"{path.name}: no header line found; the first line must name the columns.")
    header = records[0][1]
    check_header(path, header)
    for line, fields in records[1:]:
        if not fields:
            raise LoadError(
                f"{path.name}, line {line:,}: the row could not be parsed (a quote is not closed). "
                "Fix the quoting of that row."
            )
        if len(fields) != len(header):
            raise LoadError(ragged_message(path.name, line, len(fields), len(header), dialect.delimiter)
                            + _title_hint(records))
    return header


def _title_hint(records: list[tuple[int, list[str]]]) -> str:
    """Advice when the first lines look like a title above the column names, as many exports write: the
    first line has fewer fields than most rows of the sample, and a later line has as many."""
    counts = Counter(len(fields) for _, fields in records[1:] if fields)
    if not counts:
        return ""
    usual = counts.most_common(1)[0][0]
    if usual <= len(records[0][1]):
        return ""
    line = next(line for line, fields in records if len(fields) == usual)
    return f" If the column names are on line {line:,}, under a title, pass --header-row with that line."
