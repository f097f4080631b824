"""Issue 13 follow-up: File › Preferences… saves the fields it shows and keeps every other setting.

The dialog shows four fields; the settings file also holds risk_threshold, spark_master and the Excel
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
