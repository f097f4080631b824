"""The places lexicon is searched in a sorted polars Series (6 MB, not a 70 MB frozenset): the same hits."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanitas.core.detect import lexicons


def test_sorted_places_give_the_set_membership() -> None:
    entries = lexicons.lexicon(lexicons.PLACES)
    words = sorted(entries)
    rng = np.random.default_rng(0)
    picked = [words[i] for i in rng.choice(len(words), 5000)]
    near = [w + "x" for w in words[:2000]] + [w[:-1] for w in words[:2000]]
    values = pl.Series("v", [*picked, *near, "", " ", None, "zzzz", "\uffff", words[0], words[-1]], dtype=pl.String)
    found = lexicons.in_lexicon(values, lexicons.PLACES)
    expected = [v is not None and v in entries for v in values.to_list()]
    assert found.to_list() == expected
    assert lexicons.sorted_lexicon(lexicons.PLACES).len() == len(entries)
    assert lexicons.in_lexicon(pl.Series([None], dtype=pl.String), lexicons.PLACES).to_list() == [False]
