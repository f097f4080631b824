"""The sanitized table written batch by batch to a staged temp file, byte for byte as ``stage_table``.

Each batch gets what ``stage_table`` does to the whole frame (``fit_types``, then the formula guard),
both cell by cell, so the bytes are those of the whole frame written at once (in a worker thread, one
batch at a time and in order, while the next batch is computed): CSV and TSV rows do not
depend on their neighbours, and the header is written with the first batch only. Formats whose bytes
depend on the whole table (Parquet row groups and statistics, a JSON array, an XLSX sheet) are not
streamed: the release falls back to the in-memory path for them.
"""

from __future__ import annotations

import contextlib
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import polars as pl

from sanitas.core.dataset import READ_ERRORS
from sanitas.core.errors import ExportError
from sanitas.core.io.fingerprint import remember
from sanitas.core.io.format_types import fit_types
from sanitas.core.io.formula_guard import guard_formulas
from sanitas.core.io.staging import StagedFiles
from sanitas.core.io.writers import GUARDED, INPUT, _check_path, _format_for

STREAMED_FORMATS = ("csv", "tsv")


def streams(path: Path) -> bool:
    """Whether the format ``path`` names is written batch by batch."""
    try:
        return _format_for(Path(path)) in STREAMED_FORMATS
    except ExportError:
        return False


class _Hashing:
    """The staged file's handle, hashing the bytes on their way to it (SHA-256, as ``fingerprint_file``)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


class BatchWriter:
    """Appends batches to a staged temp file for ``path`` (renamed after the reports on commit)."""

    def __init__(self, staged: StagedFiles, path: Path, *, input_path: Path | None = None) -> None:
        self.path = Path(path)
        self.kind = _format_for(self.path)
        if self.kind not in STREAMED_FORMATS:
            raise ExportError(f"{self.path.name}: {self.kind} is not written batch by batch.")
        _check_path(self.path, {Path(input_path): INPUT} if input_path is not None else {})
        try:
            self.temp = staged.new(self.path, last=True)
            self._handle: BinaryIO | None = open(self.temp, "wb")  # noqa: SIM115 - closed in close()
            self._hashing = _Hashing(self._handle)
        except OSError as exc:
            raise ExportError(f"{self.path}: cannot create files in {self.path.parent} ({exc.strerror}).") from None
        self.notes: dict[str, str] = {}
        self.rows = 0
        self.width = 0
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None

    def write(self, frame: pl.DataFrame) -> None:
        """Queue ``frame`` to be written after the previous batch, in a worker thread (polars writes without
        the GIL, so the next batch is computed meanwhile); an error of the previous write is raised here."""
        self._wait()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanitas-batch-writer")
        self._pending = self._pool.submit(self._write, frame)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _write(self, frame: pl.DataFrame) -> None:
        assert self._handle is not None
        frame, notes = fit_types(self.path, frame, self.kind)
        self.notes.update(notes)
        if self.kind in GUARDED:
            frame = guard_formulas(frame)
        try:
            frame.write_csv(self._hashing, separator="\t" if self.kind == "tsv" else ",",
                            include_header=self.rows == 0 and not self.width)
        except OSError as exc:
            raise ExportError(f"{self.path}: could not be written ({exc.strerror}); nothing was changed.") from None
        except (*READ_ERRORS, ValueError, TypeError) as exc:
            raise ExportError(
                f"{self.path}: could not be written as {self.kind} ({type(exc).__name__}: a column type this format "
                "cannot hold?); nothing was changed. Try Parquet, or drop the column."
            ) from None
        self.rows += frame.height
        self.width = frame.width

    def close(self) -> Path:
        """Wait for the last batch, close the file: its path (raises the last write's error)."""
        try:
            self._wait()
        finally:
            self._stop()
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError as exc:
                raise ExportError(f"{self.path}: could not be written ({exc.strerror}); nothing was changed.") from None
            self._handle = None
            remember(self.temp, self._hashing.digest.hexdigest())  # the report's fingerprint, without a re-read
        return self.temp

    def abort(self) -> None:
        """Stop after the write under way (its error dropped: the release is being abandoned) and close."""
        with contextlib.suppress(Exception):
            self._wait()
        self._stop()
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __del__(self) -> None:
        if getattr(self, "_handle", None) is not None:
            self.abort()
