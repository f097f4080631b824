"""k-anonymity's global recoding on Spark: classes counted by Spark, the search by the core, the
chosen generalization applied per partition, suppression by a join.

1. One Spark aggregation counts the rows of every distinct combination of the section's columns
   (quasi-identifiers, sensitive columns, and the detected quasi-identifiers released unchanged that
   the facts mention). Nothing else of the table comes to the driver.
2. The core's own step (``k_anonymity_step``: hierarchies, lattice search, suppression, the independent
   check, risk and utility) runs on the driver on those combinations with their counts as weights
   (``weight=``, never repeated back into records): the search's statistics are the class counts, so the
   chosen levels, the suppressed classes and every figure of the report are the in-process ones. Driver
   memory grows with the number of distinct combinations, not with the rows.
3. Each partition generalizes its quasi-identifiers with the chosen levels (``Hierarchy.generalize``)
   and joins its rows with the suppressed combinations (shipped to every executor, a broadcast join
   that keeps the rows in order) to remove them, or mask them with '*' as in process.

Mondrian (local recoding that splits the whole table recursively) is refused by the engine up front.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import VerificationError
from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, value_text
from sanitas.core.privacy.k_anonymity.release import k_anonymity_step, load_hierarchies
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.progress import CancelToken, Progress, no_progress
from sanitas.core.steps.protocol import StepResult
from sanitas.spark.partition import lookup_bytes
from sanitas.spark.residual import ROW
from sanitas.spark.rows import with_row_number
from sanitas.spark.types import spark_schema

COMBO = "__sanitas_combo"
COUNT = "__sanitas_count"


def class_counts(frame: DataFrame, columns: list[str]) -> pl.DataFrame:
    """Every distinct combination of ``columns`` with its row count (one Spark aggregation)."""
    counted = pl.from_arrow(frame.groupBy(*columns).count().withColumnRenamed("count", COUNT).toArrow())
    assert isinstance(counted, pl.DataFrame)
    return counted.sort(columns, nulls_last=True).with_row_index(COMBO)


def spark_k_anonymity(spark: SparkSession, numbered: DataFrame, output: dict[str, pl.DataType], section: Any,
                      decisions: dict[str, ColumnDecision], recipe_dir: Path | None, cancel: CancelToken,
                      source: str = "the table", progress: Progress = no_progress, threshold: float | None = None,
                      ) -> tuple[DataFrame, list[int], dict[str, pl.DataType], StepResult]:
    """The released frame (renumbered, persisted), its partition sizes, its column types and the step's result."""
    assert isinstance(section, KAnonymitySection)
    qis, sensitive = list(section.quasi_identifiers), list(section.sensitive)
    roles = {*qis, *sensitive, *section.identifying}
    unchanged = [d.name for d in decisions.values() if d.kind is ColumnKind.QUASI_IDENTIFIER and d.action == "keep"
                 and d.name not in roles and d.name in output]
    columns = list(dict.fromkeys([*qis, *sensitive, *unchanged]))
    counts = class_counts(numbered, columns)
    cancel.raise_if_cancelled()
    released, facts = k_anonymity_step(counts, section, recipe_dir=recipe_dir, source=source, progress=progress,
                                       cancel=cancel, unchanged_quasi_identifiers=unchanged, weight=COUNT,
                                       threshold=threshold)
    if not facts.all_hold:  # as the in-process step: never release what the independent check rejects
        failed = "; ".join(f"{c.model} (required {c.required:g}, found {c.achieved})" for c in facts.checks
                           if not c.holds)
        raise VerificationError(f"Not exporting {source}: the released table does not satisfy {failed}. This should "
                                "not happen; please report it with the recipe (no data needed).")
    hierarchies, _ = load_hierarchies(section, counts, recipe_dir)
    levels = {c: facts.levels[c] for c in qis}
    suppressed = _suppressed(counts, released, hierarchies, levels, section.suppression)
    types = {**output, **{c: released.schema[c] for c in qis}}
    apply = _partition_function(
        {c: hierarchies[c] for c in qis}, levels, columns, lookup_bytes(suppressed.select(columns)),
        section.suppression, suppressed.height > 0, _arrow_schema(types, numbered))
    mapped = numbered.mapInArrow(apply, spark_schema({**types, ROW: pl.Int64}))
    renumbered, sizes = with_row_number(mapped.drop(ROW), ROW)
    renumbered = renumbered.persist(StorageLevel.MEMORY_AND_DISK)
    renumbered.count()
    numbered.unpersist()
    # the report's column lines read the released quasi-identifiers' type from the step's frame (and the rows
    # from its facts): the released combinations, not the records
    return renumbered, sizes, types, StepResult(frame=released.drop(COMBO, COUNT), facts=facts)


def _suppressed(counts: pl.DataFrame, released: pl.DataFrame, hierarchies: dict[str, Hierarchy],
                levels: dict[str, int], mode: str) -> pl.DataFrame:
    """The combinations the core's step suppressed (a combination lies in one class: all of its records or none)."""
    if mode == "remove":
        kept = released.get_column(COMBO).unique()
        return counts.filter(~pl.col(COMBO).is_in(kept.implode()))
    # mask: every record kept in order; a suppressed one reads '*' where its generalization does not
    generalized = counts.select([value_text(hierarchies[c].generalize(counts.get_column(c), level)).alias(c)
                                 for c, level in levels.items()])
    differs = pl.DataFrame([released.get_column(c).cast(pl.String).ne_missing(generalized.get_column(c))
                            for c in levels]).select(pl.any_horizontal(pl.all())).to_series()
    combos = released.get_column(COMBO).filter(differs).unique()
    return counts.filter(pl.col(COMBO).is_in(combos.implode()))


def _arrow_schema(types: dict[str, pl.DataType], numbered: DataFrame) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    ordered = {c: types[c] for c in numbered.columns if c != ROW}
    return to_arrow_schema(spark_schema({**ordered, ROW: pl.Int64}))


def _partition_function(hierarchies: dict[str, Hierarchy], levels: dict[str, int], columns: list[str],
                        suppressed: bytes, mode: str, any_suppressed: bool, schema: pa.Schema):
    """Generalize each batch's quasi-identifiers; remove or mask the rows of suppressed combinations."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        with pa.ipc.open_stream(suppressed) as reader:
            withheld = pl.from_arrow(reader.read_all())
        assert isinstance(withheld, pl.DataFrame)
        withheld = withheld.with_columns(pl.lit(True).alias("__withheld"))
        for batch in batches:
            frame = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(frame, pl.DataFrame)
            flag = pl.Series("__withheld", [False] * frame.height)
            if withheld.height and frame.height:
                joined = frame.select(columns).join(withheld, on=columns, how="left", nulls_equal=True,
                                                    maintain_order="left")
                flag = joined.get_column("__withheld").fill_null(False)
            out = frame.with_columns([hierarchies[c].generalize(frame.get_column(c), level).alias(c)
                                      for c, level in levels.items()])
            if any_suppressed and mode == "remove":
                out = out.filter(~flag)
            elif any_suppressed:
                star = pl.lit(STAR, dtype=pl.String)
                out = out.with_columns([pl.when(flag).then(star).otherwise(value_text(out.get_column(c))).alias(c)
                                        for c in levels])
            yield from out.to_arrow().cast(schema).to_batches()

    return run
