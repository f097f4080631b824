"""Vectorized DP noise samplers: a whole column's noise in a few numpy calls, safe against float attacks.

Why not diffprivlib's mechanisms directly: they randomise one value per Python call (about 12 us each,
a minute for 5 x 1,000,000 values). Why not ``numpy.random.laplace`` either: Mironov (2012) showed that
textbook floating-point Laplace leaks the input through the pattern of doubles it can and cannot
output (the set of reachable outputs depends on the input). diffprivlib defends with four-uniform
sampling and the Snapping mechanism.

Sanitas defends with the *discrete* approach instead (the one Google's DP library and Canonne, Kamath
and Steinke 2020 use): every value is clamped to [lower, upper] and mapped onto an integer grid of
``units`` steps (step g = (upper - lower) / units), noise is an *integer* drawn from a discrete
distribution (two-sided geometric = discrete Laplace, or discrete Gaussian), added in int64 (exact),
and only then mapped back to the column's units (post-processing). The output support is the whole
grid for every input, so there is no hole pattern to read, and integer addition cannot round.
Privacy: a neighbouring value moves at most ``units`` grid steps, so discrete Laplace with
P(k) ~ exp(-|k| * epsilon / units) is epsilon-DP exactly, and the discrete Gaussian's sigma is chosen
with its own exact (epsilon, delta) curve (CKS20, Theorem 7; diffprivlib's GaussianDiscrete uses the
same formula).

Residual approximations, stated: uniforms have 53 random bits, so a probability is exact to 2^-53 and
a geometric draw stops at 36.7 noise scales (u >= 2^-53). For epsilon below 36 that cut lies beyond
the clamp to [lower, upper] (36.7 * (upper - lower) / epsilon > upper - lower), so every clamped output
stays reachable from every input. Far in one geometric's tail its values thin out (log of a 53-bit
uniform), but the other geometric of the difference spreads over millions of steps and fills them.
Rejection tests compare a uniform with a float ``exp``. All of these are errors of order 1e-16 in
probability, not input-dependent holes in the output.

Randomness: the operating system's CSPRNG (``os.urandom``, i.e. getrandom/ChaCha20 on Linux) in bulk
by default; a ``numpy.random.Generator`` can be injected through the API for tests. Never the recipe
seed: anyone holding the recipe could then regenerate and subtract the noise.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache

import numpy as np

URANDOM_BLOCK = 1 << 22  # uint64 values per os.urandom call (32 MiB; getrandom caps a call at 32 MiB)
FLOAT_UNITS = 1 << 20  # grid steps across [lower, upper] for Laplace on real-valued columns
GAUSSIAN_STEPS_PER_SIGMA = 2048  # grid resolution for the discrete Gaussian (sigma ~ 2048 steps)


def random_uint64(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """``n`` uniformly random 64-bit words: OS secure randomness, or the injected generator (tests)."""
    if rng is not None:
        return rng.bit_generator.random_raw(n).astype(np.uint64, copy=False)
    blocks = [np.frombuffer(os.urandom(8 * m), dtype=np.uint64)
              for m in (min(URANDOM_BLOCK, n - i) for i in range(0, n, URANDOM_BLOCK))]
    return np.concatenate(blocks) if len(blocks) != 1 else blocks[0]


def uniform_open0(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Uniforms on (0, 1] with 53 random bits each (never 0, so ``log`` is finite)."""
    return ((random_uint64(n, rng) >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0**-53


def geometric(n: int, epsilon_per_step: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """One-sided geometric on {0, 1, ...} with P(G >= k) = exp(-k * epsilon_per_step), by inversion.

    ``log(u) / -epsilon`` uses the exact log-ratio (not log(exp(-epsilon))), so small steps stay accurate.
    """
    u = uniform_open0(n, rng)
    return np.floor(np.log(u) / -epsilon_per_step).astype(np.int64)


def two_sided_geometric(n: int, epsilon_per_step: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """Discrete Laplace: P(Z = k) = (1 - t) / (1 + t) * t^|k| with t = exp(-epsilon_per_step).

    The difference of two independent one-sided geometrics has exactly this law; it is diffprivlib's
    ``Geometric`` distribution (scale -epsilon / sensitivity) with sensitivity = 1 step.
    """
    return geometric(n, epsilon_per_step, rng) - geometric(n, epsilon_per_step, rng)


def discrete_gaussian(n: int, sigma: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """Discrete Gaussian N_Z(0, sigma^2) by CKS20 Algorithm 3, vectorized over the rows still rejected.

    Candidates are discrete Laplace with scale t = floor(sigma) + 1, accepted with probability
    exp(-(|y| - sigma^2 / t)^2 / (2 sigma^2)); the acceptance rate is above one half for every sigma.
    """
    out = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    t = math.floor(sigma) + 1
    s2 = sigma * sigma
    while todo.size:
        y = two_sided_geometric(todo.size, 1.0 / t, rng)
        accept = uniform_open0(todo.size, rng) <= np.exp(-((np.abs(y) - s2 / t) ** 2) / (2 * s2))
        out[todo[accept]] = y[accept]
        todo = todo[~accept]
    return out


def randomized_response(
    codes: np.ndarray, k: int, epsilon: float, rng: np.random.Generator | None = None
) -> np.ndarray:
    """k-ary randomized response on integer codes 0..k-1: keep with probability e^eps / (e^eps + k - 1),
    otherwise a uniformly chosen *other* code. Each output's likelihood ratio is at most e^eps.

    This is diffprivlib's ``Exponential`` mechanism with utility 1 for the true value, 0 otherwise and
    ``monotonic=True`` (probability proportional to exp(eps * utility)), drawn for a whole column at once.
    """
    n = codes.size
    if k < 2:
        return codes.copy()
    keep_probability = math.exp(epsilon) / (math.exp(epsilon) + k - 1) if epsilon < 700 else 1.0
    keep = uniform_open0(n, rng) <= keep_probability
    # An index among the k - 1 other codes, skipping the true one; 64 random bits make the modulo bias
    # below 2^-40 for any domain a column can have.
    other = (random_uint64(n, rng) % np.uint64(k - 1)).astype(np.int64)
    other += other >= codes
    return np.where(keep, codes, other)


def analytic_gaussian_sigma(epsilon: float, delta: float, sensitivity: float) -> float:
    """Sigma of the analytic Gaussian mechanism (Balle & Wang 2018), computed by diffprivlib."""
    from diffprivlib.mechanisms import GaussianAnalytic  # lazy: diffprivlib imports scikit-learn

    return float(GaussianAnalytic(epsilon=epsilon, delta=delta, sensitivity=sensitivity)._scale)


def discrete_gaussian_delta(sigma: float, sensitivity: int, epsilon: float) -> float:
    """The exact delta of the discrete Gaussian at ``epsilon`` for an integer sensitivity (CKS20 Thm 7):
    P[Y > eps s^2/D - D/2] - e^eps P[Y > eps s^2/D + D/2] with Y ~ N_Z(0, s^2).

    The same sums as diffprivlib's ``GaussianDiscrete._find_scale`` objective, vectorized over a window of
    +-40 sigma (the mass beyond is below 1e-300).
    """
    reach = math.ceil(40 * sigma) + 1
    ks = np.arange(-reach, reach + 1, dtype=np.float64)
    weights = np.exp(-(ks**2) / (2 * sigma * sigma))
    weights /= weights.sum()
    tail = np.cumsum(weights[::-1])[::-1]  # tail[i] = P(Y >= ks[i])

    def above(x: float) -> float:  # P(Y > x)
        first = math.floor(x) + 1 + reach  # index of the smallest integer > x
        if first <= 0:
            return 1.0
        return float(tail[first]) if first < tail.size else 0.0

    centre = epsilon * sigma * sigma / sensitivity
    return max(0.0, above(centre - sensitivity / 2) - math.exp(epsilon) * above(centre + sensitivity / 2))


@lru_cache(maxsize=64)
def discrete_gaussian_sigma(epsilon: float, delta: float, sensitivity: int) -> float:
    """Smallest sigma (in grid steps, to 0.1%) whose discrete Gaussian is (epsilon, delta)-DP for an
    integer ``sensitivity``: starts from the analytic continuous sigma and widens until the exact
    discrete delta holds (on a fine grid the two agree to well under 1%)."""
    sigma = analytic_gaussian_sigma(epsilon, delta, sensitivity)
    while discrete_gaussian_delta(sigma, sensitivity, epsilon) > delta:
        sigma *= 1.001
    return sigma


def two_sided_geometric_quantile(epsilon_per_step: float, tail: float) -> int:
    """Smallest m with P(|Z| > m) <= tail for discrete Laplace: P(|Z| > m) = 2 t^(m+1) / (1 + t)."""
    t = math.exp(-epsilon_per_step)
    m = math.log(tail * (1 + t) / 2) / math.log(t) - 1
    return max(0, math.ceil(m - 1e-9))


def two_sided_geometric_mean_abs(epsilon_per_step: float) -> float:
    """E|Z| for discrete Laplace: 2t / (1 - t^2)."""
    t = math.exp(-epsilon_per_step)
    return 2 * t / (1 - t * t) if t < 1 else math.inf
