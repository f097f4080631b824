"""Preview one column's action on a sample, for the workbench's before/after view.

Runs the very code of a release (``column_actions.apply_column``) with the same decisions
(``decisions.py``: the analyst's corrections resolved as the release resolves them), on a small,
evenly spread sample, with the recipe's seed, locale and keys; so the preview shows what the release
writes for those rows. Cross-column actions (scrub's known values) see the sample's rows only.
Randomized actions (DP noise, synthesized values) show one draw, labelled as such in ``facts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sanitas.core.column_actions import apply_column
from sanitas.core.decisions import decide
from sanitas.core.detect.findings import ScanResult
from sanitas.core.errors import TransformError
from sanitas.core.keys import KeyRing
from sanitas.core.progress import CancelToken, Progress, no_progress
from sanitas.core.recipe import ColumnPlan, Recipe
from sanitas.core.settings import Settings, load_settings
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform

SAMPLE_ROWS = 200


@dataclass(frozen=True)
class ColumnPreview:
    """Before and after values of one column on the sample rows; ``after`` is None for drop."""

    column: str
    before: pl.Series
    after: pl.Series | None
    facts: dict[str, Any]
    randomized: bool = False  # the after values are one draw of a random mechanism


@dataclass(frozen=True)
class PreviewPairs:
    """What a before/after table shows: distinct pairs with how many sample rows have each."""

    preview: ColumnPreview
    rows: int
    pairs: list[tuple[str | None, str | None, int]]
    unchanged: int  # distinct pairs whose value the action left as it was


def sample_frame(frame: pl.DataFrame, rows: int = SAMPLE_ROWS) -> pl.DataFrame:
    """Evenly spread rows (not only the first ones), so a sorted file still shows its variety."""
    if frame.height <= rows:
        return frame
    return frame.gather_every(frame.height // rows).head(rows)


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
    rng: np.random.Generator | None = None,
) -> ColumnPreview:
    """Apply ``plan`` to ``sample[column]``. Raises TransformError/RecipeError with a message to show in place."""
    settings = settings or load_settings()
    transform_cls = get_transform(plan.action)
    before = sample.get_column(column)
    if transform_cls.removes_column:
        return ColumnPreview(column=column, before=before, after=None, facts={})
    problems = transform_cls(plan.params).check(before.dtype)
    if problems:
        raise TransformError(f"column '{column}', action '{plan.action}': " + "; ".join(problems))
    findings = {f.name: f for f in scan.columns} if scan else {}
    plans = {**recipe.columns, column: plan}
    decisions = {name: decide(name, plans.get(name), findings.get(name)) for name in sample.columns}
    context = TransformContext(
        column=column, entity=decisions[column].entity, seed=recipe.seed, locale=recipe.locale,
        keys=KeyRing(recipe.keys, recipe_dir), shared={}, progress=progress or no_progress,
        cancel=cancel or CancelToken(), source=sample,
        column_entities={name: d.entity for name, d in decisions.items()}, settings=settings,
        rng=rng or np.random.default_rng(),
    )
    outcome, after = apply_column(before, plan, findings.get(column), decisions[column], context)
    return ColumnPreview(column=column, before=before, after=after, facts=outcome.facts,
                         randomized=transform_cls.randomized)


def distinct_pairs(preview: ColumnPreview) -> PreviewPairs:
    """Distinct (before, after) pairs in order of first appearance, with their row counts."""
    before = preview.before.to_list()
    after = preview.after.to_list() if preview.after is not None else [None] * len(before)
    counts: dict[tuple[Any, Any], int] = {}
    for pair in zip(before, after, strict=True):
        counts[pair] = counts.get(pair, 0) + 1
    pairs = [(_text(b), _text(a), n) for (b, a), n in counts.items()]
    unchanged = sum(1 for b, a, _ in pairs if b is not None and b == a) if preview.after is not None else 0
    return PreviewPairs(preview=preview, rows=len(before), pairs=pairs, unchanged=unchanged)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
