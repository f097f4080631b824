"""A CSV file read a block at a time with the Dataset's own schema and options: batches without read-ahead.

polars' streaming engine (``LazyFrame.collect_batches``) reads ahead of a slow consumer: with the column
actions taking a few seconds per batch, a third of a 1M-row file was decoded and waiting, which is
most of what streaming was meant to save. Here each block of about ``BLOCK_BYTES`` (cut after a line
end, never inside a quoted field: a block with an odd number of quote characters is joined to the next)
is parsed only when the consumer asks for it (the quote count is skipped when the full-file check
found no record spanning lines), by ``pl.read_csv`` with the schema and options the lazy
scan uses, so the values are the scan's. A file this cannot read alike (no CSV backing, an unusual
dialect) returns None and the caller streams with polars instead; the caller also compares the rows
read with the row count.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from sanitas.core.io.csv_check import _blocks

BLOCK_BYTES = 16 * 2**20


def csv_batches(backing: Any, schema: pl.Schema, columns: list[str] | None = None, *,
                block_bytes: int = BLOCK_BYTES) -> Iterator[pl.DataFrame] | None:
    """Batches of the CSV behind ``backing`` (a CsvBacking), or None when it is not one."""
    source = getattr(backing, "source", None)
    options = getattr(source, "_options", None)
    if source is None or options is None or not hasattr(source, "path"):
        return None
    settings = {**options(), "new_columns": None}
    quote = settings.get("quote_char")
    if getattr(backing, "multiline", None) is False:
        quote = None  # checked: every record is on one line, so a block ends where a record does
    return _read(source.path, schema, columns, settings, quote.encode() if isinstance(quote, str) and quote else None,
                 block_bytes)


def _read(path: Any, schema: pl.Schema, columns: list[str] | None, settings: dict[str, object],
          quote: bytes | None, block_bytes: int) -> Iterator[pl.DataFrame]:
    """The batches in order; each block is parsed in a worker thread while the consumer works on the
    previous batch (polars parses without the GIL): one batch ahead, never more."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanitas-csv-batches") as pool:
        ahead: Future[pl.DataFrame] | None = None
        for data, first in _pieces(path, quote, block_bytes):
            parsing = pool.submit(_parse, data, schema, columns, settings, first)
            del data
            if ahead is not None:
                yield ahead.result()
            ahead = parsing
        if ahead is not None:
            yield ahead.result()


def _pieces(path: Any, quote: bytes | None, block_bytes: int) -> Iterator[tuple[bytes, bool]]:
    """The file's blocks, whole records each (a block with an odd number of quotes is joined to the
    next), and whether the block is the first (it holds the header)."""
    first = True
    pending = b""
    for block in _blocks(path, block_bytes):
        data = pending + block if pending else block
        if quote is not None and data.count(quote) % 2:
            pending = data  # a quoted field goes on past this block's last line end
            continue
        pending = b""
        yield data, first
        first = False
    if pending:
        yield pending, first


def _parse(data: bytes, schema: pl.Schema, columns: list[str] | None, settings: dict[str, object],
           first: bool) -> pl.DataFrame:
    names = list(schema)
    wanted = None if columns is None else [names.index(name) for name in columns]  # by index: no header
    return pl.read_csv(data, has_header=False, skip_rows=1 if first else 0, schema=schema, columns=wanted,
                       **settings)
