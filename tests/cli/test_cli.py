"""The `sanitas` command: scan JSON shape, plan, apply, exit codes, no network, formula guard."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import yaml

from sanitas.cli.main import main
from sanitas.core.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
SUPPORT = ROOT / "tests" / "support"


def sanitas(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `sanitas` entry point in a child process with network use blocked."""
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "SANITAS_CONFIG_DIR": os.environ["SANITAS_CONFIG_DIR"]}
    return subprocess.run([sys.executable, "-m", "sanitas.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    return path


def test_scan_json_shape_in_a_guarded_child_process(subset: Path) -> None:
    done = sanitas("scan", str(subset), "--json", "--sample", "200")
    assert done.returncode == 0, done.stderr
    assert "network use blocked" not in done.stderr
    data = json.loads(done.stdout)
    assert data["file"].endswith("customers.csv") and data["rows"] == 300
    columns = {c["name"]: c for c in data["columns"]}
    assert len(columns) == 20
    for column in data["columns"]:
        assert set(column) >= {"name", "dtype", "kind", "entities"}
        scores = [e["score"] for e in column["entities"]]
        assert scores == sorted(scores, reverse=True) or len(scores) < 2 or column["kind"] == "free-text"
        assert "examples" not in column, "values are shown only on request"
    assert columns["email"]["entities"][0]["entity"] == "EMAIL_ADDRESS"
    assert columns["email"]["entities"][0]["share"] > 0.9
    assert columns["favorite_color"]["entities"] == [] and columns["favorite_color"]["kind"] == "not-personal"
    assert columns["notes"]["kind"] == "free-text"


def test_scan_table(subset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(subset), "-q"]) == 0
    out = capsys.readouterr().out
    assert "EMAIL_ADDRESS" in out and "300 rows" in out and "hold personal data" in out


def test_plan_then_apply_round_trip(subset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    recipe_path = tmp_path / "recipe.yaml"
    assert main(["plan", str(subset), "-o", str(recipe_path), "-q"]) == 0
    text = recipe_path.read_text()
    assert "# identifier: EMAIL_ADDRESS" in text, "each choice is commented with its finding"
    assert "# k_anonymity:" in text and "#   sensitive: [diagnosis]" in text, "roles proposed for k-anonymity"
    recipe = load_recipe(recipe_path)
    assert recipe.columns["email"].action == "pseudonymize" and recipe.keys["default"].env == "SANITAS_KEY"
    assert set(recipe.columns) == set(pl.read_csv(subset, n_rows=1).columns)
    assert main(["plan", str(subset), "-o", str(recipe_path), "-q"]) == 2, "no silent overwrite"

    monkeypatch.setenv("SANITAS_KEY", "cli-test-key-0123456789")
    out = tmp_path / "out" / "clean.parquet"
    code = main(["apply", str(subset), "-r", str(recipe_path), "-o", str(out), "-q"])
    printed = capsys.readouterr()
    assert code in (0, 3) and out.exists(), printed.err
    assert (tmp_path / "out" / "clean.parquet.report.html").exists()
    frame = pl.read_parquet(out)
    assert "street_address" not in frame.columns and frame.height == 300


def test_apply_demo_recipe_child_process(subset: Path, tmp_path: Path) -> None:
    out = tmp_path / "clean.csv"
    done = sanitas("apply", str(subset), "--recipe", str(SAMPLES / "customers.recipe.yaml"), "-o", str(out),
                   "--strict")
    assert done.returncode == 0, done.stderr
    assert "Residual check: clean." in done.stdout
    assert f"Report: {out}.report.html" in done.stdout
    assert out.exists() and Path(f"{out}.report.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp files left"


def test_exit_2_with_a_message_for_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["scan", str(missing)]) == 2
    assert "nope.csv" in capsys.readouterr().err
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,5\n")
    assert main(["scan", str(ragged), "-q"]) == 2
    err = capsys.readouterr().err
    assert "ragged.csv" in err and "line 3" in err and "Traceback" not in err
    bad_recipe = tmp_path / "r.yaml"
    bad_recipe.write_text("version: 1\ncolumns:\n  a: {action: explode}\n")
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n")
    assert main(["apply", str(good), "-r", str(bad_recipe), "-o", str(tmp_path / "o.csv")]) == 2
    assert "column 'a'" in capsys.readouterr().err


def test_refuses_to_write_over_the_input(subset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = subset.read_bytes()
    code = main(["apply", str(subset), "-r", str(SAMPLES / "customers.recipe.yaml"), "-o", str(subset), "-q"])
    assert code == 2 and "input" in capsys.readouterr().err
    assert subset.read_bytes() == before


def test_formula_injection_guard(tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    pl.DataFrame({"item": ["=HYPERLINK(\"x\")", "+1 widget", "@SUM(A1)", "plain", "-minus"],
                  "qty": [1, -2, 3, 4, 5]}).write_csv(source)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(yaml.safe_dump({"version": 1, "unlisted_columns": "keep", "columns": {}}))
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        assert main(["apply", str(source), "-r", str(recipe), "-o", str(out), "-q"]) == 0
        frame = pl.read_csv(out) if suffix == ".csv" else pl.read_excel(out)
        assert frame["item"].to_list() == ["'=HYPERLINK(\"x\")", "'+1 widget", "'@SUM(A1)", "plain", "'-minus"]
        assert frame["qty"].to_list() == [1, -2, 3, 4, 5], "numbers are untouched"


def test_strict_exit_3_when_identifiers_remain(subset: Path, tmp_path: Path) -> None:
    recipe = tmp_path / "keep.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\n")
    out = tmp_path / "o.csv"
    assert main(["apply", str(subset), "-r", str(recipe), "-o", str(out), "--strict", "-q"]) == 3
    assert not out.exists()
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert report["status"] == "withheld"
    assert {f["column"] for f in report["residual"]["findings"] if f["blocking"]} >= {"email", "ssn"}


def test_ctrl_c_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    frame = pl.read_csv(SAMPLES / "customers.csv", infer_schema=False)
    pl.concat([frame] * 4).write_csv(big)
    out = tmp_path / "out.csv"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "sanitas.cli.main", "apply", str(big), "-r", str(SAMPLES / "customers.recipe.yaml"),
         "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(8)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


def test_full_text_scan_counts_cells(subset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(subset), "--json", "--full-text", "--sample", "200"]) == 0
    data = json.loads(capsys.readouterr().out)
    notes = next(c for c in data["columns"] if c["name"] == "notes")
    cells = notes["cells"]
    assert cells["cells"] == 300 and 0 < cells["cells_with_personal_data"] < 300
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"} <= set(cells["entities"])
    assert "cells" not in next(c for c in data["columns"] if c["name"] == "email")


def test_apply_k_anonymity_demo_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "k5.csv"
    recipe = SAMPLES / "customers.k-anonymity.recipe.yaml"
    assert main(["apply", str(SAMPLES / "customers.csv"), "-r", str(recipe), "-o", str(out), "--strict", "-q"]) == 0
    frame = pl.read_csv(out, infer_schema=False)
    groups = frame.group_by(["age", "sex", "zip", "city"]).agg(pl.len(), pl.col("diagnosis").n_unique())
    assert groups["len"].min() >= 5 and groups["diagnosis"].min() >= 2
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert all(check["holds"] for check in report["k_anonymity"]["checks"])
    assert report["k_anonymity"]["risk_after"]["sample_uniques"] == 0
    assert frame.height >= 0.95 * 5000
    printed = capsys.readouterr().out
    assert "k-anonymity: 5-anonymity holds, distinct 2-diversity holds." in printed
    assert "levels age " in printed and "sample uniques 4,871 -> 0" in printed


def test_apply_mondrian_demo_recipe(tmp_path: Path) -> None:
    out = tmp_path / "mondrian.csv"
    recipe = SAMPLES / "customers.mondrian.recipe.yaml"
    assert main(["apply", str(SAMPLES / "customers.csv"), "-r", str(recipe), "-o", str(out), "--strict", "-q"]) == 0
    frame = pl.read_csv(out, infer_schema=False)
    groups = frame.group_by(["age", "sex", "zip", "city"]).agg(pl.len(), pl.col("diagnosis").n_unique())
    assert groups["len"].min() >= 5 and groups["diagnosis"].min() >= 2 and frame.height == 5000
    report = json.loads(Path(f"{out}.report.json").read_text())
    facts = report["k_anonymity"]
    assert facts["method"] == "mondrian" and facts["partitions"] > 100 and facts["levels"] == {}
    assert all(check["holds"] for check in facts["checks"])
    assert facts["risk_after"]["population"] == 1_000_000
    html = Path(f"{out}.report.html").read_text()
    assert "Mondrian multidimensional partitioning (local recoding, heuristic)" in html
    assert "population 1,000,000" in html
