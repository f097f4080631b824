"""Issue 13, item 8, through the real window: the import dialog's header row, for exports with a title.

File › Open with import options… → pick the file → set the header row → the preview shows the real
column names and types → Open → the table, the scan (in the analysis process) and the release read the
same columns. Opening such a file plainly fails with a message whose Import options… button opens the
dialog with the header row it suggests already set.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from driving import demo_copy, export_through_dialog, trigger
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.dialogs.import_dialog import ImportDialog
from sanitas.gui.widgets.dialogs.key_dialog import KeyDialog
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog


def titled_demo(folder: Path) -> tuple[Path, list[str]]:
    """The demo's first 300 rows under two title lines, as a CRM export writes them."""
    plain = demo_copy(folder)
    titled = folder / "crm_export.csv"
    titled.write_text("Customer export, Acme CRM\nGenerated 2026-12-06, 300 records\n" + plain.read_text())
    return titled, pl.read_csv(plain, n_rows=0).columns


def pick_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The platform's file chooser answers ``path`` (it is the system's dialog, not the workbench's)."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(path), "")))


def test_header_row_in_the_import_dialog_reads_under_a_title(qtbot, window: MainWindow, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    titled, columns = titled_demo(tmp_path)
    pick_file(monkeypatch, titled)
    trigger(window, "File", "Open with import options")
    qtbot.waitUntil(lambda: isinstance(window.import_prompt, ImportDialog) and window.import_prompt.isVisible(),
                    timeout=10_000)
    dialog = window.import_prompt
    assert dialog.path == titled
    assert dialog.header_spin.isVisible() and dialog.header_spin.value() == 1
    assert not dialog.ok_button.isEnabled() and "line 3" in dialog.problem  # as read from line 1: a ragged title
    assert "header row" in dialog.problem and "--header-row" not in dialog.problem

    dialog.header_spin.setFocus()
    dialog.header_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.header_spin, "3")  # typed, as the analyst does: the preview follows after a pause
    qtbot.waitUntil(lambda: dialog.preview.columnCount() == len(columns), timeout=10_000)
    assert dialog.ok_button.isEnabled() and not dialog.problem
    shown = [dialog.preview.horizontalHeaderItem(c).text().split("\n")[0] for c in range(len(columns))]
    assert shown == columns
    assert dialog.preview.horizontalHeaderItem(columns.index("zip")).text().endswith("String")  # zero-led codes
    assert dialog.options() == {"header_row": 3}

    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=120_000)
    assert window.doc.dataset.columns == columns and window.doc.row_count == 300
    model = window.data_view.table_model
    shown = [model.headerData(c, Qt.Orientation.Horizontal).split("\n")[0] for c in range(model.columnCount())]
    assert shown == columns  # the table has them
    assert model.data(model.index(0, columns.index("customer_id"))) == pl.read_csv(
        titled, skip_rows=2, n_rows=1, infer_schema=False).item(0, "customer_id")  # the first record, not a title
    assert window.doc.scan.finding("email").is_personal  # the analysis process read it the same way
    assert window.doc.open_options == {"header_row": 3}

    key_file = tmp_path / "demo.key"
    key_file.write_text("a-long-enough-secret-for-tests-0123456789\n")
    trigger(window, "Plan", "Apply suggested plan")
    trigger(window, "Plan", "Pseudonymization key")
    keys = window.session.key_prompt
    assert isinstance(keys, KeyDialog)
    keys.file_edit.setText(str(key_file))
    keys.ok_button.click()
    out = tmp_path / "out" / "clean.csv"
    out.parent.mkdir()
    export_through_dialog(qtbot, window, out)
    qtbot.waitUntil(lambda: (Path(f"{out}.report.json").exists() and not window.session.busy)
                    or isinstance(QApplication.activeModalWidget(), ResidualDialog), timeout=180_000)
    if isinstance(QApplication.activeModalWidget(), ResidualDialog):
        QApplication.activeModalWidget().export_button.click()
        qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    report = json.loads(Path(f"{out}.report.json").read_text())
    released = pl.read_csv(out, infer_schema=False)
    assert released.height == report["output"]["rows"] >= 285
    assert set(released.columns) <= set(columns) and "customer_id" in released.columns
    assert "Customer export" not in out.read_text()


def test_a_titled_file_opened_plainly_offers_the_header_row(qtbot, window: MainWindow, tmp_path: Path) -> None:
    titled, columns = titled_demo(tmp_path)
    window.open_path(titled)
    qtbot.waitUntil(lambda: window.messages.isVisible() and not window.session.busy, timeout=30_000)
    message = window.messages.message
    assert "crm_export.csv, line 3: 20 fields, expected 2" in message
    assert "header row to that line in the import options" in message and "--header-row" not in message
    assert "column names are on line 3" in message
    window.messages.action_button.click()
    dialog = window.import_prompt
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    assert dialog.header_spin.value() == 3  # the line the message suggests, already set and previewed
    assert dialog.ok_button.isEnabled() and dialog.preview.columnCount() == len(columns)
    dialog.header_spin.setValue(500)  # past the end: said in place, naming the file and the row
    qtbot.waitUntil(lambda: not dialog.ok_button.isEnabled(), timeout=10_000)
    assert "crm_export.csv: header row 500 is past the end of the file" in dialog.problem
    dialog.reject()
