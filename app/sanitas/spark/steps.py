"""The dataset-level steps on Spark, in the registry's release order, after the column actions.

Each step has a distributed counterpart here: k-anonymity's global recoding (``k_anonymity.py``),
``dp_noise`` per row (``dp_noise.py``) and DP aggregates (``dp_aggregates.py``). Their facts are the
core's models, filled the way the core's steps fill them, so the report reads the same; what cannot run
distributed was refused by ``engine.refuse_unsupported`` before any work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from sanitas.core.decisions import ColumnDecision
from sanitas.core.privacy.dp import budget
from sanitas.core.privacy.dp.facts import AGGREGATES_NEIGHBOURHOOD, RECORDS_NEIGHBOURHOOD, DifferentialPrivacyFacts
from sanitas.core.privacy.dp.section import DifferentialPrivacySection
from sanitas.core.privacy.dp.step import QUANTILE_NOTE, SELECTION_NOTE, column_shares, dp_noise_params
from sanitas.core.progress import CancelToken
from sanitas.core.recipe import Recipe
from sanitas.core.step_registry import steps_in
from sanitas.core.steps.protocol import PlanView, StepResult
from sanitas.spark.residual import ROW
from sanitas.spark.rows import with_row_number


@dataclass
class StepsRan:
    frame: DataFrame  # the released rows (or the aggregate table) with ROW, persisted
    output: dict[str, pl.DataType]
    sizes: list[int]
    results: dict[str, StepResult] = field(default_factory=dict)
    artifact: pl.DataFrame | None = None
    column_facts: dict[str, dict[str, Any]] = field(default_factory=dict)


class SparkSteps:
    """The recipe's steps, what they take over from the column actions, and their run on Spark frames."""

    def __init__(self, spark: SparkSession, recipe: Recipe, view: PlanView, decisions: dict[str, ColumnDecision],
                 recipe_dir: Path | None, noise_seed: int | None, watcher: Any, cancel: CancelToken,
                 source_name: str = "the table") -> None:
        self.spark, self.recipe, self.view, self.decisions = spark, recipe, view, decisions
        self.recipe_dir, self.noise_seed, self.cancel = recipe_dir, noise_seed, cancel
        self.steps = steps_in(recipe)
        self.handled = {c for step, section in self.steps for c in step.handles_columns(section, view)}
        self.releases_records = all(step.releases_records(section) for step, section in self.steps)
        self.params = dp_noise_params(recipe.columns)
        self.input_rows = 0
        self.source_name = source_name

    def run(self, source: DataFrame, numbered: DataFrame, output: dict[str, pl.DataType],
            schema: dict[str, pl.DataType], sizes: list[int], timings: dict[str, float]) -> StepsRan:
        self.input_rows = sum(sizes)
        ran = StepsRan(numbered, dict(output), list(sizes))
        for step, section in self.steps:
            self.cancel.raise_if_cancelled()
            started = time.perf_counter()
            if step.name == "k_anonymity":
                from sanitas.spark.k_anonymity import spark_k_anonymity

                ran.frame, ran.sizes, ran.output, result = spark_k_anonymity(
                    self.spark, ran.frame, ran.output, section, self.decisions, self.recipe_dir, self.cancel,
                    source=self.source_name, threshold=self.view.risk_threshold)
            elif step.name == "synthetic":
                from sanitas.spark.synthetic import spark_synthetic

                ran.frame, ran.sizes, ran.output, result = spark_synthetic(
                    self.spark, ran.frame, sum(ran.sizes), section, self.decisions, self.view, self.cancel,
                    self.source_name)
                ran.column_facts.update(result.column_facts)
            else:
                assert isinstance(section, DifferentialPrivacySection)
                result = self._differential_privacy(ran, section)
            ran.results[step.name] = result
            timings[step.name] = time.perf_counter() - started
        return ran

    def _differential_privacy(self, ran: StepsRan, section: DifferentialPrivacySection) -> StepResult:
        """As ``DifferentialPrivacyStep.run``: the same budget check, facts and summary."""
        shares = budget.plan_shares(section, column_shares(self.params), set())
        eps_spent, delta_spent = budget.spend(section, shares)
        facts = DifferentialPrivacyFacts(
            output=section.output, epsilon_total=section.epsilon, epsilon_spent=eps_spent,
            delta_total=section.delta, delta_spent=delta_spent,
            neighbourhood=AGGREGATES_NEIGHBOURHOOD if section.output == "aggregates" else RECORDS_NEIGHBOURHOOD)
        summary = [f"differential privacy: epsilon {eps_spent:g} of {section.epsilon:g} spent"
                   + (f", delta {delta_spent:g} of {section.delta:g}" if section.delta else "")]
        if section.output == "aggregates":
            return self._aggregates(ran, section, facts, summary)
        from sanitas.spark.dp_records import noise_frame

        previous = ran.frame
        ran.frame, ran.output, mechanisms = noise_frame(previous, ran.output, self.params, self.noise_seed, ROW)
        previous.unpersist()
        facts.mechanisms = mechanisms
        ran.column_facts = {m.column: m.model_dump(exclude_none=True, exclude_defaults=True) for m in mechanisms
                            if m.column is not None}
        facts.bounds_estimated = any(m.bounds_source.startswith("estimated") for m in mechanisms)
        if self.params:
            summary.append(f"DP noise on {len(self.params)} column(s): {', '.join(self.params)}")
        return StepResult(frame=None, facts=facts, summary=summary, column_facts=ran.column_facts)

    def _aggregates(self, ran: StepsRan, section: DifferentialPrivacySection, facts: DifferentialPrivacyFacts,
                    summary: list[str]) -> StepResult:
        from sanitas.core.privacy.dp.aggregates import release_aggregates
        from sanitas.spark.dp_aggregates import group_data

        deltas = budget.aggregate_deltas(section, column_shares(self.params), set())
        frame = ran.frame
        names = pl.DataFrame(schema=ran.output)
        rng = None if self.noise_seed is None else np.random.default_rng(self.noise_seed)
        table, mechanisms = release_aggregates(names, section, deltas, rng, cancel=self.cancel,
                                               group_data=lambda spec: group_data(frame, spec))
        facts.mechanisms = mechanisms
        if any(a.statistic in ("median", "quantile") for a in section.aggregates):
            facts.notes.append(QUANTILE_NOTE)
        if any(m.key_threshold is not None for m in mechanisms):
            facts.notes.append(SELECTION_NOTE)
        summary.append(f"{table.height} figures released from {len(section.aggregates)} aggregate(s); "
                       "no record released")
        released = self.spark.createDataFrame(table.to_pandas(), schema=_spark_schema(table)).coalesce(1)
        numbered, sizes = with_row_number(released, ROW)
        numbered = numbered.persist(StorageLevel.MEMORY_AND_DISK)
        numbered.count()
        frame.unpersist()
        ran.frame, ran.output, ran.sizes, ran.artifact = numbered, dict(table.schema), sizes, table
        return StepResult(frame=None, facts=facts, artifact=table, releases_real_records=False, summary=summary)


def _spark_schema(table: pl.DataFrame) -> Any:
    from sanitas.spark.types import spark_schema

    return spark_schema(dict(table.schema))
