"""Issue 13, items 1 and 2, driven through the real window: export past the residual check, and keys.

Export: demo → Plan › Apply suggested plan → email set to keep → File › Export… → the residual dialog →
Export anyway → the files are written. Keys: the suggested plan pseudonymizes, and the analyst gives
the key in the workbench (create, key file, environment), then exports without relaunching; the key is
in none of the files the workbench writes.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import polars as pl
import pytest
from driving import choose_action, demo_copy, export_through_dialog, open_and_scan, select_column, trigger, when_modal
from PySide6.QtWidgets import QApplication

from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.dialogs.key_dialog import KeyDialog
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    monkeypatch.setenv("SANITAS_STATE_DIR", str(folder))
    monkeypatch.delenv("SANITAS_KEY", raising=False)
    return folder


@pytest.fixture
def window(state: Path, window: MainWindow) -> MainWindow:
    """The shared window (conftest), opened after ``state`` took SANITAS_KEY out of the environment."""
    return window


def give_key_file(window: MainWindow, key_file: Path) -> None:
    """Plan › Pseudonymization key…: use a key file."""
    trigger(window, "Plan", "Pseudonymization key")
    dialog = window.session.key_prompt
    assert isinstance(dialog, KeyDialog) and dialog.isVisible()
    dialog.file_edit.setText(str(key_file))
    assert dialog.ok_button.isEnabled(), dialog.problem
    dialog.ok_button.click()


def test_export_anyway_writes_the_files_when_personal_data_remains(qtbot, window: MainWindow, tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    key_file = tmp_path / "demo.key"
    key_file.write_text("a-long-enough-secret-for-tests-0123456789\n")
    open_and_scan(qtbot, window, demo)
    trigger(window, "Plan", "Apply suggested plan")
    give_key_file(window, key_file)
    select_column(qtbot, window, "email")
    choose_action(window, "keep")
    assert window.doc.plan("email").action == "keep"

    out = tmp_path / "out" / "clean.csv"
    out.parent.mkdir()
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ResidualDialog), timeout=120_000)
    dialog = QApplication.activeModalWidget()
    assert any(row.column == "email" for row in dialog.rows)
    assert window.progress.isVisible()  # waiting for the analyst, not stuck: the dialog says why
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)

    assert out.exists() and Path(f"{out}.report.json").exists() and Path(f"{out}.report.html").exists()
    report = json.loads(Path(f"{out}.report.json").read_text())
    # the suggested plan's k-anonymity section may suppress a few records (5% at most)
    assert pl.read_csv(out).height == 300 - report["k_anonymity"]["suppressed"] == report["output"]["rows"]
    assert report["k_anonymity"]["suppressed"] <= 15
    assert report["residual_findings"] >= 1
    assert window.report_view.report is not None and "residual" in window.report_view.status
    assert not window.messages.message.startswith("The export stopped")
    shown = window.report_view.browser.toPlainText()  # parameters in words, never a raw dict
    assert "Keep last: 4" in shown and "{'" not in shown


def test_key_created_in_the_workbench_exports_without_relaunching(qtbot, window: MainWindow, tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    open_and_scan(qtbot, window, demo)
    trigger(window, "Plan", "Apply suggested plan")
    select_column(qtbot, window, "customer_id")
    assert window.inspector.key_row.isVisible()
    assert "not set" in window.inspector.key_label.text()  # said in place, beside the action
    qtbot.waitUntil(lambda: "⚠" in window.inspector.preview.status_text(), timeout=10_000)

    # the key button beside the action opens the key dialog; create a key, save it to a 0600 key file
    window.inspector.key_button.click()
    dialog = window.session.key_prompt
    assert isinstance(dialog, KeyDialog) and dialog.isVisible()
    dialog.create_button.click()
    key = dialog.key_edit.text()
    assert len(key) == 64
    key_file = tmp_path / "keys" / "project.key"
    key_file.parent.mkdir()
    dialog.save_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.read_text().strip() == key
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "✔" in window.inspector.key_label.text(), timeout=5_000)
    preview = window.inspector.preview
    qtbot.waitUntil(lambda: bool(preview.pairs()) and not preview.busy, timeout=30_000)
    assert all(after != before for before, after, _ in window.inspector.preview.pairs() if before)

    recipe_path = tmp_path / "plan.yaml"
    assert window.session.save_recipe(recipe_path)
    window.session.autosaver.save_now()
    out = tmp_path / "out.parquet"
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy and (out.exists() or bool(window.messages.message)),
                    timeout=120_000)
    modal = QApplication.activeModalWidget()
    if isinstance(modal, ResidualDialog):  # free-text leftovers: the analyst confirms
        modal.export_button.click()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert out.exists(), window.messages.message
    assert pl.read_parquet(out)["customer_id"][0] != pl.read_csv(demo)["customer_id"][0]
    window.session.settings.qsettings.sync()
    written = [recipe_path, Path(f"{out}.report.json"), Path(f"{out}.report.html"),
               *Path(os.environ["SANITAS_STATE_DIR"]).rglob("*")]
    for path in written:
        if path.is_file():
            assert key not in path.read_text(errors="replace"), f"the key is in {path}"


def test_key_shown_once_in_memory_and_from_the_environment(qtbot, window: MainWindow, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    demo = demo_copy(tmp_path, rows=120)
    open_and_scan(qtbot, window, demo)
    trigger(window, "Plan", "Apply suggested plan")

    # Export asks for the missing key first; the analyst creates one and keeps it in memory only
    def create(dialog: KeyDialog) -> None:
        dialog.create_button.click()
        created.append(dialog.key_edit.text())
        dialog.ok_button.click()

    created: list[str] = []
    out = tmp_path / "memory.csv"
    when_modal(create, KeyDialog)
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy and (out.exists() or isinstance(
        QApplication.activeModalWidget(), ResidualDialog)), timeout=120_000)
    modal = QApplication.activeModalWidget()
    if isinstance(modal, ResidualDialog):
        modal.export_button.click()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert out.exists() and created
    assert created[0] not in Path(f"{out}.report.json").read_text()
    assert created[0] not in out.read_text()

    # reopening the dialog does not show the key again
    trigger(window, "Plan", "Pseudonymization key")
    again = window.session.key_prompt
    assert created[0] not in again.key_edit.text()
    # read it from the environment instead
    monkeypatch.setenv("SANITAS_TEST_KEY", "x" * 8)
    again.env_edit.setText("SANITAS_TEST_KEY")
    assert not again.ok_button.isEnabled() and "too short" in again.problem
    monkeypatch.setenv("SANITAS_TEST_KEY", "y" * 40)
    again.env_edit.setText("SANITAS_TEST_KEY ")
    assert again.ok_button.isEnabled()
    again.ok_button.click()
    assert window.session.keys.source("default").env == "SANITAS_TEST_KEY"
    window.session.keys.clear()
