"""Random access to a Dataset's rows a page at a time, for views that show a window of a large table.

A table view asks for rows anywhere (the analyst presses Ctrl+End), but a CSV cannot be read from the
middle: polars parses it from the top to reach row 999,500. Holding the collected table instead costs
several times the file's size in memory. So a file-backed Dataset is streamed once into a Parquet
copy in a private temp folder (0700, removed with this object, see tempdir.py), written in small row
groups: a page then decodes one or two row groups, and the table itself is never in memory. An
in-memory Dataset (already collected) is paged from its frame.

The copy holds the same personal data as the input, like the readers' transcoded copies, and goes
the same way. Only views use pages; a release (export, k-anonymity) reads the Dataset itself.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanitas.core.dataset import Dataset
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.progress import CancelToken, Progress

ROW_GROUP = 10_000  # rows per Parquet row group: a page of a few hundred rows decodes about that many
SAMPLE_ROWS = 2_000  # rows spread over the table kept in memory for previews and working defaults
COPY_NAME = "rows.parquet"


class PagedRows:
    """Rows by position without holding the table: ``page(offset, length)``, ``distinct(column)``, ``sample``."""

    def __init__(self, frame: pl.LazyFrame | pl.DataFrame, height: int, *, temp: TempFolder | None = None,
                 sample_rows: int = SAMPLE_ROWS) -> None:
        self._frame = frame
        self._temp = temp  # the Parquet copy's folder, removed with this object (or by close())
        self.height = height
        self.schema: dict[str, pl.DataType] = dict(frame.collect_schema() if isinstance(frame, pl.LazyFrame)
                                                   else frame.schema)
        self.columns = list(self.schema)
        self.sample = self._spread(sample_rows)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, *, sample_rows: int = SAMPLE_ROWS) -> PagedRows:
        """Rows that are in memory already (an in-memory Dataset, a test's frame)."""
        return cls(frame, frame.height, sample_rows=sample_rows)

    @classmethod
    def from_dataset(cls, dataset: Dataset, *, progress: Progress | None = None, cancel: CancelToken | None = None,
                     row_group: int = ROW_GROUP, sample_rows: int = SAMPLE_ROWS) -> PagedRows:
        """Stream ``dataset`` into a paged copy (file-backed) or page its frame (in memory)."""
        if dataset.source is None:
            return cls.from_frame(dataset.collect(), sample_rows=sample_rows)
        temp = TempFolder()
        try:
            write_pages(dataset, temp.path / COPY_NAME, progress=progress, cancel=cancel, row_group=row_group)
            return cls.from_copy(temp, sample_rows=sample_rows)
        except BaseException:
            temp.cleanup()
            raise

    @classmethod
    def from_copy(cls, temp: TempFolder, *, sample_rows: int = SAMPLE_ROWS) -> PagedRows:
        """Page the copy ``write_pages`` left in ``temp`` (possibly written by another process); this
        object owns ``temp`` from now on."""
        frame = pl.scan_parquet(temp.path / COPY_NAME)
        height = int(frame.select(pl.len()).collect().item())  # from the Parquet footer: no data read
        return cls(frame, height, temp=temp, sample_rows=sample_rows)

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def in_memory(self) -> bool:
        return isinstance(self._frame, pl.DataFrame)

    @property
    def path(self) -> Path | None:
        """The Parquet copy (None in memory): another process may page it too while this object lives."""
        return self._temp.path / COPY_NAME if self._temp is not None else None

    def page(self, offset: int, length: int, columns: list[str] | None = None) -> pl.DataFrame:
        """Rows ``offset`` .. ``offset + length`` (fewer at the end), of ``columns`` (all if None)."""
        frame = self._frame if columns is None else self._frame.select(columns)
        sliced = frame.slice(offset, length)
        return sliced.collect() if isinstance(sliced, pl.LazyFrame) else sliced

    def distinct(self, column: str) -> pl.Series:
        """The column's distinct values, sorted (nulls last): what hierarchy builders and checks need."""
        query = self._frame.select(pl.col(column).unique().sort(nulls_last=True))
        frame = query.collect() if isinstance(query, pl.LazyFrame) else query
        return frame.get_column(column)

    def close(self) -> None:
        """Remove the paged copy now (idempotent); the object must not be used afterwards."""
        if self._temp is not None:
            self._temp.cleanup()

    def _spread(self, rows: int) -> pl.DataFrame:
        """About ``rows`` rows evenly spread (every k-th), so a sorted file still shows its variety. Streamed:
        the copy is decoded a row group at a time, never whole."""
        if self.height <= rows:
            return self.page(0, self.height)
        step = self.height // rows
        if isinstance(self._frame, pl.DataFrame):
            return self._frame.gather_every(step).head(rows)
        index = "__sanitas_page_row__"
        query = self._frame.with_row_index(index).filter(pl.col(index) % step == 0).head(rows).drop(index)
        return query.collect(engine="streaming")

def write_pages(dataset: Dataset, path: Path, *, progress: Progress | None = None, cancel: CancelToken | None = None,
                row_group: int = ROW_GROUP) -> None:
    """Stream a file-backed ``dataset`` into the Parquet copy at ``path``, in row groups of ``row_group``.

    Runs the reader's full-file checks first (a zero-led code column re-read as text pages as text),
    and turns read errors into the reader's LoadError, naming the file and line. Memory stays bounded
    by a few row groups whatever the file's size; the workbench runs this in its analysis process, so
    even that passes outside the window's process.
    """
    if progress is not None:
        progress(0.1, f"Checking {dataset.name}")
    dataset.check()
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(0.4, f"Indexing {dataset.name} for paging")
    dataset.query(lambda lf: lf.sink_parquet(path, row_group_size=row_group, compression="lz4"))
