"""What a DP release tells the report: the budget, each mechanism's share, bounds or domain, noise
scale and the error it buys. No data values: bounds and domains are the analyst's own declarations."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

RANDOMNESS_NOTE = (
    "Noise comes from the operating system's secure randomness, not from the recipe's seed: the same "
    "recipe gives different noise on every run, so the output is not reproducible from the recipe."
)
NULLS_NOTE = (
    "Missing values stay missing: whether a value is missing is released as it is, without noise."
)
RECORDS_NEIGHBOURHOOD = (
    "Per-column noise is local: neighbouring datasets differ in one person's value, so the sensitivity "
    "of a column is upper - lower (its domain, for categories). The guarantee covers the noised columns' "
    "values only: the other columns are released by their own actions."
)
AGGREGATES_NEIGHBOURHOOD = (
    "Add/remove one record: neighbouring datasets differ by one record, which falls in one group (and "
    "one bin) of each figure. diffprivlib's tools.sum/mean/count_nonzero calibrate to replacing one "
    "record with the count public, so Sanitas calls diffprivlib's mechanisms with add/remove "
    "sensitivities (count 1, sum max(|lower|, |upper|)); quantiles and histograms use diffprivlib's tools."
)


class MechanismFacts(BaseModel):
    """One noisy column or one released figure (an aggregate over all its groups)."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    statistic: str | None = None  # aggregates: count, sum, mean, median, quantile_0.5, histogram
    by: list[str] = Field(default_factory=list)
    mechanism: str
    epsilon: float
    delta: float = 0.0
    lower: float | None = None
    upper: float | None = None
    domain_size: int | None = None
    domain: list[str] | None = None  # the analyst's declared categories (not data values)
    bounds_source: str = "declared"  # declared | hierarchy | not needed
    sensitivity: float | None = None
    noise_scale: float | None = None  # laplace b, gaussian sigma, geometric b; in the column's units
    expected_error: float | None = None  # mean absolute error before clamping, column's units
    error_unit: str = ""  # e.g. "years" is unknown to us: "in the column's units" or "share of values"
    nulls_kept: int | None = None
    values_outside: int | None = None  # clamped into the bounds, or outside the domain
    groups_released: int | None = None
    groups_declared: int | None = None
    key_threshold: float | None = None  # DP partition selection threshold on the noisy count
    notes: list[str] = Field(default_factory=list)


class DifferentialPrivacyFacts(BaseModel):
    """The report's top-level ``differential_privacy`` object."""

    model_config = ConfigDict(extra="forbid")

    output: str  # records | aggregates
    epsilon_total: float
    epsilon_spent: float
    delta_total: float
    delta_spent: float
    neighbourhood: str
    randomness: str = RANDOMNESS_NOTE
    nulls: str = NULLS_NOTE
    bounds_estimated: bool = False
    mechanisms: list[MechanismFacts] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
