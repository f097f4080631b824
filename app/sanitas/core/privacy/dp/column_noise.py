"""Per-column (local) DP noise on a polars Series, and on several columns of a frame.

Each non-null value is clamped to [lower, upper] (or mapped into its declared domain), noised on its
own with the samplers in ``sampler.py``, and clamped again, so the output never holds a value the
column could not hold. Nulls stay null (whether a value is missing is released as is). Integer
columns stay integers: geometric noise is integer already; laplace and gaussian are rounded after the
noise (post-processing keeps the guarantee).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from sanitas.core.errors import TransformError
from sanitas.core.privacy.dp import sampler
from sanitas.core.privacy.dp.bounds import estimate_bounds
from sanitas.core.privacy.dp.facts import MechanismFacts
from sanitas.core.privacy.dp.noise_params import NUMERIC_MECHANISMS, DpNoiseParams
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

COLUMN_UNITS = "in the column's units"
SHARE_REPLACED = "share of values replaced"
MAX_STEPS = 1 << 40  # grid steps stay far inside int64 with room for noise


def resolve_mechanism(params: DpNoiseParams, dtype: pl.DataType) -> str:
    """The mechanism to use on ``dtype`` (geometric by default on integers, laplace on other numbers)."""
    if params.mechanism is not None:
        return params.mechanism
    if params.categorical:
        return "randomized_response"
    return "geometric" if dtype.is_integer() else "laplace"


def dtype_problems(params: DpNoiseParams, dtype: pl.DataType) -> list[str]:
    """Why ``params`` cannot noise a column of ``dtype`` (empty when it can)."""
    if dtype == pl.Null:
        return []
    mech = resolve_mechanism(params, dtype)
    if mech in NUMERIC_MECHANISMS:
        if not dtype.is_numeric():
            return [f"{mech} noise needs a numeric column, not {dtype}; use randomized_response with a domain"]
        if mech == "geometric" and not dtype.is_integer():
            return [f"geometric noise needs an integer column, not {dtype}; use laplace or gaussian"]
        if dtype.is_integer():
            info = np.iinfo(pl.Series([], dtype=dtype).to_numpy().dtype)
            if params.lower is not None and params.upper is not None and (
                params.lower < info.min or params.upper > info.max
            ):
                return [f"bounds [{params.lower:g}, {params.upper:g}] do not fit a {dtype} column"]
        return []
    if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object | pl.Binary):
        return [f"{mech} works on categories (text, numbers, booleans), not {dtype}"]
    return []


def output_dtype(params: DpNoiseParams, dtype: pl.DataType) -> pl.DataType:
    """Integers and floats keep their dtype, other numbers become Float64, categories keep theirs."""
    if dtype == pl.Null or params.categorical:
        return dtype
    return dtype if dtype.is_integer() or dtype.is_float() else pl.Float64


def describe(params: DpNoiseParams, dtype: pl.DataType, name: str = "") -> MechanismFacts:
    """What ``params`` would do to a column of ``dtype``, before touching any data: mechanism, noise scale
    and expected error in the column's units (for the workbench's budget tab, as shares are edited)."""
    mech = resolve_mechanism(params, dtype)
    eps = float(params.epsilon or 0.0)
    if params.categorical:
        k = len(params.domain or [])
        effective = eps if mech == "randomized_response" else eps / 2
        changed = (k - 1) / (math.exp(min(effective, 700)) + k - 1) if k else None
        return MechanismFacts(column=name or None, mechanism=mech, epsilon=eps, domain_size=k or None,
                              domain=params.domain, sensitivity=1.0, expected_error=changed,
                              error_unit=SHARE_REPLACED,
                              bounds_source="hierarchy" if params.domain_from_hierarchy else "declared")
    if params.lower is None or params.upper is None:  # bounds estimated at run time
        return MechanismFacts(column=name or None, mechanism=mech, epsilon=params.share[0], delta=params.delta,
                              bounds_source="estimated under DP at run time", error_unit=COLUMN_UNITS)
    grid = NoiseGrid.build(mech, eps, params.delta, params.upper - params.lower)
    return MechanismFacts(column=name or None, mechanism=mech, epsilon=eps, delta=params.delta, lower=params.lower,
                          upper=params.upper, sensitivity=params.upper - params.lower, noise_scale=grid.noise_scale,
                          expected_error=grid.expected_error, error_unit=COLUMN_UNITS)


def noise_series(
    column: pl.Series, params: DpNoiseParams, rng: np.random.Generator | None = None,
    *, bounds_source: str = "declared",
) -> tuple[pl.Series, MechanismFacts]:
    """The noisy column (same name, length, nulls and dtype family) and what the report says about it.

    ``rng`` is for tests only: left None, noise comes from the OS's secure randomness.
    """
    problems = dtype_problems(params, column.dtype)
    if problems:
        raise TransformError(f"dp_noise on column '{column.name}': {'; '.join(problems)}")
    if params.categorical and params.domain is None:
        raise TransformError(f"dp_noise on column '{column.name}': domain_from_hierarchy is set but no hierarchy "
                             "gave this column's categories; add one under k_anonymity.hierarchies or list domain")
    mech = resolve_mechanism(params, column.dtype)
    if params.categorical:
        return _categorical(column, params, mech, rng, bounds_source)
    if params.bounds_epsilon is None or column.dtype == pl.Null:
        if params.bounds_epsilon is not None:  # an all-null column has nothing to estimate or noise
            params = params.with_bounds(0.0, 1.0)
        return _numeric(column, params, mech, rng)
    share = params.bounds_epsilon
    lower, upper = estimate_bounds(column.drop_nulls().cast(pl.Float64).to_numpy(), share,
                                   integer=column.dtype.is_integer(), column=column.name, rng=rng)
    if column.dtype.is_integer():
        info = np.iinfo(pl.Series([], dtype=column.dtype).to_numpy().dtype)
        lower, upper = max(lower, float(info.min)), min(upper, float(info.max))
    out, facts = _numeric(column, params.with_bounds(lower, upper), mech, rng)
    facts.epsilon += share
    facts.bounds_source = f"estimated under DP (epsilon {share:g} of the share)"
    facts.notes.append(f"bounds [{lower:g}, {upper:g}] estimated under DP with epsilon {share:g}; the noise "
                       f"used the other {facts.epsilon - share:g}")
    return out, facts


@dataclass(frozen=True)
class NoiseGrid:
    """The integer grid a numeric mechanism works on: ``steps`` steps of ``step_size`` across the bounds,
    and the discrete noise (in steps) that makes it (epsilon, delta)-DP for a change of ``steps`` steps."""

    mechanism: str
    epsilon: float
    delta: float
    steps: int
    step_size: float
    sigma_steps: float = 0.0  # gaussian only

    @classmethod
    def build(cls, mechanism: str, epsilon: float, delta: float, span: float) -> NoiseGrid:
        if mechanism == "geometric":  # whole-number bounds: one step per unit
            return cls(mechanism, epsilon, delta, round(span), 1.0)
        if mechanism == "laplace":
            return cls(mechanism, epsilon, delta, sampler.FLOAT_UNITS, span / sampler.FLOAT_UNITS)
        # gaussian: a grid fine enough that sigma spans about GAUSSIAN_STEPS_PER_SIGMA steps
        ratio = sampler.analytic_gaussian_sigma(epsilon, delta, 1.0)
        steps = int(min(MAX_STEPS, max(64, math.ceil(sampler.GAUSSIAN_STEPS_PER_SIGMA / ratio))))
        sigma = sampler.discrete_gaussian_sigma(epsilon, delta, steps)
        return cls(mechanism, epsilon, delta, steps, span / steps, sigma)

    def draw(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """``n`` noise values in grid steps (int64)."""
        if self.mechanism == "gaussian":
            return sampler.discrete_gaussian(n, self.sigma_steps, rng)
        return sampler.two_sided_geometric(n, self.epsilon / self.steps, rng)

    @property
    def noise_scale(self) -> float:
        """Laplace/geometric b (= sensitivity / epsilon) or gaussian sigma, in the column's units."""
        if self.mechanism == "gaussian":
            return self.sigma_steps * self.step_size
        return self.steps * self.step_size / self.epsilon

    @property
    def expected_error(self) -> float:
        """Mean absolute noise before clamping, in the column's units."""
        if self.mechanism == "gaussian":
            return self.noise_scale * math.sqrt(2 / math.pi)
        return sampler.two_sided_geometric_mean_abs(self.epsilon / self.steps) * self.step_size


