"""The shape every dataset-level step has (k-anonymity, synthetic data, differential privacy).

A column action rewrites one column; a dataset-level step acts on the whole table after the column
actions and may change the row count (synthetic data) or release another artifact instead of records
(DP aggregates). The engine, the CLI summary, the report and the workbench loop over the registry
(``core/step_registry.py``) instead of naming each step, so a new treatment is one package plus one registry line.

Order of a release (``order`` sorts the registry): column actions, then k-anonymity (10), synthesis
(20), differential privacy (30); then the column actions a step defers to its output (``defers``:
dp_noise always, mask/redact/generalize after synthesis); then the residual check and the report.
See docs/architecture.md, "How to add a step".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import polars as pl
from pydantic import BaseModel

from sanitas.core.decisions import ColumnDecision
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


@dataclass(frozen=True)
class PlanView:
    """What a step may check of the rest of the recipe: each listed column's action, and the policy for
    unlisted columns ("keep-non-personal", "keep", "drop", "refuse"). Plain data, so that steps (below the
    recipe in the layers) never import it."""

    actions: Mapping[str, str]
    unlisted_columns: str
    seed: int = 0
    locale: str = "en_US"
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # listed column -> its action's params
    # The transforms' metadata a step checks roles against (from the registry: steps never import transforms)
    keeping_actions: frozenset[str] = frozenset({"keep"})  # actions that release the values as read
    identity_removing_actions: tuple[str, ...] = ()  # actions after which no original identifier survives
    free_text_actions: frozenset[str] = frozenset()  # actions that work cell by cell on prose (scrub)
    sections: Mapping[str, BaseModel] = field(default_factory=dict)  # every dataset-level section set
    corrected: frozenset[str] = frozenset()  # listed columns whose entity or kind the analyst corrected
    risk_threshold: float | None = None  # the recipe's risk_threshold, else the settings' (when plan_view had them)

    def columns_with(self, action: str) -> dict[str, Mapping[str, Any]]:
        """Listed columns whose action is ``action``, with their params."""
        return {c: self.params.get(c, {}) for c, a in self.actions.items() if a == action}


@dataclass
class StepContext:
    """Everything a step may read besides its section and the frame it transforms.

    ``source`` is the input table before any column action (synthetic evaluation needs the real rows);
    ``decisions`` say each input column's effective entity, kind and action; ``rng`` is only for steps
    whose randomness must not come from the recipe's seed (DP noise): the engine draws it from the
    operating system's secure randomness unless a caller of the core API injects one (tests do).
    """

    source_name: str
    plan: PlanView | None = None
    source: pl.DataFrame | None = None
    decisions: Mapping[str, ColumnDecision] = field(default_factory=dict)
    recipe_dir: Path | None = None
    rng: np.random.Generator | None = None
    settings: Any = None
    progress: Progress = no_progress
    cancel: CancelToken = NEVER_CANCELLED

    @property
    def seed(self) -> int:
        return self.plan.seed if self.plan is not None else 0

    @property
    def locale(self) -> str:
        return self.plan.locale if self.plan is not None else "en_US"


@dataclass
class StepResult:
    """What a step hands back.

    ``frame`` is the table released as records (None when the step releases none: DP aggregates, whose
    table is ``artifact`` and is what the export writes at ``-o``). ``facts`` is a pydantic model: its
    JSON goes into the report under the step's name, and the step's template partial renders it.
    ``releases_real_records`` is False when no output row is a real person's record (whole-table
    synthetic data, aggregates): the risk section then says so and the step's own figures stand in.
    """

    frame: pl.DataFrame | None
    facts: BaseModel
    artifact: pl.DataFrame | None = None
    releases_real_records: bool = True
    column_facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # for the columns it handles
    summary: list[str] = field(default_factory=list)  # one-line outcomes, when ``summary()`` is not overridden


class BatchRelease:
    """A dataset-level step run inside a streamed release (``streamed_release``): ``DatasetStep.per_batch``
    has read what it needs of the input first; each batch's output then goes through ``apply`` on its way
    to the file, and ``finish`` gives the step's result once every batch has gone by."""

    rows: int  # rows the release writes
    schema: Mapping[str, pl.DataType]  # output columns whose dtype the step changes
    declared: list[str]  # quasi-identifiers the release's risk counts besides the detected ones
    sampling_fraction: float | None = None  # for the release's risk

    def apply(self, source: pl.DataFrame, output: pl.DataFrame, offset: int) -> pl.DataFrame:
        """The released rows of one batch: ``source`` is the input's rows ``offset``..., ``output`` their
        column actions' result."""
        raise NotImplementedError

    def finish(self) -> StepResult:
        raise NotImplementedError


