"""Both DP recipe shapes of the issue, end to end: engine, export, report JSON and the `sanitas apply` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sanitas.core.engine import run
from sanitas.core.errors import RecipeError
from sanitas.core.export import export_release
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

SUPPORT = Path(__file__).resolve().parents[2] / "support"
NOISE = """version: 1
columns:
  age: {action: dp_noise, params: {mechanism: laplace, epsilon: 0.5, lower: 17, upper: 90}}
  race: {action: keep}
  sex: {action: keep}
differential_privacy:
  epsilon: 1.0
"""
AGGREGATES = """version: 1
differential_privacy:
  epsilon: 2.0
  delta: 1.0e-6
  output: aggregates
  aggregates:
    - {statistic: count, by: [race, sex], epsilon: 1.0}
    - {statistic: mean, column: age, by: [sex], epsilon: 1.0, lower: 17, upper: 90}
"""


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    n = 1500
    path = tmp_path_factory.mktemp("dp") / "people.csv"
    pl.DataFrame({"age": rng.integers(17, 91, n), "race": rng.choice(["White", "Black", "Asian", "Other"], n),
                  "sex": rng.choice(["F", "M"], n)}).write_csv(path)
    return path


def test_noisy_column_release_spends_its_share_and_stays_in_bounds(people: Path, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(NOISE)
    recipe = load_recipe(tmp_path / "r.yaml")
    release = run(open_dataset(people), recipe, rng=np.random.default_rng(5))
    result = export_release(release, tmp_path / "out.csv")
    out, source = pl.read_csv(result.output), pl.read_csv(people)
    assert out.height == source.height and out["age"].dtype.is_integer()
    assert out["age"].min() >= 17 and out["age"].max() <= 90
    assert (out["age"] != source["age"]).mean() > 0.5  # noised, per value
    assert out["race"].to_list() == source["race"].to_list()
    report = json.loads(result.report_json.read_text())
    dp = report["differential_privacy"]
    assert dp["epsilon_total"] == 1.0 and dp["epsilon_spent"] == pytest.approx(0.5)
    assert [m["column"] for m in dp["mechanisms"]] == ["age"]
    assert dp["mechanisms"][0]["noise_scale"] == pytest.approx((90 - 17) / 0.5)
    assert "differential_privacy" in report["steps"]
    age = next(c for c in report["columns"] if c["name"] == "age")
    assert age["action"] == "dp_noise" and age["facts"]["epsilon"] == 0.5
    assert "Differential privacy" in result.report_html.read_text()


def test_dp_noise_without_a_budget_section_is_refused_before_any_work(people: Path, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(NOISE.split("differential_privacy")[0])
    with pytest.raises(RecipeError, match="needs a 'differential_privacy' section"):
        run(open_dataset(people), load_recipe(tmp_path / "r.yaml"))


def test_over_budget_plan_is_refused_with_total_and_sum(people: Path, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(NOISE.replace("epsilon: 1.0", "epsilon: 0.4"))
    with pytest.raises(RecipeError) as caught:
        run(open_dataset(people), load_recipe(tmp_path / "r.yaml"))
    assert "0.4" in caught.value.message and "0.5" in caught.value.message


def test_aggregates_via_the_command(people: Path, tmp_path: Path) -> None:
    (tmp_path / "agg.yaml").write_text(AGGREGATES)
    out = tmp_path / "agg.csv"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT)}  # the child's network guard (tests/support/sitecustomize.py)
    done = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "apply", str(people), "-r",
                           str(tmp_path / "agg.yaml"), "-o", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    table = pl.read_csv(out)
    assert table.columns == ["statistic", "column", "group", "value", "noise_scale", "ci95_low", "ci95_high"]
    assert set(table.filter(pl.col("statistic") == "count")["group"]) == {
        f"race={r}; sex={s}" for r in ("White", "Black", "Asian", "Other") for s in ("F", "M")}
    mean = table.filter(pl.col("statistic") == "mean")
    assert set(mean["group"]) == {"sex=F", "sex=M"} and mean["value"].is_between(17, 90).all()
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert report["differential_privacy"]["epsilon_spent"] == pytest.approx(2.0)
    assert report["output"]["rows"] == table.height
    assert all(c["result"] == "dropped" for c in report["columns"])  # no record left the machine
    assert "Differential privacy" in done.stdout
