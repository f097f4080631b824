"""Temp files and folders that are recognisably ours, and the removal of those a dead run left behind.

A run killed with SIGKILL (or a power cut) cannot clean up: it leaves the hidden temp file of a
half-written output (rows of personal data) beside the destination, or a private ``sanitas-*`` folder
holding a transcoded copy of the input under $TMPDIR. So every temp name carries the owning process
id, ``.OUT.sanitas-<pid>-<random>.tmp`` and ``sanitas-<pid>-<random>``, and later runs remove one only
when it belongs to this user and its process is gone. A name without a pid (an older Sanitas, or
someone else's file) is never touched. A process id reused by an unrelated process keeps the file
until that process ends: safe, only later.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

TEMP_FILE = re.compile(r"^\..+\.sanitas-(?P<pid>\d+)-[A-Za-z0-9_]+\.tmp$")
TEMP_FOLDER = re.compile(r"^sanitas-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def temp_file_prefix(path: Path) -> str:
    """The ``mkstemp`` prefix for a temp file that will replace ``path``: hidden, ours, with our pid."""
    return f".{path.name}.sanitas-{os.getpid()}-"


def temp_folder_prefix() -> str:
    return f"sanitas-{os.getpid()}-"


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts: leave its files alone)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _orphan(entry: os.DirEntry[str], pattern: re.Pattern[str], want_dir: bool) -> bool:
    match = pattern.match(entry.name)
    if match is None:
        return False
    with contextlib.suppress(OSError):
        info = entry.stat(follow_symlinks=False)
        kind_ok = stat.S_ISDIR(info.st_mode) if want_dir else stat.S_ISREG(info.st_mode)
        mine = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
        return kind_ok and mine and not process_alive(int(match["pid"]))
    return False


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Remove the temp files of dead Sanitas runs in ``folder`` (an output folder); return them."""
    removed: list[Path] = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _orphan(entry, TEMP_FILE, want_dir=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def remove_stale_temp_folders(parent: Path | None = None) -> list[Path]:
    """Remove the private ``sanitas-<pid>-*`` folders of dead runs under $TMPDIR (or ``parent``)."""
    parent = Path(parent or tempfile.gettempdir())
    removed: list[Path] = []
    with contextlib.suppress(OSError), os.scandir(parent) as entries:
        for entry in entries:
            if _orphan(entry, TEMP_FOLDER, want_dir=True):
                shutil.rmtree(entry.path, ignore_errors=True)
                if not os.path.lexists(entry.path):
                    removed.append(Path(entry.path))
    return removed
