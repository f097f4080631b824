"""The recipe's ``differential_privacy:`` section: the total budget, what is released (records or
aggregates) and, for aggregates, each figure with its share, bounds and declared group keys."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Statistic = Literal["count", "sum", "mean", "median", "quantile", "histogram"]
BOUNDED = frozenset({"sum", "mean", "median", "quantile", "histogram"})
DomainValue = str


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


class AggregateSpec(BaseModel):
    """One released figure, optionally per group of ``by`` columns, with its own epsilon share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statistic: Statistic = Field(description="count, sum, mean, median, quantile or histogram.")
    column: str | None = Field(default=None, description="The column summarised (count: empty counts records).")
    by: list[str] = Field(default_factory=list, description="Columns whose values make the groups, in order.")
    epsilon: float = Field(gt=0, description="This figure's share of differential_privacy.epsilon.")
    delta: float | None = Field(
        default=None, ge=0, lt=1,
        description="This figure's share of differential_privacy.delta, used to release group keys that no "
        "domain declares; empty: an even split of the delta left over.",
    )
    lower: float | None = Field(default=None, description="Smallest value of the column (sum, mean, quantiles, "
                                "histogram): values below are raised to it.")
    upper: float | None = Field(default=None, description="Largest value of the column: values above are lowered.")
    quantile: list[float] | None = Field(
        default=None, description="quantile: the level(s) in [0, 1], e.g. [0.25, 0.5, 0.75]."
    )
    bins: int | list[float] | None = Field(
        default=None, description="histogram: a number of equal bins between lower and upper, or the bin edges."
    )
    domains: dict[str, list[DomainValue]] = Field(
        default_factory=dict,
        description="Every possible value of a 'by' column ({race: [...]}): all these groups are released, "
        "even empty ones, and no other.",
    )
    key_selection_share: float = Field(
        default=0.5, gt=0, lt=1,
        description="For a figure other than count whose groups no domain declares: the share of its "
        "epsilon spent on the noisy counts that decide which groups are released.",
    )

    @field_validator("quantile", mode="before")
    @classmethod
    def _one_level(cls, value: Any) -> Any:
        return [value] if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("domains", mode="before")
    @classmethod
    def _domain_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [_as_text(v) for v in vs] if isinstance(vs, list | tuple) else vs for k, vs in value.items()}
        return value

    @model_validator(mode="after")
    def _statistic_needs(self) -> Self:
        problems: list[str] = []
        stat = self.statistic
        if stat in BOUNDED:
            if self.column is None:
                problems.append(f"column: {stat} needs the column it summarises")
            if self.lower is None or self.upper is None:
                problems.append(f"lower, upper: {stat} needs both bounds, given by you (never read from the data)")
            elif not (math.isfinite(self.lower) and math.isfinite(self.upper)) or self.lower >= self.upper:
                problems.append("lower, upper: lower must be below upper, both finite")
        elif self.lower is not None or self.upper is not None:
            problems.append("lower, upper: count takes no bounds")
        if stat == "quantile":
            if not self.quantile:
                problems.append("quantile: give the level(s), e.g. quantile: [0.5]")
            elif any(not 0 <= q <= 1 for q in self.quantile):
                problems.append("quantile: levels must be between 0 and 1")
        elif self.quantile is not None:
            problems.append(f"quantile: only for statistic quantile, not {stat}")
        if stat == "histogram":
            if self.bins is None:
                problems.append("bins: histogram needs a number of bins or the bin edges")
            elif isinstance(self.bins, int) and self.bins < 1:
                problems.append("bins: at least one bin")
            elif isinstance(self.bins, list) and (len(self.bins) < 2 or any(
                    b >= c for b, c in zip(self.bins, self.bins[1:], strict=False))):
                problems.append("bins: edges must be at least two increasing numbers")
        elif self.bins is not None:
            problems.append(f"bins: only for statistic histogram, not {stat}")
        if self.column is not None and self.column in self.by:
            problems.append(f"by: '{self.column}' is the column summarised; it cannot also group")
        if len(set(self.by)) != len(self.by):
            problems.append("by: a column is listed twice")
        extra = [c for c in self.domains if c not in self.by]
        if extra:
            problems.append(f"domains: {', '.join(extra)} not in by")
        for col, values in self.domains.items():
            if not values:
                problems.append(f"domains.{col}: list at least one value")
            elif len(set(values)) != len(values):
                problems.append(f"domains.{col}: a value is listed twice")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def levels(self) -> list[float]:
        """Quantile levels released (median: 0.5)."""
        return [0.5] if self.statistic == "median" else list(self.quantile or [])

    @property
    def undeclared(self) -> list[str]:
        """``by`` columns whose keys no domain declares (released only above a DP threshold)."""
        return [c for c in self.by if c not in self.domains]

    def undeclared_by(self, hierarchy_columns: Collection[str] = ()) -> list[str]:
        """Like ``undeclared``, counting columns with a hierarchy as declared."""
        return [c for c in self.undeclared if c not in hierarchy_columns]

    def label(self, index: int) -> str:
        """'differential_privacy.aggregates[1] (mean of age by sex)' for messages."""
        what = f"{self.statistic} of {self.column}" if self.column else self.statistic
        return f"differential_privacy.aggregates[{index}] ({what}{' by ' + ', '.join(self.by) if self.by else ''})"


class DifferentialPrivacySection(BaseModel):
    """The total budget; ``output: aggregates`` releases the figures instead of any record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epsilon: float = Field(gt=0, description="The total epsilon every column share and figure composes into.")
    delta: float = Field(default=0.0, ge=0, lt=1, description="The total delta (gaussian noise, group keys).")
    output: Literal["records", "aggregates"] = Field(
        default="records",
        description="records: the table with dp_noise columns; aggregates: only the figures listed below.",
    )
    aggregates: list[AggregateSpec] = Field(default_factory=list, description="The figures released.")

    @model_validator(mode="after")
    def _output_fits(self) -> Self:
        if self.output == "aggregates" and not self.aggregates:
            raise ValueError("aggregates: output is aggregates, so list at least one figure")
        if self.output == "records" and self.aggregates:
            raise ValueError("output: aggregates are listed but output is records; set output: aggregates "
                             "(the file then holds the figures, and no record is released)")
        return self
