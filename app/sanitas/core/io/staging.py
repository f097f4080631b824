"""A release's files written as hidden temp files first and put in place together, data file last.

An output file must never exist without its reports, and a half-written file must never look
complete. So each file is written in full to a temp file beside its destination (named with our
pid, see stale.py), and ``commit`` renames them in the order they were added: the reports first,
the data file last. Leaving the ``with`` block without committing (an error, Cancel, Ctrl-C) removes
every temp file and leaves existing destinations as they were. A SIGKILL leaves the temp files, which
the next run removes (``remove_stale_temp_files``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from types import TracebackType

from sanitas.core.io.interrupts import first_interrupt_only, interrupts_held
from sanitas.core.io.stale import remove_stale_temp_files, temp_file_prefix


def new_temp_file(path: Path) -> Path:
    """An empty hidden temp file beside ``path`` (OSError if the folder refuses it)."""
    remove_stale_temp_files(path.parent)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=temp_file_prefix(path), suffix=".tmp")
    os.close(fd)
    return Path(name)


class StagedFiles:
    """Temp files waiting to replace their destinations; use as ``with StagedFiles() as staged:``."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []  # (temp, destination), in commit order
        self._last: set[Path] = set()  # temps renamed after all the others (data files, after their reports)
        self._interrupts = first_interrupt_only()

    def __enter__(self) -> StagedFiles:
        self._interrupts.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            self.discard()  # after a commit there is nothing left to discard
        finally:
            self._interrupts.__exit__(kind, error, trace)

    def new(self, path: Path, *, last: bool = False) -> Path:
        """A temp file for ``path``, removed on discard and renamed over ``path`` on commit; ``last``:
        after every file not so marked (a data file is staged before its reports, renamed after them)."""
        temp = new_temp_file(path)
        self._files.append((temp, path))
        if last:
            self._last.add(temp)
        return temp

    def forget(self, temp: Path) -> None:
        """Remove one staged temp file now (a data file withheld once its reports are known)."""
        self._files = [(t, p) for t, p in self._files if t != temp]
        self._last.discard(temp)
        with contextlib.suppress(OSError):
            temp.unlink()

    def text(self, path: Path, text: str) -> Path:
        temp = self.new(path)
        with open(temp, "w", encoding="utf-8") as out:
            out.write(text)
        return temp

    def commit(self) -> None:
        """Put every file in place, in order (those staged ``last`` at the end); the permissions of a
        replaced file are kept."""
        self._files.sort(key=lambda pair: pair[0] in self._last)  # stable: the order added, otherwise
        for temp, path in self._files:
            _match_mode(temp, path)
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
        with interrupts_held():  # a few renames: all of them, or (on an OSError) as many as the disk allowed
            for temp, path in self._files:
                os.replace(temp, path)
            folders = {path.parent for _, path in self._files}
            self._files.clear()
            self._last.clear()
        for folder in folders:
            _fsync_folder(folder)

    def discard(self) -> None:
        while self._files:
            temp, _ = self._files.pop()
            with contextlib.suppress(OSError):
                temp.unlink()


def _match_mode(temp: Path, path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    os.chmod(temp, mode)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
