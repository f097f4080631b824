"""Utility left after sanitizing: how much of each column, and of the classes, the release keeps.

Per column: distinct values before and after, the share kept, and the Shannon entropy (bits) of
the value distribution before and after, with the entropy lost. Entropy is a plain, model-free
measure of how much a column can still tell apart; ARX's "non-uniform entropy" is a per-cell
variant of the same idea. A null is a value. The generalization level, when the caller knows it
(the hierarchy level a k-anonymity search chose), is carried through.

Dataset level, over the quasi-identifiers: the discernibility metric (Bayardo & Agrawal, as in
ARX and pyCANON: the sum of squared class sizes, plus the original row count for each suppressed
record) and the average class size (released records / classes; the normalized one of LeFevre et
al. divides again by k). Suppressed records are not released, so "after" counts only the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.privacy.metrics.risk import SIZE, RiskInputError, count_of, equivalence_classes, records_of

_COUNT = "__sanitas_count__"


class ColumnUtility(BaseModel):
    column: str
    dropped: bool = Field(description="the column is not in the release")
    distinct_before: int
    distinct_after: int
    distinct_kept: float = Field(description="distinct_after / distinct_before")
    entropy_before: float = Field(description="Shannon entropy of the values, bits")
    entropy_after: float
    entropy_lost: float = Field(description="entropy_before - entropy_after, bits; negative if noise added some")
    entropy_lost_share: float = Field(description="entropy_lost / entropy_before")
    generalization_level: int | None = None
    certainty_penalty: float | None = Field(
        default=None, description="local recoding (Mondrian): mean normalized certainty penalty of a cell, "
        "0 = exact value, 1 = whole domain (Xu et al. 2006)")


class UtilityReport(BaseModel):
    records_before: int
    records_after: int = Field(description="released records")
    suppressed: int
    columns: list[ColumnUtility]
    quasi_identifiers: list[str]
    discernibility_before: int | None = None
    discernibility_after: int | None = None
    average_class_size_before: float | None = None
    average_class_size_after: float | None = None
    normalized_average_class_size_after: float | None = Field(
        default=None, description="records_after / (classes * k): 1 is the best a k-anonymous release can do"
    )


def utility_report(
    before: pl.DataFrame | pl.LazyFrame,
    after: pl.DataFrame | pl.LazyFrame,
    columns: Sequence[str] | None = None,
    *,
    quasi_identifiers: Sequence[str] = (),
    generalization: Mapping[str, int] | None = None,
    suppressed: pl.Series | None = None,
    source: str = "the table",
    weight: str | None = None,
) -> UtilityReport:
    """Compare ``after`` (the release) with ``before`` column by column, and over the quasi-identifiers.

    ``suppressed`` marks rows of ``after`` withheld from the release; without it, rows missing from
    ``after`` count as suppressed. ``columns`` defaults to every column of ``before``. ``weight``: a column
    of both tables saying how many records each row stands for (tables of classes with their counts).
    """
    names_before = before.collect_schema().names()
    names_after = after.collect_schema().names()
    wanted = [c for c in (columns if columns is not None else names_before) if c != weight]
    carried = [weight] if weight is not None else []
    missing = [c for c in dict.fromkeys([*wanted, *quasi_identifiers]) if c not in names_before]
    if missing:
        raise RiskInputError(f"{source}: no column {', '.join(repr(c) for c in missing)}. "
                             f"Available columns: {', '.join(names_before)}.")
    lost_qis = [c for c in quasi_identifiers if c not in names_after]
    if lost_qis:
        raise RiskInputError(f"{source}: quasi-identifier {', '.join(repr(c) for c in lost_qis)} is not in "
                             "the release; leave it out of the quasi-identifiers.")
    original = before.lazy().select(wanted + [c for c in quasi_identifiers if c not in wanted] + carried).collect()
    kept_names = [c for c in dict.fromkeys([*wanted, *quasi_identifiers]) if c in names_after]
    released = after.lazy().select(kept_names + carried).collect()
    withheld = records_of(original, weight) - records_of(released, weight)
    if suppressed is not None:
        if suppressed.len() != released.height:
            raise RiskInputError(f"{source}: the suppression mask has {suppressed.len():,} entries "
                                 f"for {released.height:,} rows.")
        mask = suppressed.cast(pl.Boolean).fill_null(False)
        withheld = records_of(released, weight) - records_of(released.filter(~mask), weight)
        released = released.filter(~mask)
    levels = dict(generalization or {})
    report = UtilityReport(
        records_before=records_of(original, weight), records_after=records_of(released, weight), suppressed=withheld,
        columns=[_column_utility(original, released, c, levels.get(c), weight) for c in wanted],
        quasi_identifiers=list(quasi_identifiers),
    )
    if quasi_identifiers:
        _class_metrics(report, original, released, list(quasi_identifiers), weight)
    return report


def entropy_bits(values: pl.Series, weights: pl.Series | None = None) -> float:
    """Shannon entropy of a column's value distribution in bits: -sum(p log2 p) over its distinct values
    (``weights``: how many records each value stands for)."""
    n = values.len() if weights is None else int(weights.sum())
    if n == 0:
        return 0.0
    # sorted: the sum does not depend on the group order, so two runs (or a streamed one) agree to the bit
    frame = values.to_frame("v") if weights is None else pl.DataFrame({"v": values, "w": weights})
    counts = (frame.group_by("v").agg(count_of(None if weights is None else "w").alias(_COUNT))
              .get_column(_COUNT).sort().cast(pl.Float64))
    shares = counts / n
    return max(0.0, -float((shares * shares.log(2)).sum()))


def _column_utility(original: pl.DataFrame, released: pl.DataFrame, column: str, level: int | None,
                    weight: str | None = None) -> ColumnUtility:
    values = original.get_column(column)
    distinct_before = values.n_unique() if values.len() else 0
    entropy_before = entropy_bits(values, original.get_column(weight) if weight is not None else None)
    dropped = column not in released.columns
    if dropped:
        distinct_after, entropy_after = 0, 0.0
    else:
        kept = released.get_column(column)
        distinct_after = kept.n_unique() if kept.len() else 0
        entropy_after = entropy_bits(kept, released.get_column(weight) if weight is not None else None)
    lost = entropy_before - entropy_after
    return ColumnUtility(
        column=column, dropped=dropped, distinct_before=distinct_before, distinct_after=distinct_after,
        distinct_kept=distinct_after / distinct_before if distinct_before else 1.0,
        entropy_before=entropy_before, entropy_after=entropy_after, entropy_lost=lost,
        entropy_lost_share=lost / entropy_before if entropy_before else 0.0, generalization_level=level,
    )


def _class_metrics(report: UtilityReport, original: pl.DataFrame, released: pl.DataFrame, qis: list[str],
                   weight: str | None = None) -> None:
    """Discernibility and average class size before and after, over the quasi-identifiers."""
    before = equivalence_classes(original, qis, weight).get_column(SIZE)
    after = equivalence_classes(released, qis, weight).get_column(SIZE)
    report.discernibility_before = discernibility(before)
    report.discernibility_after = discernibility(after, suppressed=report.suppressed, rows=report.records_before)
    report.average_class_size_before = report.records_before / before.len() if before.len() else 0.0
    report.average_class_size_after = report.records_after / after.len() if after.len() else 0.0
    k = int(after.min() or 0)
    report.normalized_average_class_size_after = report.records_after / (after.len() * k) if k else 0.0


def discernibility(sizes: pl.Series, suppressed: int = 0, rows: int = 0) -> int:
    """Sum of squared class sizes, plus ``rows`` (the original row count) per suppressed record."""
    return int((sizes.cast(pl.Int64) ** 2).sum()) + suppressed * rows
