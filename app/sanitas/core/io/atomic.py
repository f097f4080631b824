"""Write a text file atomically: a hidden temp file in the same folder, fsynced, renamed over the target.

A failure mid-write leaves an existing file as it was and no temp file behind; a killed process
leaves a temp file named with its pid, which a later run removes (stale.py). Callers turn
the OSError into their own message (report, recipe, settings, hierarchy, session file).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from sanitas.core.io.interrupts import first_interrupt_only
from sanitas.core.io.stale import temp_file_prefix


def write_text_atomic(path: Path, text: str, *, mode: int | None = None, newline: str | None = None) -> None:
    """Replace ``path`` with ``text`` (UTF-8). ``mode`` sets the file's permissions (e.g. 0o600)."""
    with first_interrupt_only():  # one Ctrl-C, and the cleanup below runs to its end
        _write(path, text, mode, newline)


def _write(path: Path, text: str, mode: int | None, newline: str | None) -> None:
    handle, temp = tempfile.mkstemp(prefix=temp_file_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
