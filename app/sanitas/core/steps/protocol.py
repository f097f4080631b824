"""The protocol every dataset-level step follows (k-anonymity, synthetic data, differential privacy).

A column action rewrites one column; a dataset-level step acts on the whole table after the column
actions and may change the row count (synthetic data) or release another artifact instead of records
(DP aggregates). The engine, the CLI summary, the report and the workbench loop over the registry
(``registry.py``) instead of naming each step, so a new treatment is one package plus one entry here.

Order of a release (the ``order`` attribute sorts the registry): column actions, then k-anonymity (10),
then synthesis (20), then per-column DP noise and DP aggregates (30), then the residual check and report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import polars as pl
from pydantic import BaseModel

from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


@dataclass(frozen=True)
class ColumnDecision:
    """What the release knows about one input column before a step runs.

    ``entity``/``kind`` are the effective ones (the analyst's correction wins over detection);
    ``action`` is the column action the recipe gives it (``keep`` for columns a step covers).
    """

    name: str
    dtype: str
    action: str
    entity: str | None
    kind: str | None
    corrected: bool = False


@dataclass
class StepContext:
    """Everything a step may read besides its section and the frame it transforms.

    ``source`` is the input table before any column action (synthetic evaluation needs the real rows);
    ``rng`` is only for steps whose randomness must not come from the recipe's seed (DP noise): the
    engine fills it from the OS's secure randomness unless a test injects a generator through the API.
    """

    source_name: str
    source: pl.DataFrame | None = None
    decisions: Mapping[str, ColumnDecision] = field(default_factory=dict)
    recipe_dir: Path | None = None
    seed: int = 0
    locale: str = "en_US"
    rng: np.random.Generator | None = None
    settings: Any = None
    progress: Progress = no_progress
    cancel: CancelToken = NEVER_CANCELLED


@dataclass
class StepResult:
    """What a step hands back.

    ``frame`` is the table released as records (None when the step releases no records, e.g. DP
    aggregates: then ``artifact`` is what is written at ``-o`` instead). ``facts`` is a pydantic model
    whose JSON goes into the report under the step's name and which the step's template partial renders.
    ``releases_real_records`` is False when no row of the output is a real person's (whole-table
    synthetic data, aggregates): the residual check and the re-identification risk then say so.
    """

    frame: pl.DataFrame | None
    facts: BaseModel
    artifact: pl.DataFrame | None = None
    releases_real_records: bool = True
    summary: list[str] = field(default_factory=list)  # one-line outcomes for the CLI and the status bar


class DatasetStep(Protocol):
    """One dataset-level treatment. Implementations are stateless; state lives in the section and facts."""

    name: ClassVar[str]  # the recipe's top-level key and the report JSON's key
    title: ClassVar[str]  # in words, for the report and the workbench tab
    order: ClassVar[int]
    section_model: ClassVar[type[BaseModel]]
    template: ClassVar[str]  # the report partial under core/report/templates/steps/

    def problems(self, section: BaseModel, schema: Mapping[str, pl.DataType],
                 decisions: Mapping[str, ColumnDecision], columns: Sequence[str]) -> list[str]:
        """Everything wrong with the section for this dataset, found before any work starts."""
        ...

    def covered_columns(self, section: BaseModel) -> set[str]:
        """Columns the step takes care of: they count as listed, their column action defaulting to keep."""
        ...

    def run(self, frame: pl.DataFrame, section: BaseModel, context: StepContext) -> StepResult:
        """Transform ``frame`` (never mutated) with progress and cancel; raise SanitasError for the analyst."""
        ...
