"""Issue 13, item 3 follow-up: the recipe's own risk threshold, set in the workbench where the risk is read.

Driven through the real window: unset, the default of File › Preferences judges the release; the Report
tab's threshold box sets the recipe's own value (undoable, saved in the recipe YAML), and the next
export's report JSON ``risk`` threshold and ``status`` follow it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from driving import SAMPLES, choose_action, export_through_dialog, open_and_scan, select_column, trigger
from PySide6.QtWidgets import QApplication, QFileDialog

from sanitas.core.settings import settings_path
from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog
from sanitas.gui.widgets.report.view import AMBER


@pytest.fixture
def lenient_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> float:
    """File › Preferences' default threshold at 100%: every release passes unless the recipe says otherwise."""
    monkeypatch.setenv("SANITAS_CONFIG_DIR", str(tmp_path / "config"))
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump({"spacy_model": "none", "risk_threshold": 1.0}))
    return 1.0


def export_report(qtbot, window: MainWindow, out: Path) -> dict:
    out.parent.mkdir()
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy or isinstance(QApplication.activeModalWidget(), ResidualDialog),
                    timeout=180_000)
    assert not isinstance(QApplication.activeModalWidget(), ResidualDialog), "the residual check should be clean"
    return json.loads(Path(f"{out}.report.json").read_text())


def test_recipe_threshold_set_in_the_report_tab_decides_the_release(qtbot, window: MainWindow, tmp_path: Path,
                                                                     lenient_default: float,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "people.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).select(
        "email", "zip", "date_of_birth", "sex", "amount").write_csv(table)
    open_and_scan(qtbot, window, table)
    select_column(qtbot, window, "email")
    choose_action(window, "drop")
    for column in ("zip", "date_of_birth", "sex"):  # raw quasi-identifiers: the risk is high
        select_column(qtbot, window, column)
        choose_action(window, "keep")

    bar = window.risk_threshold_bar
    window.release_tabs.setCurrentWidget(window.report_view)
    assert bar.isVisible() and not bar.own_check.isChecked() and not bar.spin.isEnabled()
    assert "100%" in bar.default_label.text() and "used for this recipe" in bar.default_label.text()

    # unset: the Preferences default (100%) applies, and the release passes
    report = export_report(qtbot, window, tmp_path / "a" / "out.csv")
    assert report["risk"]["threshold"] == lenient_default and report["status"] == "released"

    # the recipe's own threshold, 5%: the same release is now at risk, and the report says so
    bar.own_check.click()
    assert window.doc.recipe.risk_threshold is not None and bar.spin.isEnabled()
    bar.spin.setFocus()
    bar.spin.lineEdit().selectAll()
    qtbot.keyClicks(bar.spin, "5")
    qtbot.waitUntil(lambda: window.doc.recipe.risk_threshold == 0.05, timeout=5_000)
    report = export_report(qtbot, window, tmp_path / "b" / "out.csv")
    assert report["risk"]["threshold"] == 0.05 and report["risk"]["at_risk"]
    assert report["status"] == "released-at-risk"
    assert window.report_view.status.startswith("⚠ Released at risk")
    assert AMBER in window.report_view.status_label.styleSheet()
    assert "threshold 5%" in window.report_view.browser.toPlainText()

    # saved in the recipe, so a headless run judges the same way
    recipe = tmp_path / "plan.yaml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(recipe), "")))
    trigger(window, "File", "Save recipe as")
    qtbot.waitUntil(recipe.exists, timeout=10_000)
    assert yaml.safe_load(recipe.read_text())["risk_threshold"] == 0.05

    # undoable like any plan edit: the typed value, then the box itself
    trigger(window, "Edit", "Undo")
    assert window.doc.recipe.risk_threshold != 0.05
    while window.doc.recipe.risk_threshold is not None:
        trigger(window, "Edit", "Undo")
    assert not bar.own_check.isChecked() and not bar.spin.isEnabled()
    assert window.doc.plan("email").action == "drop"  # only the threshold steps were undone
    report = export_report(qtbot, window, tmp_path / "c" / "out.csv")
    assert report["risk"]["threshold"] == lenient_default and report["status"] == "released"
