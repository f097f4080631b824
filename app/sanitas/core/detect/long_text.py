"""Long cells cut into pieces spaCy can read.

spaCy refuses a text over ``nlp.max_length`` (1,000,000 characters, error E088) and its NER needs memory
in proportion to the text, so one pasted document in a cell would stop a scan or a scrub. Cells longer
than ``PIECE_CHARS`` are cut at a line break, else at whitespace, near the limit (an entity rarely spans
one), analyzed piece by piece, and the spans shifted back by each piece's offset. The pieces joined are
the cell, character for character.
"""

from __future__ import annotations

PIECE_CHARS = 20_000


def text_pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs covering ``text`` exactly, each at most ``limit`` characters."""
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            end = _cut(text, start, end)
        out.append((start, text[start:end]))
        start = end
    return out


def _cut(text: str, start: int, end: int) -> int:
    """The best place to end a piece in ``text[start:end]``: after the last line break, else the last
    whitespace, in the window's second half; else ``end`` itself (a text with no space at all)."""
    floor = start + (end - start) // 2
    for separators in ("\n", None):
        window = text[floor:end]
        index = window.rfind("\n") if separators else max(window.rfind(" "), window.rfind("\t"))
        if index >= 0:
            return floor + index + 1
    return end
