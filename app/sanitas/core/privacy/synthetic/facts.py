"""What a synthetic release reports: the report JSON's top-level ``synthetic`` object (no data values).

Figures that cannot be given (no holdout, no quasi-identifier, no target) are null and ``missing`` says
why, in words the report prints.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ColumnScore(BaseModel):
    column: str
    metric: str
    score: float | None


class PairScore(BaseModel):
    columns: tuple[str, str]
    metric: str
    score: float | None


class Diagnostic(BaseModel):
    """SDMetrics' DiagnosticReport: validity and structure of the synthetic table (1.0 = no problem)."""

    score: float | None
    properties: dict[str, float | None] = Field(default_factory=dict)


class Quality(BaseModel):
    """SDMetrics' QualityReport: how closely the synthetic rows follow the real ones (0-1, higher is closer)."""

    score: float | None = None
    properties: dict[str, float | None] = Field(default_factory=dict)
    column_shapes: list[ColumnScore] = Field(default_factory=list)
    column_pair_trends: list[PairScore] = Field(default_factory=list)
    diagnostic: Diagnostic | None = None
    worst_columns: list[str] = Field(default_factory=list)
    real_rows: int = 0
    synthetic_rows: int = 0


class Privacy(BaseModel):
    """How much of the training data the synthetic table reproduces, against the holdout as baseline."""

    compared_columns: list[str] = Field(default_factory=list, description="learned columns compared")
    quasi_identifiers: list[str] = Field(default_factory=list)
    exact_copies: float = Field(description="share of synthetic rows equal to a training row on the compared columns")
    exact_copies_qi: float | None = Field(default=None, description="same, on the quasi-identifiers only")
    baseline: float | None = Field(default=None, description="share of holdout rows equal to a training row")
    baseline_qi: float | None = None
    threshold: float | None = Field(default=None, description="2 x baseline + 0.001: above it, flagged")
    flagged: bool = Field(default=False, description="exact_copies above threshold (--strict refuses the release)")
    unique_qi_matches: float | None = Field(
        default=None, description="share of synthetic rows whose quasi-identifiers match a training record "
        "that is unique on them (a re-identification candidate)")
    unique_qi_baseline: float | None = None
    dcr_share: float | None = Field(
        default=None, description="share of synthetic rows closer to the training sample than to the equal-sized "
        "holdout sample (ties count half): 0.5 is ideal, far above means memorization")
    dcr_closer_strict: float | None = Field(default=None, description="strictly closer share (SDMetrics' figure)")
    dcr_ties: float | None = None
    dcr_threshold: float | None = None
    dcr_flagged: bool = False
    k: int | None = Field(default=None, description="k-anonymity of the synthetic table on the quasi-identifiers")
    k_sample_uniqueness: float | None = None
    flags: list[str] = Field(default_factory=list, description="every privacy figure above its threshold")
    samples: dict[str, int] = Field(default_factory=dict, description="rows used per comparison")
    encoding: str = ""


class Utility(BaseModel):
    """Machine-learning utility: a model trained on synthetic rows vs one trained on real rows, both tested
    on the real holdout."""

    target: str
    task: str = Field(description="classification or regression")
    metric: str
    tstr: float | None = Field(default=None, description="train on synthetic, test on the real holdout")
    trtr: float | None = Field(default=None, description="train on real (training rows), test on the same holdout")
    model: str = ""
    train_rows: int = 0
    test_rows: int = 0


class PlotSeries(BaseModel):
    """A real-vs-synthetic distribution of one column, as shares per bin or category (no raw values)."""

    column: str
    kind: str  # numeric | categorical
    labels: list[str]
    real: list[float]
    synthetic: list[float]
    score: float | None = None


class SyntheticFacts(BaseModel):
    synthesizer: str
    params: dict[str, object] = Field(default_factory=dict)
    sdtypes: dict[str, str] = Field(default_factory=dict)
    generated_columns: list[str] = Field(default_factory=list, description="made by format, never learned")
    identifier_redraws: dict[str, int] = Field(
        default_factory=dict, description="generated identifiers that equalled a real value by chance, drawn again")
    metadata_notes: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    rows_input: int
    rows_trained: int
    rows_held_out: int
    rows_generated: int
    holdout: float
    seed: int
    seconds: dict[str, float] = Field(default_factory=dict)
    quality: Quality | None = None
    privacy: Privacy | None = None
    utility: Utility | None = None
    plots: list[PlotSeries] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="figures not given, and why")
