"""The full-file field-count check, as one streaming polars pass over the raw lines.

Polars raises on a row with too many fields (without saying which line) and silently pads a row
with too few with nulls. A short row usually means a delimiter went missing and values slid into
the neighbouring column, where a sanitizer would then apply the wrong action: so we look for both,
and name the physical line. The file is read as one text column per line (no quoting, a NUL
separator), quoted sections are removed with a regex, and the remaining delimiters are counted.
Files with quoted fields that span lines are checked with Python's csv parser instead, which
carries the quote state from line to line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

LINE = "__line"
INDEX = "__index"


@dataclass(frozen=True)
class RaggedRow:
    line: int  # 1-based physical line where the record starts
    fields: int


def _lines(path: Path) -> pl.LazyFrame:
    return pl.scan_csv(
        path,
        has_header=False,
        separator="\x00",
        quote_char=None,
        infer_schema=False,
        new_columns=[LINE],
        empty_string_is_null=False,
        truncate_ragged_lines=True,
    ).with_row_index(INDEX)


def _quoted_field(delimiter: str, quote: str) -> str:
    """A regex for a complete quoted field at a field start (doubled quotes inside), delimiter in $1."""
    d, q = re.escape(delimiter), re.escape(quote)
    return f"(^|{d}){q}(?:[^{q}]|{q}{q})*{q}"


def find_ragged_row(path: Path, delimiter: str, quote: str, expected: int) -> RaggedRow | None:
    """The first record (after the header) whose field count is not ``expected``, or None.

    Only a quote at the start of a field opens a quoted field (as in polars), so a literal quote
    inside an unquoted value (5'10") does not confuse the count.
    """
    d, q = re.escape(delimiter), re.escape(quote)
    line = pl.col(LINE)
    unquoted = pl.col("unquoted")  # computed once: the regex is the expensive part of the pass
    blank = line.str.strip_chars("\r") == ""
    fields = unquoted.str.count_matches(delimiter, literal=True) + 1
    bad = (pl.col(INDEX) > 0) & ~blank & (fields != expected)
    simple = (
        _lines(path)
        .with_columns(line.str.replace_all(_quoted_field(delimiter, quote), "${1}").alias("unquoted"))
        .select(
            unquoted.str.contains(f"(^|{d}){q}").any().alias("multiline"),
            pl.col(INDEX).filter(bad).first().alias("index"),
            fields.filter(bad).first().alias("fields"),
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    if not simple["multiline"]:
        if simple["index"] is None:
            return None
        return RaggedRow(line=int(simple["index"]) + 1, fields=int(simple["fields"]))
    return _find_ragged_multiline(path, delimiter, quote, expected)


def _find_ragged_multiline(path: Path, delimiter: str, quote: str, expected: int) -> RaggedRow | None:
    """Same check with Python's csv parser, for files whose quoted fields span lines.

    Only these files need a parser that carries quote state from line to line; it runs at Python
    speed (tens of MB/s), which is why the regex pass above decides whether it is needed.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quote, strict=False)
        next_line = 1
        for index, fields in enumerate(reader):
            if index > 0 and fields and len(fields) != expected:
                return RaggedRow(line=next_line, fields=len(fields))
            next_line = reader.line_num + 1
    return None