def _numeric(
    column: pl.Series, params: DpNoiseParams, mech: str, rng: np.random.Generator | None
) -> tuple[pl.Series, MechanismFacts]:
    lower, upper = float(params.lower or 0.0), float(params.upper or 0.0)
    grid = NoiseGrid.build(mech, float(params.epsilon or 0.0), params.delta, upper - lower)
    out_dtype = output_dtype(params, column.dtype)
    nulls = column.null_count() if column.dtype != pl.Null else column.len()
    facts = MechanismFacts(column=column.name, mechanism=mech, epsilon=grid.epsilon, delta=grid.delta, lower=lower,
                           upper=upper, sensitivity=upper - lower, noise_scale=grid.noise_scale,
                           expected_error=grid.expected_error, error_unit=COLUMN_UNITS, nulls_kept=nulls)
    if column.dtype == pl.Null or nulls == column.len():
        facts.values_outside = 0
        return column.cast(out_dtype).alias(column.name), facts

    values = column.cast(pl.Float64).fill_null(lower).to_numpy()
    facts.values_outside = int(((values < lower) | (values > upper)).sum())
    position = np.rint((np.clip(values, lower, upper) - lower) / grid.step_size).astype(np.int64)
    position += grid.draw(position.size, rng)
    np.clip(position, 0, grid.steps, out=position)
    noisy = lower + position * grid.step_size
    np.clip(noisy, lower, upper, out=noisy)
    if out_dtype.is_integer():
        noisy = np.clip(np.rint(noisy), math.ceil(lower), math.floor(upper))
    out = pl.Series(column.name, noisy).cast(out_dtype)
    if nulls:
        out = _restore_nulls(out, column)
    return out, facts


