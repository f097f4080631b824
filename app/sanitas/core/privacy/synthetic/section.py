"""The recipe's ``synthetic:`` section: which SDV synthesizer, its parameters, metadata overrides,
constraints and the evaluation, validated with messages that name the field.

Every field has a default, so ``synthetic: {synthesizer: gaussian_copula}`` (or ``synthetic: {}``) is a
whole section. Column names are checked against the dataset later, in ``SyntheticStep.problems``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Synthesizer = Literal["gaussian_copula", "ctgan", "tvae", "copulagan"]
Distribution = Literal["norm", "beta", "truncnorm", "uniform", "gamma", "gaussian_kde"]
# The sdtypes an analyst may give a column: SDV's statistical ones, plus any Faker function name SDV turns
# into a generated (never learned) column; ``pii`` is a shorthand for "generate by format" (SDV's 'unknown').
STATISTICAL_SDTYPES = ("numerical", "categorical", "boolean", "datetime", "id")
NEURAL = ("ctgan", "tvae", "copulagan")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Inequality(_Strict):
    """``high`` is at least ``low`` in every synthetic row (numbers or dates); SDV's Inequality constraint."""

    low: str = Field(description="Column holding the lower value.")
    high: str = Field(description="Column holding the higher value.")
    strict: bool = Field(default=False, description="Require high > low instead of high >= low.")


class Range(_Strict):
    """``middle`` lies between ``low`` and ``high``; SDV's Range constraint."""

    low: str = Field(description="Column holding the lower bound.")
    middle: str = Field(description="Column that must lie between the bounds.")
    high: str = Field(description="Column holding the upper bound.")
    strict: bool = Field(default=True, description="Strict comparisons (low < middle < high).")


class Constraints(_Strict):
    """Rules the synthetic rows must keep, mapped onto SDV 2.0's constraint-augmented generation (``sdv.cag``)."""

    fixed_combinations: list[list[str]] = Field(
        default_factory=list,
        description="Groups of categorical columns whose value combinations must be ones seen in the data "
        "(e.g. [country, city]); SDV's FixedCombinations.",
    )
    inequalities: list[Inequality] = Field(default_factory=list, description="low <= high pairs of columns.")
    ranges: list[Range] = Field(default_factory=list, description="low <= middle <= high triples of columns.")
    positive: list[str] = Field(default_factory=list, description="Numeric columns whose values must be >= 0.")
    negative: list[str] = Field(default_factory=list, description="Numeric columns whose values must be <= 0.")

    @model_validator(mode="after")
    def _groups(self) -> Constraints:
        for i, group in enumerate(self.fixed_combinations):
            if len(group) < 2 or len(set(group)) != len(group):
                raise ValueError(f"fixed_combinations[{i}] needs at least two different columns")
        both = sorted(set(self.positive) & set(self.negative))
        if both:
            raise ValueError(f"columns listed as both positive and negative: {', '.join(both)}")
        return self

    def columns(self) -> list[str]:
        out = [c for group in self.fixed_combinations for c in group]
        out += [c for i in self.inequalities for c in (i.low, i.high)]
        out += [c for r in self.ranges for c in (r.low, r.middle, r.high)]
        return out + list(self.positive) + list(self.negative)

    def __bool__(self) -> bool:
        return bool(self.columns())


class Evaluation(_Strict):
    """How the release is judged. Large tables are sampled; the sizes used go into the report."""

    target: str | None = Field(
        default=None, description="Column to predict for the utility figures (train on synthetic, test on real)."
    )
    max_rows: int = Field(
        default=5_000, ge=100, le=1_000_000,
        description="Rows sampled from the real and the synthetic table for the quality report and the plots.",
    )
    dcr_rows: int = Field(
        default=2_000, ge=100, le=100_000,
        description="Rows sampled from each of the synthetic, training and holdout tables for the distance to "
        "closest record (a nearest-neighbour search: time grows with the square of this number).",
    )
    utility_max_rows: int = Field(
        default=20_000, ge=100, le=5_000_000, description="Rows at most used to train each utility model."
    )
    quality: bool = Field(default=True, description="Compute SDMetrics' quality and diagnostic reports.")


class SyntheticSection(_Strict):
    """A whole-table synthetic release: every kept column is modelled and the table is sampled anew."""

    synthesizer: Synthesizer = Field(
        default="gaussian_copula",
        description="gaussian_copula (fast, a good default), ctgan, tvae or copulagan (neural, slower, per epoch).",
    )
    epochs: int = Field(default=300, ge=1, le=100_000, description="Training epochs (ctgan, tvae, copulagan).")
    batch_size: int = Field(
        default=500, ge=10, le=1_000_000,
        description="Rows per training step (ctgan, tvae, copulagan); ctgan and copulagan need a multiple of 10.",
    )
    default_distribution: Distribution = Field(
        default="beta", description="Marginal distribution of numeric columns (gaussian_copula, copulagan)."
    )
    numerical_distributions: dict[str, Distribution] = Field(
        default_factory=dict, description="Per-column marginal distribution, overriding default_distribution."
    )
    enforce_min_max_values: bool = Field(
        default=True, description="Keep numeric values within the range seen in the data."
    )
    enforce_rounding: bool = Field(default=True, description="Round numbers to the decimals seen in the data.")
    rows: int | None = Field(
        default=None, ge=1, le=100_000_000, description="Rows to generate; empty: as many as the input has."
    )
    holdout: float = Field(
        default=0.2, ge=0.0, le=0.5,
        description="Share of rows held out of training for the privacy and utility checks (0: train on all).",
    )
    sdtypes: dict[str, str] = Field(
        default_factory=dict,
        description="Per-column SDV sdtype overriding detection: numerical, categorical, boolean, datetime, id, "
        "or a Faker function (name, email, phone_number...) to generate the column by format.",
    )
    primary_key: str | None = Field(
        default=None, description="Column whose values are unique keys, generated by format and never learned."
    )
    constraints: Constraints = Field(default_factory=Constraints, description="Rules the synthetic rows keep.")
    evaluation: Evaluation = Field(default_factory=Evaluation, description="Quality, privacy and utility checks.")

    @model_validator(mode="after")
    def _consistent(self) -> SyntheticSection:
        if self.synthesizer in ("ctgan", "copulagan") and self.batch_size % 10:
            raise ValueError(f"batch_size must be a multiple of 10 for {self.synthesizer} (its pac is 10)")
        if self.synthesizer in ("ctgan", "tvae") and self.numerical_distributions:
            raise ValueError(f"numerical_distributions applies to gaussian_copula and copulagan, not "
                             f"{self.synthesizer}")
        for column, sdtype in self.sdtypes.items():
            if not sdtype or not sdtype.replace("_", "").isalnum():
                raise ValueError(f"sdtypes.{column}: '{sdtype}' is not an sdtype name")
        return self

    def referenced_columns(self) -> dict[str, list[str]]:
        """Field -> the columns it names, so problems can say which field names an unknown column."""
        refs: dict[str, list[str]] = {
            "numerical_distributions": list(self.numerical_distributions),
            "sdtypes": list(self.sdtypes),
            "constraints": self.constraints.columns(),
        }
        if self.primary_key:
            refs["primary_key"] = [self.primary_key]
        if self.evaluation.target:
            refs["evaluation.target"] = [self.evaluation.target]
        return refs
