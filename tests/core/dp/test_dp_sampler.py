"""The vectorized samplers draw the distributions diffprivlib's own mechanisms draw (fixed seeds, many draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from diffprivlib.mechanisms import Exponential, GaussianAnalytic, GaussianDiscrete, Geometric, Laplace
from scipy import stats

from sanitas.core.privacy.dp import sampler
from sanitas.core.privacy.dp.column_noise import NoiseGrid

MINE = 200_000
THEIRS = 20_000  # diffprivlib draws one value per call
P_FLOOR = 1e-3  # a correct sampler fails a test at this level one time in a thousand; the seeds are fixed


def _theirs(mech: object, value: float, n: int = THEIRS) -> np.ndarray:
    return np.array([mech.randomise(value) for _ in range(n)], dtype=np.float64)  # type: ignore[attr-defined]


def test_uniforms_are_in_the_half_open_interval_and_os_randomness_differs_per_call() -> None:
    u = sampler.uniform_open0(100_000)
    assert u.min() > 0 and u.max() <= 1 and abs(u.mean() - 0.5) < 0.01
    assert not np.array_equal(sampler.random_uint64(8), sampler.random_uint64(8))
    big = sampler.random_uint64(sampler.URANDOM_BLOCK + 5)  # more than one os.urandom block
    assert big.size == sampler.URANDOM_BLOCK + 5 and big.dtype == np.uint64


def test_an_injected_generator_makes_the_noise_repeatable() -> None:
    a = sampler.two_sided_geometric(1000, 0.3, np.random.default_rng(5))
    b = sampler.two_sided_geometric(1000, 0.3, np.random.default_rng(5))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("epsilon", [0.1, 1.0])
def test_two_sided_geometric_matches_diffprivlib_geometric(epsilon: float) -> None:
    mine = sampler.two_sided_geometric(MINE, epsilon, np.random.default_rng(11))
    theirs = _theirs(Geometric(epsilon=epsilon, sensitivity=1, random_state=np.random.RandomState(12)), 0)
    assert stats.ks_2samp(mine, theirs).pvalue > P_FLOOR
    # exact law: P(Z = k) = (1 - t) / (1 + t) t^|k|
    t = math.exp(-epsilon)
    for k in (0, 1, -2):
        expected = (1 - t) / (1 + t) * t ** abs(k)
        assert abs(np.mean(mine == k) - expected) < 5 * math.sqrt(expected / MINE)
    assert abs(np.abs(mine).mean() / sampler.two_sided_geometric_mean_abs(epsilon) - 1) < 0.02


@pytest.mark.parametrize(("epsilon", "span"), [(0.5, 73.0), (2.0, 1.0)])
def test_grid_laplace_matches_diffprivlib_laplace(epsilon: float, span: float) -> None:
    grid = NoiseGrid.build("laplace", epsilon, 0.0, span)
    mine = grid.draw(MINE, np.random.default_rng(21)) * grid.step_size
    theirs = _theirs(Laplace(epsilon=epsilon, sensitivity=span, random_state=np.random.RandomState(22)), 0.0)
    assert stats.ks_2samp(mine, theirs).pvalue > P_FLOOR
    assert abs(np.abs(mine).mean() / (span / epsilon) - 1) < 0.02  # E|Z| = b
    assert abs(grid.noise_scale - span / epsilon) < 1e-9 * span / epsilon


@pytest.mark.parametrize(("epsilon", "delta", "span"), [(1.0, 1e-6, 73.0), (3.0, 1e-5, 10.0)])
def test_grid_gaussian_matches_diffprivlib_analytic_gaussian(epsilon: float, delta: float, span: float) -> None:
    grid = NoiseGrid.build("gaussian", epsilon, delta, span)
    sigma = GaussianAnalytic(epsilon=epsilon, delta=delta, sensitivity=span)._scale
    assert sigma <= grid.noise_scale <= sigma * 1.01  # never below diffprivlib's sigma, within 1%
    mine = grid.draw(MINE, np.random.default_rng(31)) * grid.step_size
    theirs = _theirs(GaussianAnalytic(epsilon=epsilon, delta=delta, sensitivity=span,
                                      random_state=np.random.RandomState(32)), 0.0)
    assert stats.ks_2samp(mine, theirs).pvalue > P_FLOOR
    assert abs(mine.std() / sigma - 1) < 0.02


@pytest.mark.parametrize("sensitivity", [1, 3])
def test_discrete_gaussian_delta_agrees_with_diffprivlib_gaussian_discrete(sensitivity: int) -> None:
    mech = GaussianDiscrete(epsilon=1.0, delta=1e-5, sensitivity=sensitivity)
    assert sampler.discrete_gaussian_delta(mech._scale, sensitivity, 1.0) == pytest.approx(1e-5, rel=2e-3)
    sigma = sampler.discrete_gaussian_sigma(1.0, 1e-5, sensitivity)
    assert sampler.discrete_gaussian_delta(sigma, sensitivity, 1.0) <= 1e-5
    assert sigma == pytest.approx(mech._scale, rel=0.01)


def test_discrete_gaussian_has_its_variance() -> None:
    draws = sampler.discrete_gaussian(MINE, 7.5, np.random.default_rng(41))
    assert draws.dtype == np.int64 and abs(draws.mean()) < 0.1 and abs(draws.std() / 7.5 - 1) < 0.01


def _frequencies(draws: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(draws.astype(np.int64), minlength=k)


@pytest.mark.parametrize(("monotonic", "factor"), [(True, 1.0), (False, 0.5)])
def test_randomized_response_matches_diffprivlib_exponential(monotonic: bool, factor: float) -> None:
    """RR at eps is Exponential(monotonic=True) with utility 1 for the truth; the 'exponential' choice is
    Exponential(monotonic=False), i.e. RR at eps / 2."""
    k, truth, epsilon = 5, 2, 1.2
    codes = np.full(MINE, truth)
    mine = sampler.randomized_response(codes, k, epsilon * factor, np.random.default_rng(51))
    utility = [1.0 if i == truth else 0.0 for i in range(k)]
    mech = Exponential(epsilon=epsilon, sensitivity=1, utility=utility, monotonic=monotonic,
                       random_state=np.random.RandomState(52))
    theirs = np.array([mech.randomise() for _ in range(THEIRS)])
    table = np.vstack([_frequencies(mine, k), _frequencies(theirs, k)])
    assert stats.chi2_contingency(table).pvalue > P_FLOOR
    keep = math.exp(epsilon * factor) / (math.exp(epsilon * factor) + k - 1)
    assert abs(np.mean(mine == truth) - keep) < 0.005


def test_randomized_response_never_leaves_the_domain_and_spreads_evenly() -> None:
    codes = np.random.default_rng(61).integers(0, 4, 50_000)
    out = sampler.randomized_response(codes, 4, 0.0001, np.random.default_rng(62))
    assert out.min() >= 0 and out.max() <= 3
    assert np.all(np.abs(_frequencies(out, 4) / out.size - 0.25) < 0.01)


def test_geometric_quantile_is_the_smallest_95_percent_radius() -> None:
    for eps in (0.1, 0.5, 1.0, 3.0):
        m = sampler.two_sided_geometric_quantile(eps, 0.05)
        t = math.exp(-eps)
        assert 2 * t ** (m + 1) / (1 + t) <= 0.05
        assert m == 0 or 2 * t**m / (1 + t) > 0.05
