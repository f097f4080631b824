"""Scan a dataset: sample evenly spread rows once, then classify each column on its sample.

A 1,000,000-row file is read by streaming (row count, then every k-th row), never held in memory.
Columns that are mostly empty get a second, targeted read so that they too are judged on enough
values. (Loading spaCy in a background thread during the sampling was tried: polars already keeps
both cores busy there, and no gain was measurable.)
"""

from __future__ import annotations

import logging
import time

import polars as pl

from sanitas.core.dataset import READ_ERRORS, Dataset
from sanitas.core.detect.classify import classify_columns
from sanitas.core.detect.context import make_context
from sanitas.core.detect.findings import ScanResult
from sanitas.core.errors import DetectionError
from sanitas.core.progress import CancelToken, Progress, no_progress, sub_progress
from sanitas.core.settings import Settings, load_settings

log = logging.getLogger(__name__)
MIN_VALUES = 100  # below this many non-null values in the sample, read more of a sparse column


def scan_dataset(
    dataset: Dataset,
    *,
    sample_size: int | None = None,
    settings: Settings | None = None,
    columns: list[str] | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ScanResult:
    """Classify every column (or ``columns``) of ``dataset`` on up to ``sample_size`` values each."""
    started = time.perf_counter()
    settings = settings or load_settings()
    size = sample_size or settings.sample_size
    report = progress or no_progress
    names = _columns(dataset, columns)
    report(0.0, "Counting rows")
    rows = dataset.row_count()
    _check(cancel)
    report(0.05, f"Sampling {min(size, rows)} of {rows} rows")
    sample = dataset.sample_rows(size, total_rows=rows).select(names)
    _check(cancel)
    sampled, filled = _top_up_sparse(dataset, sample, size, rows)
    ctx = make_context(settings, cancel)
    findings = classify_columns(sampled, ctx, progress=sub_progress(report, 0.15, 1.0))
    for i, finding in enumerate(findings):
        if finding.name in filled:
            findings[i] = finding.model_copy(update={"non_null_share": filled[finding.name]})
    return ScanResult(
        file=dataset.name,
        rows=rows,
        columns=findings,
        sample_size=size,
        model=settings.spacy_model if ctx.has_model else None,
        notes=list(ctx.notes),
        seconds=round(time.perf_counter() - started, 3),
    )


def _columns(dataset: Dataset, columns: list[str] | None) -> list[str]:
    names = dataset.columns
    if columns is None:
        return names
    missing = [c for c in columns if c not in names]
    if missing:
        raise DetectionError(
            f"{dataset.name}: no column {', '.join(repr(c) for c in missing)}; "
            f"columns are: {', '.join(names)}."
        )
    return list(dict.fromkeys(columns))


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _top_up_sparse(
    dataset: Dataset, sample: pl.DataFrame, size: int, rows: int
) -> tuple[list[pl.Series], dict[str, float]]:
    """The sampled columns, with mostly-empty ones re-read for up to ``size`` non-null values (in
    one pass). Their non-null share stays the sample's and is returned beside them."""
    columns = [sample[c] for c in sample.columns]
    if sample.height == 0 or rows <= sample.height:
        return columns, {}
    want = min(size, MIN_VALUES)
    sparse = [c for c in sample.columns if sample.height - sample[c].null_count() < want]
    if not sparse:
        return columns, {}
    shares = {c: (sample.height - sample[c].null_count()) / sample.height for c in sparse}
    try:
        more = dataset.frame.select([pl.col(c).drop_nulls().head(size).implode() for c in sparse]).collect()
    except READ_ERRORS:  # best effort: the sample itself was read fine
        log.debug("re-reading sparse columns failed", exc_info=True)
        return columns, {}
    return [more[s.name][0].alias(s.name) if s.name in shares else s for s in columns], shares
