"""Streaming conversion of a text file to UTF-8, for readers that only take UTF-8 (polars).

The copy goes to a private temp folder (mode 0700, see tempdir.py), never next to the input, and
is written chunk by chunk, so memory stays bounded whatever the file size; disk use is about the
size of the input again. Line breaks are kept byte for byte, so line numbers in later messages
still match the original file, unless lines above the header are left out (``skip_lines``: the
header row option), when the reader adds them back to the line numbers it reports.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sanitas.core.errors import LoadError
from sanitas.core.io.encoding import BadByte, find_bad_byte, undecodable
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

CHUNK = 1 << 20
PAST_END_PROBE = 1 << 16  # bytes looked at to tell an empty rest of the file


def transcode_to_utf8(
    path: Path,
    encoding: str,
    folder: TempFolder,
    *,
    skip_lines: int = 0,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """Write ``path`` decoded from ``encoding`` as UTF-8 (no BOM) into ``folder``; return the copy.

    The first ``skip_lines`` lines (a title above the header) are left out; a LoadError naming the
    header row if the file ends first.
    """
    target = folder.path / f"source-utf8{path.suffix.lower() or '.txt'}"
    total = max(path.stat().st_size, 1)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, line = 0, 1
    to_skip = skip_lines
    try:
        with open(path, "rb") as source, open(target, "xb") as sink:
            while True:
                cancel.raise_if_cancelled()
                chunk = source.read(CHUNK)
                final = not chunk
                pending = decoder.getstate()[0]
                try:
                    text = decoder.decode(chunk, final)
                except UnicodeDecodeError:
                    bad = find_bad_byte(
                        pending + chunk, encoding, final=final,
                        start=offset - len(pending), line=line - pending.count(b"\n"),
                    ) or BadByte(offset, line)  # fmt: skip
                    raise undecodable(path, encoding, bad) from None
                if to_skip:
                    text, to_skip = _drop_lines(text, to_skip)
                sink.write(text.encode("utf-8"))
                if final:
                    break
                offset += len(chunk)
                line += chunk.count(b"\n")
                progress(min(offset / total, 1.0), "Converting the file to UTF-8")
    except OSError as exc:
        raise LoadError(
            f"{path.name}: could not make a UTF-8 copy in the temp folder {folder.path.parent} "
            f"({exc.strerror}). Free some space there or point TMPDIR at a larger disk, "
            "or save the file as UTF-8."
        ) from None
    if skip_lines and (to_skip or _blank(target)):
        lines = skip_lines - to_skip
        where = (f"it has {lines:,} line{'s' if lines != 1 else ''}" if to_skip
                 else f"nothing follows line {skip_lines:,}")
        raise LoadError(f"{path.name}: header row {skip_lines + 1:,} is past the end of the file ({where}). "
                        "Choose the line that holds the column names.", option="header_row")
    return target


def _blank(path: Path) -> bool:
    with open(path, "rb") as handle:
        return not handle.read(PAST_END_PROBE).strip()


def _drop_lines(text: str, count: int) -> tuple[str, int]:
    """``text`` without its first ``count`` lines, and how many lines are still to drop after it."""
    start = 0
    while count:
        end = text.find("\n", start)
        if end < 0:
            return "", count
        start, count = end + 1, count - 1
    return text[start:], 0
