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
from sanitas.core.recipe import load_recipe, parse_recipe
from sanitas.core.recipe_check import recipe_problems

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
    assert "generalized together with the other quasi-identifiers" in text, "QIs go to the k_anonymity section"
    recipe = load_recipe(recipe_path)
    assert recipe.columns["email"].action == "pseudonymize" and recipe.keys["default"].env == "SANITAS_KEY"
    assert set(recipe.columns) == set(pl.read_csv(subset, n_rows=1).columns)
    section = recipe.k_anonymity
    assert section is not None and section.k == 5 and {"zip", "age", "sex"} <= set(section.quasi_identifiers)
    assert all(recipe.columns[c].action == "keep" for c in section.quasi_identifiers)
    assert main(["plan", str(subset), "-o", str(recipe_path), "-q"]) == 2, "no silent overwrite"
    # Uncommented as the hint says, l-diversity over the sensitive column fits too.
    lines = text.splitlines()
    hint = [line.removeprefix("#") for line in lines if line.startswith(("#   sensitive:", "#   l_diversity:"))]
    assert "#   sensitive: [diagnosis]" in lines and len(hint) == 2
    data = yaml.safe_load(text)
    data["k_anonymity"] |= yaml.safe_load("\n".join(line.strip() for line in hint))
    schema = pl.read_csv(subset, infer_schema_length=10_000).schema
    assert recipe_problems(parse_recipe(data), dict(schema)) == []

    monkeypatch.setenv("SANITAS_KEY", "cli-test-key-0123456789")
    out = tmp_path / "out" / "clean.parquet"
    code = main(["apply", str(subset), "-r", str(recipe_path), "-o", str(out), "-q"])
    printed = capsys.readouterr()
    assert code in (0, 3) and out.exists(), printed.err
    assert (tmp_path / "out" / "clean.parquet.report.html").exists()
    frame = pl.read_parquet(out)
    assert "street_address" not in frame.columns and 285 <= frame.height <= 300  # up to 5% suppressed


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


def _start_with_terminal(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """Start `sanitas` with stderr on a pseudo-terminal, so it draws its progress bar (our marker)."""
    import pty

    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "sanitas.cli.main", *args], stdout=subprocess.PIPE,
                             stderr=slave, text=True, env=env)
    os.close(slave)
    return child, master


def _read_until(master: int, marker: str, child: subprocess.Popen[str], timeout: float = 240) -> str:
    import select

    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline and child.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 4096).decode(errors="replace")
            except OSError:  # the child closed the terminal
                break
    return seen


def _drain(master: int) -> str:
    import select

    seen = ""
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk.decode(errors="replace")
    os.close(master)
    return seen


def test_ctrl_c_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    frame = pl.read_csv(SAMPLES / "customers.csv", infer_schema=False)
    pl.concat([frame] * 4).write_csv(big)
    out = tmp_path / "out.csv"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT)}
    child, master = _start_with_terminal(
        ["apply", str(big), "-r", str(SAMPLES / "customers.recipe.yaml"), "-o", str(out)], env)
    seen = _read_until(master, "%", child)  # the first progress line: the child is at work, far from done
    assert child.poll() is None, seen
    child.send_signal(signal.SIGINT)
    child.communicate(timeout=120)
    err = seen + _drain(master)
    assert child.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_apply_interrupted_during_the_write(tmp_path: Path, sig: signal.Signals) -> None:
    """A latin-1 input (transcoded to a private copy under $TMPDIR), interrupted while the output is written."""
    source = tmp_path / "in" / "people.csv"
    source.parent.mkdir()
    rows = 400_000
    frame = pl.select(id=pl.int_range(rows), city=pl.lit("Malmö ") + (pl.int_range(rows) % 97).cast(pl.String),
                      score=pl.int_range(rows) * 0.5)
    source.write_bytes(frame.write_csv().encode("latin-1"))
    before = source.read_bytes()
    recipe = tmp_path / "in" / "keep.yaml"
    recipe.write_text(KEEP)
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "TMPDIR": str(temp_root)}
    child = subprocess.Popen([sys.executable, "-m", "sanitas.cli.main", "apply", str(source), "-r", str(recipe),
                              "-o", str(out_dir / "o.csv"), "--model", "none", "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    while child.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(f".o.csv.sanitas-{child.pid}-") for p in out_dir.iterdir()):
            child.send_signal(sig)  # the data file is being written
            break
        time.sleep(0.002)
    _, err = child.communicate(timeout=120)
    assert child.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), err
    assert "Traceback" not in err
    assert source.read_bytes() == before, "the input is intact"
    assert not [p for p in out_dir.iterdir() if p.name.startswith("o.csv")], "no output, no report"
    if sig == signal.SIGKILL:  # the next run cleans up after the killed one
        left = [p.name for p in temp_root.iterdir()]
        assert len(left) == 1 and left[0].startswith(f"sanitas-{child.pid}-"), "the killed run's latin-1 copy"
        done = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "apply", str(source), "-r", str(recipe),
                               "-o", str(out_dir / "o.csv"), "--model", "none", "-q"],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in out_dir.iterdir()) == ["o.csv", "o.csv.report.html", "o.csv.report.json"]
    assert list(temp_root.iterdir()) == [], "no private copy of the data left under $TMPDIR"


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
    # the headline risk judges every released quasi-identifier, not only the section's: it agrees here
    assert report["status"] == "released" and report["risk"]["k"] >= 5
    assert set(report["risk"]["quasi_identifiers"]) == {"age", "sex", "zip", "city"}
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


