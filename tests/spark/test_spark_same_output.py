"""The Spark engine writes, row for row, what the in-process engine writes (same input, seed and key).

2,000 rows of the demo customers (every value made up) on local[2] in several partitions, with every
deterministic action: keep, drop, redact, mask, keyed pseudonymize (token, email, digits), generalize
(postal, date from text, age band, bins), fake names and emails with their consistent map. The facts the
report shows and the residual check's exact hits (a kept copy of the emails) must agree too.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import polars as pl
import pytest
import yaml

from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
ROWS = 2_000


def recipe_data() -> dict:
    return {
        "version": 1, "seed": 7, "locale": "en_US", "unlisted_columns": "keep",
        "keys": {"default": {"file": "test.key"}},
        "columns": {
            "customer_id": {"action": "pseudonymize", "params": {"format": "token", "prefix": "cust_"}},
            "full_name": {"action": "fake", "params": {"entity": "PERSON"}},
            "email": {"action": "pseudonymize", "params": {"format": "email"}},
            "email_copy": {"action": "keep"},
            "phone": {"action": "mask", "params": {"keep_last": 4}},
            "street_address": {"action": "drop"},
            "zip": {"action": "generalize", "params": {"method": "postal", "keep": 3}},
            "date_of_birth": {"action": "generalize", "params": {"method": "date", "to": "year"}},
            "age": {"action": "generalize", "params": {"method": "age_band", "width": 10, "top": 90}},
            "amount": {"action": "generalize", "params": {"method": "bins", "width": 25}},
            "ssn": {"action": "redact"},
            "card_number": {"action": "pseudonymize", "params": {"format": "digits"}},
            "ip_address": {"action": "mask"},
            "notes": {"action": "drop"},
            "favorite_color": {"action": "fake", "params": {"entity": "EMAIL_ADDRESS"}},
        },
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("same")
    table = pl.read_csv(SAMPLES / "customers.csv", n_rows=ROWS, infer_schema_length=0)
    table = table.with_columns(pl.col("email").alias("email_copy"), pl.col("age").cast(pl.Int64),
                               pl.col("amount").cast(pl.Float64))
    table.write_parquet(folder / "customers.parquet", row_group_size=250)
    key = folder / "test.key"
    key.write_text(secrets.token_hex(32))
    key.chmod(0o600)
    (folder / "recipe.yaml").write_text(yaml.safe_dump(recipe_data(), sort_keys=False))
    return folder


def test_spark_output_is_the_in_process_output_row_for_row(spark, case: Path) -> None:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark
    from sanitas.spark.io import check_output

    recipe = load_recipe(case / "recipe.yaml")
    source = case / "customers.parquet"
    local = run(open_dataset(source), recipe, recipe_dir=case)
    result = run_on_spark(spark, source, recipe, master="local[2]", recipe_dir=case, scan=local.scan)
    assert result.partitions >= 3, "the test must cross partition boundaries"
    out = case / "out.parquet"
    exported = export_spark(result, source, out, check_output(out, source, {}), recipe_path=case / "recipe.yaml")
    result.close()

    written = pl.read_parquet(sorted(out.glob("part-*.parquet")))
    expected = local.frame
    assert written.columns == expected.columns
    for name in expected.columns:
        assert written.get_column(name).cast(pl.String).equals(expected.get_column(name).cast(pl.String)), name
    assert written.get_column("full_name").n_unique() > ROWS * 0.9  # fakes, consistent but not constant

    by_name = {o.name: o for o in result.release.outcomes}
    for outcome in local.outcomes:
        assert by_name[outcome.name].facts == outcome.facts, outcome.name
        assert by_name[outcome.name].output_dtype == outcome.output_dtype, outcome.name

    spark_hits = [(h.column, h.source_column, h.count, h.rows) for h in result.release.residual.value_hits]
    local_hits = [(h.column, h.source_column, h.count, h.rows) for h in local.residual.value_hits
                  if h.match == "exact"]
    assert spark_hits == local_hits
    assert [(c, s) for c, s, *_ in spark_hits] == [("email_copy", "email")]
    assert spark_hits[0][2] > ROWS * 0.9 and spark_hits[0][3] == list(range(1, 11))

    report = json.loads(exported.report_json.read_text())
    assert report["engine"]["residual"] == {"exact_rows_checked": ROWS, "partitions": result.partitions,
                                            "sampled_rows": min(ROWS, result.coverage.sampled_rows)}
    assert report["output"]["rows"] == ROWS and report["output"]["format"] == "parquet folder"
    assert "all 2,000 output rows" in exported.report_html.read_text()
