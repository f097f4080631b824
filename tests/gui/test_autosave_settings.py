"""Autosave (debounced, private, restorable, no key material), the app's QSettings, and the preferences dialog."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import polars as pl
import psutil
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from sanitas.core.io import open_dataset
from sanitas.core.recipe import ColumnPlan
from sanitas.core.settings import load_settings, settings_path
from sanitas.gui.app_settings import MAX_RECENT, AppSettings
from sanitas.gui.autosave import Autosaver, find_pending
from sanitas.gui.document import Document
from sanitas.gui.widgets.dialogs.preferences import PreferencesDialog

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
DEMO_RECIPE = SAMPLES / "customers.recipe.yaml"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("SANITAS_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def doc(qtbot, tmp_path: Path) -> Document:
    path = tmp_path / "people.csv"
    pl.DataFrame({"email": ["ann@example.org", "bob@example.org"], "amount": [1.5, 2.5]}).write_csv(path)
    document = Document()
    document.set_dataset(open_dataset(path))
    return document


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- autosave --------------------------------------------------------------------------------------
def test_autosave_after_an_edit_restores_and_clears(qtbot, state: Path, doc: Document) -> None:
    doc.open_recipe(DEMO_RECIPE)  # its key is a file reference: the file's content must not reach the session
    saver = Autosaver(doc, delay_ms=50)
    doc.set_plan("email", ColumnPlan(action="redact"))
    qtbot.waitUntil(lambda: saver.path.exists(), timeout=3000)
    assert mode(saver.path) == 0o600 and mode(state) == 0o700

    text = saver.path.read_text()
    key = (SAMPLES / "demo.key").read_text().strip()
    assert key not in text and "demo.key" in text
    assert "ann@example.org" not in text  # paths and the plan only, never values
    data = json.loads(text)
    assert data["dataset_path"] == str(doc.dataset.source) and data["dirty"] is True

    snapshot = Autosaver(Document()).pending_restore()
    assert snapshot is not None and snapshot.file == saver.path
    assert snapshot.recipe.columns["email"].action == "redact"
    assert snapshot.dataset_path == doc.dataset.source and snapshot.recipe_path == DEMO_RECIPE

    restored = Document()
    Autosaver.restore(Autosaver(restored), restored, snapshot)
    assert restored.plan("email") == ColumnPlan(action="redact")
    assert restored.dirty and restored.recipe_path == DEMO_RECIPE
    assert restored.recipe.keys["default"].file == "demo.key" and restored.recipe.seed == doc.recipe.seed

    saver.clear()
    assert not saver.path.exists() and find_pending() is None


def test_edits_are_debounced(qtbot, state: Path, doc: Document) -> None:
    saver = Autosaver(doc, delay_ms=200)
    writes: list[object] = []
    saver.saved.connect(writes.append)
    for action in ("redact", "drop", "keep", "redact"):
        doc.set_plan("email", ColumnPlan(action=action))
    qtbot.waitUntil(lambda: bool(writes), timeout=3000)
    qtbot.wait(300)
    assert len(writes) == 1


def test_sessions_of_running_workbenches_are_not_offered(qtbot, state: Path, doc: Document) -> None:
    saver = Autosaver(doc, delay_ms=10)
    data = json.loads(Path(saver.save_now()).read_text())
    saver.clear()
    other = os.getppid()  # a live process that is not this one
    live = dict(data, pid=other, process_started=psutil.Process(other).create_time())
    (state / f"session-{other}.json").write_text(json.dumps(live))
    assert find_pending() is None, "another running workbench owns that session"
    reused = dict(live, process_started=live["process_started"] - 1000)
    (state / f"session-{other}.json").write_text(json.dumps(reused))
    assert find_pending() is not None, "same pid, another process: the crashed workbench left it"
    (state / "session-1.json").write_text("{not json")
    assert find_pending() is not None  # a broken file is skipped, not fatal


# --- app settings ----------------------------------------------------------------------------------
@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat))


def test_recent_files_order_limit_and_prune(app_settings: AppSettings, tmp_path: Path) -> None:
    files = [tmp_path / f"f{i}.csv" for i in range(12)]
    for f in files:
        f.write_text("a\n1\n")
    for f in files[:3]:
        app_settings.add_recent(f)
    assert app_settings.recent_files() == [files[2], files[1], files[0]]
    app_settings.add_recent(files[0])
    assert app_settings.recent_files() == [files[0], files[2], files[1]]
    files[2].unlink()
    assert app_settings.recent_files() == [files[0], files[1]]
    for f in files[3:]:
        app_settings.add_recent(f)
    recent = app_settings.recent_files()
    assert len(recent) == MAX_RECENT and recent[0] == files[-1]
    app_settings.clear_recent()
    assert app_settings.recent_files() == []


def test_window_and_folders_round_trip(qtbot, app_settings: AppSettings, tmp_path: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(640, 420)  # inside the offscreen screen (800x600): restoreGeometry fits it to the screen
    window.show()
    qtbot.waitExposed(window)
    app_settings.save_window(window)
    again = QMainWindow()
    qtbot.addWidget(again)
    assert app_settings.restore_window(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == window.size()

    assert app_settings.last_export_folder() is None
    app_settings.set_last_export_folder(tmp_path)
    assert app_settings.last_export_folder() == tmp_path
    app_settings.set_last_folder(tmp_path)
    assert app_settings.last_folder() == str(tmp_path)
    app_settings.set_export_strict(True)
    assert app_settings.export_strict() is True


# --- preferences: the core's settings file ---------------------------------------------------------
def test_preferences_validate_in_place_and_save_the_core_settings(qtbot, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANITAS_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("SANITAS_SPACY_MODEL", "SANITAS_LOCALE", "SANITAS_SAMPLE_SIZE", "SANITAS_RECOGNIZERS"):
        monkeypatch.delenv(name, raising=False)
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    assert dialog.path == settings_path()
    assert "Installed" in dialog.notes["spacy_model"].text()
    dialog.model_edit.setText("no_such_model_xyz")
    assert "not installed" in dialog.notes["spacy_model"].text() and dialog.save_button.isEnabled()

    dialog.locale_combo.setCurrentText("xx_YY")
    assert "no locale" in dialog.notes["locale"].text() and not dialog.save_button.isEnabled()
    dialog.locale_combo.setCurrentText("de_DE")
    assert dialog.save_button.isEnabled()

    dialog.recognizers_edit.setText(str(tmp_path / "missing.yaml"))
    assert "not found" in dialog.notes["recognizers_file"].text() and not dialog.save_button.isEnabled()
    example = SAMPLES / "recognizers.example.yaml"
    dialog.recognizers_edit.setText(str(example))
    assert dialog.save_button.isEnabled()

    dialog.model_edit.setText("none")
    dialog.sample_spin.setValue(500)
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    saved = load_settings()
    assert (saved.spacy_model, saved.locale, saved.sample_size) == ("none", "de_DE", 500)
    assert saved.recognizers_file == example

    monkeypatch.setenv("SANITAS_LOCALE", "fr_FR")
    again = PreferencesDialog()
    qtbot.addWidget(again)
    assert again.locale_combo.currentText() == "de_DE", "the file's value, not the environment's"
    assert "SANITAS_LOCALE" in again.notes["locale"].text()
    assert os.environ["SANITAS_CONFIG_DIR"] == str(tmp_path / "config")
