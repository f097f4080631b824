"""Cells longer than spaCy accepts are read in pieces: no E088, spans at their place in the whole cell."""

from __future__ import annotations

import polars as pl

from sanitas.core.detect.cells import scan_cells
from sanitas.core.detect.long_text import PIECE_CHARS, text_pieces
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.scrub import Scrub


def test_pieces_cover_the_text_exactly_and_cut_at_whitespace() -> None:
    text = ("word " * 9_000 + "\n") * 7 + "x" * (PIECE_CHARS * 2 + 5)
    pieces = text_pieces(text)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= PIECE_CHARS for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
    assert pieces[0][1].endswith(("\n", " "))  # cut after a separator, not inside a word
    assert text_pieces("short") == [(0, "short")]


def _long_cell() -> str:
    filler = "The quarterly figures were reviewed and nothing else happened that day. " * 7_000  # 2 x 511,000 chars
    return filler + "Please email john.doe@example.com about it. " + filler


def test_scan_cells_finds_spans_in_every_piece_at_their_place_in_the_cell() -> None:
    filler = "The quarterly figures were reviewed and nothing else happened that day. " * 700  # 2.5 pieces
    cell = filler + "Please email john.doe@example.com about it. " + filler
    assert len(text_pieces(cell)) >= 5
    findings = scan_cells(pl.Series("notes", [cell, "call 212-555-0187"]), entities=["EMAIL_ADDRESS"])
    emails = [f for f in findings if f.entity == "EMAIL_ADDRESS"]
    assert len(emails) == 1 and emails[0].row == 0
    assert cell[emails[0].start:emails[0].end] == "john.doe@example.com"


def test_scrub_a_cell_over_a_million_characters() -> None:
    cell = _long_cell()
    column = pl.Series("notes", [cell, None])
    scrub = Scrub({"entities": ["EMAIL_ADDRESS"]})
    out = scrub.fit_apply(column, TransformContext(column="notes", entity=None, seed=0))
    assert out[1] is None
    assert "john.doe@example.com" not in out[0] and "<EMAIL_ADDRESS>" in out[0]
    assert len(out[0]) == len(cell) - len("john.doe@example.com") + len("<EMAIL_ADDRESS>")
