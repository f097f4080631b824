"""k-anonymity's global recoding on Spark gives the in-process release row for row, and the same facts.

3,000 made-up records on local[2] (several partitions), k=5 with distinct 2-diversity, automatic
hierarchies; suppressed records removed, or masked with '*'. Mondrian is refused by name (test_spark_cli).
The driver receives the distinct combinations of the section's columns with a count each, never the
records: every table the run brings to the driver is at most that big (the records are 40% more).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from figures_close import figures_close
from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

ROWS = 3_000


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kanon")
    rng = np.random.default_rng(5)
    frame = pl.DataFrame({
        "name": [f"Person {i}" for i in range(ROWS)],
        "age": rng.integers(18, 60, ROWS),
        "zip": rng.choice([f"{z:05d}" for z in rng.integers(10_000, 99_999, 10)], ROWS).tolist(),
        "sex": rng.choice(["F", "M"], ROWS).tolist(),
        "diagnosis": rng.choice(["flu", "asthma", "diabetes", "none", "rare"], ROWS,
                                p=[0.3, 0.2, 0.2, 0.29, 0.01]).tolist(),
        "visits": rng.integers(0, 12, ROWS),
    })
    frame.write_parquet(folder / "patients.parquet", row_group_size=400)
    return folder


def _watch_driver(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[pl.DataFrame]]:
    """Rows of every result Spark hands the driver (``toArrow``, ``collect``), and the tables the core's
    k-anonymity step receives."""
    from pyspark.sql.classic.dataframe import DataFrame  # the class a local session's frames are

    import sanitas.spark.k_anonymity as spark_k

    collected: list[int] = []
    handed: list[pl.DataFrame] = []
    to_arrow, collect, step = DataFrame.toArrow, DataFrame.collect, spark_k.k_anonymity_step

    def counted_to_arrow(self: DataFrame) -> object:
        table = to_arrow(self)
        collected.append(table.num_rows)
        return table

    def counted_collect(self: DataFrame) -> list:
        rows = collect(self)
        collected.append(len(rows))
        return rows

    def watched_step(frame: pl.DataFrame, *args: object, **kwargs: object) -> object:
        handed.append(frame)
        return step(frame, *args, **kwargs)

    monkeypatch.setattr(DataFrame, "toArrow", counted_to_arrow)
    monkeypatch.setattr(DataFrame, "collect", counted_collect)
    monkeypatch.setattr(spark_k, "k_anonymity_step", watched_step)
    return collected, handed


@pytest.mark.parametrize("suppression", ["remove", "mask"])
def test_global_recoding_on_spark_is_the_in_process_release(spark, table: Path, suppression: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sanitas.spark.engine import run_on_spark

    data = {"version": 1, "seed": 1, "unlisted_columns": "keep", "columns": {"name": {"action": "redact"}},
            "k_anonymity": {"k": 5, "quasi_identifiers": ["age", "zip", "sex"], "sensitive": ["diagnosis"],
                            "l_diversity": {"l": 2}, "suppression_limit": 0.1, "suppression": suppression}}
    path = table / f"{suppression}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    recipe = load_recipe(path)
    source = table / "patients.parquet"
    local = run(open_dataset(source), recipe, recipe_dir=table)
    collected, handed = _watch_driver(monkeypatch)
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=table, scan=local.scan)
    monkeypatch.undo()
    combinations = pl.read_parquet(source).select("age", "zip", "sex", "diagnosis").unique().height
    assert combinations < ROWS / 1.4, "the test needs fewer combinations than records"
    assert len(handed) == 1 and handed[0].height == combinations
    assert int(handed[0].get_column("__sanitas_count").sum()) == ROWS
    assert collected and max(collected) <= combinations, "the driver received a table bigger than the class table"
    try:
        assert result.partitions >= 2
        out = pl.from_arrow(result.frame.orderBy("__sanitas_row").drop("__sanitas_row").toArrow())
    finally:
        result.close()
    expected = local.frame
    spark_facts = result.release.facts("k_anonymity").model_dump()
    local_facts = local.facts("k_anonymity").model_dump()
    for facts in (spark_facts, local_facts):
        facts["search"].pop("seconds", None)
    assert figures_close(spark_facts, local_facts)  # entropies are sums in another order: equal to 1e-15
    assert local_facts["suppressed"] > 0, "the test must suppress some records"
    assert out.schema == expected.schema
    assert out.equals(expected)
    assert result.coverage.rows == expected.height
    def lines(outcomes: list) -> list:
        return [(o.name, o.action, o.facts, o.output_dtype, o.removed) for o in outcomes]

    assert lines(result.release.outcomes) == lines(local.outcomes)
    assert result.release.risk is not None and local.risk is not None
    assert figures_close(result.release.risk.model_dump(), local.risk.model_dump())
    masked = local_facts["suppressed"] if suppression == "mask" else 0  # masked rows are suppressed, not a class
    assert local.risk.json_dict()["suppressed"] == masked
