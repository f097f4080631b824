"""Issue 13's "Also" list and item 8's encoding advice, through the real window.

(The platform icons for Undo, Redo and Export are checked in test_toolbar_icons.py.) An
unexpected error names the step in words ("while scanning the dataset", not "while scan"); the report
shows an action's parameters in words, never a raw dict; the window pages the table instead of
holding it; a UTF-16 file without a byte-order mark, and a plan that leaves personal columns without
an action, are explained with the workbench's own controls, never a command-line flag or YAML.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from driving import (
    SAMPLES,
    choose_action,
    demo_copy,
    export_through_dialog,
    open_and_scan,
    select_column,
    trigger,
)
from PySide6.QtWidgets import QApplication, QLabel

from sanitas.core.io.pages import PagedRows
from sanitas.gui.errors import UnexpectedErrorDialog
from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.dialogs.import_dialog import ImportDialog
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog

CLI_WORDS = ("--sheet", "--delimiter", "--encoding", "--key-file", "under 'columns:'", "under 'keys:'", "`action:")


def export_to(qtbot, window: MainWindow, out: Path) -> None:
    """File › Export… through the dialog; confirm a residual finding if one is asked about."""
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: not window.session.busy or isinstance(QApplication.activeModalWidget(), ResidualDialog),
                    timeout=120_000)
    modal = QApplication.activeModalWidget()
    if isinstance(modal, ResidualDialog):
        modal.export_button.click()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)


def test_an_unexpected_error_names_the_step_in_words(qtbot, window: MainWindow) -> None:
    def broken(_progress, _cancel) -> None:
        raise RuntimeError("a bug, not the analyst's data")

    for step, words in (("scan", "while scanning the dataset"), ("open", "while opening the dataset")):
        window.session._run(step, broken, lambda _result: None)
        qtbot.waitUntil(lambda: not window.session.busy, timeout=10_000)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(UnexpectedErrorDialog)),
                        timeout=5_000)
        dialog = next(d for d in window.findChildren(UnexpectedErrorDialog) if d.isVisible())
        intro = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert words in intro and f"while {step} " not in intro, intro
        assert "failed unexpectedly" in window.status_label.text()
        dialog.close()


def test_the_report_shows_parameters_in_words(qtbot, window: MainWindow, tmp_path: Path) -> None:
    open_and_scan(qtbot, window, demo_copy(tmp_path, rows=150))
    trigger(window, "Plan", "Apply suggested plan")
    for column in ("customer_id", "email"):  # no key needed: the masks stand in for the pseudonyms
        select_column(qtbot, window, column)
        choose_action(window, "mask")
    out = tmp_path / "out.csv"
    export_to(qtbot, window, out)
    assert out.exists(), window.messages.message
    report = json.loads(Path(f"{out}.report.json").read_text())
    with_params = [c for c in report["columns"] if c.get("params")]
    assert with_params, "some action in the suggested plan has parameters"
    shown = window.report_view.browser.toHtml()
    assert "{'" not in shown and "{&#x27;" not in shown and "': " not in shown  # never a raw dict
    text = window.report_view.browser.toPlainText()
    assert " · " in text or ": " in text.split("Columns", 1)[-1]


def test_the_window_pages_the_table_instead_of_holding_it(qtbot, window: MainWindow, tmp_path: Path) -> None:
    table = tmp_path / "wide.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False).write_csv(table)  # all 5,000 rows
    open_and_scan(qtbot, window, table)
    rows = window.doc.rows
    assert isinstance(rows, PagedRows) and rows.height == 5000
    assert isinstance(rows._frame, pl.LazyFrame)  # a file-backed copy read page by page, not a frame in memory
    assert window.doc.sample is not None and window.doc.sample.height < rows.height
    assert window.data_view.table_model.total_rows == 5000


def test_utf16_without_a_byte_order_mark_points_to_the_import_options(qtbot, window: MainWindow,
                                                                     tmp_path: Path) -> None:
    wide = tmp_path / "people.csv"
    wide.write_bytes("name,email\nAnn Lee,ann@example.org\nBo Chan,bo@example.net\n".encode("utf-16-le"))
    window.open_path(wide)
    qtbot.waitUntil(lambda: window.messages.isVisible() and not window.session.busy, timeout=30_000)
    message = window.messages.message
    assert "choose utf-16 in the import options" in message and not any(w in message for w in CLI_WORDS)
    window.messages.action_button.click()
    dialog = window.import_prompt
    assert isinstance(dialog, ImportDialog) and dialog.isVisible() and not dialog.ok_button.isEnabled()
    dialog.encoding_combo.setCurrentText("utf-16-le")
    assert dialog.ok_button.isEnabled(), dialog.problem
    assert dialog.preview.columnCount() == 2
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=60_000)
    assert window.doc.row_count == 2 and window.doc.scan.finding("email").is_personal


def test_personal_columns_without_an_action_are_named_with_the_action_box(qtbot, window: MainWindow,
                                                                          tmp_path: Path) -> None:
    open_and_scan(qtbot, window, demo_copy(tmp_path, rows=120))
    select_column(qtbot, window, "email")
    choose_action(window, "keep")
    window.doc.set_plan("email", None)  # as after undoing the analyst's choice: no action for a personal column
    out = tmp_path / "out.csv"
    export_to(qtbot, window, out)
    shown = " ".join([window.messages.message, window.status_label.text()])
    assert not out.exists()
    assert "email" in shown and "Action box" in shown, shown
    assert not any(word in shown for word in CLI_WORDS), shown
