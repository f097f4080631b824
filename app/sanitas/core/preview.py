"""Preview one column's action on a sample, for the workbench's before/after view.

Runs the same transform code as a release (no re-implementation in the GUI), on a small sample of
rows, with the recipe's seed, locale and keys. The sample is the whole context the transform sees,
so cross-column actions (scrub's known values) preview on the sample's rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sanitas.core.detect.findings import ScanResult
from sanitas.core.keys import KeyRing
from sanitas.core.progress import CancelToken, Progress, no_progress
from sanitas.core.recipe import ColumnPlan, Recipe
from sanitas.core.settings import Settings, load_settings
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform


@dataclass(frozen=True)
class ColumnPreview:
    """Before and after values of one column on the sample rows; ``after`` is None for drop."""

    column: str
    before: pl.Series
    after: pl.Series | None
    facts: dict[str, Any]


def preview_column(
    sample: pl.DataFrame,
    column: str,
    plan: ColumnPlan,
    recipe: Recipe,
    *,
    scan: ScanResult | None = None,
    recipe_dir: Path | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ColumnPreview:
    """Apply ``plan`` to ``sample[column]``. Raises TransformError/RecipeError with a message to show in place."""
    settings = settings or load_settings()
    transform_cls = get_transform(plan.action)
    transform = transform_cls(plan.params)
    before = sample.get_column(column)
    if transform_cls.removes_column:
        return ColumnPreview(column=column, before=before, after=None, facts={})
    findings = {f.name: f for f in scan.columns} if scan else {}

    def entity_of(name: str) -> str | None:
        chosen = recipe.columns.get(name)
        if chosen is not None and chosen.entity:
            return chosen.entity
        finding = findings.get(name)
        return finding.top_entity if finding else None

    entity = plan.entity or entity_of(column)
    context = TransformContext(
        column=column, entity=entity, seed=recipe.seed, locale=recipe.locale,
        keys=KeyRing(recipe.keys, recipe_dir), shared={}, progress=progress or no_progress,
        cancel=cancel or CancelToken(), source=sample,
        column_entities={name: entity_of(name) for name in sample.columns}, settings=settings,
    )
    problems = transform.check(before.dtype)
    if problems:
        from sanitas.core.errors import TransformError

        raise TransformError(f"column '{column}', action '{plan.action}': " + "; ".join(problems))
    after = transform.fit_apply(before, context)
    return ColumnPreview(column=column, before=before, after=after, facts=transform.facts())
