"""Differential privacy on Spark: dp_noise per row and DP aggregates, against the in-process engine.

Noise is random, so records are compared by distribution (two-sample KS tests, shares) and by the
report's accounting, which must be equal: mechanisms, epsilon spent, bounds, noise scales, values
clamped, nulls kept. Aggregates drawn from the same seeded generator (``noise_seed`` on Spark, ``rng``
in process: the core API only) must be the same figures, which proves the group-bys feed the noise the
same exact inputs. 3,000 made-up rows on local[2], several partitions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from scipy.stats import ks_2samp

from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

ROWS = 3_000


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dp")
    rng = np.random.default_rng(11)
    age = rng.integers(18, 95, ROWS)
    frame = pl.DataFrame({
        "id": [f"P{i:05d}" for i in range(ROWS)],
        "age": pl.Series(age, dtype=pl.Int64).scatter(list(range(0, ROWS, 97)), None),
        "income": rng.normal(40_000, 25_000, ROWS).round(2),  # some below 0: clamped
        "smoker": rng.choice(["yes", "no", "unknown"], ROWS, p=[0.3, 0.65, 0.05]).tolist(),
        "city": rng.choice(["Lyon", "Paris", "Nice", "Brest"], ROWS).tolist(),
        "score": rng.integers(10, 400, ROWS),
    })
    frame.write_parquet(folder / "people.parquet", row_group_size=400)
    return folder


def _recipe(folder: Path, name: str, columns: dict, section: dict) -> Path:
    data = {"version": 1, "seed": 1, "unlisted_columns": "keep", "columns": columns, "differential_privacy": section}
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_dp_noise_per_row_has_the_in_process_distribution_and_accounting(spark, table: Path) -> None:
    from sanitas.spark.engine import run_on_spark

    recipe = load_recipe(_recipe(table, "noise.yaml", {
        "id": {"action": "keep"},
        "age": {"action": "dp_noise", "params": {"epsilon": 1.0, "lower": 0, "upper": 100}},
        "income": {"action": "dp_noise", "params": {"epsilon": 1.0, "lower": 0, "upper": 100_000}},
        "smoker": {"action": "dp_noise", "params": {"epsilon": 1.0, "domain": ["yes", "no"]}},
        "score": {"action": "dp_noise", "params": {"epsilon": 1.0, "bounds_epsilon": 8.0}},
    }, {"epsilon": 12.0}))
    source = table / "people.parquet"
    local = run(open_dataset(source), recipe, recipe_dir=table, rng=np.random.default_rng(3))
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=table, scan=local.scan, noise_seed=3)
    try:
        assert result.partitions >= 2
        out = pl.from_arrow(result.frame.orderBy("__sanitas_row").drop("__sanitas_row").toArrow())
    finally:
        result.close()
    expected = local.frame
    assert out.columns == expected.columns and out.schema == expected.schema
    assert out.get_column("id").equals(expected.get_column("id"))  # the same rows, in order
    assert out.get_column("city").equals(expected.get_column("city"))
    assert out.get_column("age").is_null().equals(expected.get_column("age").is_null())
    for name in ("age", "income", "score"):
        assert ks_2samp(out.get_column(name).drop_nulls(), expected.get_column(name).drop_nulls()).pvalue > 1e-4, name
    yes, local_yes = (f.get_column("smoker").eq("yes").mean() for f in (out, expected))
    assert abs(yes - local_yes) < 0.06
    raw = pl.read_parquet(source)
    assert (out.get_column("income") != raw.get_column("income")).mean() > 0.99  # every value noised

    spark_dp, local_dp = result.release.facts("differential_privacy"), local.facts("differential_privacy")
    assert spark_dp.model_dump() == local_dp.model_dump()
    assert {m.column: m.values_outside for m in spark_dp.mechanisms}["income"] > 0
    by_name = {o.name: o for o in result.release.outcomes}
    for outcome in local.outcomes:
        assert by_name[outcome.name].facts == outcome.facts, outcome.name
        assert by_name[outcome.name].output_dtype == outcome.output_dtype, outcome.name


def test_dp_aggregates_by_spark_group_bys_are_the_in_process_figures(spark, table: Path) -> None:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark
    from sanitas.spark.io import check_output

    recipe_path = _recipe(table, "aggregates.yaml", {}, {
        "epsilon": 6.0, "delta": 1e-6, "output": "aggregates", "aggregates": [
            {"statistic": "count", "by": ["city"], "epsilon": 1.0,
             "domains": {"city": ["Lyon", "Paris", "Nice", "Brest", "Lille"]}},
            {"statistic": "mean", "column": "income", "by": ["smoker"], "epsilon": 1.0, "lower": 0, "upper": 1e5},
            {"statistic": "sum", "column": "score", "epsilon": 1.0, "lower": 0, "upper": 500},
            {"statistic": "median", "column": "age", "by": ["city"], "epsilon": 1.0, "lower": 0, "upper": 100,
             "domains": {"city": ["Lyon", "Paris", "Nice", "Brest"]}},
            {"statistic": "histogram", "column": "score", "epsilon": 1.0, "lower": 0, "upper": 500, "bins": 5},
            {"statistic": "count", "column": "age", "by": ["smoker", "city"], "epsilon": 1.0},
        ]})
    recipe = load_recipe(recipe_path)
    source = table / "people.parquet"
    local = run(open_dataset(source), recipe, recipe_dir=table, rng=np.random.default_rng(5))
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=table, scan=local.scan, noise_seed=5)
    out = table / "figures.csv"
    try:
        exported = export_spark(result, source, out, check_output(out, source, {}), recipe_path=recipe_path)
    finally:
        result.close()
    expected = local.artifact
    got = result.release.artifact
    assert got is not None and got.height == expected.height > 20
    assert got.select("statistic", "column", "group").equals(expected.select("statistic", "column", "group"))
    for name in ("value", "noise_scale", "ci95_low", "ci95_high"):
        assert np.allclose(got.get_column(name).to_numpy(), expected.get_column(name).to_numpy(), rtol=1e-9,
                           atol=1e-6, equal_nan=True), name
    assert result.release.facts("differential_privacy").model_dump() == \
        local.facts("differential_privacy").model_dump()
    written = pl.read_csv(sorted(out.glob("part-*.csv")))
    assert written.height == expected.height and written.columns == expected.columns
    assert exported.report.output.rows == expected.height
