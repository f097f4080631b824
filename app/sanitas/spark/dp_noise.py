"""The ``dp_noise`` column action on Spark: noise per row, per partition, under the same accounting.

On the driver: bounds asked for with ``bounds_epsilon`` are estimated under DP from the exact counts per
power-of-two range, counted per partition (``range_counts``) and fed to the core's estimator with
``weights`` (the same histogram as on one machine, without bringing the rows over); each column's
report entry is the core's own (``noise_series`` on an empty column with the resolved params), with the
counts that add up over rows (values clamped, nulls kept) summed from the partitions.

On the executors: each batch calls the core's ``noise_series`` with the resolved params, so clamping,
grids, samplers and rounding are the in-process code. Randomness is the operating system's on every
executor. ``noise_seed`` (core API only, never the recipe) seeds a generator per partition and batch, so
a test can compare the distribution and accounting with the in-process engine's.

The noisy frame is persisted by the caller before anything reads it twice: recomputing a partition
would draw new noise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sanitas.core.errors import RecipeError
from sanitas.core.privacy.dp.bounds import edges, estimate_bounds
from sanitas.core.privacy.dp.column_noise import noise_series
from sanitas.core.privacy.dp.facts import MechanismFacts
from sanitas.core.privacy.dp.noise_params import DpNoiseParams

COUNTS = "__sanitas_range_counts"


def refusals(params: Mapping[str, DpNoiseParams]) -> list[str]:
    """What the Spark engine cannot noise yet, named per column."""
    return [f"column '{c}', action 'dp_noise': domain_from_hierarchy takes its categories from a k-anonymity "
            "hierarchy built on the whole table, which the Spark engine does not build; list the domain instead"
            for c, p in params.items() if p.domain_from_hierarchy]


def range_counts(frame: DataFrame, column: str) -> np.ndarray:
    """Rows per power-of-two range of ``bounds.edges()`` (finite values, clipped into the outer ranges), exact."""
    bins = edges()

    def count(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        total = np.zeros(bins.size - 1, dtype=np.int64)
        for batch in batches:
            values = batch.column(0).to_numpy(zero_copy_only=False).astype(np.float64)
            values = np.clip(values[np.isfinite(values)], bins[0], bins[-1])
            total += np.histogram(values, bins=bins)[0].astype(np.int64)
        yield pa.RecordBatch.from_arrays([pa.array([total.tolist()], pa.list_(pa.int64()))], names=[COUNTS])

    numbers = frame.select(F.col(column).cast("double").alias("v")).where(F.col("v").isNotNull())
    rows = numbers.mapInArrow(count, f"{COUNTS} array<bigint>").collect()
    out = np.zeros(bins.size - 1, dtype=np.int64)
    for row in rows:
        out += np.asarray(row[0], dtype=np.int64)
    return out


def resolve(frame: DataFrame, params: Mapping[str, DpNoiseParams], schema: Mapping[str, pl.DataType],
            noise_seed: int | None) -> tuple[dict[str, DpNoiseParams], dict[str, MechanismFacts]]:
    """Params the executors can apply as they are (bounds estimated here) and each column's report entry."""
    problems = refusals(params)
    if problems:
        raise RecipeError("The Spark engine cannot run this recipe yet:", problems)
    resolved: dict[str, DpNoiseParams] = {}
    template: dict[str, MechanismFacts] = {}
    for i, (name, p) in enumerate(params.items()):
        dtype = schema[name]
        empty = pl.Series(name, [], dtype=dtype)
        if p.bounds_epsilon is None or dtype == pl.Null:
            resolved[name] = p.with_bounds(0.0, 1.0) if p.bounds_epsilon is not None else p
            template[name] = noise_series(empty, resolved[name])[1]
            continue
        share = p.bounds_epsilon
        counts = range_counts(frame, name)
        rng = None if noise_seed is None else np.random.default_rng([noise_seed, 1 << 20, i])
        lower, upper = estimate_bounds(edges()[:-1], share, integer=dtype.is_integer(), column=name, rng=rng,
                                       weights=counts)
        if dtype.is_integer():
            info = np.iinfo(empty.to_numpy().dtype)
            lower, upper = max(lower, float(info.min)), min(upper, float(info.max))
        resolved[name] = p.with_bounds(lower, upper)
        facts = noise_series(empty, resolved[name])[1]
        facts.epsilon += share  # as noise_series says it after estimating
        facts.bounds_source = f"estimated under DP (epsilon {share:g} of the share)"
        facts.notes.append(f"bounds [{lower:g}, {upper:g}] estimated under DP with epsilon {share:g}; the noise "
                           f"used the other {facts.epsilon - share:g}")
        template[name] = facts
    return resolved, template


def noise_batch(series: pl.Series, params: dict[str, Any], noise_seed: int | None,
                batch: int) -> tuple[pl.Series, dict[str, int]]:
    """One batch of one column noised on an executor; the counts that add up over batches."""
    rng = None
    if noise_seed is not None:
        from pyspark import TaskContext

        context = TaskContext.get()
        part = context.partitionId() if context is not None else 0
        rng = np.random.default_rng([noise_seed, part, batch])
    out, facts = noise_series(series, DpNoiseParams.model_validate(params), rng)
    return out, {"values_outside": int(facts.values_outside or 0), "nulls_kept": int(facts.nulls_kept or 0)}


def final_facts(template: Mapping[str, MechanismFacts],
                counted: Mapping[str, Mapping[str, Any]]) -> list[MechanismFacts]:
    """The report entries: the driver's template with the partitions' counts."""
    out = []
    for name, facts in template.items():
        facts = facts.model_copy(deep=True)
        got = counted.get(name, {})
        facts.values_outside = int(got.get("values_outside", 0))
        facts.nulls_kept = int(got.get("nulls_kept", 0))
        out.append(facts)
    return out

