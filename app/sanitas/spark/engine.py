"""Run a recipe on Spark: the same checks, the same transforms, the same report as ``core.engine.run``.

Order, as on one machine: the recipe is checked against the input's schema before any work; the input
is scanned on an evenly spread sample; each column action runs per partition (``columns.py``); the
residual check joins every output cell with the original identifiers (``residual.py``). Dataset-level
steps that have no distributed implementation yet are refused up front, naming the step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sanitas.core.column_actions import apply_column
from sanitas.core.dataset import Dataset
from sanitas.core.decisions import decide_all
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.errors import RecipeError
from sanitas.core.keys import KeyRing
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.privacy.dp.step import dp_noise_params
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress
from sanitas.core.recipe import Recipe
from sanitas.core.recipe_check import check_recipe, plan_view, resolve_plan
from sanitas.core.release import Release
from sanitas.core.release_risk import release_risk
from sanitas.core.settings import Settings, load_settings
from sanitas.core.step_registry import steps_in
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform
from sanitas.spark import columns as cols
from sanitas.spark import dp_noise, synthetic
from sanitas.spark.errors import executor_errors
from sanitas.spark.io import read_input
from sanitas.spark.partition import ColumnWork, lookup_bytes
from sanitas.spark.progress import StageWatcher
from sanitas.spark.residual import ROW, Coverage, spark_residual
from sanitas.spark.rows import with_row_number
from sanitas.spark.session import fit_shuffle_partitions
from sanitas.spark.steps import SparkSteps
from sanitas.spark.types import polars_schema

NOT_YET: dict[str, str] = {}  # dataset-level steps with no distributed implementation
MONDRIAN = ("method 'mondrian' (Mondrian partitioning) splits the whole table recursively, which the Spark engine "
            "does not distribute; use method: global, or run this recipe without --engine spark")


@dataclass
class SparkRelease:
    """A Release (for the report) plus the released Spark frame and what the Spark run covered."""

    release: Release
    frame: DataFrame  # persisted; ``close`` frees it
    output_schema: dict[str, pl.DataType]
    coverage: Coverage
    partitions: int
    master: str
    extra: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.frame.unpersist()


def refuse_unsupported(recipe: Recipe) -> None:
    """Steps and column actions the Spark engine cannot run, named before any work."""
    problems = [f"field '{step.name}': {NOT_YET[step.name]}; run this recipe without --engine spark"
                for step, _ in steps_in(recipe) if step.name in NOT_YET]
    k_section = recipe.k_anonymity
    if k_section is not None and k_section.method == "mondrian":
        problems.append(f"field 'k_anonymity': {MONDRIAN}")
    problems += [f"column '{c}', action '{p.action}': {cols.refusal(p.action)}" for c, p in recipe.columns.items()
                 if cols.refusal(p.action)]
    problems += dp_noise.refusals(dp_noise_params(recipe.columns))
    if recipe.synthetic is not None:
        problems += synthetic.refusals({c: p.action for c, p in recipe.columns.items()})
    if problems:
        raise RecipeError("The Spark engine cannot run this recipe yet:", problems)


def sample_for_scan(frame: DataFrame, size: int) -> tuple[pl.DataFrame, int]:
    """About ``size`` rows spread evenly (every k-th row), as ``Dataset.sample_rows`` takes them."""
    numbered, sizes = with_row_number(frame, ROW)
    total = sum(sizes)
    step = max(1, total // max(size, 1))
    picked = numbered.where((F.col(ROW) % step == 0) & (F.col(ROW) < step * size)).orderBy(ROW).drop(ROW)
    return pl.from_arrow(picked.toArrow()), total  # type: ignore[return-value]


def run_on_spark(
    spark: SparkSession, source: Path, recipe: Recipe, *, master: str = "local[*]", recipe_dir: Path | None = None,
    settings: Settings | None = None, key_files: dict[str, Path] | None = None, scan: ScanResult | None = None,
    delimiter: str | None = None, progress: Progress | None = None, cancel: CancelToken | None = None,
    noise_seed: int | None = None,
) -> SparkRelease:
    """``noise_seed`` (core API only, never the recipe): DP noise from seeded generators, for tests that compare
    its distribution with the in-process engine's; None, the default, is the operating system's randomness."""
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    settings = settings or load_settings()
    watcher = StageWatcher(spark.sparkContext, cancel)
    watcher.start()
    try:
        with executor_errors(cancel):
            return _run(spark, source, recipe, master, recipe_dir, settings, key_files or {}, scan, delimiter,
                        progress, cancel, watcher, noise_seed)
    finally:
        watcher.stop()


def _run(spark: SparkSession, source: Path, recipe: Recipe, master: str, recipe_dir: Path | None, settings: Settings,
         key_files: dict[str, Path], scan: ScanResult | None, delimiter: str | None, progress: Progress,
         cancel: CancelToken, watcher: StageWatcher, noise_seed: int | None) -> SparkRelease:
    timings: dict[str, float] = {}
    name = source.name
    frame = read_input(spark, source, delimiter=delimiter)
    schema = polars_schema(frame.schema, name)
    check_recipe(recipe, schema, name, key_overrides=set(key_files))
    refuse_unsupported(recipe)
    started = time.perf_counter()
    with watcher.phase(sub_progress(progress, 0.0, 0.2), "Sampling and scanning the input"):
        sample, rows = sample_for_scan(frame, settings.sample_size)
        fit_shuffle_partitions(spark, master, rows, len(schema))
        if scan is None:
            scan = scan_dataset(Dataset.from_frame(sample, name), settings=settings, cancel=cancel)
            scan = scan.model_copy(update={"rows": rows, "file": name})
    timings["scan"] = time.perf_counter() - started
    cancel.raise_if_cancelled()
    findings = {f.name: f for f in scan.columns}
    plan = resolve_plan(recipe, list(schema), findings)
    decisions = decide_all(plan, plan, findings)
    entities = {c: d.entity for c, d in decisions.items()}
    keyring = KeyRing(recipe.keys, recipe_dir, key_files)
    shared: dict[str, Any] = {}

    def context(column: str) -> TransformContext:
        return TransformContext(column=column, entity=entities[column], seed=recipe.seed, locale=recipe.locale,
                                keys=keyring, shared=shared, cancel=cancel, column_entities=entities,
                                settings=settings)

    steps = SparkSteps(spark, recipe, plan_view(recipe, settings.risk_threshold), decisions, recipe_dir, noise_seed,
                       watcher, cancel, name)
    hows = {c: "pass" if c in steps.handled else cols.how_for(c, p, schema[c]) for c, p in plan.items()}
    if all(h == "drop" for h in hows.values()) and steps.releases_records:
        raise RecipeError(f"{name}: every column is dropped; there would be nothing to release.")
    transforms = {c: get_transform(p.action)(p.params) for c, p in plan.items()}
    output = {c: schema[c] if hows[c] == "pass" else transforms[c].output_dtype(schema[c]) for c in plan
              if hows[c] != "drop"}
    keys = {t.params.key: keyring(t.params.key) for t in transforms.values() if type(t).takes_key}

    started = time.perf_counter()
    fitted: dict[str, cols.Fitted] = {}
    jobs: list[ColumnWork] = []
    with watcher.phase(sub_progress(progress, 0.2, 0.35), "Fitting value maps on the distinct values"):
        for column, column_plan in plan.items():
            how, params = hows[column], column_plan.params
            witness, shipped = None, None
            if how == "lookup":
                fitted[column] = cols.fit_on_distinct(frame, column, column_plan, findings.get(column),
                                                      decisions[column], context(column))
                shipped = spark.sparkContext.broadcast(lookup_bytes(fitted[column].mapping))
                output[column] = fitted[column].mapping.schema["output"]
            elif how == "witness":
                witness = cols.witness_value(frame, column, column_plan, schema[column])
                how = "witness" if witness is not None else "partition"
            jobs.append(ColumnWork(column, column_plan.action, dict(params), entities[column], how, witness, shipped))
    timings["fit"] = time.perf_counter() - started
    shared.clear()
    work = cols.batch_work(jobs, output, seed=recipe.seed, locale=recipe.locale, keys=keys, entities=entities,
                           settings=settings)

    started = time.perf_counter()
    with watcher.phase(sub_progress(progress, 0.35, 0.7), "Applying the column actions per partition"):
        mapped = cols.map_columns(frame, work, output).persist(StorageLevel.MEMORY_AND_DISK)
        released, batch_facts = cols.split_facts(mapped)
        numbered, sizes = with_row_number(released, ROW)
        numbered = numbered.persist(StorageLevel.MEMORY_AND_DISK)
        numbered.count()
        mapped.unpersist()
    timings["apply"] = time.perf_counter() - started

    started = time.perf_counter()
    outcomes: list[ColumnOutcome] = []
    with watcher.phase(sub_progress(progress, 0.7, 0.8), "Counting what each action did"):
        generalized = cols.generalize_facts(frame, numbered, [(j.name, plan[j.name], schema[j.name]) for j in jobs
                                                              if j.action == "generalize"])
        for job in jobs:
            column = job.name
            if job.how == "pass":
                continue  # a step performs this column's action (dp_noise): its outcome comes from the step
            facts = dict(batch_facts.get(column, {}))
            if column in fitted:
                facts = dict(fitted[column].outcome.facts)
            if job.action == "generalize":
                facts = generalized[column]
            elif job.action == "pseudonymize":
                def exact(values: pl.Series, c: str = column) -> dict[str, Any]:
                    return apply_column(values, plan[c], None, decisions[c], context(c))[0].facts

                facts.update(cols.pseudonym_facts(frame, column, work, job, output[column], schema[column], exact))
                if facts["collisions"] and transforms[column].params.on_collision == "error":
                    raise transforms[column].error(
                        f"{facts['collisions']} distinct values share a pseudonym with a different value; use a longer "
                        "format (token, or a longer length) or set on_collision to 'report'", column=column)
            outcomes.append(_outcome(column, plan[column], transforms[column], schema[column], output.get(column),
                                     findings, decisions, facts))
            shared.clear()
    timings["facts"] = time.perf_counter() - started

    with watcher.phase(sub_progress(progress, 0.8, 0.88), "Dataset-level steps"):
        ran = steps.run(frame, numbered, output, schema, sizes, timings)
    numbered, output, sizes = ran.frame, ran.output, ran.sizes
    outcomes += [_step_outcome(c, plan[c], transforms[c], schema[c], output.get(c), findings, decisions,
                               ran.column_facts.get(c, {})) for c in steps.handled if c in plan]
    real_records = all(r.releases_real_records for r in ran.results.values())
    if ran.artifact is None and not real_records:  # whole-table synthesis generated every kept value
        for outcome in outcomes:
            if outcome.kept_as_is and not outcome.removed:
                outcome.generates_values, outcome.kept_as_is = True, False
    order = list(plan)
    outcomes.sort(key=lambda o: order.index(o.name))
    checked = outcomes
    if ran.artifact is not None:  # no record leaves: the aggregate table is what is released and checked
        for outcome in outcomes:
            outcome.removed, outcome.note = True, "not released: the release is an aggregate table, not records"
        checked = [*outcomes, *(ColumnOutcome(name=c, dtype=str(t), action="aggregate", params={}, finding=None,
                                              entity=None, kind=None, corrected=False, generates_values=False,
                                              removed=False, output_dtype=str(t)) for c, t in output.items())]

    started = time.perf_counter()
    head = settings.sample_size
    with watcher.phase(sub_progress(progress, 0.88, 1.0), "Residual check"):
        head_source = pl.from_arrow(frame.limit(head).toArrow())
        head_released = pl.from_arrow(numbered.where(F.col(ROW) < head).orderBy(ROW).drop(ROW).toArrow())
        residual, coverage = spark_residual(
            frame, numbered, output, schema, checked, head_source=head_source, head_released=head_released,
            rows=sum(sizes), partitions=len(sizes), settings=settings, progress=no_progress, cancel=cancel)
    timings["residual_check"] = time.perf_counter() - started
    if ran.artifact is not None:
        risk = release_risk(None, decisions, threshold=recipe.risk_threshold or settings.risk_threshold, declared=[],
                            not_raw=set(steps.handled), real_records=False, source=name)
    else:
        risk = _risk(numbered, output, decisions, recipe, settings, name, steps, real_records)
    release = Release(dataset=Dataset.from_frame(pl.DataFrame(schema=schema), name), recipe=recipe, scan=scan,
                      frame=None, outcomes=outcomes, residual=residual, input_rows=rows, timings=timings,
                      settings=settings, risk=risk, steps=ran.results, artifact=ran.artifact,
                      key_sources=keyring.describe())
    return SparkRelease(release=release, frame=numbered, output_schema=output, coverage=coverage,
                        partitions=len(sizes), master=master)


def _step_outcome(column: str, plan: Any, transform: Any, dtype: pl.DataType, out: pl.DataType | None,
                  findings: dict[str, Any], decisions: dict[str, Any], facts: dict[str, Any]) -> ColumnOutcome:
    """The report line of a column whose action a step performed (as the in-process ``_handled_outcome``)."""
    decision = decisions[column]
    return ColumnOutcome(
        name=column, dtype=str(dtype), action=plan.action, params=transform.params.model_dump(mode="json"),
        finding=findings.get(column), entity=decision.entity, kind=decision.kind, corrected=decision.corrected,
        generates_values=type(transform).generates_values, removed=False,
        output_dtype=None if out is None else str(out), facts=facts, note=plan.note)


def _outcome(column: str, plan: Any, transform: Any, dtype: pl.DataType, out: pl.DataType | None,
             findings: dict[str, Any], decisions: dict[str, Any], facts: dict[str, Any]) -> ColumnOutcome:
    """The report line of a column, as ``apply_column`` makes it on one machine."""
    cls, decision = type(transform), decisions[column]
    return ColumnOutcome(
        name=column, dtype=str(dtype), action=plan.action, params=transform.params.model_dump(mode="json"),
        finding=findings.get(column), entity=decision.entity, kind=decision.kind, corrected=decision.corrected,
        generates_values=cls.generates_values, removed=cls.removes_column,
        output_dtype=None if out is None else str(out), facts=facts, note=plan.note, kept_as_is=cls.keeps_values)


def _risk(released: DataFrame, output: dict[str, pl.DataType], decisions: dict[str, Any], recipe: Recipe,
          settings: Settings, name: str, steps: SparkSteps, real_records: bool = True) -> Any:
    """Re-identification risk over the released quasi-identifiers: their distinct combinations with a count each
    come to the driver (one Spark aggregation), not the rows."""
    from sanitas.core.release_risk import released_quasi_identifiers
    from sanitas.spark.k_anonymity import COUNT, class_counts

    empty = pl.DataFrame(schema=output)
    k_section = recipe.k_anonymity
    declared = list(k_section.quasi_identifiers) if k_section is not None else []
    qis = released_quasi_identifiers(empty, decisions, declared, set(steps.handled))
    frame = class_counts(released, qis).drop("__sanitas_combo") if qis else empty.with_columns(pl.lit(0).alias(COUNT))
    fraction = None
    if k_section is not None:
        fraction = (min(1.0, steps.input_rows / k_section.population) if k_section.population
                    else k_section.sampling_fraction)
    return release_risk(frame, decisions, threshold=recipe.risk_threshold or settings.risk_threshold,
                        declared=declared, not_raw=set(steps.handled), real_records=real_records, source=name,
                        sampling_fraction=fraction, weight=COUNT,
                        masked=k_section is not None and k_section.suppression == "mask")


__all__ = ["SparkRelease", "run_on_spark"]
