"""The driver's side of the column actions: which way each column runs, and the facts the report needs.

See ``partition.py`` for the three ways (partition, witness, lookup). Facts that add up over batches
(cells masked, rows redacted) come back from the executors; facts about a whole column's set of values
(distinct values, pseudonym collisions, classes after generalizing) are computed here by Spark
aggregations, so the report says what the in-process engine's report says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema

from sanitas.core.column_actions import apply_column
from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnFinding
from sanitas.core.errors import RecipeError
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.recipe import ColumnPlan
from sanitas.core.transforms._text import is_integer
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform
from sanitas.spark.partition import FACTS, BatchWork, ColumnWork, How, merge_facts, partition_function
from sanitas.spark.types import spark_schema

PER_VALUE = {"keep", "redact", "mask", "pseudonymize"}  # output of a value depends on that value only
FITTED = {"fake"}  # output depends on the column's set of values: fitted on its distinct values
NOT_DISTRIBUTED = {
    "scrub": "free-text scrub removes every name and email of the whole table from each note, so it needs the "
             "whole table in one place",
}
VALUE = "__sanitas_value"
DISTRIBUTED = PER_VALUE | FITTED | {"drop", "generalize", "dp_noise"}  # dp_noise: see dp_noise.py


def refusal(action: str) -> str | None:
    """Why ``action`` cannot run on Spark (None when it can), for the up-front refusal."""
    if action in DISTRIBUTED:
        return None
    why = NOT_DISTRIBUTED.get(action, "it has no distributed implementation yet")
    return (f"cannot run on the Spark engine: {why}. Run this recipe with the in-process engine (without "
            "--engine spark), or choose another action")


def how_for(name: str, plan: ColumnPlan, dtype: pl.DataType) -> How:
    action = plan.action
    if action == "drop":
        return "drop"
    if action in PER_VALUE:
        return "partition"
    if action in FITTED:
        return "lookup"
    if action == "generalize":
        p = get_transform(action)(plan.params).params
        if p.method == "postal" and is_integer(dtype):
            return "witness"  # zero-padded to the widest code of the column
        if p.method == "bins" and (dtype.is_float() or dtype == pl.String):
            return "witness"  # labels depend on whether any value of the column has a fraction
        if p.method == "date" and dtype == pl.String:
            return "lookup"  # the text's date format is inferred from the column
        return "partition"
    why = NOT_DISTRIBUTED.get(action, "it has no distributed implementation yet")
    raise RecipeError(f"column '{name}', action '{action}': cannot run on the Spark engine: {why}. Run this recipe "
                      "with the in-process engine (without --engine spark), or choose another action.")


def witness_value(frame: DataFrame, name: str, plan: ColumnPlan, dtype: pl.DataType) -> Any:
    """The one value that tells each batch what the whole column would (see ``partition.py``)."""
    column = F.col(name)
    p = get_transform(plan.action)(plan.params).params
    if p.method == "postal":
        row = frame.where(column.isNotNull()).agg(F.max_by(column, F.length(column.cast("string")))).first()
        return row[0] if row else None
    numbers = column.cast("double") if dtype.is_float() else F.trim(column).cast("double")
    row = frame.where(numbers.isNotNull() & (numbers != F.floor(numbers))).select(column).limit(1).collect()
    return row[0][0] if row else None


@dataclass
class Fitted:
    """A column fitted on its distinct values on the driver: its value map and its exact outcome."""

    mapping: pl.DataFrame
    outcome: ColumnOutcome


def fit_on_distinct(frame: DataFrame, name: str, plan: ColumnPlan, finding: ColumnFinding | None,
                    decision: ColumnDecision, context: TransformContext) -> Fitted:
    """Run the transform on the column's distinct values (the set it depends on) and keep the map.

    Fake draws each new value's fake in sorted order from a seeded Faker and avoids real values and fakes
    already used, so its output depends on the set of values, which the distinct values are: the map is
    the one the in-process engine builds, and ``shared`` carries it to the next column of the same entity.
    """
    column = F.col(name)
    distinct = frame.select(column.alias("value")).where(column.isNotNull()).distinct()
    first = frame.where(column.isNotNull()).select(column).limit(1).collect()
    values = pl.from_arrow(distinct.toArrow()).get_column("value")
    if first:  # the first value first: formats inferred from a column's first value are inferred alike
        head = pl.Series("value", [first[0][0]], dtype=values.dtype)
        values = pl.concat([head, values.filter(values != head[0])])
    outcome, out = apply_column(values.alias(name), plan, finding, decision, context)
    assert out is not None
    return Fitted(mapping=pl.DataFrame({"value": values, "output": out}), outcome=outcome)


def batch_work(jobs: list[ColumnWork], output: Mapping[str, pl.DataType], *, seed: int, locale: str,
               keys: dict[str, bytes], entities: dict[str, str | None], settings: Any) -> BatchWork:
    schema = to_arrow_schema(spark_schema(output))
    return BatchWork(columns=jobs, seed=seed, locale=locale, keys=keys, column_entities=entities,
                     output_schema=schema, settings=settings)


def map_columns(frame: DataFrame, work: BatchWork, output: Mapping[str, pl.DataType]) -> DataFrame:
    """The per-partition pass; its rows plus one facts row per partition (see ``split_facts``)."""
    schema = spark_schema(output).add(FACTS, "string", True)
    return frame.mapInArrow(partition_function(work), schema)


def split_facts(mapped: DataFrame) -> tuple[DataFrame, dict[str, dict[str, Any]]]:
    rows = [r[0] for r in mapped.where(F.col(FACTS).isNotNull()).select(FACTS).collect()]
    return mapped.where(F.col(FACTS).isNull()).drop(FACTS), merge_facts(rows)


def _n_unique_parts(name: str, tag: str) -> list[F.Column]:
    """polars' n_unique over a Spark column is its distinct values plus one when it holds a null."""
    column = F.col(name)
    return [F.count_distinct(column).alias(f"{tag}d"), F.max(column.isNull().cast("int")).alias(f"{tag}n")]


