"""Run a recipe on a dataset: column actions, then the dataset-level steps, then the residual check.

The engine is the one place that knows the order of a release (see steps/protocol.py): column
actions, then each registered step whose section the recipe sets (k-anonymity, synthesis, DP), then
the column actions a step defers to its output, then the residual check. It never writes files (see
``export``) and never mutates the input: the source Dataset is read, a new frame is built.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sanitas.core.column_actions import apply_column
from sanitas.core.dataset import Dataset
from sanitas.core.decisions import ColumnDecision, decide_all
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ColumnFinding, ScanResult
from sanitas.core.errors import RecipeError
from sanitas.core.keys import KeyRing
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress
from sanitas.core.recipe import ColumnPlan, Recipe
from sanitas.core.recipe_check import check_recipe, plan_view, resolve_plan
from sanitas.core.recorded_findings import reused_scan
from sanitas.core.release import Release
from sanitas.core.release_risk import release_risk
from sanitas.core.residual import residual_check
from sanitas.core.settings import Settings, load_settings
from sanitas.core.step_registry import steps_in
from sanitas.core.steps.protocol import StepContext, StepResult
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform

__all__ = ["ColumnOutcome", "Release", "run"]


def release_scan(dataset: Dataset, recipe: Recipe, scan: ScanResult | None, settings: Settings | None,
                 progress: Progress, cancel: CancelToken) -> tuple[ScanResult, list[str]]:
    """The findings a release works from, and notes on where they came from.

    A scan given by the caller wins; findings the recipe recorded for this very file make the scan
    unnecessary; otherwise the dataset is scanned (the first 30% of the progress).
    """
    notes: list[str] = []
    if scan is None:
        scan, not_reused = reused_scan(recipe.findings, dataset.source, dataset.name, list(dataset.schema))
        notes += [not_reused] if not_reused else []
    if scan is None:
        scan = scan_dataset(dataset, settings=settings, progress=sub_progress(progress, 0.0, 0.3), cancel=cancel)
    return scan, notes


def run(
    dataset: Dataset,
    recipe: Recipe,
    *,
    recipe_dir: Path | None = None,
    scan: ScanResult | None = None,
    settings: Settings | None = None,
    key_files: dict[str, Path] | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    rng: np.random.Generator | None = None,
) -> Release:
    """Validate the recipe against the dataset, apply every column action and step, check the output.

    ``scan`` reuses findings the caller already has (the GUI's); otherwise the dataset is scanned on
    a sample first, because the report and the unlisted-column policy need the findings. ``rng`` is
    for noise that must not be reproducible from the recipe (DP): None, the default, means the
    operating system's secure randomness (os.urandom); only tests inject a generator.
    """
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    settings = settings or load_settings()
    timings: dict[str, float] = {}
    schema = dataset.schema
    check_recipe(recipe, schema, dataset.name, key_overrides=set(key_files or ()))
    data_problems = [problem for step, section in steps_in(recipe)
                     for problem in dataset.query(lambda table, s=step, c=section: s.data_problems(c, table))]
    if data_problems:
        raise RecipeError(f"{dataset.name}: the recipe cannot run on this data:", data_problems)

    started = time.perf_counter()
    scan, notes = release_scan(dataset, recipe, scan, settings, progress, cancel)
    timings["scan"] = time.perf_counter() - started
    findings = {f.name: f for f in scan.columns}
    plan = resolve_plan(recipe, list(schema), findings)
    decisions = decide_all(plan, plan, findings)

    started = time.perf_counter()
    progress(0.3, "Reading the dataset")
    source = dataset.collect()
    timings["read"] = time.perf_counter() - started
    cancel.raise_if_cancelled()

    steps = steps_in(recipe)
    view = plan_view(recipe, settings.risk_threshold)
    handled = {c: step.name for step, section in steps for c in step.handles_columns(section, view)}
    deferred = {name for name, p in plan.items()
                if name in handled or get_transform(p.action).stage == "after_steps"
                or any(step.defers(section, p.action) for step, section in steps)}
    keyring = KeyRing(recipe.keys, recipe_dir, key_files)
    shared: dict[str, Any] = {}
    entities = {name: d.entity for name, d in decisions.items()}

    def context_for(name: str, table: pl.DataFrame, bar: Progress) -> TransformContext:
        return TransformContext(column=name, entity=entities[name], seed=recipe.seed, locale=recipe.locale,
                                keys=keyring, shared=shared, progress=bar, cancel=cancel, source=table,
                                column_entities=entities, settings=settings, rng=rng)

    started = time.perf_counter()
    first = {name: p for name, p in plan.items() if name not in deferred}
    frame, outcomes = _apply_columns(source, first, findings, decisions, context_for,
                                     sub_progress(progress, 0.35, 0.75), cancel)
    # a deferred column passes through the steps as it is, in its place
    done = set(frame.columns)  # a set once: ``frame.columns`` is a new list per access
    frame = pl.DataFrame([frame.get_column(c) if c in done else source.get_column(c)
                          for c in plan if c in done or c in deferred])
    timings["apply"] = time.perf_counter() - started

    results: dict[str, StepResult] = {}
    artifact = None
    for index, (step, section) in enumerate(steps):
        cancel.raise_if_cancelled()
        started = time.perf_counter()
        context = StepContext(
            source_name=dataset.name, plan=view, source=source, decisions=decisions, recipe_dir=recipe_dir,
            rng=rng, settings=settings, cancel=cancel,
            progress=sub_progress(progress, 0.75 + 0.1 * index / len(steps), 0.75 + 0.1 * (index + 1) / len(steps)),
        )
        result = step.run(frame, section, context)
        results[step.name] = result
        timings[step.name] = time.perf_counter() - started
        if result.artifact is not None:
            artifact = result.artifact
        if result.frame is None:
            break
        frame = result.frame

    outcomes += [_handled_outcome(name, plan[name], source, results[step], findings, decisions)
                 for name, step in handled.items() if step in results]
    if artifact is None and not all(r.releases_real_records for r in results.values()):
        for outcome in outcomes:  # a step that releases no real record (whole-table synthesis) generated them
            if outcome.kept_as_is and not outcome.removed:
                outcome.generates_values, outcome.kept_as_is = True, False
    if deferred and artifact is None:
        started = time.perf_counter()
        later = {name: plan[name] for name in plan if name in deferred and name not in handled}
        columns = set(frame.columns)
        present = {name: p for name, p in later.items() if name in columns}
        rewritten, late = _apply_columns(frame, present, findings, decisions, context_for,
                                         sub_progress(progress, 0.85, 0.9), cancel)
        frame = frame.with_columns(rewritten.get_columns()).drop([o.name for o in late if o.removed])
        outcomes += late
        timings["apply_after_steps"] = time.perf_counter() - started
    order = {name: i for i, name in enumerate(plan)}  # a dict: list.index made wide tables quadratic
    outcomes.sort(key=lambda o: order[o.name])
    shared.clear()  # fake maps and pseudonym collision stores are not needed past the column actions

    checked = outcomes
    if artifact is not None:  # no record leaves: every input column is withheld; the artifact is what is checked
        for outcome in outcomes:
            outcome.removed, outcome.note = True, "not released: the release is an aggregate table, not records"
        checked = [*outcomes, *(ColumnOutcome(name=c, dtype=str(t), action="aggregate", params={}, finding=None,
                                              entity=None, kind=None, corrected=False, generates_values=False,
                                              removed=False, output_dtype=str(t)) for c, t in artifact.schema.items())]
    started = time.perf_counter()
    released = artifact if artifact is not None else frame
    residual = residual_check(source, released, checked, settings=settings, findings=findings,
                              progress=sub_progress(progress, 0.9, 1.0), cancel=cancel)
    timings["residual_check"] = time.perf_counter() - started
    progress(1.0, "Release ready")
    k_section = recipe.k_anonymity
    risk = release_risk(
        None if artifact is not None else frame, decisions, threshold=recipe.risk_threshold or settings.risk_threshold,
        declared=list(k_section.quasi_identifiers) if k_section is not None else [], not_raw=set(handled),
        real_records=all(r.releases_real_records for r in results.values()), source=dataset.name,
        sampling_fraction=_sampling_fraction(k_section, source.height),
        masked=k_section is not None and k_section.suppression == "mask")
    if recipe.schema_fingerprint and recipe.schema_fingerprint != dataset.schema_fingerprint():
        notes.append(f"The recipe was written for a dataset with another column layout (schema "
                     f"{recipe.schema_fingerprint}; {dataset.name} has {dataset.schema_fingerprint()}): check that "
                     "every column's action still fits.")
    return Release(dataset=dataset, recipe=recipe, scan=scan, frame=None if artifact is not None else frame,
                   outcomes=outcomes, residual=residual, input_rows=source.height, timings=timings,
                   settings=settings, steps=results, artifact=artifact, notes=notes, risk=risk,
                   key_sources=keyring.describe())


def _sampling_fraction(section: Any, rows: int) -> float | None:
    """The k_anonymity section's population model, so the release's risk reads like the step's."""
    if section is None:
        return None
    if section.population:
        return min(1.0, rows / section.population)
    return section.sampling_fraction


def _handled_outcome(name: str, plan: ColumnPlan, source: pl.DataFrame, result: StepResult,
                     findings: Mapping[str, ColumnFinding], decisions: Mapping[str, ColumnDecision]) -> ColumnOutcome:
    """The report line of a column whose action a step performed (DP noise under the step's budget)."""
    transform = get_transform(plan.action)
    released = result.frame.schema.get(name) if result.frame is not None else None
    decision = decisions[name]
    return ColumnOutcome(
        name=name, dtype=str(source.schema[name]), action=plan.action,
        params=transform(plan.params).params.model_dump(mode="json"), finding=findings.get(name),
        entity=decision.entity, kind=decision.kind, corrected=decision.corrected,
        generates_values=transform.generates_values, removed=False,
        output_dtype=str(released) if released is not None else None, facts=result.column_facts.get(name, {}),
        note=plan.note,
    )


def _apply_columns(
    table: pl.DataFrame, plan: Mapping[str, ColumnPlan], findings: Mapping[str, ColumnFinding],
    decisions: Mapping[str, ColumnDecision], context_for: Any, progress: Progress, cancel: CancelToken,
) -> tuple[pl.DataFrame, list[ColumnOutcome]]:
    outputs: list[pl.Series] = []
    outcomes: list[ColumnOutcome] = []
    total = max(len(plan), 1)
    for index, (name, column_plan) in enumerate(plan.items()):
        cancel.raise_if_cancelled()
        progress(index / total, f"Applying {column_plan.action} to column {name}")
        context = context_for(name, table, sub_progress(progress, index / total, (index + 1) / total))
        outcome, series = apply_column(table.get_column(name), column_plan, findings.get(name), decisions[name],
                                       context)
        outcomes.append(outcome)
        if series is not None:
            outputs.append(series)
    return (pl.DataFrame(outputs) if outputs else pl.DataFrame()), outcomes
