"""What a run produces: each column's outcome, each step's result, and the released table.

Plain data, apart from the engine that fills it, so that the residual check, the report and the
workbench can read a release without importing the engine (and the engine can import them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel

from sanitas.core.detect.findings import ScanResult
from sanitas.core.outcome import ColumnOutcome

if TYPE_CHECKING:
    from sanitas.core.dataset import Dataset
    from sanitas.core.recipe import Recipe
    from sanitas.core.residual import ResidualCheck
    from sanitas.core.settings import Settings
    from sanitas.core.steps.protocol import StepResult


@dataclass
class Release:
    """The result of a run: the released table (or artifact) and every fact the report needs.

    ``frame`` holds the released records (None when no records are released: then ``artifact``, e.g.
    DP aggregates, is what the export writes). ``steps`` maps each dataset-level step that ran to its
    result, in release order.
    """

    dataset: Dataset
    recipe: Recipe
    scan: ScanResult
    frame: pl.DataFrame | None
    outcomes: list[ColumnOutcome]
    residual: ResidualCheck
    input_rows: int
    timings: dict[str, float]
    settings: Settings
    steps: dict[str, StepResult] = field(default_factory=dict)
    artifact: pl.DataFrame | None = None
    notes: list[str] = field(default_factory=list)  # warnings for the report's headline and the CLI
    risk: Any = None  # ReleaseRisk: re-identification risk of the released file over its quasi-identifiers
    # (rows, columns) of a streamed release, whose records went to the file batch by batch (frame is None)
    shape: tuple[int, int] | None = None
    # where each key came from (KeyRing.describe: a --key-file override wins); None: the recipe's references
    key_sources: dict[str, str] | None = None

    def outcome(self, column: str) -> ColumnOutcome | None:
        return next((o for o in self.outcomes if o.name == column), None)

    def facts(self, step: str) -> BaseModel | None:
        result = self.steps.get(step)
        return result.facts if result is not None else None

    @property
    def k_anonymity(self) -> Any:
        """The k-anonymity step's facts (KAnonymityFacts), when the recipe has that section."""
        return self.facts("k_anonymity")

    @property
    def output(self) -> pl.DataFrame:
        """The table the export writes at ``-o``: the released records, or the step's artifact."""
        if self.artifact is not None:
            return self.artifact
        assert self.frame is not None
        return self.frame

    @property
    def output_shape(self) -> tuple[int, int]:
        """(rows, columns) of what the export writes, whether held in memory or streamed to the file."""
        if self.shape is not None and self.artifact is None and self.frame is None:
            return self.shape
        return self.output.height, self.output.width

    @property
    def releases_real_records(self) -> bool:
        return all(result.releases_real_records for result in self.steps.values())
