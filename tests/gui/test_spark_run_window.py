"""File › Run on Spark… through the real window, on a real local[2] Spark: the release and its report appear.

The analyst opens a CSV, opens a recipe (File › Open recipe…), changes one column's action in the
inspector, and picks File › Run on Spark…: the workbench saves the edited recipe to its file, the
dialog shows the master URL of the settings (local[2] here), and Run starts `sanitas apply --engine spark`
in a child process. The test waits for it to finish (JVM start included) and reads what it wrote: the
output folder of part files, and the JSON and HTML reports beside it, with the edited action applied.
Skipped without PySpark or Java. The child connects to its own JVM on 127.0.0.1 only.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml
from driving import choose_action, demo_copy, open_and_scan, select_column, trigger
from PySide6.QtWidgets import QFileDialog

from sanitas.core.io import report_paths
from sanitas.gui.main_window import MainWindow
from sanitas.gui.spark_run import SparkRunDialog

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
                                reason="needs the spark extra and Java")

RECIPE = {
    "version": 1, "seed": 7, "unlisted_columns": "drop",
    "columns": {"email": {"action": "redact"}, "phone": {"action": "mask", "params": {"keep_last": 4}},
                "city": {"action": "keep"}, "age": {"action": "keep"}, "plan": {"action": "keep"}},
}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private settings folder naming local[2] as the Spark master (the child reads the same settings)."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "settings.yaml").write_text(yaml.safe_dump({"spark_master": "local[2]"}))
    monkeypatch.setenv("SANITAS_CONFIG_DIR", str(folder))
    return folder


def test_run_on_spark_from_the_window_writes_the_release_and_its_report(
        qtbot, window: MainWindow, settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = demo_copy(tmp_path, rows=300)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(RECIPE, sort_keys=False))
    open_and_scan(qtbot, window, demo)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(recipe), "")))
    trigger(window, "File", "Open recipe")
    qtbot.waitUntil(lambda: window.doc.recipe_path == recipe, timeout=10_000)
    select_column(qtbot, window, "city")
    choose_action(window, "redact")  # an edit: Run on Spark must save it first
    qtbot.waitUntil(lambda: window.doc.dirty, timeout=5_000)

    trigger(window, "File", "Run on Spark")
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SparkRunDialog)), timeout=10_000)
    dialog = next(d for d in window.findChildren(SparkRunDialog) if d.isVisible())
    assert not window.doc.dirty  # saved to the recipe's own file before the child reads it
    assert yaml.safe_load(recipe.read_text())["columns"]["city"]["action"] == "redact"
    assert dialog.master.text() == "local[2]"  # from the settings
    out = tmp_path / "released.parquet"
    dialog.output.setText(str(out))
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.exit_code is not None, timeout=600_000)

    log = dialog.log.toPlainText()
    assert dialog.exit_code == 0, log[-2000:]
    assert log.rstrip().endswith("Done.")
    assert (out / "_SUCCESS").is_file()
    released = pl.read_parquet(sorted(out.glob("part-*.parquet")))
    assert released.height == 300
    assert released.columns == ["email", "phone", "city", "age", "plan"]
    source = pl.read_csv(demo, infer_schema=False)
    cities = released.get_column("city").unique().to_list()  # redacted with its entity's tag, e.g. <LOCATION>
    assert len(cities) == 1 and cities[0].startswith("<") and not set(cities) & set(source.get_column("city"))
    assert released.get_column("phone").str.slice(-4).to_list() == source.get_column("phone").str.slice(-4).to_list()
    report_html, report_json = report_paths(out)
    report = json.loads(report_json.read_text())
    assert report["output"]["rows"] == 300
    assert {c["name"]: c["action"] for c in report["columns"]}["city"] == "redact"
    assert report["engine"]["name"] == "spark" and report["engine"]["master"] == "local[2]"
    assert "<html" in report_html.read_text().lower()
    dialog.reject()
