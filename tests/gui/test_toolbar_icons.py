"""Issue 13, "Also": undo/redo and Export use the platform's icons, not back/forward arrows and a floppy disk.

Checked on the real window's toolbar, as the analyst sees it: each button's icon is the desktop theme's
(edit-undo, edit-redo, document-export) where the theme has one, else Sanitas's own drawn icon; never
the style's navigation arrows or its save (floppy) icon.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QStyle, QToolBar, QToolButton

from sanitas.gui.actions import ICONS
from sanitas.gui.main_window import MainWindow


def image(icon: QIcon):
    return icon.pixmap(24, 24).toImage()


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    win = MainWindow()
    win.show()
    yield win
    win.close()


def test_toolbar_undo_redo_and_export_use_platform_icons(window: MainWindow) -> None:
    toolbar = window.findChild(QToolBar, "main-toolbar")
    style = window.style()
    unwanted = [image(style.standardIcon(p)) for p in (QStyle.StandardPixmap.SP_ArrowBack,
                                                        QStyle.StandardPixmap.SP_ArrowForward,
                                                        QStyle.StandardPixmap.SP_DialogSaveButton)]
    for action, theme, fallback in ((window.actions.undo, QIcon.ThemeIcon.EditUndo, "undo.svg"),
                                    (window.actions.redo, QIcon.ThemeIcon.EditRedo, "redo.svg"),
                                    (window.actions.export, "document-export", "export.svg")):
        button = toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton) and button.isVisible()
        shown = image(button.icon())
        assert not shown.isNull(), action.text()
        themed = QIcon.fromTheme(theme)
        expected = themed if not themed.isNull() else QIcon(str(ICONS / fallback))
        assert shown == image(expected), action.text()
        assert all(shown != other for other in unwanted), f"{action.text()} shows a style arrow or floppy icon"
