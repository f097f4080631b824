"""The workbench end to end, driven through its widgets: open, scan, edit, undo/redo, save, export.

Also: cancel really stops a scan, a bad file gives an in-place message, the session autosave is
offered back after a crash, and recent files persist.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QSpinBox

from sanitas.core.recipe import load_recipe
from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.export.dialog import ExportDialog

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    monkeypatch.setenv("SANITAS_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    (tmp_path / "demo.key").write_text((SAMPLES / "demo.key").read_text())
    return path


@pytest.fixture
def new_window(qtbot, state: Path):
    """Make main windows; at the end, stop their work and close them without the unsaved-plan prompt."""
    made: list[MainWindow] = []

    def make() -> MainWindow:
        win = MainWindow()
        made.append(win)
        return win

    yield make
    for win in made:
        win.session.cancel_all()
        qtbot.waitUntil(lambda w=win: not w.session.busy, timeout=30_000)
        win.doc.undo_stack.setClean()
        win.close()
        win.deleteLater()


@pytest.fixture
def window(new_window) -> MainWindow:
    win = new_window()
    win.show()
    return win


def open_and_scan(qtbot, window: MainWindow, path: Path) -> None:
    window.open_path(path)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=60_000)


def choose_action(window: MainWindow, name: str) -> None:
    combo = window.inspector.action_combo
    combo.setCurrentIndex(combo.findData(name))


def test_open_edit_undo_save_export(qtbot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    open_and_scan(qtbot, window, demo)
    assert window.windowTitle().startswith("Sanitas — customers.csv")
    assert "personal columns" in window.counts_label.text()
    assert window.columns_panel.columns_model.rowCount() == 20

    window.actions.suggested_plan.trigger()
    assert window.doc.plan("email").action == "pseudonymize"
    assert window.isWindowModified()

    window.columns_panel.columnSelected.emit("phone")
    assert window.inspector.column == "phone"
    choose_action(window, "redact")
    assert window.doc.plan("phone").action == "redact"
    window.actions.undo.trigger()
    assert window.doc.plan("phone").action == "mask"
    assert window.inspector.action_combo.currentData() == "mask"
    window.actions.redo.trigger()
    assert window.doc.plan("phone").action == "redact"

    window.columns_panel.columnSelected.emit("card_number")
    spin = window.inspector.form.editor("keep_last")
    assert isinstance(spin, QSpinBox)
    spin.setValue(2)
    spin.editingFinished.emit()
    assert window.doc.plan("card_number").params.get("keep_last") == 2

    recipe_path = tmp_path / "plan.yaml"
    window.doc.recipe.keys.clear()
    window.doc.recipe.keys.update(load_recipe(SAMPLES / "customers.recipe.yaml").keys)
    assert window.session.save_recipe(recipe_path)
    assert not window.isWindowModified()
    saved = load_recipe(recipe_path)
    assert saved == window.doc.recipe and saved.columns["phone"].action == "redact"
    assert "· plan.yaml" in window.windowTitle()

    out = tmp_path / "out" / "clean.parquet"
    out.parent.mkdir()

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExportDialog)
        assert dialog.destination().parent == demo.parent
        dialog.path_edit.setText(str(demo))  # the input itself is refused in place
        assert dialog.error and not dialog.ok_button.isEnabled()
        dialog.path_edit.setText(str(out))
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    QTimer.singleShot(100, fill_dialog)
    window.actions.export.trigger()
    qtbot.waitUntil(lambda: out.exists() and not window.session.busy, timeout=90_000)
    modal = QApplication.activeModalWidget()
    if modal is not None:  # personal data left: the analyst sees where and confirms
        modal.accept()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    frame = pl.read_parquet(out)
    report = json.loads(Path(f"{out}.report.json").read_text())
    # the suggested plan's k-anonymity section may suppress a few records (5% at most)
    assert frame.height == 300 - report["k_anonymity"]["suppressed"] and "street_address" not in frame.columns
    assert set(frame["phone"].drop_nulls()) == {"<PHONE_NUMBER>"}
    assert report["columns"][3]["action"] == "redact"
    assert window.release_tabs.currentIndex() == window.report_tab
    assert "residual findings" in window.counts_label.text()


def test_cancel_stops_the_scan(qtbot, window: MainWindow, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    frame = pl.read_csv(SAMPLES / "customers.csv", infer_schema=False)
    pl.concat([frame] * 20).write_csv(big)
    window.open_path(big)
    qtbot.waitUntil(lambda: window.doc.rows is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.cancel_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert window.doc.scan is None
    assert "cancelled" in window.status_label.text()


def test_bad_file_gives_an_in_place_message(qtbot, window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5\n")
    window.open_path(bad)
    qtbot.waitUntil(lambda: window.messages.isVisible(), timeout=30_000)
    assert "ragged.csv" in window.messages.message and "line 3" in window.messages.message
    assert window.doc.dataset is None


def test_recipe_that_does_not_fit_keeps_the_plan(qtbot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    open_and_scan(qtbot, window, demo)
    window.actions.suggested_plan.trigger()
    before = window.doc.recipe.model_copy(deep=True)
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ncolumns:\n  email: {action: mask, params: {keep_lats: 3}}\n")
    window.session.open_recipe(broken)
    assert "keep_lats" in window.messages.message
    assert window.doc.recipe == before


def test_autosave_is_offered_after_a_crash(qtbot, new_window, demo: Path) -> None:
    crashed = new_window()
    open_and_scan(qtbot, crashed, demo)
    crashed.actions.suggested_plan.trigger()
    crashed.session.autosaver.save_now()
    session_file = crashed.session.autosaver.path
    data = json.loads(session_file.read_text())
    assert data["recipe"]["columns"]["email"]["action"] == "pseudonymize"
    assert (session_file.stat().st_mode & 0o777) == 0o600
    # a crash: the process that wrote it is gone (pretend another pid wrote it)
    moved = session_file.with_name("session-999999.json")
    session_file.rename(moved)

    fresh = new_window()
    fresh.show()
    fresh.session.offer_restore()
    box = fresh.session.restore_prompt
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: fresh.doc.plan("email") is not None and not fresh.session.busy, timeout=60_000)
    assert fresh.doc.plan("email").action == "pseudonymize"
    assert fresh.doc.dataset is not None and fresh.doc.dataset.source == demo
    assert fresh.isWindowModified(), "restored edits are unsaved edits"


def test_recent_files_and_geometry_persist(qtbot, new_window, demo: Path) -> None:
    first = new_window()
    first.show()
    open_and_scan(qtbot, first, demo)
    first.resize(640, 480)  # within the offscreen screen (800x600), which clamps restored geometry
    first.close()
    second = new_window()
    second.restore_state()
    assert second.session.settings.recent_files()[0] == demo
    assert second.actions.recent_menu.actions()[0].text() == str(demo)
    assert second.width() == 640  # (the height is held up by the layout's minimum on the small offscreen screen)


def test_shortcuts_and_accessible_names(window: MainWindow) -> None:
    assert window.actions.open.shortcut().toString() == "Ctrl+O"
    assert window.actions.export.shortcut().toString() == "Ctrl+E"
    assert "Ctrl+E" in window.actions.export.toolTip()
    for widget in (window.data_view, window.progress, window.cancel_button, window.inspector.action_combo):
        assert widget.accessibleName()
    assert yaml is not None
