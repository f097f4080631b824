"""k-anonymity and DP noise in one recipe on Spark: the steps chain as in process.

k-anonymity generalizes and suppresses first, then dp_noise noises the columns it names on the released
records. On local[2] (several partitions), 3,000 made-up records: the output's quasi-identifiers are
k-anonymous, the released rows are the in-process ones (quasi-identifiers and kept columns equal, row for
row), the noised columns have the in-process distribution, and the report's figures are the same: the
k-anonymity facts, the DP accounting (budget, mechanisms, bounds, values clamped), the column lines and
the release's risk. The report written beside the output says both steps ran.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from scipy.stats import ks_2samp

from figures_close import figures_close
from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

ROWS = 3_000
QIS = ["age", "zip", "sex"]
K = 5


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kdp")
    rng = np.random.default_rng(8)
    frame = pl.DataFrame({
        "name": [f"Person {i}" for i in range(ROWS)],
        "age": rng.integers(18, 60, ROWS),
        "zip": rng.choice([f"{z:05d}" for z in rng.integers(10_000, 99_999, 10)], ROWS).tolist(),
        "sex": rng.choice(["F", "M"], ROWS).tolist(),
        "diagnosis": rng.choice(["flu", "asthma", "diabetes", "none", "rare"], ROWS,
                                p=[0.3, 0.2, 0.2, 0.29, 0.01]).tolist(),
        "income": rng.normal(40_000, 25_000, ROWS).round(2),  # some below 0: clamped
        "visits": rng.integers(0, 30, ROWS),
        "smoker": rng.choice(["yes", "no", "unknown"], ROWS, p=[0.3, 0.65, 0.05]).tolist(),
    })
    frame.write_parquet(folder / "patients.parquet", row_group_size=400)
    return folder


def test_k_anonymity_then_dp_noise_on_spark_reads_as_in_process(spark, table: Path) -> None:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark
    from sanitas.spark.io import check_output

    data = {
        "version": 1, "seed": 1, "unlisted_columns": "keep",
        "columns": {
            "name": {"action": "redact"},
            "income": {"action": "dp_noise", "params": {"epsilon": 1.0, "lower": 0, "upper": 100_000}},
            "visits": {"action": "dp_noise", "params": {"epsilon": 1.0, "bounds_epsilon": 4.0}},
            "smoker": {"action": "dp_noise", "params": {"epsilon": 1.0, "domain": ["yes", "no"]}},
        },
        "k_anonymity": {"k": K, "quasi_identifiers": QIS, "sensitive": ["diagnosis"], "l_diversity": {"l": 2},
                        "suppression_limit": 0.1},
        "differential_privacy": {"epsilon": 8.0},
    }
    recipe_path = table / "k_dp.yaml"
    recipe_path.write_text(yaml.safe_dump(data, sort_keys=False))
    recipe = load_recipe(recipe_path)
    source = table / "patients.parquet"
    local = run(open_dataset(source), recipe, recipe_dir=table, rng=np.random.default_rng(4))
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=table, scan=local.scan, noise_seed=4)
    out_path = table / "released.parquet"
    try:
        assert result.partitions >= 2
        out = pl.from_arrow(result.frame.orderBy("__sanitas_row").drop("__sanitas_row").toArrow())
        exported = export_spark(result, source, out_path, check_output(out_path, source, {}), recipe_path=recipe_path)
    finally:
        result.close()
    expected = local.frame
    assert isinstance(out, pl.DataFrame) and expected is not None

    # k holds on the released quasi-identifiers, and the released rows are the in-process ones
    facts = result.release.facts("k_anonymity")
    assert facts.all_hold and facts.suppressed > 0, "the test must suppress some records"
    sizes = out.group_by(QIS).agg(pl.len(), pl.col("diagnosis").n_unique().alias("l"))
    assert sizes.get_column("len").min() >= K and sizes.get_column("l").min() >= 2
    assert out.height == expected.height == ROWS - facts.suppressed
    assert out.schema == expected.schema
    assert out.select(*QIS, "name", "diagnosis").equals(expected.select(*QIS, "name", "diagnosis"))

    # the noised columns: the in-process distribution, every value noised
    for name in ("income", "visits"):
        assert ks_2samp(out.get_column(name), expected.get_column(name)).pvalue > 1e-4, name
    yes, local_yes = (f.get_column("smoker").eq("yes").mean() for f in (out, expected))
    assert abs(yes - local_yes) < 0.06

    # the same figures: k-anonymity facts, DP accounting and mechanisms, column lines, release risk
    k_spark, k_local = facts.model_dump(), local.facts("k_anonymity").model_dump()
    for each in (k_spark, k_local):
        each["search"].pop("seconds", None)
    assert figures_close(k_spark, k_local)
    spark_dp, local_dp = result.release.facts("differential_privacy"), local.facts("differential_privacy")
    assert spark_dp.model_dump() == local_dp.model_dump()
    mechanisms = {m.column: m for m in spark_dp.mechanisms}
    assert set(mechanisms) == {"income", "visits", "smoker"}
    assert mechanisms["income"].values_outside > 0
    assert spark_dp.epsilon_spent <= 8.0
    by_name = {o.name: o for o in result.release.outcomes}
    for outcome in local.outcomes:
        assert by_name[outcome.name].facts == outcome.facts, outcome.name
        assert by_name[outcome.name].output_dtype == outcome.output_dtype, outcome.name
    assert figures_close(result.release.risk.model_dump(), local.risk.model_dump())

    # the report beside the output: both steps ran, with the figures above
    report = json.loads(exported.report_json.read_text())
    assert {"k_anonymity", "differential_privacy"} <= set(report["steps"])
    assert report["k_anonymity"]["suppressed"] == facts.suppressed
    assert report["differential_privacy"]["epsilon_spent"] == spark_dp.epsilon_spent
    assert report["output"]["rows"] == out.height
    assert "k-anonymity" in exported.report_html.read_text()
    written = pl.read_parquet(sorted(out_path.glob("part-*.parquet")))
    assert written.height == out.height and written.columns == out.columns
