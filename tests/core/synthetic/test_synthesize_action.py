"""The per-column synthesize action: its own distribution, or conditioned on kept columns so correlations survive."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from synthetic_data import people

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TransformContext, make_transform


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return people(800, seed=41)


def _apply(frame: pl.DataFrame, column: str, params: dict[str, object], seed: int = 3) -> pl.Series:
    action = make_transform("synthesize", params)
    return action.fit(frame[column], TransformContext(column=column, source=frame, seed=seed)).apply(frame[column])


def test_marginal_keeps_the_distribution_not_the_rows(frame: pl.DataFrame) -> None:
    out = _apply(frame, "income", {})
    real = frame["income"].to_numpy()
    assert out.dtype == pl.Float64 and out.len() == frame.height
    assert abs(out.mean() - real.mean()) < 0.1 * real.std()  # type: ignore[operator]
    assert abs(out.std() - real.std()) < 0.15 * real.std()  # type: ignore[operator]
    assert abs(np.corrcoef(out.to_numpy(), frame["age"].to_numpy())[0, 1]) < 0.15  # the link to age is gone
    assert out.equals(_apply(frame, "income", {})) and not out.equals(_apply(frame, "income", {}, seed=4))


def test_conditional_keeps_the_correlation_with_the_kept_columns(frame: pl.DataFrame) -> None:
    out = _apply(frame, "income", {"conditioned_on": ["age", "sex"]})
    real = np.corrcoef(frame["income"].to_numpy(), frame["age"].to_numpy())[0, 1]
    kept = np.corrcoef(out.to_numpy(), frame["age"].to_numpy())[0, 1]
    assert real > 0.8 and kept > 0.6
    by_sex = pl.DataFrame({"sex": frame["sex"], "income": out}).group_by("sex").agg(pl.col("income").mean())
    means = dict(by_sex.iter_rows())
    assert means["M"] > means["F"]  # men earn 4,000 more in the generator
    assert not out.equals(frame["income"])


def test_categories_and_dates(frame: pl.DataFrame) -> None:
    grade = _apply(frame, "grade", {"conditioned_on": ["income"]})
    assert grade.dtype == pl.String and set(grade.unique()) <= {"low", "mid", "high"}
    agree = (grade == frame["grade"]).mean()
    assert agree > 0.5  # drawn given income, the grade mostly follows it (chance would be about a third)
    joined = _apply(frame, "joined", {})
    assert joined.dtype == pl.Date and joined.min() >= frame["joined"].min()  # type: ignore[operator]


def test_nulls_keep_their_share(frame: pl.DataFrame) -> None:
    with_nulls = frame.with_columns(pl.when(pl.int_range(pl.len()) % 4 == 0).then(None)
                                    .otherwise(pl.col("income")).alias("income"))
    out = _apply(with_nulls, "income", {})
    assert 0.15 < out.null_count() / out.len() < 0.35


def test_params_and_errors(frame: pl.DataFrame) -> None:
    assert make_transform("synthesize", {"conditioned_on": ["age"]}).params.mode == "conditional"
    with pytest.raises(TransformError, match="conditioned_on"):
        make_transform("synthesize", {"mode": "conditional"})
    with pytest.raises(TransformError, match="only used with mode conditional"):
        make_transform("synthesize", {"mode": "marginal", "conditioned_on": ["age"]})
    with pytest.raises(TransformError, match="synthesize on column 'income': conditioned_on names columns not in"):
        _apply(frame, "income", {"conditioned_on": ["wage"]})
    with pytest.raises(TransformError, match="itself"):
        _apply(frame, "income", {"conditioned_on": ["income"]})
    assert make_transform("synthesize").check(pl.List(pl.String))
