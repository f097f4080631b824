"""DP aggregates on Spark: each figure's exact per-group inputs by a Spark group-by, the noise by the core.

The core's ``release_aggregates`` draws every noisy figure (diffprivlib's mechanisms, the same group
selection and accounting); only its exact inputs come from here (``group_data``): per group of the
``by`` columns, the count, the clipped sum, and for quantiles and histograms the clipped values, sent as
(value, count) pairs and repeated on the driver (driver memory grows with the rows of the largest group
of those figures). Group keys are read back as the raw values and turned to text by polars, as in
process, so the group labels are the same.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sanitas.core.privacy.dp.aggregates import NULL_KEY, GroupData
from sanitas.core.privacy.dp.section import AggregateSpec

VALUES = ("median", "quantile", "histogram")


def _keys(table: pl.DataFrame, by: list[str]) -> list[tuple[str, ...]]:
    if not by:
        return [()] * table.height
    text = table.select([pl.col(f"__k{i}").cast(pl.String).fill_null(NULL_KEY) for i in range(len(by))])
    return list(text.iter_rows())


def group_data(frame: DataFrame, spec: AggregateSpec) -> GroupData:
    """The exact (count, clipped values, clipped sum) of every group the data holds."""
    names = [f"__k{i}" for i in range(len(spec.by))]
    keys = [F.col(c).alias(n) for c, n in zip(spec.by, names, strict=True)]
    has_value = spec.column is not None
    source = frame.select(*keys, *([F.col(spec.column).alias("__v")] if has_value else []))
    value = F.col("__v")
    aggs = [F.count(F.lit(1)).alias("__rows")]
    clipped = None
    if has_value:
        aggs.append(F.count(value).alias("__n"))
        if spec.lower is not None and spec.upper is not None:
            number = value.cast("double")  # Spark's greatest/least skip nulls: keep a null null
            clipped = F.when(number.isNull(), F.lit(None)).otherwise(
                F.least(F.greatest(number, F.lit(float(spec.lower))), F.lit(float(spec.upper))))
            if spec.statistic in ("sum", "mean"):
                aggs.append(F.sum(clipped).alias("__sum"))
    table = pl.from_arrow(source.groupBy(*names).agg(*aggs).toArrow())
    assert isinstance(table, pl.DataFrame)
    data: dict[tuple[str, ...], tuple[int, np.ndarray, float]] = {}
    for key, row in zip(_keys(table, spec.by), table.iter_rows(named=True), strict=True):
        n = row["__n"] if has_value else row["__rows"]
        data[key] = (int(n or 0), np.empty(0), float(row.get("__sum") or 0.0))
    if spec.statistic in VALUES and clipped is not None:
        pairs = source.where(value.isNotNull()).select(*names, clipped.alias("__c")).groupBy(*names, "__c").count()
        found = pl.from_arrow(pairs.toArrow())
        assert isinstance(found, pl.DataFrame)
        chunks: dict[tuple[str, ...], list[np.ndarray]] = {}
        for key, v, c in zip(_keys(found, spec.by), found.get_column("__c").to_numpy(),
                             found.get_column("count").to_numpy(), strict=True):
            chunks.setdefault(key, []).append(np.full(int(c), float(v)))
        for key, parts in chunks.items():
            n, _, total = data[key]
            values = np.concatenate(parts)
            values.sort()
            data[key] = (n, values, total)
    return data
