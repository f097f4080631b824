"""What a reviewer reads: found, done, checked. No data values (masked examples are left out too)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanitas.core.detect.findings import ColumnKind, EntityScore
from sanitas.core.residual import ResidualCheck

REPORT_SCHEMA_VERSION = 1


class FileFacts(BaseModel):
    name: str
    format: str
    sha256: str | None = Field(default=None, description="SHA-256 of the file's bytes")
    bytes: int | None = None
    rows: int
    columns: int


class ColumnReport(BaseModel):
    name: str
    dtype: str
    kind: ColumnKind | None
    entities: list[EntityScore]
    reason: str = ""
    corrected: bool = Field(description="the analyst corrected the finding in the recipe")
    action: str
    params: dict[str, Any]
    result: Literal["kept", "dropped", "replaced", "rewritten", "generalized"]
    output_dtype: str | None
    facts: dict[str, Any] = Field(default_factory=dict)
    seconds: float = 0.0
    note: str | None = None


class RecipeFacts(BaseModel):
    file: str | None
    sha256: str | None
    seed: int
    locale: str
    unlisted_columns: str
    keys: dict[str, str] = Field(description="key name -> where it is read from (never the key)")


class DetectionFacts(BaseModel):
    model: str | None
    sample_size: int
    notes: list[str]


class PrivacyReport(BaseModel):
    """The report. Each dataset-level step that ran adds its facts as a top-level field named after the
    step (``k_anonymity``, ``synthetic``, ``differential_privacy``), listed in ``steps``."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = REPORT_SCHEMA_VERSION
    tool: str
    version: str
    created: str
    status: Literal["released", "released-at-risk", "withheld"]
    status_reason: str
    input: FileFacts
    output: FileFacts | None
    recipe: RecipeFacts
    detection: DetectionFacts
    columns: list[ColumnReport]
    residual: ResidualCheck
    residual_findings: int
    dataset_level: dict[str, str] = Field(
        default_factory=dict, description="dataset-level models (k-anonymity, synthetic, DP) and what ran"
    )
    risk: dict[str, Any] = Field(default_factory=dict, description="re-identification risk of the released file over "
                                 "its quasi-identifiers, in the shape of `sanitas risk --json` (see release_risk.py)")
    steps: list[str] = Field(default_factory=list, description="dataset-level steps that ran, in release order")
    warnings: list[str] = Field(default_factory=list, description="what the steps could not cover")
    environment: dict[str, str]
    timings: dict[str, float]

    def step_facts(self, name: str) -> BaseModel | None:
        return getattr(self, name, None) if name in self.steps else None

    @property
    def personal_columns(self) -> list[ColumnReport]:
        return [c for c in self.columns if c.entities]
