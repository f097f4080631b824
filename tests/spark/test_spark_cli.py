"""`sanitas apply --engine spark` end to end (in this process, on the shared local[2] session): CSV in, a CSV
folder out with its reports beside it; and what the Spark engine cannot run yet is refused before any
work, naming the step or the column, with nothing written."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import polars as pl
import pytest
import yaml

from sanitas.cli.main import main

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("cli")
    table = pl.read_csv(SAMPLES / "customers.csv", n_rows=600, infer_schema_length=0)
    table.select("customer_id", "email", "city", "age", "ssn").write_csv(here / "people.csv")
    key = here / "k.key"
    key.write_text(secrets.token_hex(32))
    key.chmod(0o600)
    return here


def _recipe(folder: Path, name: str, **extra: object) -> Path:
    data = {"version": 1, "seed": 3, "unlisted_columns": "keep", "keys": {"default": {"file": "k.key"}},
            "columns": {"customer_id": {"action": "pseudonymize"}, "email": {"action": "mask"},
                        "ssn": {"action": "redact"}}}
    for key, value in extra.items():
        if key == "columns":
            data["columns"].update(value)  # type: ignore[union-attr]
        else:
            data[key] = value
    path = folder / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_apply_engine_spark_writes_a_csv_folder_and_its_reports(spark, folder: Path, capsys) -> None:
    recipe = _recipe(folder, "ok.yaml")
    out = folder / "clean.csv"
    code = main(["apply", str(folder / "people.csv"), "--recipe", str(recipe), "-o", str(out),
                 "--engine", "spark", "--master", "local[2]", "--quiet"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert out.is_dir() and (out / "_SUCCESS").exists()
    written = pl.read_csv(sorted(out.glob("part-*.csv")), infer_schema_length=0)
    assert written.height == 600 and written.columns == ["customer_id", "email", "city", "age", "ssn"]
    assert written.get_column("ssn").unique().to_list() == ["<US_SSN>"]
    assert written.get_column("customer_id").str.len_chars().unique().to_list() == [16]
    report = json.loads((folder / "clean.csv.report.json").read_text())
    assert report["engine"]["name"] == "spark" and report["engine"]["master"] == "local[2]"
    assert report["residual"]["value_hits"] == []
    assert (folder / "clean.csv.report.html").exists()
    assert "600 output rows" in printed.out


@pytest.mark.parametrize(("extra", "named"), [
    ({"k_anonymity": {"k": 5, "quasi_identifiers": ["city", "age"], "method": "mondrian"}},
     "method 'mondrian' (Mondrian partitioning)"),
    ({"columns": {"city": {"action": "scrub"}}}, "column 'city', action 'scrub'"),
    ({"synthetic": {}, "columns": {"customer_id": {"action": "fake"}}}, "column 'email', action 'mask'"),
])
def test_what_cannot_run_distributed_is_refused_by_name(spark, folder: Path, capsys, extra: dict,
                                                        named: str) -> None:
    recipe = _recipe(folder, "refused.yaml", **extra)
    out = folder / "refused.parquet"
    code = main(["apply", str(folder / "people.csv"), "--recipe", str(recipe), "-o", str(out),
                 "--engine", "spark", "--master", "local[2]", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert named in err and "Spark" in err
    assert not out.exists() and not (folder / "refused.parquet.report.json").exists()


def test_ctrl_c_cancels_the_spark_job_and_leaves_no_output(spark, folder: Path, capsys) -> None:
    """A real SIGINT once a Spark job runs: the job is cancelled, exit 130, and no folder, hidden staging
    folder or report is left behind."""
    import os
    import signal
    import threading
    import time

    recipe = _recipe(folder, "interrupted.yaml")
    out = folder / "interrupted.parquet"
    tracker = spark.sparkContext.statusTracker()  # type: ignore[attr-defined]
    seen = threading.Event()

    def interrupt_when_a_job_runs() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not seen.is_set():
            if tracker.getActiveJobsIds():
                seen.set()
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=interrupt_when_a_job_runs, daemon=True)
    watcher.start()
    code = main(["apply", str(folder / "people.csv"), "--recipe", str(recipe), "-o", str(out),
                 "--engine", "spark", "--master", "local[2]", "--quiet"])
    seen.set()
    watcher.join(timeout=5)
    capsys.readouterr()
    assert code == 130
    assert not out.exists() and not list(folder.glob(".interrupted.parquet*"))
    assert not list(folder.glob("interrupted.parquet.report.*"))
    deadline = time.monotonic() + 30  # cancelAllJobs is asynchronous: the job stops within moments
    while tracker.getActiveJobsIds() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tracker.getActiveJobsIds()
