"""Output streams that show control characters instead of obeying them.

Column names and cell values come from the analyst's file, which may hold terminal escape sequences
(ESC ] 0 ; title BEL retitles the window, ESC [ 2 J clears the screen). Everything the command prints
goes through ``EscapingStream``, which writes such characters as visible escapes (\\x1b) while tab,
newline and carriage return (the progress bar) pass. JSON output is unaffected: json.dump escapes
control characters itself.
"""

from __future__ import annotations

import io
from typing import TextIO

_KEPT = {"\t", "\n", "\r"}
_TABLE = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(code) not in _KEPT}
_TABLE.update({0x2028: "\\u2028", 0x2029: "\\u2029", 0x202E: "\\u202e", 0x202D: "\\u202d"})  # line breaks, bidi


def printable(text: str) -> str:
    return text.translate(_TABLE)


class EscapingStream(io.TextIOBase):
    """A text stream that escapes control characters on the way to ``target``."""

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        self.target.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", "utf-8")
