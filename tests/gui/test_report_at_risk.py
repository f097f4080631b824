"""Issue 13, item 3 in the workbench: a release whose quasi-identifiers single out records is not shown green.

Driven as the analyst does it: open a table, drop the direct identifier in the inspector, keep zip, date of
birth and sex as they are, File › Export…; the Report tab's headline is amber and says why, and the report
view shows the re-identification risk the core computed.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from driving import SAMPLES, choose_action, export_through_dialog, open_and_scan, select_column
from PySide6.QtWidgets import QApplication

from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog
from sanitas.gui.widgets.report.view import AMBER, OK


def export_to(qtbot, window: MainWindow, out: Path) -> None:
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy or isinstance(QApplication.activeModalWidget(), ResidualDialog),
                    timeout=120_000)
    assert not isinstance(QApplication.activeModalWidget(), ResidualDialog), "the residual check should be clean"
    assert Path(f"{out}.report.json").exists(), (window.messages.message, window.status_label.text())


def test_export_with_raw_quasi_identifiers_shows_an_amber_at_risk_headline(qtbot, window: MainWindow,
                                                                          tmp_path: Path) -> None:
    table = tmp_path / "people.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).select(
        "email", "zip", "date_of_birth", "sex", "amount").write_csv(table)
    open_and_scan(qtbot, window, table)
    select_column(qtbot, window, "email")
    choose_action(window, "drop")
    for column in ("zip", "date_of_birth", "sex"):  # released as they are, on purpose
        select_column(qtbot, window, column)
        choose_action(window, "keep")
    out = tmp_path / "out" / "people.clean.csv"
    out.parent.mkdir()
    export_to(qtbot, window, out)

    report = json.loads(Path(f"{out}.report.json").read_text())
    assert report["status"] == "released-at-risk" and report["risk"]["at_risk"]
    view = window.report_view
    assert window.release_tabs.currentWidget() is view
    assert view.status.startswith("⚠ Released at risk")
    assert AMBER in view.status_label.styleSheet() and OK not in view.status_label.styleSheet()
    assert "Re-identification risk is high" in view.reason_label.text()
    shown = view.browser.toPlainText()
    assert "Re-identification risk" in shown and "Highest prosecutor risk" in shown
    assert "zip" in shown and "above the threshold" in shown


def test_export_with_quasi_identifiers_dropped_is_green(qtbot, window: MainWindow, tmp_path: Path) -> None:
    table = tmp_path / "people.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=200).select(
        "email", "zip", "amount").write_csv(table)
    open_and_scan(qtbot, window, table)
    for column in ("email", "zip"):
        select_column(qtbot, window, column)
        choose_action(window, "drop")
    out = tmp_path / "green.csv"
    export_to(qtbot, window, out)
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert report["status"] == "released", report["status_reason"]
    assert window.report_view.status.startswith("✔") and OK in window.report_view.status_label.styleSheet()
