"""Bounds for a numeric column estimated under DP, when the analyst asks (``bounds_epsilon``) instead
of giving lower/upper.

diffprivlib has no bounds estimator (its tools read min/max from the data with a PrivacyLeakWarning),
so this follows the approximate-bounds idea of Google's DP library on diffprivlib's ``tools.histogram``:
a noisy histogram over fixed power-of-two ranges (..., [-2, -1), [-1, -0.5), ..., [0.5, 1), [1, 2), ...;
the ranges do not depend on the data), and the bounds are the outer edges of the outermost ranges whose
noisy count passes a threshold. One record moving changes two counts by one, so each count gets
``bounds_epsilon / 2``. The threshold keeps an empty range from passing with probability 5% over all
ranges together (a false pass only widens the bounds). Power-of-two edges make the bounds up to twice as
wide as the data's extremes: the price of not reading them.
"""

from __future__ import annotations

import math

import numpy as np

from sanitas.core.errors import TransformError

SMALLEST_EXPONENT = -20  # ranges narrower than 2^-20 merge into the one around zero
LARGEST_EXPONENT = 60  # values beyond +-2^60 are clamped into the outermost range
FALSE_PASS = 0.05


def edges() -> np.ndarray:
    """The fixed range edges (public: a distributed engine counts the rows per range itself)."""
    return _edges()


def _edges() -> np.ndarray:
    positive = 2.0 ** np.arange(SMALLEST_EXPONENT, LARGEST_EXPONENT + 1)
    return np.concatenate([-positive[::-1], [0.0], positive])


def threshold(epsilon: float, bins: int) -> float:
    """Noisy count a range needs: P(geometric noise >= tau) <= FALSE_PASS / bins at epsilon / 2 per count."""
    t = math.exp(-epsilon / 2)
    return math.ceil(math.log(FALSE_PASS / bins * (1 + t)) / math.log(t))


def estimate_bounds(
    values: np.ndarray, epsilon: float, *, integer: bool, column: str, rng: np.random.Generator | None = None,
    weights: np.ndarray | None = None,
) -> tuple[float, float]:
    """(lower, upper) covering the ranges where the data lie, from a noisy histogram at ``epsilon``.

    ``weights`` counts each value that many times: a distributed engine passes one value per range (its
    left edge, ``edges()``) with the range's exact count, and gets the same histogram without the rows."""
    from diffprivlib.accountant import BudgetAccountant  # lazy: diffprivlib imports scikit-learn
    from diffprivlib.tools import histogram

    edges = _edges()
    finite = np.isfinite(values)
    clipped = np.clip(values[finite], edges[0], edges[-1])
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)[finite]
    random_state = None if rng is None else np.random.RandomState(int(rng.integers(2**32)))
    counts, _ = histogram(clipped, epsilon=epsilon / 2, bins=edges, range=(edges[0], edges[-1]),
                          random_state=random_state, accountant=BudgetAccountant(), weights=weights)
    passing = np.flatnonzero(counts >= threshold(epsilon, counts.size))
    if passing.size == 0:
        raise TransformError(
            f"dp_noise on column '{column}': too few values to estimate the bounds under DP with "
            f"bounds_epsilon {epsilon:g}; give lower and upper, or a larger bounds_epsilon"
        )
    lower, upper = float(edges[passing[0]]), float(edges[passing[-1] + 1])
    if integer:
        lower, upper = math.floor(lower), math.ceil(upper)
    if lower >= upper:
        upper = lower + 1
    return lower, upper