Batches = Callable[[list[str]], Iterable[pl.DataFrame]]  # the input's columns, a batch at a time


class DatasetStep:
    """One dataset-level treatment. Stateless: its state lives in the recipe section and in the facts.

    Subclasses set the class variables and implement ``run``; the other hooks have neutral defaults.
    """

    name: ClassVar[str]  # the recipe's top-level key and the report JSON's key
    title: ClassVar[str]  # in words, for headings, the report and the workbench tab
    order: ClassVar[int]
    section_model: ClassVar[type[BaseModel]]
    template: ClassVar[str]  # the report partial, under core/report/templates/

    def problems(self, section: BaseModel, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
        """Everything wrong with the section for this recipe and dataset, found before any work starts."""
        return []

    def data_problems(self, section: BaseModel, table: pl.LazyFrame) -> list[str]:
        """What the input's values make impossible (Mondrian and null quasi-identifiers), found by one cheap
        streaming pass before any work, so the analyst hears it with the recipe's other problems."""
        return []

    def covered_columns(self, section: BaseModel) -> set[str]:
        """Columns the step takes care of: they count as listed, their column action defaulting to keep."""
        return set()

    def covers_all_columns(self, section: BaseModel) -> bool:
        """True when every input column counts as covered (whole-table synthesis replaces every value)."""
        return False

    def releases_records(self, section: BaseModel) -> bool:
        """False when the release is another artifact (DP aggregates): no record leaves, so no column needs an
        action and the unlisted-columns policy has nothing to refuse."""
        return True

    def handles_columns(self, section: BaseModel, plan: PlanView) -> set[str]:
        """Columns whose own column action this step performs (DP noise under its budget): the engine passes
        them through unchanged before the step, and reports the step's ``column_facts`` for them."""
        return set()

    def defers(self, section: BaseModel, action: str) -> bool:
        """True when a column action must run on this step's output instead of before it."""
        return False

    def why_not_per_batch(self, section: BaseModel, plan: PlanView) -> str | None:
        """None when ``per_batch`` can run this section inside a streamed release; else why it cannot."""
        return "it reads the whole table"

    def per_batch(self, section: BaseModel, context: StepContext, batches: Batches, rows: int) -> BatchRelease:
        """The step for a streamed release, after the passes over ``batches`` it needs (``rows``: the input's)."""
        raise NotImplementedError

    def run(self, frame: pl.DataFrame, section: BaseModel, context: StepContext) -> StepResult:
        """Transform ``frame`` (never mutated) with progress and cancel; raise SanitasError for the analyst."""
        raise NotImplementedError

    def state(self, facts: BaseModel) -> str:
        """One line for the report's dataset-level summary."""
        return "ran"

    def warnings(self, facts: BaseModel) -> list[str]:
        """Sentences that turn the report's headline amber (a model that does not cover everything...)."""
        return []

    def withhold_reasons(self, facts: BaseModel) -> list[str]:
        """Why ``--strict`` must withhold this release (a synthetic table that copies real rows); empty: none."""
        return []

    def summary(self, facts: BaseModel) -> list[str]:
        """A few lines for the CLI after a release (the report has the rest)."""
        return [f"{self.title}: {self.state(facts)}."]

    def column_result(self, column: str, facts: BaseModel, released: pl.DataFrame | None) -> dict[str, Any] | None:
        """How the step changed one column, for the report's column table (None: it did not)."""
        return None

    def files_read(self, section: BaseModel) -> dict[str, str]:
        """Files the step reads besides the input (relative to the recipe), each with how to name it."""
        return {}
