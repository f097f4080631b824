"""Synthetic data on Spark: trained on the driver (a bounded sample), the release drawn in parallel on the
executors; the columns and types of the input (drops aside), as many rows as asked, every value
generated, and the report (written by the Spark export) holding the in-process report's ``synthetic``
object and saying how it was trained. 600 made-up rows, fast settings (no quality report), on local[2]."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from sanitas.core.recipe import load_recipe

ROWS = 600


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    rng = np.random.default_rng(2)
    pl.DataFrame({
        "name": [f"Person {i}" for i in range(ROWS)],
        "age": rng.integers(18, 90, ROWS),
        "city": rng.choice(["Lyon", "Paris", "Nice"], ROWS).tolist(),
        "income": rng.normal(40_000, 9_000, ROWS).round(2),
        "ssn": [f"{i:03d}-45-{i:04d}" for i in range(ROWS)],
    }).write_parquet(folder / "people.parquet", row_group_size=100)
    return folder


def test_synthetic_trains_on_the_driver_and_samples_on_the_executors(spark, table: Path) -> None:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark

    data = {"version": 1, "seed": 4, "unlisted_columns": "keep",
            "columns": {"name": {"action": "fake", "params": {"entity": "PERSON"}}, "ssn": {"action": "drop"}},
            "synthetic": {"rows": 1_500, "evaluation": {"quality": False}}}
    path = table / "synthetic.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    recipe = load_recipe(path)
    source = table / "people.parquet"
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=table)
    try:
        assert result.partitions >= 2
        out = pl.from_arrow(result.frame.orderBy("__sanitas_row").drop("__sanitas_row").toArrow())
        written = export_spark(result, source, table / "synthetic.out.parquet", "parquet")
    finally:
        result.close()
    report = json.loads(written.report_json.read_text())
    assert report["steps"] == ["synthetic"]
    assert {"rows_trained", "rows_held_out", "privacy", "sdtypes"} <= set(report["synthetic"])
    assert report["synthetic"]["rows_generated"] == 1_500 and report["engine"]["name"] == "spark"
    assert pl.read_parquet(sorted(written.output.glob("part-*.parquet"))).height == 1_500  # type: ignore[union-attr]
    assert out.schema == {"name": pl.String, "age": pl.Int64, "city": pl.String, "income": pl.Float64}
    assert out.height == 1_500
    real = pl.read_parquet(source)
    assert not set(out.get_column("name").to_list()) & set(real.get_column("name").to_list())
    assert out.get_column("city").is_in(["Lyon", "Paris", "Nice"]).all()
    assert out.get_column("age").is_between(18, 89).all()
    assert out.unique().height > 1_400  # partitions drew different rows, not one seed's rows again
    facts = result.release.facts("synthetic")
    assert facts.rows_generated == 1_500 and facts.rows_input == ROWS
    assert any("Spark engine: trained on" in note for note in facts.metadata_notes)
    by_name = {o.name: o for o in result.release.outcomes}
    assert by_name["age"].generates_values and not by_name["age"].kept_as_is
    assert by_name["name"].facts == {"generated_by": "format", "entity": "PERSON"}
    assert by_name["ssn"].removed
