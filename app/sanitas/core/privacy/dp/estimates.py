"""The error a DP share buys, before anything runs: what the workbench's budget tab shows while the
analyst edits a share, so privacy can be traded for accuracy without a trial release.

Column noise goes through ``column_noise.NoiseGrid``, the same grid and sampler parameters a run uses,
so the figure shown is the one the run gets. Aggregates follow the mechanisms ``aggregates.py`` calls.
No data is read: only the analyst's declared epsilon, delta, bounds and domain (and, for a mean, a
group size the caller may pass).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from sanitas.core.privacy.dp import sampler
from sanitas.core.privacy.dp.column_noise import COLUMN_UNITS, SHARE_REPLACED, NoiseGrid, resolve_mechanism
from sanitas.core.privacy.dp.noise_params import CATEGORICAL_MECHANISMS, NUMERIC_MECHANISMS, DpNoiseParams
from sanitas.core.privacy.dp.section import AggregateSpec

Z95 = 1.959963984540054  # two-sided 95% quantile of the standard normal
RECORDS = "records"


@dataclass(frozen=True)
class ErrorEstimate:
    """One share's noise: its scale and the error it buys, in ``unit``.

    ``typical_error`` is the mean absolute error (before clamping and rounding; for categories, the share
    of values replaced); ``error_95``: 95% of errors are within plus or minus this. None: no closed form.
    """

    mechanism: str
    noise_scale: float | None
    typical_error: float | None
    error_95: float | None
    unit: str
    note: str = ""


def expected_error(
    mechanism: str,
    epsilon: float,
    delta: float = 0.0,
    lower: float | None = None,
    upper: float | None = None,
    domain_size: int | None = None,
) -> ErrorEstimate:
    """Noise scale and typical error of per-column noise with these settings (one record's value).

    Numbers: laplace (b = (upper - lower) / epsilon), gaussian (analytic sigma) or geometric, on the grid
    the run uses. Categories: randomized_response or exponential over ``domain_size`` categories, whose
    error is the share of values replaced. Raises ValueError for settings no mechanism accepts.
    """
    if not epsilon > 0:
        raise ValueError("epsilon: must be above 0")
    if mechanism in CATEGORICAL_MECHANISMS:
        if domain_size is None or domain_size < 2:
            raise ValueError("domain: give at least two categories")
        effective = epsilon if mechanism == "randomized_response" else epsilon / 2
        replaced = (domain_size - 1) / (math.exp(min(effective, 700)) + domain_size - 1)
        note = "exponential with utility 1 for the true category: randomized response at epsilon / 2" \
            if mechanism == "exponential" else ""
        return ErrorEstimate(mechanism, None, replaced, None, SHARE_REPLACED, note)
    if mechanism not in NUMERIC_MECHANISMS:
        raise ValueError(f"mechanism: unknown mechanism {mechanism!r}")
    if lower is None or upper is None or not (math.isfinite(lower) and math.isfinite(upper)) or lower >= upper:
        raise ValueError("lower, upper: give both bounds, lower below upper")
    if mechanism == "gaussian" and not delta > 0:
        raise ValueError("delta: the gaussian mechanism needs delta > 0")
    grid = NoiseGrid.build(mechanism, epsilon, delta, upper - lower)
    if mechanism == "gaussian":
        q95 = Z95 * grid.noise_scale
    else:
        q95 = sampler.two_sided_geometric_quantile(grid.epsilon / grid.steps, 0.05) * grid.step_size
    return ErrorEstimate(mechanism, grid.noise_scale, grid.expected_error, q95, COLUMN_UNITS,
                         "before the result is clamped to the bounds (clamping only shrinks it)")


def column_estimate(params: DpNoiseParams, dtype: pl.DataType) -> ErrorEstimate | None:
    """``expected_error`` for a dp_noise action on a column of ``dtype``; None while a domain from a
    hierarchy or bounds estimated at run time leave the figure unknown."""
    mechanism = resolve_mechanism(params, dtype)
    eps = float(params.epsilon or 0.0)
    if params.categorical:
        return expected_error(mechanism, eps, domain_size=len(params.domain)) if params.domain else None
    if params.lower is None or params.upper is None:
        return None
    return expected_error(mechanism, eps, params.delta, params.lower, params.upper)


def _count_error(epsilon: float, unit: str, note: str = "") -> ErrorEstimate:
    """Geometric noise with sensitivity 1 (counts and histogram bins)."""
    return ErrorEstimate("geometric", 1 / epsilon, sampler.two_sided_geometric_mean_abs(epsilon),
                         float(sampler.two_sided_geometric_quantile(epsilon, 0.05)), unit, note)


def aggregate_estimate(
    spec: AggregateSpec, hierarchy_columns: Collection[str] = (), group_rows: float | None = None
) -> ErrorEstimate:
    """Noise scale and typical error of one released figure, per group, as ``aggregates.py`` draws it.

    Figures other than counts whose groups no domain (nor hierarchy) declares spend ``key_selection_share``
    of their epsilon choosing the groups; the rest buys the figure. A mean's error depends on its group's
    size: pass ``group_rows`` (e.g. rows / groups) to get it in the column's units.
    """
    eps = spec.epsilon
    selecting = bool(spec.undeclared_by(hierarchy_columns)) and spec.statistic != "count"
    stat_eps = eps * (1 - spec.key_selection_share) if selecting else eps
    note = f"{spec.key_selection_share:g} of the epsilon chooses the groups" if selecting else ""
    lower, upper = float(spec.lower or 0.0), float(spec.upper or 0.0)
    if spec.statistic == "count":
        return _count_error(eps, RECORDS)
    if spec.statistic == "histogram":
        return _count_error(stat_eps, "records per bin", note)
    if spec.statistic == "sum":
        b = max(abs(lower), abs(upper)) / stat_eps
        return ErrorEstimate("laplace", b, b, b * math.log(20), COLUMN_UNITS, note)
    if spec.statistic == "mean":
        b = (upper - lower) / 2 / (stat_eps / 2)  # the centred sum's Laplace scale (half the epsilon)
        if group_rows is None or not group_rows > 0:
            return ErrorEstimate("laplace sum / geometric count", b, None, None, COLUMN_UNITS,
                                 "the sum's noise divided by the group's size: larger groups, smaller error")
        n = max(group_rows, 1.0)
        return ErrorEstimate("laplace sum / geometric count", b / n, b / n, b * math.log(20) / n, COLUMN_UNITS,
                             f"for a group of {n:,.0f} records (the sum's noise over the count)"
                             + (f"; {note}" if note else ""))
    return ErrorEstimate("exponential", None, None, None, COLUMN_UNITS,
                         "quantiles come from the exponential mechanism: no closed-form error")
