"""File fingerprints: the report names the exact input bytes a release was made from."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sanitas.core.errors import LoadError

CHUNK = 1 << 20


_SEEN: dict[tuple[str, int, int, int, int], str] = {}


def fingerprint_file(path: str | Path) -> str:
    """SHA-256 hex digest of the file's bytes, read in 1 MiB chunks so any size fits in memory.

    Remembered per (path, device, inode, size, modification time): a release fingerprints its input
    to reuse recorded findings and again for the report, and a large file takes a while to hash."""
    try:
        info = os.stat(path)
        seen = (str(Path(path).resolve()), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        seen = None
    if seen is not None and seen in _SEEN:
        return _SEEN[seen]
    text = _digest(path)
    if seen is not None:
        _SEEN[seen] = text
    return text


def remember(path: str | Path, digest: str) -> None:
    """Record the SHA-256 of a file just written whole by this process (computed from the bytes as they
    were written), so that ``fingerprint_file`` does not read it again while it is unchanged."""
    try:
        info = os.stat(path)
    except OSError:
        return
    _SEEN[(str(Path(path).resolve()), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)] = digest


def _digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise LoadError(f"{path}: could not be read to fingerprint it ({exc.strerror}).") from None
    return digest.hexdigest()
