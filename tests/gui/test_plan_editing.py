"""Issue 13, items 5 and 7 and the suggested-plan bar, driven through the real window.

An action chosen by hand starts from parameters that work (or says, above its fields and in the
preview, what it needs); the action box shows the plan after switching columns; Ctrl+F reaches the
column filter, and no two actions share a shortcut.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from driving import choose_action, demo_copy, open_and_scan, select_column, trigger
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from sanitas.gui.main_window import MainWindow


@pytest.fixture
def scanned(qtbot, window: MainWindow, tmp_path: Path) -> MainWindow:
    open_and_scan(qtbot, window, demo_copy(tmp_path, rows=200))
    return window


def test_no_two_actions_share_a_shortcut(qtbot, window: MainWindow) -> None:
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            owners.setdefault(sequence.toString(), []).append(action.text())
    for shortcut in window.findChildren(QShortcut):
        for sequence in shortcut.keys():  # noqa: SIM118 (QShortcut.keys(), not a dict)
            if shortcut.context() != Qt.ShortcutContext.WidgetWithChildrenShortcut:
                owners.setdefault(sequence.toString(), []).append(shortcut.objectName() or "a QShortcut")
    shared = {keys: names for keys, names in owners.items() if keys and len(names) > 1}
    assert not shared, f"shortcuts with more than one owner: {shared}"


def test_ctrl_f_focuses_the_column_filter(qtbot, scanned: MainWindow) -> None:
    window = scanned
    window.activateWindow()
    window.data_view.setFocus()
    qtbot.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    qtbot.waitUntil(window.columns_panel.filter_edit.hasFocus, timeout=3_000)
    qtbot.keyClicks(window.columns_panel.filter_edit, "zip")
    assert window.columns_panel.proxy.rowCount() == 1


def test_generalize_by_hand_starts_from_working_parameters(qtbot, scanned: MainWindow) -> None:
    window = scanned
    select_column(qtbot, window, "amount")  # numbers: round bins over the column's range
    choose_action(window, "generalize")
    plan = window.doc.plan("amount")
    assert plan is not None and plan.action == "generalize" and plan.params.get("method", "bins") == "bins"
    assert plan.params["width"] > 0
    assert not window.inspector.form.error_text()
    preview = window.inspector.preview
    qtbot.waitUntil(lambda: bool(preview.pairs()) and not preview.busy, timeout=30_000)
    assert any(before != after for before, after, _ in preview.pairs())

    select_column(qtbot, window, "signup_date")  # dates: cut to the year
    choose_action(window, "generalize")
    assert window.doc.plan("signup_date").params.get("method") == "date"

    select_column(qtbot, window, "amount")  # back: the action box shows the plan, not a blank
    assert window.inspector.action_combo.currentData() == "generalize"
    assert window.inspector.action_combo.currentText().startswith("Generalize")


def test_a_form_that_cannot_run_says_so_where_the_eye_is(qtbot, scanned: MainWindow) -> None:
    window = scanned
    select_column(qtbot, window, "amount")
    choose_action(window, "generalize")
    form = window.inspector.form
    width = form.editor("width")
    width.clear()  # the analyst empties the width: bins cannot run without it
    width.editingFinished.emit()
    assert "width" in form.error_text()
    assert form.error_label.isVisible()
    layout = form.layout()  # above the fields, right under the action combo
    assert layout.indexOf(form.error_label) < layout.indexOf(width.parentWidget())


def test_pseudonymize_by_hand_without_a_key_says_so_in_place(qtbot, scanned: MainWindow,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANITAS_KEY", raising=False)
    window = scanned
    select_column(qtbot, window, "full_name")
    choose_action(window, "pseudonymize")
    assert window.doc.plan("full_name").action == "pseudonymize"
    assert window.inspector.key_row.isVisible() and "not set" in window.inspector.key_label.text()
    assert window.inspector.key_button.isVisible()
    qtbot.waitUntil(lambda: "⚠" in window.inspector.preview.status_text(), timeout=10_000)
    assert "Key 'default'" in window.inspector.preview.status_text()


def test_the_suggested_plan_offer_goes_once_the_analyst_plans(qtbot, scanned: MainWindow) -> None:
    window = scanned
    assert window.messages.action_button.text() == "Apply suggested plan" and window.messages.isVisible()
    select_column(qtbot, window, "phone")
    choose_action(window, "redact")
    assert not window.messages.isVisible()
    trigger(window, "Edit", "Undo")
    assert window.doc.plan("phone") is None
