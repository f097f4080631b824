"""Dataset: a lazily read table plus what we know about its source.

The frame is a polars LazyFrame so that previewing and scanning a file larger than memory only reads
the rows a step needs (streaming row counts, evenly spread samples). Steps that must see every row
(apply, export) call ``collect()``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW_INDEX = "__sanitas_row__"


@dataclass(frozen=True)
class Dataset:
    """A table to sanitize. ``frame`` is lazy; ``schema`` is the polars schema of its columns."""

    frame: pl.LazyFrame
    source: Path | None = None
    format: str = "memory"
    options: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame | pl.LazyFrame, name: str = "memory") -> Dataset:
        lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
        return cls(frame=lazy, source=None, format=name)

    @property
    def name(self) -> str:
        return self.source.name if self.source else self.format

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return dict(self.frame.collect_schema())

    @property
    def columns(self) -> list[str]:
        return list(self.frame.collect_schema().names())

    def schema_fingerprint(self) -> str:
        """A short hash of column names and types: tells a recipe's author which layout it was made for."""
        text = "\n".join(f"{name}:{dtype}" for name, dtype in self.schema.items())
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def row_count(self) -> int:
        """Count rows by streaming; never holds the table in memory."""
        return int(self.frame.select(pl.len()).collect(engine="streaming").item())

    def head(self, n: int = 1000) -> pl.DataFrame:
        return self.frame.head(n).collect()

    def sample_rows(self, n: int, *, total_rows: int | None = None) -> pl.DataFrame:
        """About ``n`` rows spread evenly over the file, with their 0-based row number in ``ROW_INDEX``.

        Deterministic (every k-th row), so the same file always gives the same sample and the same
        findings, and streaming, so it works on files larger than memory.
        """
        total = self.row_count() if total_rows is None else total_rows
        step = max(1, total // max(n, 1))
        indexed = self.frame.with_row_index(ROW_INDEX)
        if step > 1:
            indexed = indexed.filter(pl.col(ROW_INDEX) % step == 0)
        return indexed.head(n).collect(engine="streaming")

    def collect(self) -> pl.DataFrame:
        return self.frame.collect()
