"""One column action, exactly as the release and the preview both run it (so they cannot disagree)."""

from __future__ import annotations

import time

import polars as pl

from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnFinding
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.recipe import ColumnPlan
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform


def apply_column(
    column: pl.Series, plan: ColumnPlan, finding: ColumnFinding | None, decision: ColumnDecision,
    context: TransformContext,
) -> tuple[ColumnOutcome, pl.Series | None]:
    """One column action, as the release and the preview run it."""
    transform_cls = get_transform(plan.action)
    transform = transform_cls(plan.params)
    started = time.perf_counter()
    series: pl.Series | None = None
    if not transform_cls.removes_column:
        series = transform.fit_apply(column, context)
    outcome = ColumnOutcome(
        name=column.name, dtype=str(column.dtype), action=plan.action,
        params=transform.params.model_dump(mode="json"), finding=finding, entity=decision.entity,
        kind=decision.kind, corrected=decision.corrected, generates_values=transform_cls.generates_values,
        removed=transform_cls.removes_column, output_dtype=None if series is None else str(series.dtype),
        facts=transform.facts(), seconds=time.perf_counter() - started, note=plan.note,
        kept_as_is=transform_cls.keeps_values,
    )
    return outcome, series
