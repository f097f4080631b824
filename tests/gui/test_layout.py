"""Issue 13, item 9: every panel usable at 1280x800 and 1100x720, and the panel layout remembered.

"Usable" as the analyst sees it: the window really is that size (its minimum height leaves room for a
title bar of up to 48 px), the columns list shows its Action column, the data table more than two
columns, and each release tab, opened by clicking it, shows its Run/Apply buttons and messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from driving import demo_copy, open_and_scan, select_column
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QSplitter, QWidget

from sanitas.gui.main_window import MainWindow
from sanitas.gui.models.columns_model import ACTION

DECORATIONS = 48  # a window manager's title bar and frame (Xvfb has none; a desktop does)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def close(qtbot, window: MainWindow) -> None:
    window.session.cancel_all()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=30_000)
    window.doc.undo_stack.setClean()
    window.close()


def in_view(widget: QWidget, window: QWidget) -> bool:
    """Shown, not clipped by a scroll area or splitter, and inside the window."""
    if not widget.isVisible() or widget.visibleRegion().isEmpty():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1280, 800), (1100, 720)])
def test_panels_are_usable_at_laptop_sizes(qtbot, state: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    window = MainWindow()
    window.resize(*size)
    window.show()
    try:
        open_and_scan(qtbot, window, demo_copy(tmp_path, rows=200))
        window.actions.suggested_plan.trigger()
        qtbot.wait(100)
        assert window.size().width() == size[0]
        assert window.size().height() == size[1], "the window's minimum height is above the screen's"
        assert window.minimumSizeHint().height() + DECORATIONS <= size[1]
        # the columns list shows its Action column whole
        view = window.columns_panel.view
        header = view.horizontalHeader()
        assert header.sectionViewportPosition(ACTION) + header.sectionSize(ACTION) <= view.viewport().width() + 1
        assert header.sectionSize(ACTION) >= view.fontMetrics().horizontalAdvance("pseudonymize")
        # the data table shows more than two columns
        assert window.data_view.columnAt(window.data_view.viewport().width() - 5) >= 2 or \
            window.data_view.columnAt(window.data_view.viewport().width() - 5) == -1
        # the k-anonymity tab, opened as a user does: Run, Apply and its messages are in view
        tabs = window.release_tabs
        bar = tabs.tabBar()
        index = tabs.indexOf(window.k_anonymity_panel)
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        qtbot.wait(100)
        panel = window.k_anonymity_panel
        panel.message.setText("Set zip, date_of_birth and age back to keep: a quasi-identifier's hierarchy does "
                              "the generalizing.")
        qtbot.wait(50)
        for widget in (panel.run_button, panel.apply_button, panel.message):
            assert in_view(widget, window), widget.accessibleName()
        assert panel.height() >= 300
        # the other release tabs, each opened by a click: their buttons are in view
        synthetic, budget, report = window.synthetic_panel, window.privacy_budget_panel, window.report_view
        for page, widgets in ((synthetic, (synthetic.run_button, synthetic.apply_button, synthetic.detect_button)),
                              (budget, (budget.apply_button, budget.add_column_button, budget.add_figure_button)),
                              (report, (report.folder_button, report.browser_button, report.browser))):
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tabs.indexOf(page)).center())
            qtbot.wait(50)
            assert tabs.currentWidget() is page
            for widget in widgets:
                assert in_view(widget, window), f"{tabs.tabText(tabs.indexOf(page))}: {widget.accessibleName()}"
            assert window.minimumSizeHint().height() + DECORATIONS <= size[1]
            if page is synthetic:  # the metadata table's column names read whole (they were cut to "c...")
                table = synthetic.metadata.table
                names = [table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0)]
                assert names and table.horizontalHeader().sectionViewportPosition(0) == 0
                assert table.columnWidth(0) >= max(table.fontMetrics().horizontalAdvance(n) for n in names)
                assert table.columnViewportPosition(3) + 40 <= table.viewport().width()  # so does the override combo
        # the inspector's action box and the columns list stay usable with the release panels open
        select_column(qtbot, window, "zip")
        qtbot.wait(50)
        assert in_view(window.inspector.action_combo, window)
        name = window.inspector.name_label  # the column's name is not scrolled away with the details
        assert in_view(name, window) and name.visibleRegion().boundingRect() == name.rect()
        assert window.columns_panel.view.viewport().height() >= 120
    finally:
        close(qtbot, window)


def test_splitter_sizes_are_remembered(qtbot, state: Path) -> None:
    first = MainWindow()
    first.resize(1280, 800)
    first.show()
    top = first.findChild(QSplitter, "top-splitter")
    top.setSizes([300, 700, 280])
    remembered = top.sizes()
    body = first.findChild(QSplitter, "body-splitter")
    body.setSizes([400, 340])
    remembered_body = body.sizes()
    close(qtbot, first)

    second = MainWindow()
    second.resize(1280, 800)
    second.show()
    second.restore_state()
    qtbot.wait(50)
    # the offscreen screen (800x600) clamps the restored window: the side panels and the release panels keep
    # their sizes, the data table takes what is left
    restored = second.findChild(QSplitter, "top-splitter").sizes()
    assert (restored[0], restored[2]) == (remembered[0], remembered[2])
    assert second.findChild(QSplitter, "body-splitter").sizes()[1] == remembered_body[1]
    close(qtbot, second)
