"""The residual check on Spark: original identifier values searched in every output row by a join.

Part (a) of the in-process check (``core/residual.py``), exact matches, runs over all rows and all
partitions: each released cell (trimmed text) is joined with the distinct original values of the
identifier columns. The parts that read cell by cell with the detector (re-scan, second opinion,
substring search in free text) run on the first rows on the driver by the core's own check, and the
report says how many rows each part covered.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sanitas.core.detect.findings import ColumnKind
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.progress import CancelToken, Progress
from sanitas.core.residual import MIN_VALUE_LENGTH, ROWS_SHOWN, ResidualCheck, ValueHit, residual_check
from sanitas.core.settings import Settings

ROW = "__sanitas_row"


@dataclass
class Coverage:
    rows: int
    partitions: int
    sampled_rows: int

    def sentence(self) -> str:
        return (f"Spark engine: the exact search for original identifier values covered all {self.rows:,} output rows "
                f"in {self.partitions} partition(s); the detector re-scan, second opinion and free-text search covered "
                f"the first {self.sampled_rows:,} rows.")


def _text(column: str) -> F.Column:
    return F.trim(F.col(column).cast("string"))


def exact_hits_spark(source: DataFrame, released: DataFrame, schema: dict[str, pl.DataType],
                     source_schema: dict[str, pl.DataType], identifiers: list[str]) -> list[ValueHit]:
    """Released cells equal to an original identifier value, by output column and source column.

    ``released`` carries the global row number in ``ROW``. One union of (column, row, value) joined with
    the originals: Spark chooses the join (broadcast for a few thousand values, sort-merge beyond).
    """
    originals = None
    for name in identifiers:
        values = source.select(_text(name).alias("value")).where(F.length("value") >= MIN_VALUE_LENGTH)
        values = values.distinct().withColumn("source", F.lit(name))
        originals = values if originals is None else originals.unionByName(values)
    numeric_ids = any(source_schema[c].is_numeric() for c in identifiers)
    names = [n for n, dtype in schema.items()
             if not ((dtype.is_numeric() and not numeric_ids) or dtype.is_temporal() or dtype == pl.Boolean)]
    # such cells cannot spell a text identifier of 4+ characters; the rest in one pass over the output
    cells = None
    if names:
        pairs = F.explode(F.array(*[F.struct(F.lit(n).alias("column"), _text(n).alias("value")) for n in names]))
        cells = released.select(F.col(ROW), pairs.alias("cell")).select(ROW, "cell.column", "cell.value")
    if originals is None or cells is None:
        return []
    matched = cells.where(F.col("value").isNotNull()).join(originals, on="value", how="inner").select(
        "column", "source", ROW).distinct().cache()
    try:
        counts = matched.groupBy("column", "source").count().collect()
        hits = []
        for row in sorted(counts, key=lambda r: (list(schema).index(r["column"]), identifiers.index(r["source"]))):
            first = (matched.where((F.col("column") == row["column"]) & (F.col("source") == row["source"]))
                     .select(ROW).orderBy(ROW).limit(ROWS_SHOWN).collect())
            hits.append(ValueHit(column=row["column"], source_column=row["source"], match="exact",
                                 count=int(row["count"]), rows=[int(r[0]) + 1 for r in first]))
    finally:
        matched.unpersist()
    return hits


def spark_residual(source: DataFrame, released: DataFrame, schema: dict[str, pl.DataType],
                   source_schema: dict[str, pl.DataType], outcomes: list[ColumnOutcome], *, head_source: pl.DataFrame,
                   head_released: pl.DataFrame, rows: int, partitions: int, settings: Settings, progress: Progress,
                   cancel: CancelToken) -> tuple[ResidualCheck, Coverage]:
    """The whole check: exact values over every row (Spark), the rest over the first rows (the core)."""
    progress(0.0, "Re-scanning the first rows of the output (detector, second opinion, free text)")
    check = residual_check(head_source, head_released, outcomes, settings=settings, cancel=cancel)
    cancel.raise_if_cancelled()
    substring = [h for h in check.value_hits if h.match == "substring"]
    identifiers = [o.name for o in outcomes if o.kind is ColumnKind.IDENTIFIER and not o.kept_as_is]
    progress(0.4, "Joining every output cell with the original identifier values")
    exact = exact_hits_spark(source, released, schema, source_schema, identifiers) if identifiers and schema else []
    check.value_hits = exact + substring
    check.identifier_columns = identifiers
    check.cells_checked = rows * len(schema) if identifiers else 0
    progress(1.0, "Residual check done")
    return check, Coverage(rows=rows, partitions=partitions, sampled_rows=head_released.height)