def _categorical(
    column: pl.Series, params: DpNoiseParams, mech: str, rng: np.random.Generator | None, bounds_source: str
) -> tuple[pl.Series, MechanismFacts]:
    domain = list(params.domain or [])
    k = len(domain)
    eps = float(params.epsilon or 0.0)
    # The exponential mechanism with utility 1 for the true category and 0 otherwise (diffprivlib's
    # Exponential, monotonic=False) keeps a value with probability e^(eps/2) / (e^(eps/2) + k - 1):
    # randomized response at half the epsilon.
    effective = eps if mech == "randomized_response" else eps / 2
    changed = (k - 1) / (math.exp(min(effective, 700)) + k - 1)
    nulls = column.null_count() if column.dtype != pl.Null else column.len()
    facts = MechanismFacts(column=column.name, mechanism=mech, epsilon=eps, domain_size=k, domain=domain,
                           bounds_source=bounds_source, sensitivity=1.0, expected_error=changed,
                           error_unit=SHARE_REPLACED, nulls_kept=nulls)
    if mech == "exponential":
        facts.notes.append("utility 1 for the true category, 0 otherwise: randomized response at epsilon / 2")
    if column.dtype == pl.Null or nulls == column.len():
        facts.values_outside = 0
        return column.clone(), facts
    text = column.cast(pl.String)
    codes = text.replace_strict(domain, list(range(k)), default=-1, return_dtype=pl.Int64).fill_null(0).to_numpy()
    codes = codes.copy()
    outside = (codes < 0) & ~column.is_null().to_numpy()
    facts.values_outside = int(outside.sum())
    codes[codes < 0] = 0
    if facts.values_outside:  # data-independent replacement, before the noise
        codes[outside] = (sampler.random_uint64(int(outside.sum()), rng) % np.uint64(k)).astype(np.int64)
    noisy = sampler.randomized_response(codes, k, effective, rng)
    out = pl.Series(column.name, domain, dtype=pl.String).gather(noisy)
    try:
        if column.dtype == pl.Boolean:  # polars does not read 'true'/'false' text as booleans
            if not set(domain) <= {"true", "false"}:
                raise pl.exceptions.InvalidOperationError("not a boolean")
            out = out == "true"
        elif column.dtype != pl.String:
            out = out.cast(column.dtype)
    except pl.exceptions.PolarsError:
        raise TransformError(f"dp_noise on column '{column.name}': a domain category is not a valid "
                             f"{column.dtype} value; list categories of the column's type") from None
    if nulls:
        out = _restore_nulls(out, column)
    return out.alias(column.name), facts


def _restore_nulls(out: pl.Series, column: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"v": out, "m": column.is_null()})
    return frame.select(pl.when(pl.col("m")).then(None).otherwise(pl.col("v")).alias(column.name)).to_series()


def noise_columns(
    frame: pl.DataFrame,
    params: Mapping[str, DpNoiseParams],
    rng: np.random.Generator | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    *,
    hierarchy_domains: Mapping[str, Sequence[str]] | None = None,
) -> tuple[pl.DataFrame, list[MechanismFacts]]:
    """Noise every column named in ``params`` (the engine's call after k-anonymity and synthesis).

    ``hierarchy_domains`` gives a column's categories for ``domain_from_hierarchy`` (a hierarchy's
    original values). ``rng`` is for tests only. Returns the new frame (input not mutated) and facts.
    """
    missing = [c for c in params if c not in frame.columns]
    if missing:
        raise TransformError(f"dp_noise: column(s) {', '.join(repr(c) for c in missing)} are not in the table")
    columns: dict[str, pl.Series] = {}
    facts: list[MechanismFacts] = []
    total = max(len(params), 1)
    for i, (name, p) in enumerate(params.items()):
        cancel.raise_if_cancelled()
        progress(i / total, f"adding DP noise to column {i + 1} of {total}")
        source = "declared"
        if p.domain_from_hierarchy:
            values = (hierarchy_domains or {}).get(name)
            if values is not None:
                p, source = p.with_domain(list(values)), "hierarchy"
        columns[name], fact = noise_series(frame.get_column(name), p, rng, bounds_source=source)
        facts.append(fact)
    progress(1.0, "DP noise added")
    return frame.with_columns(list(columns.values())), facts
