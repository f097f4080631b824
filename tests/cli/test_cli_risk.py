"""`sanitas risk`: JSON keys and known values, the table, every input format, exit code 2 on bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sanitas.cli.main import main

SUPPORT = Path(__file__).resolve().parents[1] / "support"
KEYS = {"records", "classes", "k", "sample_uniques", "l", "prosecutor_risk", "journalist_risk", "marketer_risk"}


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Classes of sizes 1, 2, 3, 4 and 10 on (age, zip); 'diagnosis' has 1 value in the smallest class."""
    sizes = [1, 2, 3, 4, 10]
    rows = [(40 + i, f"0210{i}", ["flu", "asthma"][j % 2], f"person {i}-{j}")
            for i, size in enumerate(sizes) for j in range(size)]
    path = tmp_path_factory.mktemp("risk") / "people.csv"
    pl.DataFrame(rows, schema=["age", "zip", "diagnosis", "name"], orient="row").write_csv(path)
    return path


def risk_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["risk", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_documented_keys_and_known_values(people: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = risk_json(capsys, str(people), "--quasi-identifiers", "age, zip", "--sensitive", "diagnosis")
    assert set(data) >= KEYS and data["file"] == "people.csv"
    assert (data["records"], data["classes"], data["k"], data["sample_uniques"], data["l"]) == (20, 5, 1, 1, 1)
    for model in ("prosecutor_risk", "journalist_risk", "marketer_risk"):
        assert {"highest", "average"} <= set(data[model])
    assert data["prosecutor_risk"] == {"highest": 1.0, "average": 0.25, "records_at_risk": 10, "share_at_risk": 0.5}
    assert data["journalist_risk"] == data["prosecutor_risk"]  # no population: the file is the population
    assert data["marketer_risk"]["average"] == 0.25
    assert [b["classes"] for b in data["histogram"]] == [1, 1, 2, 0, 1, 0, 0]


def test_population_sampling_fraction_and_threshold(people: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(people), "--qi", "age,zip"]
    by_population = risk_json(capsys, *base, "--population", "40")
    by_fraction = risk_json(capsys, *base, "--sampling-fraction", "0.5")
    for data in (by_population, by_fraction):
        assert data["journalist_risk"]["highest"] == 0.5 and data["marketer_risk"]["average"] == 0.125
        assert "l" not in data  # no sensitive column given
    assert risk_json(capsys, *base, "--threshold", "0.25")["prosecutor_risk"]["records_at_risk"] == 6


def test_table_output(people: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", str(people), "--qi", "age,zip", "--sensitive", "diagnosis"]) == 0
    out = capsys.readouterr().out
    assert "people.csv: 20 records in 5 equivalence classes of age, zip" in out
    assert "k (smallest class)   1" in out and "sample uniques       1 (5.0% of records)" in out
    assert "prosecutor     100.0%     25.0%  10 (50.0%)" in out
    assert "distinct 1, entropy 1.00" in out and "3-4                  2           7" in out


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".ndjson", ".tsv"])
def test_every_input_format(people: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pl.read_csv(people)
    path = tmp_path / f"people{suffix}"
    {".parquet": frame.write_parquet, ".xlsx": frame.write_excel, ".ndjson": frame.write_ndjson,
     ".tsv": lambda p: frame.write_csv(p, separator="\t")}[suffix](path)
    data = risk_json(capsys, str(path), "--qi", "age,zip", "--sensitive", "diagnosis")
    assert (data["records"], data["classes"], data["k"], data["l"]) == (20, 5, 1, 1)


@pytest.mark.parametrize(("args", "message"), [
    (["--qi", "age,postcode"], "people.csv: no column 'postcode'. Available columns: age, zip, diagnosis, name."),
    (["--qi", "age", "--sensitive", "illness"], "no column 'illness'"),
    (["--qi", " , "], "name at least one column"),
    (["--qi", "age", "--sensitive", "age"], "cannot be both a quasi-identifier and sensitive"),
    (["--qi", "age", "--population", "5"], "population (5) cannot be smaller than the 20 rows"),
    (["--qi", "age", "--sampling-fraction", "1.5"], "sampling fraction must be above 0 and at most 1"),
    (["--qi", "age", "--threshold", "2"], "threshold must be above 0 and at most 1"),
])
def test_bad_input_exits_2_with_a_message(people: Path, args: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", str(people), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sanitas: error: ") and message in err and "Traceback" not in err


def test_child_process_and_no_network(people: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SUPPORT)}
    done = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "risk", str(people), "--qi", "age,zip", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["k"] == 1 and "network use blocked" not in done.stderr
    missing = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "risk", str(people), "--qi", "nope"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2 and "no column 'nope'" in missing.stderr


def test_long_sensitive_column_names_do_not_run_into_their_values(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.csv"
    pl.DataFrame({"age": [30, 30, 40, 40], "diagnostic médical": ["a", "b", "c", "c"],
                  "x": ["1", "2", "3", "4"]}).write_csv(path)
    assert main(["risk", str(path), "--qi", "age", "--sensitive", "diagnostic médical,x", "--population", "40"]) == 0
    lines = capsys.readouterr().out.splitlines()
    facts = lines[1:lines.index("")]
    assert facts[2] == "l of diagnostic médical  distinct 1, entropy 1.00"
    starts = {re.match(r"(.*?\S)\s{2,}\S", line).end() - 1 for line in facts}  # type: ignore[union-attr]
    assert len(starts) == 1, f"one label column for every fact: {facts}"
