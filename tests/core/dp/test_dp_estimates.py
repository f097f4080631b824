"""The error a share buys, before running, agrees with diffprivlib's mechanisms (their scale and variance)
and with what a run of the core's own noise actually does (fixed seeds, many draws)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from diffprivlib.mechanisms import Binary, GaussianAnalytic, Geometric, Laplace

from sanitas.core.privacy.dp.column_noise import noise_series
from sanitas.core.privacy.dp.estimates import aggregate_estimate, column_estimate, expected_error
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.privacy.dp.section import AggregateSpec


@pytest.mark.parametrize(("epsilon", "lower", "upper"), [(0.5, 17, 90), (2.0, -1.5, 3.0), (0.05, 0, 1000)])
def test_laplace_scale_and_error_are_diffprivlibs(epsilon: float, lower: float, upper: float) -> None:
    est = expected_error("laplace", epsilon, lower=lower, upper=upper)
    theirs = Laplace(epsilon=epsilon, sensitivity=upper - lower)
    b = math.sqrt(theirs.variance(0) / 2)  # Laplace variance 2 b^2
    assert est.noise_scale == pytest.approx(b, rel=1e-9)
    assert est.typical_error == pytest.approx(b, rel=1e-4)  # E|Laplace(b)| = b; the fine grid adds ~1e-6
    assert est.error_95 == pytest.approx(b * math.log(20), rel=1e-4)  # P(|X| > b ln 20) = 5%


@pytest.mark.parametrize(("epsilon", "delta"), [(0.5, 1e-6), (1.0, 1e-5), (3.0, 1e-8)])
def test_gaussian_sigma_is_diffprivlibs_analytic_sigma(epsilon: float, delta: float) -> None:
    est = expected_error("gaussian", epsilon, delta, lower=0, upper=120)
    sigma = math.sqrt(GaussianAnalytic(epsilon=epsilon, delta=delta, sensitivity=120).variance(0))
    assert sigma <= est.noise_scale <= sigma * 1.01  # the discrete sigma is never below it, within 1%
    assert est.typical_error == pytest.approx(est.noise_scale * math.sqrt(2 / math.pi))
    assert est.error_95 == pytest.approx(1.96 * est.noise_scale, rel=1e-3)


@pytest.mark.parametrize(("epsilon", "span"), [(0.5, 10), (1.0, 3), (2.0, 73)])
def test_geometric_error_matches_diffprivlibs_geometric(epsilon: float, span: int) -> None:
    est = expected_error("geometric", epsilon, lower=0, upper=span)
    theirs = Geometric(epsilon=epsilon, sensitivity=span, random_state=np.random.RandomState(7))
    t = math.exp(-epsilon / span)
    assert theirs.variance(0) == pytest.approx(2 * t / (1 - t) ** 2)  # the same law as the core's sampler
    draws = np.abs(np.array([theirs.randomise(0) for _ in range(20_000)]))
    assert draws.mean() == pytest.approx(est.typical_error, rel=0.03)
    assert est.noise_scale == pytest.approx(span / epsilon)
    assert np.mean(draws > est.error_95) <= 0.05 + 0.01


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_randomized_response_share_replaced_matches_diffprivlibs_binary(epsilon: float) -> None:
    est = expected_error("randomized_response", epsilon, domain_size=2)
    theirs = Binary(epsilon=epsilon, value0="F", value1="M", random_state=np.random.RandomState(3))
    flipped = np.mean([theirs.randomise("F") != "F" for _ in range(20_000)])
    assert flipped == pytest.approx(est.typical_error, abs=0.01)
    assert expected_error("exponential", 2 * epsilon, domain_size=2).typical_error == pytest.approx(est.typical_error)


def test_a_run_moves_values_by_the_promised_typical_error() -> None:
    """Values far from the bounds (little clamping): the mean absolute change is the estimate."""
    params = DpNoiseParams(mechanism="laplace", epsilon=20.0, lower=0, upper=100)  # b = 5: 10 b from a bound
    column = pl.Series("x", np.full(40_000, 50.0))
    out, _ = noise_series(column, params, np.random.default_rng(11))
    estimate = column_estimate(params, pl.Float64)
    assert estimate is not None
    assert float((out - column).abs().mean()) == pytest.approx(estimate.typical_error, rel=0.03)


def test_column_estimate_follows_the_columns_dtype_and_waits_for_bounds() -> None:
    ints = column_estimate(DpNoiseParams(epsilon=1.0, lower=17, upper=90), pl.Int64)
    floats = column_estimate(DpNoiseParams(epsilon=1.0, lower=17, upper=90), pl.Float64)
    assert ints is not None and ints.mechanism == "geometric"
    assert floats is not None and floats.mechanism == "laplace"
    assert column_estimate(DpNoiseParams(epsilon=1.0, bounds_epsilon=0.1), pl.Float64) is None
    assert column_estimate(DpNoiseParams(epsilon=1.0, domain_from_hierarchy=True), pl.String) is None
    half = column_estimate(DpNoiseParams(mechanism="laplace", epsilon=0.5, lower=17, upper=90), pl.Int64)
    double = column_estimate(DpNoiseParams(mechanism="laplace", epsilon=1.0, lower=17, upper=90), pl.Int64)
    assert half is not None and double is not None
    assert half.typical_error == pytest.approx(2 * double.typical_error, rel=1e-3)  # twice the budget, half the error


def test_settings_no_mechanism_takes_are_refused_by_field() -> None:
    with pytest.raises(ValueError, match="lower, upper"):
        expected_error("laplace", 1.0, lower=5, upper=5)
    with pytest.raises(ValueError, match="delta"):
        expected_error("gaussian", 1.0, lower=0, upper=1)
    with pytest.raises(ValueError, match="domain"):
        expected_error("randomized_response", 1.0, domain_size=1)
    with pytest.raises(ValueError, match="epsilon"):
        expected_error("laplace", 0.0, lower=0, upper=1)


def test_aggregate_estimates_follow_the_mechanisms_the_release_calls() -> None:
    count = aggregate_estimate(AggregateSpec(statistic="count", by=["sex"], epsilon=1.0))
    t = math.exp(-1.0)
    assert Geometric(epsilon=1.0, sensitivity=1).variance(0) == pytest.approx(2 * t / (1 - t) ** 2)
    assert count.noise_scale == pytest.approx(1.0) and count.typical_error == pytest.approx(2 * t / (1 - t * t))
    total = aggregate_estimate(AggregateSpec(statistic="sum", column="amount", epsilon=0.5, lower=-20, upper=100))
    assert total.noise_scale == pytest.approx(math.sqrt(Laplace(epsilon=0.5, sensitivity=100).variance(0) / 2))
    declared = AggregateSpec(statistic="mean", column="age", by=["sex"], epsilon=1.0, lower=17, upper=90,
                             domains={"sex": ["F", "M"]})
    mean = aggregate_estimate(declared, group_rows=1000)
    assert mean.typical_error == pytest.approx((90 - 17) / 2 / 0.5 / 1000)
    assert aggregate_estimate(declared).typical_error is None  # the group's size is needed
    selecting = declared.model_copy(update={"domains": {}})
    assert aggregate_estimate(selecting, group_rows=1000).typical_error == pytest.approx(2 * mean.typical_error)
    assert aggregate_estimate(selecting, {"sex"}, group_rows=1000).typical_error == pytest.approx(mean.typical_error)
    median = aggregate_estimate(AggregateSpec(statistic="median", column="age", epsilon=1.0, lower=17, upper=90))
    assert median.typical_error is None and "exponential" in median.note
