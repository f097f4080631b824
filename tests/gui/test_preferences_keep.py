"""Issue 13 follow-up: File › Preferences… saves the fields it shows and keeps every other setting.

The dialog shows five fields (the risk threshold among them); the settings file also holds spark_master and the Excel
limits (and may hold keys a newer version wrote). Saving through the window must not drop any of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from driving import trigger, when_modal

from sanitas.core.settings import load_settings, settings_path
from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.dialogs.preferences import PreferencesDialog


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANITAS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    for name in ("SANITAS_SPACY_MODEL", "SANITAS_LOCALE", "SANITAS_SAMPLE_SIZE", "SANITAS_RECOGNIZERS"):
        monkeypatch.delenv(name, raising=False)
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump({"spacy_model": "none", "locale": "en_GB", "sample_size": 700,
                                    "risk_threshold": 0.05, "spark_master": "spark://cluster:7077",
                                    "excel_max_cells": 1234567, "from_a_newer_version": {"x": 1}}))
    return path


def test_saving_preferences_keeps_the_settings_it_does_not_show(qtbot, config: Path) -> None:
    window = MainWindow()
    window.show()
    seen: list[PreferencesDialog] = []

    def edit(dialog: PreferencesDialog) -> None:
        seen.append(dialog)
        assert dialog.sample_spin.value() == 700 and dialog.locale_combo.currentText() == "en_GB"
        dialog.sample_spin.setValue(1500)
        dialog.locale_combo.setCurrentText("de_DE")
        dialog.save_button.click()

    try:
        when_modal(edit, PreferencesDialog)
        trigger(window, "File", "Preferences")  # exec()s until the handler presses Save
        assert seen, "the preferences dialog did not open"
        saved = load_settings()
        assert (saved.sample_size, saved.locale, saved.spacy_model) == (1500, "de_DE", "none")
        assert saved.risk_threshold == 0.05 and saved.spark_master == "spark://cluster:7077"
        assert saved.excel_max_cells == 1234567
        assert yaml.safe_load(config.read_text())["from_a_newer_version"] == {"x": 1}
    finally:
        window.doc.undo_stack.setClean()
        window.close()


def test_an_unreadable_settings_file_is_replaced_as_the_dialog_says(qtbot, config: Path) -> None:
    config.write_text("risk_threshold: 7\nspark_master: spark://x:7077\n")  # 7 is out of range
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    assert "saving replaces it" in dialog.file_error.text()
    dialog.sample_spin.setValue(900)
    dialog.accept()
    saved = load_settings()
    assert saved.sample_size == 900 and saved.risk_threshold == 0.2


def test_the_risk_threshold_is_set_in_preferences_and_judges_the_next_export(qtbot, config: Path,
                                                                              tmp_path: Path) -> None:
    """Issue 13 item 3: the threshold behind "Released at risk" is settable in the workbench, not only in YAML."""
    import json

    import polars as pl
    from driving import SAMPLES, choose_action, open_and_scan, select_column
    from PySide6.QtWidgets import QApplication

    from sanitas.gui.widgets.export.dialog import ExportDialog
    from sanitas.gui.widgets.export.residual_dialog import ResidualDialog

    table = tmp_path / "people.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=150).select(
        "email", "zip", "sex", "amount").write_csv(table)
    window = MainWindow()
    window.show()

    def loosen(dialog: PreferencesDialog) -> None:
        assert dialog.threshold_spin.value() == 0.05  # the file's value, shown
        dialog.threshold_spin.setValue(1.0)  # accept any risk: the analyst's call, recorded in the report
        dialog.save_button.click()

    def export(dialog: ExportDialog) -> None:
        dialog.path_edit.setText(str(out))
        dialog.ok_button.click()

    try:
        when_modal(loosen, PreferencesDialog)
        trigger(window, "File", "Preferences")
        assert load_settings().risk_threshold == 1.0
        assert yaml.safe_load(config.read_text())["spark_master"] == "spark://cluster:7077"
        open_and_scan(qtbot, window, table)
        select_column(qtbot, window, "email")
        choose_action(window, "drop")
        for column in ("zip", "sex"):
            select_column(qtbot, window, column)
            choose_action(window, "keep")
        out = tmp_path / "out.csv"
        when_modal(export, ExportDialog)
        trigger(window, "File", "Export")
        qtbot.waitUntil(lambda: not window.session.busy or isinstance(QApplication.activeModalWidget(),
                                                                       ResidualDialog), timeout=120_000)
        report = json.loads(Path(f"{out}.report.json").read_text())
        assert report["risk"]["threshold"] == 1.0 and report["status"] == "released", report["status_reason"]
    finally:
        window.session.cancel_all()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=30_000)
        window.doc.undo_stack.setClean()
        window.close()
