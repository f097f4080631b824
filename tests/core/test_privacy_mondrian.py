"""Mondrian partitioning: k (and distinct l) hold in every class as risk.py sees the release; cuts are as
fine as the models allow on tables whose answer is known; errors name the problem."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.k_anonymity.mondrian import MondrianError, mondrian
from sanitas.core.privacy.metrics.risk import risk_report
from sanitas.core.progress import Cancelled, CancelToken


def random_table(n: int, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "age": rng.integers(18, 90, n),
        "zip": rng.choice(["13053", "13058", "13068", "14850", "14853"], n, p=[.4, .3, .1, .1, .1]),
        "job": rng.choice(["nurse", "doctor", "teacher", "clerk", "cashier", "pilot", "cook"], n),
        "income": rng.normal(50_000, 15_000, n).round(0),
        "disease": rng.choice(["flu", "cold", "ulcer", "cancer"], n, p=[.5, .3, .15, .05]),
    })


def test_grid_of_eight_cuts_into_four_pairs() -> None:
    frame = pl.DataFrame({"x": [1, 2, 1, 2, 10, 11, 10, 11], "y": [1, 1, 10, 10, 1, 1, 10, 10], "id": range(8)})
    result = mondrian(frame, ["x", "y"], 2)
    assert result.partitions == 4 and result.smallest == 2
    assert sorted(set(zip(result.frame["x"], result.frame["y"], strict=True))) == [
        ("1-2", "1"), ("1-2", "10"), ("10-11", "1"), ("10-11", "10")]
    assert result.frame["id"].to_list() == list(range(8))  # other columns untouched, order kept


def test_k_one_separates_every_distinct_record() -> None:
    frame = pl.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [5, 5, 5, 5, 6, 6, 6, 6]})
    assert mondrian(frame, ["x", "y"], 1).partitions == 8
    assert mondrian(frame, ["x", "y"], 4).partitions == 2
    assert mondrian(frame, ["x", "y"], 5).partitions == 1


@pytest.mark.parametrize("k", [2, 5, 25])
def test_every_class_holds_k(k: int) -> None:
    frame = random_table(3_000)
    result = mondrian(frame, ["age", "zip", "job", "income"], k)
    report = risk_report(result.frame, ["age", "zip", "job", "income"])
    assert report.k >= k and report.k == result.smallest
    assert report.classes == result.partitions
    assert result.partitions > frame.height / (4 * k)  # fine, not one big class


def test_distinct_l_diversity_in_every_class() -> None:
    frame = random_table(3_000)
    result = mondrian(frame, ["age", "zip", "job"], 4, sensitive=["disease"], l=3)
    report = risk_report(result.frame, ["age", "zip", "job"], "disease")
    assert report.k >= 4
    assert report.l is not None and report.l >= 3 and report.diversity[0].distinct_l >= 3
    assert result.partitions > 10


def test_categorical_labels_list_values_or_star() -> None:
    frame = pl.DataFrame({"job": ["a", "b", "c", "d", "e", "f", "g", "h"] * 2, "n": [1] * 16})
    result = mondrian(frame, ["job"], 2)
    assert result.partitions == 8 and set(result.frame["job"]) == set("abcdefgh")
    coarse = mondrian(frame, ["job"], 8)
    assert sorted(set(coarse.frame["job"])) == ["a|b|c|d", "e|f|g|h"]
    assert set(mondrian(frame, ["job"], 16).frame["job"]) == {"*"}  # 8 values, more than five


def test_numbers_can_be_categorical() -> None:
    frame = pl.DataFrame({"code": [3, 1, 2, 9, 3, 1, 2, 9]})
    assert set(mondrian(frame, ["code"], 4, numeric=set()).frame["code"]) == {"1|2", "3|9"}
    assert set(mondrian(frame, ["code"], 4).frame["code"]) == {"1-2", "3-9"}


def test_heavy_ties_at_the_median_still_cut() -> None:
    frame = pl.DataFrame({"x": [5] * 10 + [6, 7, 8]})
    result = mondrian(frame, ["x"], 3)
    assert result.partitions == 2 and sorted(set(result.frame["x"])) == ["5", "6-8"]


def test_deterministic() -> None:
    frame = random_table(2_000, seed=11)
    first = mondrian(frame, ["age", "zip", "job", "income"], 3, sensitive=["disease"], l=2)
    second = mondrian(frame, ["age", "zip", "job", "income"], 3, sensitive=["disease"], l=2)
    assert first.frame.equals(second.frame) and first.partitions == second.partitions


def test_errors() -> None:
    frame = random_table(10)
    with pytest.raises(MondrianError, match="fewer than k"):
        mondrian(frame, ["age"], 11)
    with pytest.raises(MondrianError, match="distinct values"):
        mondrian(frame.with_columns(pl.lit("flu").alias("disease")), ["age"], 2, sensitive=["disease"], l=2)
    with pytest.raises(MondrianError, match="no column 'nope'"):
        mondrian(frame, ["nope"], 2)
    with pytest.raises(MondrianError, match="nulls"):
        mondrian(frame.with_columns(pl.lit(None, pl.Int64).alias("age")), ["age"], 2)
    with pytest.raises(MondrianError, match="sensitive"):
        mondrian(frame, ["age"], 2, l=2)
    with pytest.raises(MondrianError, match="not numeric"):
        mondrian(frame, ["zip"], 2, numeric={"zip"})
    assert issubclass(MondrianError, SanitasError)


def test_cancel_and_progress() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        mondrian(random_table(100), ["age"], 2, cancel=token)
    seen: list[float] = []
    mondrian(random_table(500), ["age", "job"], 2, progress=lambda f, _: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_large_random_table_finishes() -> None:
    frame = random_table(200_000)
    result = mondrian(frame, ["age", "zip", "job", "income"], 5, sensitive=["disease"], l=2)
    assert result.smallest >= 5 and result.partitions > 10_000


def test_no_final_partition_has_an_allowed_cut() -> None:
    """Strict Mondrian's minimality: in every released class, no quasi-identifier has any threshold that
    leaves k records on both sides (checked by brute force over every threshold)."""
    qis = ["age", "zip", "job", "income"]
    frame = random_table(600, seed=5).with_row_index("row")
    k = 4
    result = mondrian(frame, qis, k)
    labelled = frame.join(result.frame.select("row", *[pl.col(c).alias(f"{c}_label") for c in qis]), on="row")
    for _, members in labelled.group_by([f"{c}_label" for c in qis]):
        assert members.height >= k
        for column in qis:
            values = sorted(members[column].to_list())
            for threshold in set(values):
                left = sum(v <= threshold for v in values)
                assert left < k or members.height - left < k, (column, threshold, values)


def test_certainty_penalty_has_known_values() -> None:
    """Ages 0..3 and 10..13 cut into two partitions of four: each covers 3 of the 13-year range; the
    category column keeps one of two values per partition (penalty 0), and k = n puts everything in one."""
    frame = pl.DataFrame({"age": [0, 1, 2, 3, 10, 11, 12, 13], "group": ["a"] * 4 + ["b"] * 4})
    result = mondrian(frame, ["age", "group"], 4)
    assert result.partitions == 2
    assert result.certainty_penalty["age"] == pytest.approx(3 / 13)
    assert result.certainty_penalty["group"] == 0.0
    whole = mondrian(frame, ["age", "group"], 8)
    assert whole.certainty_penalty == {"age": 1.0, "group": 1.0}
    exact = mondrian(frame, ["age", "group"], 1)
    assert exact.certainty_penalty == {"age": 0.0, "group": 0.0}


def test_a_star_label_costs_the_whole_domain() -> None:
    """Twelve cities cut into two partitions of six: each is released as '*' (more than five to list),
    so each cell costs 1, not the 5/11 its six values would cost as a list."""
    frame = pl.DataFrame({"city": [f"c{i:02d}" for i in range(12)] * 2})
    result = mondrian(frame, ["city"], 12)
    assert result.partitions == 2 and result.frame["city"].unique().to_list() == ["*"]
    assert result.certainty_penalty["city"] == 1.0
