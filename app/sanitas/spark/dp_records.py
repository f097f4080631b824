"""The differential-privacy step's ``output: records`` on Spark: one more per-partition pass that noises
the dp_noise columns (see ``dp_noise.py`` for the noise itself), after k-anonymity as in process."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from sanitas.core.privacy.dp.column_noise import output_dtype
from sanitas.core.privacy.dp.facts import MechanismFacts
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.spark.columns import batch_work, map_columns, split_facts
from sanitas.spark.dp_noise import final_facts, resolve
from sanitas.spark.partition import ColumnWork


def noise_frame(numbered: DataFrame, output: Mapping[str, pl.DataType], params: Mapping[str, DpNoiseParams],
                noise_seed: int | None, row: str) -> tuple[DataFrame, dict[str, pl.DataType], list[MechanismFacts]]:
    """The released frame with its dp_noise columns noised (persisted), the new dtypes and the report entries."""
    present = {c: p for c, p in params.items() if c in output}
    resolved, template = resolve(numbered, present, output, noise_seed)
    new = {c: output_dtype(resolved[c], t) if c in resolved else t for c, t in output.items()}
    jobs = [ColumnWork(c, "dp_noise", resolved[c].model_dump(), None, "dp_noise") if c in resolved
            else ColumnWork(c, "keep", {}, None, "pass") for c in output]
    jobs.append(ColumnWork(row, "keep", {}, None, "pass"))
    with_row = {**new, row: pl.Int64}
    work = batch_work(jobs, with_row, seed=0, locale="en_US", keys={}, entities={}, settings=None)
    work.extra["noise_seed"] = noise_seed
    mapped = map_columns(numbered, work, with_row).persist(StorageLevel.MEMORY_AND_DISK)
    noisy, counted = split_facts(mapped)
    noisy = noisy.persist(StorageLevel.MEMORY_AND_DISK)  # read many times: noise must be drawn once
    noisy.count()
    mapped.unpersist()
    return noisy, new, final_facts(template, counted)