# --- destinations: never over a file the run reads, folders only when writing ----------------------


KEEP = "version: 1\nunlisted_columns: keep\n"


def test_refuses_a_report_over_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "o.csv.report.json"
    source.write_text('{"id":"a1","age":30}\n')
    (tmp_path / "r.yaml").write_text(KEEP)
    for out in ("o.csv", str(tmp_path / "o.csv"), "sub/../o.csv"):
        assert main(["apply", "o.csv.report.json", "--recipe", "r.yaml", "-o", out, "-q"]) == 2
        err = capsys.readouterr().err
        assert "o.csv.report.json: is the input file" in err and "report of o.csv" in err
    assert source.read_text() == '{"id":"a1","age":30}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv.report.json", "r.yaml"]


def test_refuses_to_write_over_the_recipe_its_hierarchies_and_key_files(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.csv"
    source.write_text("id,sex,age\n1,F,30\n2,M,40\n3,F,30\n4,M,40\n")
    (tmp_path / "hier2").mkdir()
    hierarchy = tmp_path / "hier2" / "adult_hierarchy_sex.csv"
    hierarchy.write_text("F;*\nM;*\n")
    key = tmp_path / "keys" / "k.json"
    key.parent.mkdir()
    key.write_text("0123456789abcdef0123\n")
    override = tmp_path / "other.csv"
    override.write_text("fedcba98765432100123\n")
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({
        "version": 1, "unlisted_columns": "keep",
        "keys": {"default": {"file": "keys/k.json"}, "extra": {"env": "SANITAS_UNUSED_KEY"}},
        "k_anonymity": {"quasi_identifiers": ["sex", "age"], "k": 2,
                        "hierarchies": {"sex": {"file": "hier2/adult_hierarchy_sex.csv"}, "age": {"auto": "number"}}},
    }))
    before = {p: p.read_bytes() for p in (recipe, hierarchy, key, override)}
    cases = [(hierarchy, "the hierarchy file of column 'sex'"), (recipe, "the recipe"),
             (key, "the key file of key 'default'"), (override, "the key file of key 'extra'"),
             (tmp_path / "hier2" / ".." / "recipe.json", "the recipe")]
    for out, what in cases:
        assert main(["apply", str(source), "-r", str(recipe), "--key-file", f"extra={override}", "-o", str(out),
                     "-q"]) == 2
        err = capsys.readouterr().err
        assert f"is {what}, which this run reads" in err and "Traceback" not in err
    recognizers = tmp_path / "recognizers.json"
    recognizers.write_text("version: 1\nrecognizers: []\n")
    before[recognizers] = recognizers.read_bytes()
    assert main(["apply", str(source), "-r", str(recipe), "--recognizers", str(recognizers), "-o",
                 str(recognizers), "-q"]) == 2
    assert "is the custom recognizers file, which this run reads" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert not list(tmp_path.glob("**/*.report.*")), "nothing written"
    existing = tmp_path / "old.csv"  # an unrelated output from an earlier run may be replaced, as always
    existing.write_text("stale\n")
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(existing), "-q"]) == 0
    assert pl.read_csv(existing).height == 4


