"""The k-anonymity release is written from the search's codes (issue 14, memory): the same cells,
byte for byte, as generalizing the strings with ``Hierarchy.generalize`` at the chosen levels, with
nulls, values the hierarchy lacks ('*'), level 0 (the column untouched) and both suppression modes."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pytest

from sanitas.core.privacy.hierarchies.builders import auto_hierarchy
from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, level_name, value_text
from sanitas.core.privacy.k_anonymity.anonymize import anonymize
from sanitas.core.privacy.k_anonymity.rollup import code_with_hierarchy


def table(rows: int = 3000, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 90, rows).astype(object)
    ages[rng.random(rows) < 0.02] = None
    zips = [f"{z:05d}" for z in rng.choice([10001, 10002, 10003, 11211, 11212, 94110, 94117], rows)]
    sexes = rng.choice(["F", "M", "X"], rows, p=[0.49, 0.49, 0.02])
    return pl.DataFrame({
        "age": pl.Series(list(ages), dtype=pl.Int64),
        "zip": zips,
        "sex": list(sexes),
        "salary": rng.choice(["<=50K", ">50K"], rows).tolist(),
    })


def hierarchies(frame: pl.DataFrame) -> dict[str, Hierarchy]:
    sex = Hierarchy.from_rows("sex", [["F", "*"], ["M", "*"]]).with_unknown_as_star()  # 'X' is unknown
    return {"age": auto_hierarchy(frame["age"], "number"), "zip": auto_hierarchy(frame["zip"], "postal"),
            "sex": sex}


def expected(frame: pl.DataFrame, found: dict[str, Hierarchy], levels: dict[str, int], suppressed: pl.Series,
             mode: str) -> pl.DataFrame:
    """The release as it was written before: ``generalize`` per column, then suppression."""
    out = frame.with_columns([found[c].generalize(frame[c], level).alias(c) for c, level in levels.items()])
    if not suppressed.any():
        return out
    if mode == "remove":
        return out.filter(~suppressed)
    star = pl.lit(STAR, dtype=pl.String)
    return out.with_columns([pl.when(suppressed).then(star).otherwise(value_text(out[c])).alias(c) for c in levels])


def csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["remove", "mask"])
@pytest.mark.parametrize("k", [2, 5, 25])
def test_release_from_codes_is_byte_identical_to_generalize(k: int, mode: str) -> None:
    frame = table()
    found = hierarchies(frame)
    result = anonymize(frame, {"quasi_identifiers": ["age", "zip", "sex"], "hierarchies": found, "k": k,
                               "suppression_limit": 0.05, "suppression": mode})
    want = expected(frame, found, result.levels, result.suppressed, mode)
    assert result.frame.schema == want.schema
    assert csv(result.frame) == csv(want)


def test_level_zero_keeps_the_column_itself_and_higher_levels_keep_nulls() -> None:
    frame = table(500)
    found = hierarchies(frame)
    coded = code_with_hierarchy(frame["age"], found["age"])
    for level in range(1, found["age"].height):
        labels = coded.labels_at(level)
        assert labels.to_list() == found["age"].generalize(frame["age"], level).to_list()
        assert labels.null_count() == frame["age"].null_count()
    sex = code_with_hierarchy(frame["sex"], found["sex"])
    assert sex.labels_at(1).to_list() == ["*"] * frame.height  # the unknown 'X' included


def test_the_search_reads_level_zero_codes_only() -> None:
    frame = table(200)
    encoding = hierarchies(frame)["zip"].encode(frame["zip"], rows_at=(0,))
    assert encoding.codes.columns == [level_name(0)]
    assert encoding.codes[level_name(0)].to_list() == \
        hierarchies(frame)["zip"].encode(frame["zip"]).codes[level_name(0)].to_list()
