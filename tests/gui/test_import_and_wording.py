"""Issue 13, item 8, through the real window: messages for workbench users, and the import options dialog.

A workbook whose first sheet is empty opens through the sheet picker; a ragged CSV says to choose the
separator in the import options, never "--delimiter"; a header-only file says its headers suggest
personal data.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter
from driving import menu_action

from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.dialogs.import_dialog import ImportDialog

CLI_WORDS = ("--sheet", "--delimiter", "--encoding", "--key-file", "under 'columns:'", "under 'keys:'")


def test_a_workbook_whose_first_sheet_is_empty_opens_through_the_sheet_picker(qtbot, window: MainWindow,
                                                                              tmp_path: Path) -> None:
    book = tmp_path / "people.xlsx"
    with xlsxwriter.Workbook(book) as workbook:
        workbook.add_worksheet("Notes")  # empty
        sheet = workbook.add_worksheet("People")
        rows = [["name", "email", "age"], ["Ann Lee", "ann.lee@example.org", 34], ["Bo Chan", "bo@example.net", 51]]
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    window.open_path(book)
    qtbot.waitUntil(lambda: window.messages.isVisible() and not window.session.busy, timeout=30_000)
    message = window.messages.message
    assert "sheet is empty" in message and "import options" in message
    assert not any(word in message for word in CLI_WORDS)
    assert window.messages.action_button.text() == "Import options…"
    window.messages.action_button.click()
    dialog = window.import_prompt
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    assert dialog.sheets == ["Notes", "People"]
    dialog.sheet_combo.setCurrentText("People")
    assert dialog.ok_button.isEnabled() and dialog.preview.columnCount() == 3
    assert dialog.preview.horizontalHeaderItem(2).text().startswith("age\n")  # the type under the name
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=90_000)
    assert window.doc.row_count == 2 and window.doc.rows is not None
    assert window.doc.scan.finding("email").is_personal


def test_a_ragged_csv_points_to_the_separator_option_not_a_flag(qtbot, window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "semi.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5\n")
    window.open_path(bad)
    qtbot.waitUntil(lambda: window.messages.isVisible() and not window.session.busy, timeout=30_000)
    message = window.messages.message
    assert "semi.csv" in message and not any(word in message for word in CLI_WORDS)
    assert "line 3" in message and "separator in the import options" in message
    window.messages.action_button.click()
    dialog = window.import_prompt
    assert not dialog.ok_button.isEnabled() and "line 3" in dialog.problem  # said in place, in the dialog
    assert not any(word in dialog.problem for word in CLI_WORDS)
    dialog.delimiter_combo.setCurrentIndex(dialog.delimiter_combo.findData(";"))  # one column: it reads
    assert dialog.ok_button.isEnabled(), dialog.problem
    assert dialog.preview.columnCount() == 1
    dialog.reject()
    assert menu_action(window, "File", "Open with import options").isEnabled()


def test_header_only_file_says_what_its_headers_suggest(qtbot, window: MainWindow, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    pl.DataFrame(schema={"ssn": pl.String, "email": pl.String, "amount": pl.String}).write_csv(empty)
    window.open_path(empty)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=60_000)
    status = window.status_label.text()
    assert "no values to check" in status and "ssn" in status and "email" in status
    assert "amount" not in status.split("suggest", 1)[-1]