def test_output_folder_is_made_only_when_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.csv"
    source.write_text("id,sex\n1,F\n2,M\n")
    failing = tmp_path / "bad.yaml"
    failing.write_text("version: 1\ncolumns:\n  nope: {action: drop}\n")  # fails in the run, after the checks
    assert main(["apply", str(source), "-r", str(failing), "-o", str(tmp_path / "new" / "deep" / "o.csv"), "-q"]) == 2
    assert "column 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    good = tmp_path / "keep.yaml"
    good.write_text(KEEP)
    assert main(["apply", str(source), "-r", str(good), "-o", str(tmp_path / "new" / "deep" / "o.csv"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "new" / "deep").iterdir()) == [
        "o.csv", "o.csv.report.html", "o.csv.report.json"]


def test_a_file_where_the_output_folder_should_be(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text("id,sex\n1,F\n2,M\n")
    recipe = tmp_path / "keep.yaml"
    recipe.write_text(KEEP)
    done = sanitas("apply", "s.csv", "-r", "keep.yaml", "-o", "s.csv/o.csv", "-q", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"s.csv/o.csv: cannot create the folder {tmp_path / 's.csv'}, because" in done.stderr
    assert "is a file, not a folder" in done.stderr
    assert source.read_text() == "id,sex\n1,F\n2,M\n"


def test_closed_stdout_is_quiet_for_every_command(tmp_path: Path) -> None:
    """`sanitas risk ... | head -5`: the reader goes away; no BrokenPipeError traceback, exit 141."""
    source = tmp_path / "r.csv"
    pl.DataFrame({"age": [i % 50 for i in range(500)], "zip": [str(i % 7) for i in range(500)]}).write_csv(source)
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "SANITAS_CONFIG_DIR": os.environ["SANITAS_CONFIG_DIR"]}
    for args in (["risk", str(source), "--qi", "age,zip"], ["risk", str(source), "--qi", "age", "--json"]):
        child = subprocess.Popen([sys.executable, "-m", "sanitas.cli.main", *args], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # as `head` does once it has its lines
        err = child.stderr.read()
        assert child.wait(timeout=120) == 141, err
        assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_clean_messages_for_nested_mondrian_columns_and_duplicate_recipe_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "n.ndjson"
    source.write_text("".join(json.dumps({"tags": [1, i % 2], "sex": "FM"[i % 2]}) + "\n" for i in range(6)))
    recipe = tmp_path / "m.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\nk_anonymity:\n  method: mondrian\n"
                      "  quasi_identifiers: [tags, sex]\n  k: 2\n")
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(tmp_path / "m.csv"), "-q"]) == 2
    assert "Column 'tags' holds List(Int64) values; Mondrian needs one value per cell." in capsys.readouterr().err
    recipe.write_text("version: 1\nunlisted_columns: keep\nk_anonymity:\n  quasi_identifiers: [sex]\n  k: 5\n"
                      "  k: 50\n")
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(tmp_path / "m.csv"), "-q"]) == 2
    assert "m.yaml, line 6: key 'k' is given twice in the same section (first on line 5)" in capsys.readouterr().err
    assert not (tmp_path / "m.csv").exists()


def test_quoted_header_survives_keep_all_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "qh.csv"
    source.write_text('id,"size ""XL""",sex\n1,a,F\n2,b,M\n')
    recipe = tmp_path / "keep.yaml"
    recipe.write_text(KEEP)
    for out in ("o1.csv", "o2.csv"):
        assert main(["apply", str(source), "-r", str(recipe), "-o", str(tmp_path / out), "-q"]) == 0
        source = tmp_path / out
        assert source.read_text().splitlines()[0] == 'id,"size ""XL""",sex'
    report = json.loads((tmp_path / "o2.csv.report.json").read_text())
    assert [c["name"] for c in report["columns"]] == ["id", 'size "XL"', "sex"]


