"""The part of each reader that outlives opening: error messages for reads that happen later.

Polars messages can quote the offending value, and those never reach the analyst or the log, so
every read error becomes a LoadError written here from what we know (file, line, column) and the
kind of failure. Readers subclass ``FileBacking`` and add what their format can say more precisely.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import polars as pl

from sanitas.core.dataset import READ_ERRORS, Backing
from sanitas.core.errors import LoadError

T = TypeVar("T")


class FileBacking:
    """No full-file checks, no recovery, and a message that names the file and the kind of failure."""

    kind = "data"

    def __init__(self, path: Path) -> None:
        self.original = path

    def check(self) -> pl.LazyFrame | None:
        return None

    def recover(self, error: BaseException) -> pl.LazyFrame | None:
        return None

    def explain(self, error: BaseException) -> LoadError | None:
        return self.explain_specific(error) or self.explain_generic(error)

    def explain_specific(self, error: BaseException) -> LoadError | None:
        return None

    def explain_generic(self, error: BaseException) -> LoadError:
        name = self.original.name
        if isinstance(error, FileNotFoundError):
            return LoadError(f"{name}: the file is gone (moved or deleted since it was opened). Open it again.")
        if isinstance(error, OSError):
            return LoadError(f"{name}: could not be read ({error.strerror}). Check the file and open it again.")
        return LoadError(
            f"{name}: the {self.kind} could not be read ({type(error).__name__}). "
            "Check that the file is complete and not damaged, or export it again."
        )


def read_or_explain(backing: Backing, read: Callable[[], T]) -> T:
    """Run a read at open time with the same error messages as the Dataset's later reads."""
    try:
        return read()
    except READ_ERRORS as exc:
        error = backing.explain(exc)
        if error is None:
            raise
        raise error from None
