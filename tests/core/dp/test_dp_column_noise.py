"""Per-column noise: bounds and domains hold, nulls stay, integers stay integers, the noise is diffprivlib's law."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from diffprivlib.mechanisms import Geometric, Laplace
from faker import Faker
from pydantic import ValidationError
from scipy import stats

from sanitas.core.errors import TransformError
from sanitas.core.privacy.dp.column_noise import noise_columns, noise_series
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms.dp_noise import DP_RNG


def _ages(n: int = 2000, seed: int = 1) -> pl.Series:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return pl.Series("age", [None if i % 11 == 5 else fake.random_int(0, 105) for i in range(n)], dtype=pl.Int64)


def _params(**kw: object) -> DpNoiseParams:
    return DpNoiseParams.model_validate(kw)


@pytest.mark.parametrize("mechanism", ["laplace", "gaussian", "geometric", None])
def test_integer_column_stays_integer_within_bounds_and_nulls_stay(mechanism: str | None) -> None:
    ages = _ages()
    params = _params(mechanism=mechanism, epsilon=1.0, delta=1e-6 if mechanism == "gaussian" else 0.0,
                     lower=17, upper=90)
    out, facts = noise_series(ages, params, np.random.default_rng(3))
    assert out.dtype == pl.Int64 and out.name == "age" and out.len() == ages.len()
    assert out.is_null().to_list() == ages.is_null().to_list()
    assert out.min() >= 17 and out.max() <= 90
    assert facts.mechanism == (mechanism or "geometric") and facts.sensitivity == 73
    assert facts.nulls_kept == ages.null_count()
    assert facts.values_outside == int(((ages < 17) | (ages > 90)).sum())
    assert facts.bounds_source == "declared" and facts.noise_scale and facts.expected_error


def test_float_column_keeps_float_and_bounds() -> None:
    values = pl.Series("income", [1234.5, None, -50.0, 99_999.0, 40_000.25] * 200, dtype=pl.Float32)
    out, facts = noise_series(values, _params(epsilon=2.0, lower=0, upper=100_000), np.random.default_rng(4))
    assert out.dtype == pl.Float32 and out.null_count() == 200
    assert out.min() >= 0 and out.max() <= 100_000
    assert facts.mechanism == "laplace" and facts.noise_scale == pytest.approx(50_000)


def test_laplace_noise_on_a_column_has_diffprivlibs_law() -> None:
    """With a share large enough that clamping almost never bites, noisy - true is diffprivlib's Laplace."""
    n, eps, lower, upper = 100_000, 40.0, 0.0, 1000.0
    column = pl.Series("x", np.full(n, 500.0))
    out, _ = noise_series(column, _params(mechanism="laplace", epsilon=eps, lower=lower, upper=upper),
                          np.random.default_rng(5))
    mine = out.to_numpy() - 500.0
    mech = Laplace(epsilon=eps, sensitivity=upper - lower, random_state=np.random.RandomState(6))
    theirs = np.array([mech.randomise(0.0) for _ in range(20_000)])
    assert stats.ks_2samp(mine, theirs).pvalue > 1e-3


def test_geometric_noise_on_an_integer_column_has_diffprivlibs_law() -> None:
    n, eps = 100_000, 20.0
    column = pl.Series("x", np.full(n, 500, dtype=np.int64))
    out, facts = noise_series(column, _params(epsilon=eps, lower=0, upper=1000), np.random.default_rng(7))
    mine = out.to_numpy() - 500
    mech = Geometric(epsilon=eps, sensitivity=1000, random_state=np.random.RandomState(8))
    theirs = np.array([mech.randomise(0) for _ in range(20_000)])
    assert stats.ks_2samp(mine, theirs).pvalue > 1e-3
    assert abs(np.abs(mine).mean() / facts.expected_error - 1) < 0.03