def test_header_row_flag_reads_under_a_title_and_is_validated(tmp_path: Path, subset: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANITAS_KEY", "cli-test-key-0123456789")
    titled = tmp_path / "titled.csv"
    titled.write_text("Customer export, 300 rows\n\n" + subset.read_text())
    assert main(["scan", str(titled), "--json", "--sample", "100", "--header-row", "3", "--model", "none", "-q"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 300 and len(data["columns"]) == 20
    assert next(c for c in data["columns"] if c["name"] == "email")["entities"][0]["entity"] == "EMAIL_ADDRESS"
    with pytest.raises(SystemExit) as refused:
        main(["scan", str(titled), "--header-row", "0"])
    assert refused.value.code == 2 and "--header-row: '0' is not a line number" in capsys.readouterr().err
    assert main(["scan", str(titled), "--header-row", "400", "-q"]) != 0
    assert "titled.csv: header row 400 is past the end of the file" in capsys.readouterr().err
    recipe = tmp_path / "recipe.yaml"
    assert main(["plan", str(titled), "--header-row", "3", "-o", str(recipe), "-q", "--model", "none"]) == 0
    out = tmp_path / "out.csv"
    assert main(["apply", str(titled), "--header-row", "3", "-r", str(recipe), "-o", str(out), "-q",
                 "--model", "none"]) in (0, 3)
    plain = tmp_path / "plain.csv"
    assert main(["apply", str(subset), "-r", str(recipe), "-o", str(plain), "-q", "--model", "none"]) in (0, 3)
    released = pl.read_csv(out, infer_schema=False)
    assert released.width == 19 and released.equals(pl.read_csv(plain, infer_schema=False))  # as if no title


def test_report_names_the_key_source_actually_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "s.csv"
    source.write_text("id,n\nA1,1\nA2,2\n")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\nkeys: {default: {env: SANITAS_TEST_KEY}}\n"
                      "columns: {id: {action: pseudonymize, params: {key: default}}}\n")
    key = tmp_path / "demo.key"
    key.write_text("0123456789abcdef0123\n")
    key.chmod(0o600)
    monkeypatch.delenv("SANITAS_TEST_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["apply", "s.csv", "-r", "r.yaml", "--key-file", "default=demo.key", "-o", "o1.csv", "-q"]) == 0
    keys = json.loads((tmp_path / "o1.csv.report.json").read_text())["recipe"]["keys"]
    assert keys == {"default": "key file demo.key"}
    assert "0123456789abcdef" not in (tmp_path / "o1.csv.report.json").read_text()
    monkeypatch.setenv("SANITAS_TEST_KEY", "fedcba98765432100123")
    assert main(["apply", "s.csv", "-r", "r.yaml", "-o", "o2.csv", "-q"]) == 0
    keys = json.loads((tmp_path / "o2.csv.report.json").read_text())["recipe"]["keys"]
    assert keys == {"default": "environment variable SANITAS_TEST_KEY"}


def test_key_file_for_an_unknown_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.csv"
    source.write_text("id,n\nA1,1\nA2,2\n")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\nkeys: {default: {env: SANITAS_TEST_KEY}}\n"
                      "columns: {id: {action: pseudonymize, params: {key: other}}}\n")
    key = tmp_path / "demo.key"
    key.write_text("0123456789abcdef0123\n")
    out = tmp_path / "o.csv"
    assert main(["apply", str(source), "-r", str(recipe), "--key-file", f"nope={key}", "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "no key named 'nope'" in err and "its keys: default, other" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob("*.report.*"))


def test_next_commands_repeat_the_read_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    titled = tmp_path / "my data.csv"
    titled.write_text("Export of 2026\n\nid;email;n\nA1;a@example.com;1\nA2;b@example.com;2\n", encoding="latin-1")
    reads = ["--delimiter", ";", "--encoding", "latin-1", "--header-row", "3"]
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "my data.csv", *reads, "--model", "none"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "Next:" in x)
    assert line.endswith("Next: sanitas plan 'my data.csv' --delimiter ';' --encoding latin-1 --header-row 3 "
                         "-o recipe.yaml")
    suggested = shlex.split(line.split("Next: sanitas ", 1)[1])
    assert main([*suggested, "-q", "--model", "none"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Next:"))
    assert line.startswith("Next: sanitas apply 'my data.csv' --delimiter ';' --encoding latin-1 --header-row 3 "
                           "--recipe ") and line.endswith("recipe.yaml -o OUTPUT")
    monkeypatch.setenv("SANITAS_KEY", "0123456789abcdef0123")
    suggested = shlex.split(line.removeprefix("Next: sanitas ").replace("OUTPUT", "out.csv"))
    assert main([*suggested, "-q", "--model", "none"]) in (0, 3)
    assert pl.read_csv(tmp_path / "out.csv").height == 2


def test_apply_risk_summary_is_precise_enough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """12.5% at risk against a 12.1% threshold must not read as '12% (threshold 12%, AT RISK)'."""
    data = tmp_path / "g.csv"
    pl.DataFrame({"grp": ["a"] * 8 + ["b"] * 16, "n": list(range(24))}).write_csv(data)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(yaml.safe_dump({"version": 1, "unlisted_columns": "keep", "risk_threshold": 0.121,
                                      "columns": {"grp": {"action": "keep", "kind": "quasi-identifier"}}}))
    assert main(["apply", str(data), "--recipe", str(recipe), "-o", str(tmp_path / "o.csv")]) == 0
    assert "highest prosecutor risk 12.5% (threshold 12.1%, AT RISK)" in capsys.readouterr().out
