"""Parameters of the ``dp_noise`` column action: which mechanism, this column's budget share, and the
bounds or categorical domain it needs. Validation never falls back to reading bounds or a domain from
the data: that would leak exactly what the noise is meant to hide (diffprivlib's PrivacyLeakWarning)."""

from __future__ import annotations

import math
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Mechanism = Literal["laplace", "gaussian", "geometric", "randomized_response", "exponential"]
NUMERIC_MECHANISMS = frozenset({"laplace", "gaussian", "geometric"})
CATEGORICAL_MECHANISMS = frozenset({"randomized_response", "exponential"})


class DpNoiseParams(BaseModel):
    """One column's local DP noise. Each record's value is perturbed on its own (sensitivity upper - lower).

    A plain pydantic model (same config as TransformParams) so that this package does not import the
    transforms registry, which imports it back; ``transforms/dp_noise.py`` joins the two.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mechanism: Mechanism | None = Field(
        default=None,
        description="laplace or gaussian (analytic) for numbers, geometric for integers, randomized_response "
        "or exponential for categories. Empty: geometric on integer columns, laplace on other numbers, "
        "randomized_response on text.",
    )
    epsilon: float | None = Field(
        default=None, gt=0, description="This column's share of differential_privacy.epsilon (required)."
    )
    delta: float = Field(
        default=0.0, ge=0, lt=1, description="This column's share of differential_privacy.delta (gaussian only)."
    )
    lower: float | None = Field(
        default=None, description="Smallest possible value: values below are raised to it before the noise."
    )
    upper: float | None = Field(
        default=None, description="Largest possible value: values above are lowered to it before the noise."
    )
    bounds_epsilon: float | None = Field(
        default=None, gt=0,
        description="Instead of lower/upper: estimate them under DP with this extra share of the budget "
        "(power-of-two ranges, so they come out wider than the data); the report says so.",
    )
    domain: list[str] | None = Field(
        default=None,
        description="Every possible category (randomized_response, exponential). Values outside it are "
        "replaced by a random category before the noise.",
    )
    domain_from_hierarchy: bool = Field(
        default=False,
        description="Take the categories from this column's hierarchy (k_anonymity.hierarchies) instead of domain.",
    )

    @field_validator("domain", mode="before")
    @classmethod
    def _domain_as_text(cls, value: Any) -> Any:
        """YAML reads [1, 2, 3] as numbers; categories are compared as text."""
        if isinstance(value, list | tuple):
            return [v if isinstance(v, str) else ("true" if v is True else "false" if v is False else str(v))
                    for v in value]
        return value

    @model_validator(mode="after")
    def _mechanism_needs(self) -> Self:
        problems: list[str] = []
        if self.epsilon is None:
            problems.append("epsilon: give this column's share of the budget (e.g. epsilon: 0.5)")
        categorical = self.domain is not None or self.domain_from_hierarchy
        numeric = self.lower is not None or self.upper is not None
        mech = self.mechanism
        if mech == "gaussian" and not self.delta > 0:
            problems.append("delta: the gaussian mechanism needs delta > 0 (e.g. delta: 1.0e-6)")
        if mech is not None and mech != "gaussian" and self.delta:
            problems.append(f"delta: {mech} is pure epsilon-DP; leave delta at 0 (only gaussian uses it)")
        if mech is None and categorical and numeric:
            problems.append("lower, upper, domain: give bounds (numeric noise) or a domain (categories), not both")
        elif mech in NUMERIC_MECHANISMS or (mech is None and not categorical):
            if self.bounds_epsilon is not None:
                if numeric:
                    problems.append("bounds_epsilon: give lower/upper or bounds_epsilon (to estimate them), not both")
            elif self.lower is None or self.upper is None:
                problems.append(f"lower, upper: {mech or 'numeric noise'} needs both bounds, given by you "
                                "(they are never read from the data), or bounds_epsilon to estimate them under DP")
            elif not (math.isfinite(self.lower) and math.isfinite(self.upper)) or self.lower >= self.upper:
                problems.append("lower, upper: lower must be below upper, both finite")
            elif mech == "geometric" and not (float(self.lower).is_integer() and float(self.upper).is_integer()):
                problems.append("lower, upper: geometric noise needs whole-number bounds")
            if categorical:
                problems.append(f"domain: {mech or 'numeric noise'} takes bounds, not a domain")
        if mech in CATEGORICAL_MECHANISMS or (mech is None and categorical and not numeric):
            if self.domain is not None and self.domain_from_hierarchy:
                problems.append("domain, domain_from_hierarchy: give one, not both")
            elif self.domain is None and not self.domain_from_hierarchy:
                problems.append(f"domain: {mech} needs every possible category (domain: [...]) or "
                                "domain_from_hierarchy: true (never taken from the data)")
            elif self.domain is not None and len(set(self.domain)) < 2:
                problems.append("domain: give at least two distinct categories")
            elif self.domain is not None and len(set(self.domain)) != len(self.domain):
                problems.append("domain: a category is listed twice")
            if numeric or self.bounds_epsilon is not None:
                problems.append(f"lower, upper: {mech or 'categorical noise'} takes a domain, not bounds")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def categorical(self) -> bool:
        return self.mechanism in CATEGORICAL_MECHANISMS or (
            self.mechanism is None and (self.domain is not None or self.domain_from_hierarchy)
        )

    @property
    def share(self) -> tuple[float, float]:
        """(epsilon, delta) this column spends of the section's total."""
        return float(self.epsilon or 0.0) + float(self.bounds_epsilon or 0.0), float(self.delta)

    def with_bounds(self, lower: float, upper: float) -> DpNoiseParams:
        """A copy with estimated bounds in place of ``bounds_epsilon`` (whose share is then spent)."""
        data = self.model_dump()
        data.update(lower=lower, upper=upper, bounds_epsilon=None)
        return DpNoiseParams.model_validate(data)

    def with_domain(self, values: list[str]) -> DpNoiseParams:
        """A copy with the domain filled in from a hierarchy's original values (``domain_from_hierarchy``)."""
        data = self.model_dump()
        data.update(domain=[str(v) for v in values], domain_from_hierarchy=False)
        return DpNoiseParams.model_validate(data)
