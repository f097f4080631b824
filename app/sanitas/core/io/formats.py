"""Which reader a file needs: decided by its magic bytes first, then its extension, then its text.

Magic bytes settle binary formats whatever the name says (a .csv that is really Parquet reads as
Parquet), a binary extension whose bytes do not match is refused with a message rather than parsed
as garbage, and JSON vs NDJSON vs CSV is told from the first characters for names that do not say.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

from sanitas.core.errors import LoadError

FORMATS = ("csv", "parquet", "excel", "json", "ndjson")

FORMAT_ALIASES = {
    "csv": "csv", "tsv": "csv", "txt": "csv", "text": "csv",
    "parquet": "parquet", "pq": "parquet",
    "excel": "excel", "xlsx": "excel", "xlsm": "excel", "xls": "excel", "ods": "excel",
    "json": "json",
    "ndjson": "ndjson", "jsonl": "ndjson",
}  # fmt: skip

EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".ods": "excel",
    ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
}  # fmt: skip

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def check_input_path(path: str | Path) -> Path:
    """The path as a Path, or a LoadError for a missing file, a folder or an empty file."""
    path = Path(path).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise LoadError(f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist.") from None
        raise LoadError(f"{path}: no such file. Check the path and the current folder.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LoadError(f"{path}: is a symbolic link that points to itself (a loop). Name the data file.") from None
        if exc.errno == errno.ENOTDIR:
            raise LoadError(f"{path}: a part of this path is a file, not a folder. Check the path.") from None
        raise LoadError(f"{path}: cannot be read ({exc.strerror}). Check its permissions.") from None
    if stat.S_ISDIR(info.st_mode):
        raise LoadError(f"{path}: is a folder, not a file. Name one data file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise LoadError(f"{path}: is not a regular file (a pipe, socket or device). Save the data to a file "
                        "and open that.")
    if not os.access(path, os.R_OK):
        raise LoadError(f"{path}: cannot be read (permission denied). Check its permissions, or copy it "
                        "somewhere you can read it.")
    size = info.st_size
    if size == 0:
        raise LoadError(f"{path.name}: the file is empty (0 bytes); there is nothing to load.")
    return path


def normalize_format(requested: str) -> str:
    key = requested.strip().lower().lstrip(".")
    if key not in FORMAT_ALIASES:
        raise LoadError(f"Unknown format '{requested}'. Use one of: {', '.join(FORMATS)} (or tsv, xlsx, jsonl).")
    return FORMAT_ALIASES[key]


def detect_format(path: Path, head: bytes, requested: str | None = None) -> str:
    """The reader for ``path`` given its first bytes; ``requested`` (a --format) wins outright."""
    if requested:
        return normalize_format(requested)
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        return "excel"
    if by_extension == "excel":
        raise LoadError(
            f"{path.name}: is not an Excel workbook (an .xlsx file is a zip archive, this one is not). "
            "If it is text, rename it to .csv or pass --format csv; otherwise export it again from Excel."
        )
    if by_extension == "parquet":
        raise LoadError(
            f"{path.name}: is not a Parquet file (it does not start with 'PAR1'). "
            "Export it again, or pass --format if it is another format."
        )
    if by_extension == "csv":
        return "csv"
    return _text_format(head, by_extension)


def _text_format(head: bytes, by_extension: str | None) -> str:
    """JSON array, NDJSON or CSV, from the first non-blank character."""
    text = head
    for bom in BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    stripped = text.lstrip().replace(b"\x00", b"")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        try:
            json.loads(first_line)
        except RecursionError:
            return by_extension or "ndjson"  # one line nested too deep: the NDJSON reader names it
        except ValueError:
            return "json"  # a multi-line object: the JSON reader explains what shape it expects
        return "ndjson"
    if by_extension in ("json", "ndjson"):
        return by_extension
    return "csv"
