"""The full-file field-count check, as a pass over the raw lines in bounded blocks.

Polars raises on a row with too many fields (without saying which line) and silently pads a row
with too few with nulls. A short row usually means a delimiter went missing and values slid into
the neighbouring column, where a sanitizer would then apply the wrong action: so we look for both,
and name the physical line. The file is read in blocks of whole lines (``BLOCK_BYTES``), each block
as one text column per line (no quoting, a NUL separator); quoted sections are removed with a regex
and the remaining delimiters are counted. Blocks keep the pass's memory bounded (about 70 MiB
whatever the file size; one pass over the whole file as lines held nearly twice the file's size).
Files with quoted fields that span lines are checked with Python's csv parser instead, which
carries the quote state from line to line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

LINE = "__line"
INDEX = "__index"
UNQUOTED = "__unquoted"
FIELDS = "__fields"
BLOCK_BYTES = 4 * 2**20  # raw bytes per block (extended to the end of the line it stops in)


@dataclass(frozen=True)
class RaggedRow:
    line: int  # 1-based physical line where the record starts
    fields: int


def _blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file's bytes in pieces of about ``size`` bytes, each ending after a newline (the last one
    may not): a line is never split, so each piece parses as whole lines on its own. Each piece is
    read, then completed to its line end with ``readline``: one copy of the bytes, not a copy for the
    carried-over tail and another for the cut."""
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            if not chunk.endswith(b"\n"):
                rest = handle.readline()
                if rest:
                    chunk += rest
            yield chunk
            del chunk


def _lines(source: bytes, *, first: bool) -> pl.LazyFrame:
    # A NUL in a later block's first line is cut off like one further down a block (it only fails
    # on the file's first line, as it did when the whole file was read at once).
    return pl.scan_csv(
        source,
        has_header=False,
        separator="\x00",
        quote_char=None,
        infer_schema=False,
        new_columns=[LINE],
        empty_string_is_null=False,
        truncate_ragged_lines=True,
        extra_columns="raise" if first else "ignore",
    )


def _quoted_field(delimiter: str, quote: str) -> str:
    """A regex for a complete quoted field at a field start (doubled quotes inside), delimiter in $1."""
    d, q = re.escape(delimiter), re.escape(quote)
    return f"(^|{d}){q}(?:[^{q}]|{q}{q})*{q}"


@dataclass
class LinePass:
    """What one pass over the raw lines found: the first ragged record, and (unless the file has
    records that span lines) every ``sample_every``-th data line and the flagged numeric columns."""

    ragged: RaggedRow | None
    multiline: bool = False
    sample: list[str] = field(default_factory=list)
    flagged: dict[int, int] = field(default_factory=dict)  # column position -> flag bits seen (OR)


def find_ragged_row(
    path: Path, delimiter: str, quote: str, expected: int, *, block_bytes: int = BLOCK_BYTES
) -> RaggedRow | None:
    """The first record (after the header) whose field count is not ``expected``, or None.

    Only a quote at the start of a field opens a quoted field (as in polars), so a literal quote
    inside an unquoted value (5'10") does not confuse the count.
    """
    return line_pass(path, delimiter, quote, expected, block_bytes=block_bytes).ragged


