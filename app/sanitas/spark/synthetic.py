"""Whole-table synthetic data on Spark: trained on a bounded sample on the driver, sampled in parallel.

A synthesizer learns distributions, which an evenly spread sample of at most ``MAX_TRAINING_ROWS`` rows
holds as well as the whole table; training is the core's ``synthesize`` on that sample (which also draws
as many rows on the driver for the quality, privacy and utility checks, so the report's figures are the
core's). The fitted model is then shipped to the executors, and each partition draws its share of the
release with its own seed; generated identifiers that equal a real value of the training sample are
redrawn there, as on one machine. Column actions applied after sampling (mask, redact, generalize) are
not run on Spark yet and are refused up front (``refusals``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sanitas.core.decisions import ColumnDecision
from sanitas.core.errors import RecipeError
from sanitas.core.progress import CancelToken
from sanitas.core.steps.protocol import PlanView, StepResult
from sanitas.spark.residual import ROW
from sanitas.spark.rows import with_row_number
from sanitas.spark.types import spark_schema

MAX_TRAINING_ROWS = 200_000
ROWS_PER_PARTITION = 100_000
AFTER_SAMPLING = ("mask", "redact", "generalize")


def refusals(actions: dict[str, str]) -> list[str]:
    return [f"column '{c}', action '{a}': with a synthetic section it applies to the sampled rows, which the "
            "Spark engine does not do yet; run this recipe without --engine spark, or drop the column"
            for c, a in actions.items() if a in AFTER_SAMPLING]


def training_sample(numbered: DataFrame, rows: int, limit: int = MAX_TRAINING_ROWS) -> pl.DataFrame:
    """At most ``limit`` rows spread evenly over the table (every k-th row, in order)."""
    step = max(1, -(-rows // limit))
    picked = numbered.where(F.col(ROW) % step == 0).orderBy(ROW).drop(ROW)
    table = pl.from_arrow(picked.toArrow())
    assert isinstance(table, pl.DataFrame)
    return table


def spark_synthetic(spark: SparkSession, numbered: DataFrame, rows: int, section: Any,
                    decisions: dict[str, ColumnDecision], view: PlanView, cancel: CancelToken,
                    source: str) -> tuple[DataFrame, list[int], dict[str, pl.DataType], StepResult]:
    """The synthetic frame (numbered, persisted), its partition sizes and types, and the step's result."""
    from pyspark import cloudpickle

    from sanitas.core.privacy.synthetic.frames import to_pandas
    from sanitas.core.privacy.synthetic.release import synthesize
    from sanitas.core.privacy.synthetic.step import SyntheticStep, identifiers_from, quasi_identifiers_from

    sample = training_sample(numbered, rows)
    kept = {n: d for n, d in decisions.items() if n in sample.columns}
    identifiers = identifiers_from(kept, view.params)
    problems = SyntheticStep().identifier_problems(section, identifiers)
    if problems:
        raise RecipeError(f"{source}: the synthetic section does not fit the scanned columns:", problems)
    wanted = section.rows or rows
    trained: dict[str, Any] = {}
    release = synthesize(sample, section.model_copy(update={"rows": min(wanted, sample.height)}),
                         identifiers=identifiers, quasi_identifiers=quasi_identifiers_from(kept), seed=view.seed,
                         locale=view.locale, cancel=cancel, on_trained=lambda **kw: trained.update(kw))
    cancel.raise_if_cancelled()
    synth = trained["synthesizer"]
    _shippable(synth)
    generated = list(trained["generated"])
    real = to_pandas(sample.select(generated)) if generated else None
    schema = dict(release.frame.schema)
    parts = max(spark.sparkContext.defaultParallelism, -(-wanted // ROWS_PER_PARTITION))
    shares = [wanted // parts + (1 if i < wanted % parts else 0) for i in range(parts)]
    shipped = spark.sparkContext.broadcast(cloudpickle.dumps(
        (synth, trained["sdtypes"], generated, real, view.locale, view.seed, shares)))
    arrow = _arrow_schema(schema)
    drawn = spark.range(0, parts, 1, parts).mapInArrow(_sampler(shipped, schema, arrow), spark_schema(schema))
    frame, sizes = with_row_number(drawn, ROW)
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)  # seeded per partition, but drawn once all the same
    frame.count()
    numbered.unpersist()
    facts = release.facts.model_copy(update={"rows_input": rows, "rows_generated": wanted})
    facts.metadata_notes.append(
        f"Spark engine: trained on an evenly spread sample of {sample.height:,} of the {rows:,} input rows "
        f"(at most {MAX_TRAINING_ROWS:,}); the checks compare {release.frame.height:,} rows drawn on the driver; "
        f"the {wanted:,} released rows were drawn from the same model in {parts} partitions")
    column_facts = {name: {"generated_by": "format", "entity": identifiers[name]}
                    for name in view.columns_with("fake") if name in identifiers}
    return frame, sizes, schema, StepResult(frame=release.frame.head(0), facts=facts, releases_real_records=False,
                                            column_facts=column_facts)


def _shippable(synth: Any) -> None:
    """Drop the fit's cancel and progress hooks, which hold locks: the core's watched classes are local
    subclasses of SDV's that only change fitting, so their SDV base classes sample the same way."""
    for holder in (synth, getattr(synth, "_model", None)):
        if holder is None:
            continue
        for name in ("_sanitas_watch", "watch"):
            holder.__dict__.pop(name, None)
        if "<locals>" in type(holder).__qualname__:
            holder.__class__ = type(holder).__mro__[1]


def _arrow_schema(schema: dict[str, pl.DataType]) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(spark_schema(schema))


def _sampler(shipped: Any, schema: dict[str, pl.DataType], arrow: pa.Schema):
    """Each partition's rows: its share of the release, drawn with a seed of its own."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pickle

        from sanitas.core.privacy.synthetic import train as training
        from sanitas.core.privacy.synthetic.frames import from_pandas
        from sanitas.core.privacy.synthetic.identifiers import redraw_real_values

        synth, sdtypes, generated, real, locale, seed, shares = pickle.loads(shipped.value)
        for batch in batches:
            for part in batch.column(0).to_pylist():
                count = shares[part]
                if not count:
                    continue
                part_seed = seed * 1_000_003 + part + 1
                sampled = training.sample(synth, count, part_seed)
                if generated and real is not None:
                    redraw_real_values(sampled, real, sdtypes, generated, locale, part_seed)
                yield from from_pandas(sampled, schema).to_arrow().cast(arrow).to_batches()

    return run
