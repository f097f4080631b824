"""Plan ▸ Apply suggested plan merges with the analyst's work and suggests k-anonymity for the quasi-identifiers.

Driven through the real window: the inspector's correction widgets, the menu action, undo; then the
k-anonymity tab must see no conflict between the suggested plan and the suggested section.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanitas.core.detect.findings import ColumnKind
from sanitas.gui.main_window import MainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    return path


def _correct_kind(window: MainWindow, column: str, kind: ColumnKind) -> None:
    window.columns_panel.columnSelected.emit(column)
    combo = window.inspector.kind_combo
    combo.setCurrentIndex(combo.findData(kind.value))
    window.inspector.correct_button.click()


def test_suggested_plan_keeps_corrections_and_choices_and_suggests_k_anonymity(qtbot, window: MainWindow,
                                                                               demo: Path) -> None:
    window.open_path(demo)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=60_000)
    _correct_kind(window, "favorite_color", ColumnKind.SENSITIVE)
    _correct_kind(window, "email", ColumnKind.NOT_PERSONAL)
    assert window.doc.plan("email").kind is ColumnKind.NOT_PERSONAL

    window.actions.suggested_plan.trigger()
    doc = window.doc
    assert doc.plan("email").kind is ColumnKind.NOT_PERSONAL  # the correction survives
    assert doc.plan("email").action == "keep"  # and steers the suggestion: not personal is kept
    assert doc.plan("favorite_color").kind is ColumnKind.SENSITIVE
    section = doc.recipe.k_anonymity
    assert section is not None and section.k == 5
    assert {"zip", "date_of_birth", "age"} <= set(section.quasi_identifiers)
    assert all(doc.plan(c) is None or doc.plan(c).action == "keep" for c in section.quasi_identifiers)

    panel = window.k_anonymity_panel
    panel.apply_button.click()
    assert panel.message.text() == ""  # the suggested plan and its section do not contradict each other

    doc.set_plan("phone", doc.plan("phone").model_copy(update={"action": "redact", "params": {}}))
    window.actions.suggested_plan.trigger()
    assert doc.plan("phone").action == "redact"  # an explicit choice is kept on a second application

    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.recipe.k_anonymity is None and doc.plan("email") is None


def test_a_hand_made_generalize_survives_the_suggested_plan_and_the_export_runs(qtbot, window: MainWindow,
                                                                               demo: Path, tmp_path: Path) -> None:
    """Found walking the demo at 1280x800: age generalized by hand, then Plan › Apply suggested plan, then
    Export stopped with "the recipe does not fit this dataset: column 'age': it is a quasi-identifier of
    k_anonymity, so its action must be 'keep'". The suggested section now leaves the analyst's column out."""
    from driving import choose_action, export_through_dialog, select_column, trigger
    from PySide6.QtWidgets import QApplication

    from sanitas.gui.widgets.export.residual_dialog import ResidualDialog

    window.open_path(demo)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=60_000)
    select_column(qtbot, window, "age")
    choose_action(window, "generalize")
    assert window.doc.plan("age").action == "generalize"
    trigger(window, "Plan", "Apply suggested plan")
    doc = window.doc
    assert doc.plan("age").action == "generalize"  # the analyst's choice stays
    section = doc.recipe.k_anonymity
    assert section is not None and "age" not in section.quasi_identifiers and "zip" in section.quasi_identifiers
    window.k_anonymity_panel.apply_button.click()
    assert window.k_anonymity_panel.message.text() == ""  # no contradiction to resolve

    trigger(window, "Plan", "Pseudonymization key")
    keys = window.session.key_prompt
    keys.create_button.click()
    keys.ok_button.click()
    out = tmp_path / "out" / "clean.csv"
    out.parent.mkdir()
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy or isinstance(QApplication.activeModalWidget(), ResidualDialog),
                    timeout=180_000)
    if isinstance(QApplication.activeModalWidget(), ResidualDialog):
        QApplication.activeModalWidget().export_button.click()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert Path(f"{out}.report.json").exists(), window.messages.message
    assert "does not fit" not in window.messages.message
    released = pl.read_csv(out, infer_schema=False)
    bands = {f"{d}-{d + 9}" for d in range(0, 90, 10)} | {">=90"}
    assert set(released.get_column("age").drop_nulls().unique().to_list()) <= bands  # generalized by hand
