"""Private temp folders for intermediate copies of the analyst's data.

A transcoded CSV holds the same personal data as its source, so it lives in a folder only this user
can enter (mode 0700) and is removed as soon as nothing uses it: ``private_tempdir`` removes it on
leaving the ``with`` block, ``TempFolder`` when its owner (a Dataset's backing) is garbage-collected
or, failing that, when the interpreter exits. A killed process can still leave a folder behind; it
is named ``sanitas-<pid>-*`` under the system temp folder (``$TMPDIR``, which is also where to point
the copies when /tmp is small or held in memory), and the next TempFolder removes it once that
process is gone (stale.py).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sanitas.core.io.stale import remove_stale_temp_folders, temp_folder_prefix

PRIVATE_MODE = 0o700


class TempFolder:
    """A private folder that removes itself when this object goes away, or at exit at the latest."""

    def __init__(self) -> None:
        remove_stale_temp_folders()  # those of killed runs: a transcoded copy is a copy of the data
        self.path = Path(tempfile.mkdtemp(prefix=temp_folder_prefix()))
        # mkdtemp asks for 0700; a umask can only remove bits, so make sure we got exactly that.
        if stat.S_IMODE(self.path.stat().st_mode) != PRIVATE_MODE:
            os.chmod(self.path, PRIVATE_MODE)
        if stat.S_IMODE(self.path.stat().st_mode) != PRIVATE_MODE:
            shutil.rmtree(self.path, ignore_errors=True)
            raise OSError(f"could not make the temp folder {self.path} private (mode 0700)")
        # finalize runs on garbage collection and, via its atexit hook, at interpreter exit.
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), ignore_errors=True)

    @property
    def alive(self) -> bool:
        return self._finalizer.alive

    def cleanup(self) -> None:
        """Remove the folder now (idempotent)."""
        self._finalizer()


@contextmanager
def private_tempdir() -> Iterator[Path]:
    """A folder only this user can enter, removed with its contents at the end, even on error."""
    folder = TempFolder()
    try:
        yield folder.path
    finally:
        folder.cleanup()
