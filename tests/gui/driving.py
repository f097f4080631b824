"""Drive the real workbench the way an analyst does: menus, dialogs, clicks and keys (issue 13's tests).

Shared by the end-to-end GUI tests so each reads as the steps a user takes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

from sanitas.gui.main_window import MainWindow
from sanitas.gui.widgets.export.dialog import ExportDialog

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def demo_copy(folder: Path, rows: int = 300) -> Path:
    path = folder / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=rows).write_csv(path)
    return path


def menu_action(window: MainWindow, menu: str, text: str) -> QAction:
    """The action ``text`` of the menu bar's ``menu`` (both without '&' and '…'), as a user finds it."""
    def plain(label: str) -> str:
        return label.replace("&", "").rstrip("…").strip()

    for top in window.menuBar().actions():
        if plain(top.text()) != menu:
            continue
        sub: QMenu = top.menu()
        sub.aboutToShow.emit()
        for action in sub.actions():
            if plain(action.text()) == text or plain(action.text()).startswith(text + " "):  # "Undo Set phone…"
                assert action.isEnabled(), f"{menu} › {text} is disabled"
                return action
    raise AssertionError(f"no menu item {menu} › {text}")


def trigger(window: MainWindow, menu: str, text: str) -> None:
    menu_action(window, menu, text).trigger()


def when_modal(handler: Callable[[QDialog], None], kind: type = QDialog, delay: int = 50, tries: int = 200) -> None:
    """Call ``handler`` with the next modal dialog of type ``kind`` once it is shown (for exec()-ed dialogs)."""
    def poll(left: int = tries) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, kind) and modal.isVisible():
            handler(modal)
        elif left > 0:
            QTimer.singleShot(delay, lambda: poll(left - 1))

    QTimer.singleShot(delay, poll)


def visible_child(parent: QWidget, kind: type, name: str | None = None) -> QWidget | None:
    for child in parent.findChildren(kind):
        if child.isVisible() and (name is None or child.objectName() == name or child.accessibleName() == name):
            return child
    return None


def open_and_scan(qtbot, window: MainWindow, path: Path) -> None:
    window.open_path(path)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=90_000)


def select_column(qtbot, window: MainWindow, name: str) -> None:
    """Click the column's row in the columns list."""
    from PySide6.QtCore import Qt

    panel = window.columns_panel
    index = panel._proxy_index(name)
    assert index.isValid(), name
    panel.view.scrollTo(index)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.inspector.column == name, timeout=5_000)


def choose_action(window: MainWindow, action: str) -> None:
    combo = window.inspector.action_combo
    index = combo.findData(action)
    assert index >= 0, action
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def export_through_dialog(qtbot, window: MainWindow, out: Path) -> None:
    """File › Export…, type the destination, press Export."""
    def fill(dialog: ExportDialog) -> None:
        dialog.path_edit.setText(str(out))
        assert dialog.ok_button.isEnabled(), dialog.error
        dialog.ok_button.click()

    when_modal(fill, ExportDialog)
    trigger(window, "File", "Export")