def test_categories_stay_in_the_domain_and_outside_values_are_counted() -> None:
    fake = Faker("en_US")
    fake.seed_instance(9)
    values = [None if i % 9 == 0 else fake.random_element(["F", "M", "X?"]) for i in range(3000)]
    column = pl.Series("sex", values, dtype=pl.String)
    out, facts = noise_series(column, _params(mechanism="randomized_response", epsilon=1.0, domain=["F", "M"]),
                              np.random.default_rng(10))
    assert set(out.drop_nulls().unique()) <= {"F", "M"}
    assert out.is_null().to_list() == column.is_null().to_list()
    assert facts.values_outside == int((column == "X?").sum()) and facts.domain_size == 2
    assert facts.expected_error == pytest.approx(1 / (np.e + 1))
    kept = ((out == column) & column.is_in(["F", "M"])).sum() / column.is_in(["F", "M"]).sum()
    assert abs(kept - np.e / (np.e + 1)) < 0.03


def test_integer_categories_and_booleans_keep_their_dtype() -> None:
    codes = pl.Series("grade", [1, 2, 3, None] * 50, dtype=pl.Int32)
    out, _ = noise_series(codes, _params(mechanism="exponential", epsilon=1.0, domain=[1, 2, 3]),
                          np.random.default_rng(11))
    assert out.dtype == pl.Int32 and set(out.drop_nulls().unique()) <= {1, 2, 3}
    flags = pl.Series("smoker", [True, False, None] * 50)
    out, _ = noise_series(flags, _params(epsilon=1.0, domain=[True, False]), np.random.default_rng(12))
    assert out.dtype == pl.Boolean and out.null_count() == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mechanism": "gaussian", "epsilon": 1, "lower": 0, "upper": 1}, "delta"),
        ({"mechanism": "laplace", "epsilon": 1, "lower": 5, "upper": 5}, "lower must be below upper"),
        ({"mechanism": "laplace", "epsilon": 1}, "never read from the data"),
        ({"mechanism": "randomized_response", "epsilon": 1}, "domain"),
        ({"mechanism": "geometric", "epsilon": 1, "lower": 0.5, "upper": 9}, "whole-number"),
        ({"mechanism": "laplace", "epsilon": 1, "delta": 0.1, "lower": 0, "upper": 1}, "only gaussian"),
        ({"lower": 0, "upper": 1}, "epsilon"),
        ({"epsilon": 1, "domain": ["a"]}, "two distinct"),
        ({"epsilon": 1, "lower": 0, "upper": 1, "domain": ["a", "b"]}, "not both"),
        ({"mechanism": "laplace", "epsilon": 1, "lower": 0, "upper": 1, "domain": ["a", "b"]}, "takes bounds"),
        ({"epsilon": 1, "lower": 0, "upper": 1, "bogus": 2}, "bogus"),
    ],
)
def test_params_refuse_what_they_cannot_do_safely(params: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        DpNoiseParams.model_validate(params)


def test_dtype_mismatches_are_refused_with_the_column_named() -> None:
    with pytest.raises(TransformError, match=r"'city'.*numeric"):
        noise_series(pl.Series("city", ["a", "b"]), _params(epsilon=1, lower=0, upper=1))
    with pytest.raises(TransformError, match=r"geometric.*integer"):
        noise_series(pl.Series("x", [0.5]), _params(mechanism="geometric", epsilon=1, lower=0, upper=1))
    with pytest.raises(TransformError, match="do not fit"):
        noise_series(pl.Series("x", [1], dtype=pl.UInt8), _params(epsilon=1, lower=0, upper=1000))
    with pytest.raises(TransformError, match="hierarchy"):
        noise_series(pl.Series("race", ["a"]), _params(epsilon=1, domain_from_hierarchy=True))


def test_noise_columns_noises_only_the_listed_columns_and_takes_hierarchy_domains() -> None:
    frame = pl.DataFrame({"age": _ages(500), "race": ["A", "B", None, "C", "D"] * 100, "id": range(500)})
    params = {"age": _params(epsilon=0.5, lower=17, upper=90), "race": _params(epsilon=0.5, domain_from_hierarchy=True)}
    seen: list[float] = []
    out, facts = noise_columns(frame, params, np.random.default_rng(13), lambda f, _: seen.append(f),
                               hierarchy_domains={"race": ["A", "B", "C", "D"]})
    assert out.columns == frame.columns and out["id"].equals(frame["id"])
    assert not out["age"].equals(frame["age"]) and out["race"].null_count() == 100
    assert [f.column for f in facts] == ["age", "race"] and facts[1].bounds_source == "hierarchy"
    assert seen[0] == 0 and seen[-1] == 1
    assert frame["age"].equals(_ages(500))  # input not mutated
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        noise_columns(frame, params, cancel=cancel, hierarchy_domains={"race": ["A"]})
    with pytest.raises(TransformError, match="'nope'"):
        noise_columns(frame, {"nope": _params(epsilon=1, lower=0, upper=1)})


def test_the_column_action_uses_the_injected_generator_or_os_randomness() -> None:
    ages = _ages(300)
    params = {"mechanism": "laplace", "epsilon": 0.5, "lower": 17, "upper": 90}

    def run(shared: dict[str, object]) -> pl.Series:
        action = make_transform("dp_noise", params)
        return action.fit(ages, TransformContext(column="age", seed=7, shared=shared)).apply(ages)

    assert run({DP_RNG: np.random.default_rng(1)}).equals(run({DP_RNG: np.random.default_rng(1)}))
    assert not run({}).equals(run({}))  # same recipe seed, fresh OS noise every run
    action = make_transform("dp_noise", params)
    action.fit(ages, TransformContext(column="age")).apply(ages)
    assert action.facts()["mechanism"] == "laplace" and action.facts()["epsilon"] == 0.5


def test_bounds_estimated_under_dp_cover_the_data_and_are_reported() -> None:
    ages = _ages(5000)
    params = _params(epsilon=0.5, bounds_epsilon=0.5)
    assert params.share == (1.0, 0.0)  # the estimate's share counts in the budget
    out, facts = noise_series(ages, params, np.random.default_rng(14))
    assert facts.lower is not None and facts.upper is not None
    # power-of-two ranges: [64, 128) holds the top ages; 0 (29 rows here) may fall below the threshold and be
    # clamped to the next range's edge, 1
    assert facts.lower in (0, 1) and facts.upper == 128
    assert out.min() >= facts.lower and out.max() <= facts.upper and out.dtype == pl.Int64
    assert facts.epsilon == 1.0 and facts.bounds_source.startswith("estimated under DP")
    assert facts.noise_scale == pytest.approx((facts.upper - facts.lower) / 0.5)
    with pytest.raises(TransformError, match="too few values"):
        noise_series(ages.head(3), params, np.random.default_rng(15))
    with pytest.raises(ValidationError, match="not both"):
        _params(epsilon=1, bounds_epsilon=0.5, lower=0, upper=1)


def test_describe_gives_the_error_before_running() -> None:
    from sanitas.core.privacy.dp.column_noise import describe

    laplace = describe(_params(mechanism="laplace", epsilon=0.5, lower=17, upper=90), pl.Int64, "age")
    assert laplace.noise_scale == pytest.approx(146) and laplace.expected_error == pytest.approx(146, rel=1e-4)
    assert describe(_params(epsilon=1.0, lower=17, upper=90), pl.Int64).mechanism == "geometric"
    tighter = describe(_params(mechanism="laplace", epsilon=2.0, lower=17, upper=90), pl.Int64)
    assert tighter.expected_error < laplace.expected_error  # more budget, less error
    rr = describe(_params(epsilon=1.0, domain=["F", "M"]), pl.String)
    assert rr.expected_error == pytest.approx(1 / (np.e + 1)) and rr.error_unit == "share of values replaced"
