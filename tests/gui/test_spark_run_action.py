"""The workbench's Run on Spark... action: in the File menu after Export, the child command it builds, and
the master URL taken from the core's settings (PySpark is never imported by the workbench)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from sanitas.core.settings import settings_path
from sanitas.gui.main_window import MainWindow
from sanitas.gui.spark_run import SparkRunDialog, spark_command


def test_run_on_spark_sits_after_export_in_the_file_menu(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    export = window.actions.export
    menu_actions = [a for w in export.associatedObjects() if hasattr(w, "actions") and w is not window
                    for a in w.actions()]
    assert window.run_on_spark_action in menu_actions
    assert menu_actions.index(window.run_on_spark_action) == menu_actions.index(export) + 1


def test_dialog_uses_the_settings_master_and_builds_the_cli_command(qtbot, tmp_path: Path) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"spark_master": "spark://cluster.example:7077"}))
    try:
        dialog = SparkRunDialog(tmp_path / "people.parquet", tmp_path / "r.yaml")
        qtbot.addWidget(dialog)
        assert dialog.master.text() == "spark://cluster.example:7077"
        assert dialog.output.text().endswith("people.spark.parquet")
    finally:
        path.unlink()
    command = spark_command(tmp_path / "in.csv", tmp_path / "r.yaml", tmp_path / "out.parquet", "local[2]")
    assert command[:4] == [sys.executable, "-m", "sanitas.cli.main", "apply"]
    assert command[-4:] == ["--engine", "spark", "--master", "local[2]"]
