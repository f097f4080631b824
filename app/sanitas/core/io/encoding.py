"""Text encodings: guess one from the first megabytes, and name the first byte that does not fit.

Polars reads UTF-8 only (a UTF-8 BOM is fine), so anything else is transcoded (see transcode.py).
The guess is UTF-8, then Windows-1252, then Latin-1 (which accepts every byte), in that order,
because a valid UTF-8 prefix is rarely anything else, and cp1252 is what spreadsheets on Windows
write. An encoding the analyst names is checked the same way and never second-guessed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from sanitas.core.errors import LoadError

PROBE_BYTES = 4 << 20
UTF8 = "utf-8"
UTF8_FAMILY = ("utf-8", "utf-8-sig")
ENCODING_HINT = "try --encoding cp1252 (Windows) or --encoding latin-1, or save the file as UTF-8"


@dataclass(frozen=True)
class BadByte:
    """Where decoding failed: 0-based byte offset and 1-based line."""

    offset: int
    line: int


def canonical_encoding(name: str, path: Path) -> str:
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        raise LoadError(
            f"{path.name}: unknown encoding '{name}'. Use a name such as utf-8, cp1252, latin-1 or utf-16."
        ) from None
    return "latin-1" if canonical == "iso8859-1" else canonical


def find_bad_byte(data: bytes, encoding: str, *, final: bool, start: int = 0, line: int = 1) -> BadByte | None:
    """The first undecodable byte in ``data`` (which begins at byte ``start`` on line ``line``)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        return BadByte(offset=start + exc.start, line=line + before.count(b"\n"))
    return None


def guess_encoding(probe: bytes, *, whole_file: bool) -> str:
    """The encoding of a text file from its first bytes (see module docstring for the order)."""
    if probe.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if probe.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in (UTF8, "cp1252"):
        if find_bad_byte(probe, candidate, final=whole_file) is None:
            return candidate
    return "latin-1"


def choose_encoding(path: Path, probe: bytes, requested: str | None, *, whole_file: bool) -> str:
    """The encoding to read ``path`` with, or a LoadError naming the first byte that does not fit."""
    if requested is None:
        if b"\x00" in probe and not probe.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise LoadError(
                f"{path.name}: contains NUL bytes, so it is binary or UTF-16 without a byte-order mark. "
                "If it is UTF-16 text, pass --encoding utf-16; otherwise check that this is the data file."
            )
        return guess_encoding(probe, whole_file=whole_file)
    encoding = canonical_encoding(requested, path)
    bad = find_bad_byte(probe, encoding, final=whole_file)
    if bad is not None:
        raise undecodable(path, encoding, bad)
    if encoding == UTF8 and probe.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    return encoding


def undecodable(path: Path, encoding: str, bad: BadByte) -> LoadError:
    return LoadError(
        f"{path.name}, line {bad.line:,}: the byte at offset {bad.offset:,} is not valid {encoding}. "
        f"The file is in another encoding: {ENCODING_HINT}."
    )


def locate_bad_byte(path: Path, encoding: str, chunk_size: int = 1 << 20) -> BadByte | None:
    """Stream the whole file to find its first undecodable byte (used only after a read failed)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, line = 0, 1
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(chunk_size)
            final = not chunk
            pending = decoder.getstate()[0]  # bytes of a character split over the chunk boundary
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError:
                start, first_line = offset - len(pending), line - pending.count(b"\n")
                return find_bad_byte(pending + chunk, encoding, final=final, start=start, line=first_line)
            if final:
                return None
            line += chunk.count(b"\n")
            offset += len(chunk)
