"""Dataset: a lazily read table plus what we know about its source.

The frame is a polars LazyFrame so that previewing and scanning a file larger than memory only reads
the rows a step needs (streaming row counts, evenly spread samples). Steps that must see every row
(apply, export) call ``collect()``.

A lazy scan only meets most of a file when a step reads it, so a bad row far down a CSV surfaces
at ``sample_rows`` or ``collect`` time, not at open time. A file-backed Dataset therefore carries a
``Backing`` from its reader: the methods below run their query through it, so a polars error turns
into a ``LoadError`` naming the file and line, and a value that breaks an inferred column type
re-reads that column as text instead of failing. The backing also keeps any private temp file the
frame reads from (a transcoded CSV) alive for as long as the Dataset lives: keep the Dataset, not
just its ``frame``, while you use the frame.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import polars as pl

from sanitas.core.errors import LoadError

ROW_INDEX = "__sanitas_row__"

T = TypeVar("T")

#: Errors a polars query over a file can raise. PanicException derives from BaseException.
READ_ERRORS: tuple[type[BaseException], ...] = (
    pl.exceptions.PolarsError,
    pl.exceptions.PanicException,
    OSError,
)


class Backing(Protocol):
    """What a reader leaves behind so the Dataset can check, recover from and explain read errors."""

    def check(self) -> pl.LazyFrame | None:
        """Full-file checks a lazy scan skips (e.g. rows with too few fields); raise LoadError. A rebuilt
        frame when the pass found columns that must be read differently (zero-led codes further down)."""

    def recover(self, error: BaseException) -> pl.LazyFrame | None:
        """A rebuilt frame that avoids ``error`` (a column re-read as text), or None."""

    def explain(self, error: BaseException) -> LoadError | None:
        """A LoadError naming the file and line for a read error; None if ``error`` is not one."""


@dataclass(frozen=True)
class Dataset:
    """A table to sanitize. ``frame`` is lazy; ``schema`` is the polars schema of its columns."""

    frame: pl.LazyFrame
    source: Path | None = None
    format: str = "memory"
    options: dict[str, object] = field(default_factory=dict)
    backing: Backing | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame | pl.LazyFrame, name: str = "memory") -> Dataset:
        lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
        return cls(frame=lazy, source=None, format=name)

    @property
    def name(self) -> str:
        return self.source.name if self.source else self.format

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return dict(self._run(lambda lf: lf.collect_schema()))

    @property
    def columns(self) -> list[str]:
        return list(self._run(lambda lf: lf.collect_schema().names()))

    def schema_fingerprint(self) -> str:
        """A short hash of column names and types: tells a recipe's author which layout it was made for."""
        text = "\n".join(f"{name}:{dtype}" for name, dtype in self.schema.items())
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def row_count(self) -> int:
        """Count rows by streaming; never holds the table in memory."""
        return int(self._run(lambda lf: lf.select(pl.len()).collect(engine="streaming").item()))

    def head(self, n: int = 1000) -> pl.DataFrame:
        return self._run(lambda lf: lf.head(n).collect())

    def sample_rows(self, n: int, *, total_rows: int | None = None) -> pl.DataFrame:
        """About ``n`` rows spread evenly over the file, with their 0-based row number in ``ROW_INDEX``.

        Deterministic (every k-th row), so the same file always gives the same sample and the same
        findings, and streaming, so it works on files larger than memory. Reads every row, so this
        is where the full-file checks run (once per Dataset). A backing that can (CSV) draws the sample
        in the same read of the file as its checks, instead of a second pass.
        """
        total = self.row_count() if total_rows is None else total_rows
        step = max(1, total // max(n, 1))
        sampler = getattr(self.backing, "check_with_sample", None)
        if sampler is not None:
            drawn = self._run(lambda _: sampler(step, n))
            if drawn is not None:
                rebuilt, sample = drawn
                if rebuilt is not None:
                    object.__setattr__(self, "frame", rebuilt)
                if sample is not None:
                    return sample

        def query(lf: pl.LazyFrame) -> pl.DataFrame:
            indexed = lf.with_row_index(ROW_INDEX)
            if step > 1:
                indexed = indexed.filter(pl.col(ROW_INDEX) % step == 0)
            return indexed.head(n).collect(engine="streaming")

        self._check()
        return self._run(query)

    def query(self, query: Callable[[pl.LazyFrame], T]) -> T:
        """Run a query over the lazy table (a streaming check, a count), with the readers' error handling."""
        return self._run(query)

    def collect(self) -> pl.DataFrame:
        self._check()
        return self._run(lambda lf: lf.collect())

    def check(self) -> None:
        """Run the reader's full-file checks now (once per Dataset), before a query streams every row."""
        self._check()

    def _check(self) -> None:
        backing = self.backing
        if backing is not None:
            rebuilt = self._run(lambda _: backing.check())
            if rebuilt is not None:
                object.__setattr__(self, "frame", rebuilt)

    def _run(self, query: Callable[[pl.LazyFrame], T]) -> T:
        """Run ``query`` on the frame; recover from or explain read errors through the backing.

        Recovery replaces ``frame`` (the only mutation of this otherwise frozen object): the new
        frame reads the same file with a column widened to text, so the schema may change once,
        typically during the first full scan, before any recipe is fitted to it.
        """
        attempts = 0
        while True:
            try:
                return query(self.frame)
            except READ_ERRORS as exc:
                if self.backing is None:
                    raise
                attempts += 1
                rebuilt = self._recover(exc) if attempts <= 4096 else None  # each recovery widens a new column
                if rebuilt is not None:
                    object.__setattr__(self, "frame", rebuilt)
                    continue
                error = self.backing.explain(exc)
                if error is None:
                    raise
                raise error from None

    def _recover(self, error: BaseException) -> pl.LazyFrame | None:
        """Ask the backing for a frame that avoids ``error``; a failure while asking means no."""
        assert self.backing is not None
        try:
            return self.backing.recover(error)
        except READ_ERRORS:
            return None
