"""Run a recipe on a dataset: column actions, then (later) dataset-level models, then the residual check.

The engine is the one place that knows the order of a release. It never writes files (see
``export``) and never mutates the input: the source Dataset is read, a new frame is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ColumnFinding, ColumnKind, ScanResult
from sanitas.core.errors import VerificationError
from sanitas.core.keys import KeyRing
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress
from sanitas.core.recipe import ColumnPlan, Recipe
from sanitas.core.recipe_check import check_recipe, resolve_plan
from sanitas.core.residual import ResidualCheck, residual_check
from sanitas.core.settings import Settings, load_settings
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform


@dataclass
class ColumnOutcome:
    """What happened to one column: the finding behind it, the action taken, and its figures."""

    name: str
    dtype: str
    action: str
    params: dict[str, Any]
    finding: ColumnFinding | None
    entity: str | None
    kind: ColumnKind | None
    corrected: bool
    generates_values: bool
    removed: bool
    output_dtype: str | None
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    note: str | None = None

    @property
    def kept_as_is(self) -> bool:
        return self.action == "keep"


@dataclass
class Release:
    """The result of a run: the sanitized frame and every fact the report needs."""

    dataset: Dataset
    recipe: Recipe
    scan: ScanResult
    frame: pl.DataFrame
    outcomes: list[ColumnOutcome]
    residual: ResidualCheck
    input_rows: int
    timings: dict[str, float]
    settings: Settings
    k_anonymity: Any = None  # KAnonymityFacts when the recipe has a k_anonymity section

    def outcome(self, column: str) -> ColumnOutcome | None:
        return next((o for o in self.outcomes if o.name == column), None)


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
) -> Release:
    """Validate the recipe against the dataset, apply every column action, check the output.

    ``scan`` reuses findings the caller already has (the GUI's); otherwise the dataset is scanned on
    a sample first, because the report and the unlisted-column policy need the findings.
    """
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    settings = settings or load_settings()
    timings: dict[str, float] = {}
    schema = dataset.schema
    check_recipe(recipe, schema, dataset.name, key_overrides=set(key_files or ()))

    started = time.perf_counter()
    if scan is None:
        scan = scan_dataset(dataset, settings=settings, progress=sub_progress(progress, 0.0, 0.3),
                            cancel=cancel)
    timings["scan"] = time.perf_counter() - started
    findings = {f.name: f for f in scan.columns}
    plan = resolve_plan(recipe, list(schema), findings)

    started = time.perf_counter()
    progress(0.3, "Reading the dataset")
    source = dataset.collect()
    timings["read"] = time.perf_counter() - started
    cancel.raise_if_cancelled()

    keyring = KeyRing(recipe.keys, recipe_dir, key_files)
    shared: dict[str, Any] = {}
    outputs: list[pl.Series] = []
    outcomes: list[ColumnOutcome] = []
    entities = {name: _entity(p, findings.get(name)) for name, p in plan.items()}
    apply_progress = sub_progress(progress, 0.35, 0.85)
    started = time.perf_counter()
    for index, (name, column_plan) in enumerate(plan.items()):
        cancel.raise_if_cancelled()
        apply_progress(index / max(len(plan), 1), f"Applying {column_plan.action} to column {name}")
        context = TransformContext(
            column=name, entity=entities[name], seed=recipe.seed, locale=recipe.locale, keys=keyring,
            shared=shared, progress=sub_progress(apply_progress, index / len(plan), (index + 1) / len(plan)),
            cancel=cancel, source=source, column_entities=entities, settings=settings,
        )
        outcome, series = _apply_column(source.get_column(name), column_plan, findings.get(name), context)
        outcomes.append(outcome)
        if series is not None:
            outputs.append(series)
    timings["apply"] = time.perf_counter() - started
    frame = pl.DataFrame(outputs) if outputs else pl.DataFrame()
    del outputs
    shared.clear()  # fake maps and pseudonym collision stores are not needed past the column actions

    k_facts = None
    if recipe.k_anonymity is not None:
        from sanitas.core.privacy.k_anonymity.release import k_anonymity_step

        started = time.perf_counter()
        section = recipe.k_anonymity
        roles = {*section.quasi_identifiers, *section.sensitive, *section.identifying}
        unchanged = [o.name for o in outcomes if o.kind is ColumnKind.QUASI_IDENTIFIER and o.kept_as_is
                     and o.name not in roles]
        frame, k_facts = k_anonymity_step(frame, section, recipe_dir=recipe_dir, source=dataset.name,
                                          progress=sub_progress(progress, 0.85, 0.9), cancel=cancel,
                                          unchanged_quasi_identifiers=unchanged)
        timings["k_anonymity"] = time.perf_counter() - started
        if not k_facts.all_hold:  # the independent check is the last gate: never release what it rejects
            failed = "; ".join(f"{c.model} (required {c.required:g}, found {c.achieved})" for c in k_facts.checks
                               if not c.holds)
            raise VerificationError(f"Not exporting {dataset.name}: the released table does not satisfy {failed}. "
                              "This should not happen; please report it with the recipe (no data needed).")

    started = time.perf_counter()
    residual = residual_check(source, frame, outcomes, settings=settings,
                              progress=sub_progress(progress, 0.9, 1.0), cancel=cancel)
    timings["residual_check"] = time.perf_counter() - started
    progress(1.0, "Release ready")
    return Release(dataset=dataset, recipe=recipe, scan=scan, frame=frame, outcomes=outcomes,
                   residual=residual, input_rows=source.height, timings=timings, settings=settings,
                   k_anonymity=k_facts)


def _entity(plan: ColumnPlan, finding: ColumnFinding | None) -> str | None:
    """The analyst's correction wins over the detected entity; a column marked not personal has none."""
    if plan.kind is ColumnKind.NOT_PERSONAL:
        return plan.entity
    return plan.entity or (finding.top_entity if finding else None)


def _apply_column(
    column: pl.Series, plan: ColumnPlan, finding: ColumnFinding | None, context: TransformContext
) -> tuple[ColumnOutcome, pl.Series | None]:
    transform_cls = get_transform(plan.action)
    transform = transform_cls(plan.params)
    entity = context.entity
    kind = plan.kind or (finding.kind if finding else None)
    started = time.perf_counter()
    series: pl.Series | None = None
    if not transform_cls.removes_column:
        series = transform.fit_apply(column, context)
    outcome = ColumnOutcome(
        name=column.name,
        dtype=str(column.dtype),
        action=plan.action,
        params=transform.params.model_dump(mode="json"),
        finding=finding,
        entity=entity,
        kind=kind,
        corrected=plan.entity is not None or plan.kind is not None,
        generates_values=transform_cls.generates_values,
        removed=transform_cls.removes_column,
        output_dtype=None if series is None else str(series.dtype),
        facts=transform.facts(),
        seconds=time.perf_counter() - started,
        note=plan.note,
    )
    return outcome, series