def line_pass(
    path: Path, delimiter: str, quote: str, expected: int, *, block_bytes: int = BLOCK_BYTES,
    sample_every: int = 0, sample_max: int = 0, columns: list[int] | None = None,
    flag: Callable[[pl.Expr, int], pl.Expr] | None = None,
) -> LinePass:
    """The ragged-row check, and in the same read of the file an evenly spread sample of raw lines
    (data line i when i % ``sample_every`` == 0, at most ``sample_max``) and ``flag(column, index)``,
    an aggregate of flag bits (0: nothing found) over the text of each of ``columns`` (by position,
    parsed from each block).

    Each block is already in memory for the field count, so sampling and the numeric checks cost a
    parse of the block, not another read of the file. A file with records spanning lines is checked
    with Python's csv module and returns ``multiline`` without sample or flags.
    """
    # The numeric columns' parse of a block runs in a second thread beside its field count (polars
    # releases the GIL): the two share nothing but the block's bytes.
    pool = ThreadPoolExecutor(max_workers=1) if columns and flag is not None else None
    try:
        return _line_pass(path, delimiter, quote, expected, block_bytes, sample_every, sample_max, columns, flag,
                          pool)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _line_pass(path: Path, delimiter: str, quote: str, expected: int, block_bytes: int, sample_every: int,
               sample_max: int, columns: list[int] | None, flag: Callable[[pl.Expr, int], pl.Expr] | None,
               pool: ThreadPoolExecutor | None) -> LinePass:
    d, q = re.escape(delimiter), re.escape(quote)
    line = pl.col(LINE)
    blank = line.str.strip_chars("\r") == ""
    fields = pl.col(FIELDS)
    found: RaggedRow | None = None
    result = LinePass(ragged=None)
    offset = 0
    quoted = _quoted_field(delimiter, quote)
    for block in _blocks(path, block_bytes):
        flags = (pool.submit(_flag_block, block, delimiter, quote, columns or [], flag, first=offset == 0)
                 if pool is not None and flag is not None and found is None else None)
        lines = _lines(block, first=offset == 0).with_row_index(INDEX, offset=offset).collect()
        # The quoted-field regex only where a quote is: the other lines count their delimiters as they are.
        has_quote = lines.get_column(LINE).str.contains(quote, literal=True)
        counted = lines.with_columns(line.alias(UNQUOTED))
        multiline = False
        if has_quote.any():
            unquoted = lines.filter(has_quote).select(line.str.replace_all(quoted, "${1}")).to_series()
            # A quote still at a field start once the complete quoted fields are gone: a field goes on
            # past this line (the lines without a quote cannot have one).
            multiline = bool(unquoted.str.contains(f"(^|{d}){q}").any())
            counted = counted.with_columns(counted.get_column(UNQUOTED).scatter(has_quote.arg_true(), unquoted))
        if multiline:
            return LinePass(ragged=_find_ragged_multiline(path, delimiter, quote, expected), multiline=True)
        # Blank lines are looked for among the lines with the wrong field count only (few or none).
        summary = (
            counted.lazy()
            .with_columns((pl.col(UNQUOTED).str.count_matches(delimiter, literal=True) + 1).alias(FIELDS))
            .filter((pl.col(INDEX) > 0) & (fields != expected))
            .filter(~blank)
            .select(pl.col(INDEX).first().alias("index"), fields.first().alias("fields"))
            .collect()
            .row(0, named=True)
        )
        summary["rows"] = lines.height
        if found is None and summary["index"] is not None:
            found = RaggedRow(line=int(summary["index"]) + 1, fields=int(summary["fields"]))
        if sample_every and found is None:
            data = pl.col(INDEX) - 1
            wanted = (pl.col(INDEX) > 0) & (data % sample_every == 0) & (data // sample_every < sample_max)
            picked = lines.filter(wanted)
            result.sample += picked.get_column(LINE).to_list()
        if flags is not None and found is None:
            for index, code in flags.result().items():
                result.flagged[index] = code | result.flagged.get(index, 0)
        del block, lines, counted
        offset += int(summary["rows"])
    result.ragged = found
    return result


def _flag_block(block: bytes, delimiter: str, quote: str, columns: list[int], flag: Callable[[pl.Expr, int], pl.Expr],
                *, first: bool) -> dict[int, int]:
    """``flag`` (an integer aggregate, 0 for nothing) of each of ``columns`` (by position) on this block's
    values read as text, for the columns where it is not 0."""
    frame = pl.read_csv(block, has_header=False, skip_rows=1 if first else 0, separator=delimiter,
                        quote_char=quote, infer_schema=False, columns=columns, truncate_ragged_lines=True)
    names = frame.columns  # the projected columns, in file order (``columns`` is ascending)
    row = frame.select([flag(pl.col(name), i).alias(name) for name, i in zip(names, columns, strict=True)]).row(0)
    return {i: int(code) for i, code in zip(columns, row, strict=True) if code}


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
