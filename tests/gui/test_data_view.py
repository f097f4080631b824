"""The data table and the columns panel: selection sync, filter, count and corrections through undo."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect import ColumnKind, ScanResult, scan_dataset
from sanitas.core.io import open_dataset
from sanitas.core.recipe import ColumnPlan
from sanitas.gui.document import Document
from sanitas.gui.models.columns_model import ACTION, KIND, NameRole
from sanitas.gui.widgets.columns.panel import ColumnsPanel
from sanitas.gui.widgets.data.view import DataView

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(scope="module")
def demo() -> tuple[Dataset, pl.DataFrame, ScanResult]:
    frame = open_dataset(SAMPLES / "customers.csv").collect().head(300)
    dataset = Dataset.from_frame(frame, name="customers.csv")
    return dataset, frame, scan_dataset(dataset, sample_size=300)


@pytest.fixture
def doc(demo) -> Document:
    dataset, frame, scan = demo
    document = Document()
    document.set_dataset(dataset)
    document.set_frame(frame)
    document.set_scan(scan)
    return document


@pytest.fixture
def window(doc: Document, qtbot) -> tuple[DataView, ColumnsPanel]:
    """The two views wired as the main window wires them."""
    view, panel = DataView(doc), ColumnsPanel(doc)
    for widget in (view, panel):
        qtbot.addWidget(widget)
        widget.resize(900, 500)
        widget.show()
        qtbot.waitExposed(widget)
    view.columnSelected.connect(panel.select_column)
    panel.columnSelected.connect(view.select_column)
    return view, panel


def panel_names(panel: ColumnsPanel) -> list[str]:
    return [panel.proxy.index(r, 0).data(NameRole) for r in range(panel.proxy.rowCount())]


def click_row(panel: ColumnsPanel, name: str) -> None:
    row = panel_names(panel).index(name)
    rect = panel.view.visualRect(panel.proxy.index(row, 0))
    QtBot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_data_view_basics(window, doc: Document) -> None:
    view, _ = window
    assert view.accessibleName() == "Data table"
    assert view.model().rowCount() == 300 and view.model().columnCount() == 20
    assert 72 <= view.columnWidth(0) <= 260
    assert view.verticalHeader().sectionResizeMode(0).name == "Fixed"
    email = view.table_model.column_index("email")
    assert view.model().headerData(email, Qt.Orientation.Horizontal).endswith("⚑ EMAIL_ADDRESS")


def test_header_click_and_cells_emit_once_per_column(window, qtbot) -> None:
    view, panel = window
    emitted: list[str] = []
    panel_emitted: list[str] = []
    view.columnSelected.connect(emitted.append)
    panel.columnSelected.connect(panel_emitted.append)
    header = view.horizontalHeader()
    section = view.table_model.column_index("phone")
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert emitted == ["phone"]
    assert view.table_model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    assert panel.current_column == "phone" and panel_emitted == []  # synced quietly
    assert panel.view.currentIndex().data(NameRole) == "phone"
    cell = view.visualRect(view.model().index(3, section)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # same column: no echo
    city = view.table_model.column_index("city")
    cell = view.visualRect(view.model().index(2, city)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert emitted == ["phone", "city"] and panel_emitted == []
    assert panel.current_column == "city"


def test_panel_selection_syncs_the_table_without_loops(window, qtbot) -> None:
    view, panel = window
    view_emitted: list[str] = []
    view.columnSelected.connect(view_emitted.append)
    with qtbot.waitSignal(panel.columnSelected) as blocker:
        click_row(panel, "ip_address")
    assert blocker.args == ["ip_address"]
    section = view.table_model.column_index("ip_address")
    assert view.current_column == "ip_address" and view_emitted == []
    assert view.table_model.data(view.table_model.index(0, section), Qt.ItemDataRole.BackgroundRole) is not None
    assert view.columnViewportPosition(section) >= 0  # scrolled into view
    panel_emitted: list[str] = []
    panel.columnSelected.connect(panel_emitted.append)
    click_row(panel, "ip_address")  # the same column again: nothing new to say
    assert panel_emitted == [] and view_emitted == []


def test_panel_count_sort_and_filter(window, qtbot) -> None:
    _, panel = window
    assert panel.count_label.text() == "Columns (20) · 16 personal"
    names = panel_names(panel)
    assert names[0] == "email" and names[-1] == "favorite_color"
    header = panel.view.horizontalHeader()
    assert header.sortIndicatorSection() == KIND and header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert panel.filter_edit.placeholderText() == "Filter columns"
    panel.focus_filter()
    qtbot.waitUntil(panel.filter_edit.hasFocus)
    qtbot.keyClicks(panel.filter_edit, "date")
    assert set(panel_names(panel)) == {"date_of_birth", "signup_date"}
    assert panel.count_label.text() == "Columns (2 of 20) · 16 personal"


def test_filter_keeps_the_selected_column_and_never_emits(window, qtbot) -> None:
    view, panel = window
    click_row(panel, "zip")
    emitted: list[str] = []
    panel.columnSelected.connect(emitted.append)
    panel.filter_edit.setText("email")  # zip is hidden: the list shows no stale selection
    assert not panel.view.selectionModel().hasSelection()
    panel.filter_edit.setText("")
    assert panel.view.currentIndex().data(NameRole) == "zip"
    assert emitted == [] and view.current_column == "zip"


def test_context_menu_corrections_go_through_undo(window, doc: Document) -> None:
    _, panel = window
    before = doc.undo_stack.count()
    menu = panel.context_menu("product_sku")
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:2] == ["Mark as not personal", "Mark as personal (identifier)"]
    apply_all = next(a for a in menu.actions() if a.text().startswith("Apply this action"))
    assert not apply_all.isEnabled()  # no entity and no action
    next(a for a in menu.actions() if a.text() == "Mark as personal (identifier)").trigger()
    assert doc.undo_stack.count() == before + 1
    assert doc.effective_kind("product_sku") is ColumnKind.IDENTIFIER
    assert panel.count_label.text() == "Columns (20) · 17 personal"
    row = panel_names(panel).index("product_sku")
    assert "✎ corrected" in panel.proxy.index(row, 1).data()
    doc.undo_stack.undo()
    assert doc.plan("product_sku") is None
    assert doc.effective_kind("product_sku") is ColumnKind.NOT_PERSONAL
    assert panel.count_label.text() == "Columns (20) · 16 personal"


def test_apply_to_every_column_of_an_entity(window, doc: Document) -> None:
    _, panel = window
    doc.set_plan("full_name", ColumnPlan(action="fake", params={"entity": "PERSON"}))
    count = doc.undo_stack.count()
    menu = panel.context_menu("full_name")
    apply_all = next(a for a in menu.actions() if a.text() == "Apply this action to all PERSON columns")
    assert apply_all.isEnabled()
    apply_all.trigger()
    assert doc.undo_stack.count() == count + 1
    persons = [c for c in doc.columns if doc.effective_entity(c) == "PERSON"]
    assert all(doc.plan(c) is not None and doc.plan(c).action == "fake" for c in persons)
    row = panel_names(panel).index("full_name")
    assert panel.proxy.index(row, ACTION).data() == "fake"
    doc.undo_stack.undo()
    assert doc.plan("full_name").action == "fake"


def test_mark_not_personal_moves_the_column_down(window, doc: Document) -> None:
    _, panel = window
    assert panel_names(panel)[0] == "email"
    next(a for a in panel.context_menu("email").actions() if a.text() == "Mark as not personal").trigger()
    assert panel_names(panel)[0] != "email"
    assert panel.count_label.text() == "Columns (20) · 15 personal"
    clear = next(a for a in panel.context_menu("email").actions() if a.text() == "Clear the correction")
    clear.trigger()
    assert panel_names(panel)[0] == "email"


def test_views_follow_a_new_dataset(window, doc: Document) -> None:
    view, panel = window
    click_row(panel, "email")
    small = pl.DataFrame({"a": [1, 2], "b": [None, "y"]})
    doc.set_dataset(Dataset.from_frame(small))
    doc.set_frame(small)
    assert view.model().columnCount() == 2 and view.current_column is None
    assert panel.count_label.text() == "Columns (2) · not scanned" and panel.current_column is None
