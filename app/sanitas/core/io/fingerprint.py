"""File fingerprints: the report names the exact input bytes a release was made from."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sanitas.core.errors import LoadError

CHUNK = 1 << 20


def fingerprint_file(path: str | Path) -> str:
    """SHA-256 hex digest of the file's bytes, read in 1 MiB chunks so any size fits in memory."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise LoadError(f"{path}: could not be read to fingerprint it ({exc.strerror}).") from None
    return digest.hexdigest()