def _n_unique(row: Any, tag: str) -> int:
    return int(row[f"{tag}d"] or 0) + int(row[f"{tag}n"] or 0)


def generalize_facts(source: DataFrame, released: DataFrame,
                     columns: list[tuple[str, ColumnPlan, pl.DataType]]) -> dict[str, dict[str, Any]]:
    """Generalize's figures over whole columns (batches cannot add up distinct counts): one aggregation
    over the input and one over the output for every generalized column at once."""
    before: list[F.Column] = []
    after: list[F.Column] = []
    for i, (name, plan, dtype) in enumerate(columns):
        p = get_transform("generalize")(plan.params).params
        column = F.col(name)
        before += [F.count(column).alias(f"c{i}"), *_n_unique_parts(name, f"b{i}")]
        after += _n_unique_parts(name, f"a{i}")
        top = p.top if p.top is not None or p.method != "age_band" else 90.0
        numbers = column.cast("double") if dtype.is_numeric() else F.trim(column).cast("double")
        coded = p.method in ("bins", "top_bottom", "age_band")
        before.append(F.sum((numbers >= F.lit(top)).cast("long")).alias(f"t{i}") if coded and top is not None
                      else F.lit(0).alias(f"t{i}"))
        before.append(F.sum((numbers < F.lit(p.bottom)).cast("long")).alias(f"u{i}") if coded and p.bottom is not None
                      else F.lit(0).alias(f"u{i}"))
    if not columns:
        return {}
    src, out = source.agg(*before).first(), released.agg(*after).first()
    facts: dict[str, dict[str, Any]] = {}
    for i, (name, plan, _) in enumerate(columns):
        method = get_transform("generalize")(plan.params).params.method
        cells = int(src[f"c{i}"] or 0)
        facts[name] = {"method": method, "cells_generalized": cells}
        if cells:
            facts[name].update(distinct_before=_n_unique(src, f"b{i}"), distinct_after=_n_unique(out, f"a{i}"))
            if method in ("bins", "top_bottom", "age_band"):
                facts[name].update(top_coded=int(src[f"t{i}"] or 0), bottom_coded=int(src[f"u{i}"] or 0))
    return facts


def pseudonym_facts(source: DataFrame, name: str, work: BatchWork, column: ColumnWork, out_dtype: pl.DataType,
                    in_dtype: pl.DataType, exact: Callable[[pl.Series], dict[str, Any]]) -> dict[str, Any]:
    """Distinct values, distinct inputs and collisions over the whole column.

    The distinct values are pseudonymized on the executors; only values whose pseudonym another value
    also got (none, mostly) come to the driver, where the transform itself (``exact``) tells a real
    collision from two spellings of one input (trim, case folding) and counts them.
    """
    c = F.col(name)
    distinct = source.select(c, c.alias(VALUE)).where(c.isNotNull()).distinct()
    pair_work = BatchWork(columns=[column, ColumnWork(VALUE, "keep", {}, None, "pass")], seed=work.seed,
                          locale=work.locale, keys=work.keys, column_entities=work.column_entities,
                          output_schema=to_arrow_schema(spark_schema({name: out_dtype, VALUE: in_dtype})),
                          settings=work.settings)
    pairs, facts = split_facts(map_columns(distinct, pair_work, {name: out_dtype, VALUE: in_dtype}))
    facts = facts.get(name, {})
    pairs = pairs.cache()
    try:
        outputs = pairs.select(c).distinct().count()
        shared = pairs.groupBy(c).count().where(F.col("count") > 1).select(c)
        candidates = pairs.join(shared, on=name, how="inner").select(VALUE).toArrow()
        shared_outputs = shared.count()
    finally:
        pairs.unpersist()
    values = pl.from_arrow(candidates).get_column(VALUE).alias(name)
    collided = exact(values) if values.len() else {"distinct_inputs": 0, "collisions": 0}
    facts["distinct_inputs"] = outputs - shared_outputs + int(collided.get("distinct_inputs", 0))
    facts["collisions"] = int(collided.get("collisions", 0))
    return facts


def arrow_schema_of(output: Mapping[str, pl.DataType]) -> pa.Schema:
    return to_arrow_schema(spark_schema(output))
