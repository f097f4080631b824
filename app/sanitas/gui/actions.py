"""The main window's actions: one place for labels, shortcuts, tooltips and menus.

Shortcuts appear in menus and in toolbar tooltips ("Open (Ctrl+O)"), so they are discoverable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

ICONS = Path(__file__).resolve().parents[3] / "resources" / "icons"


def platform_icon(theme: QIcon.ThemeIcon | str, fallback: str) -> QIcon:
    """The desktop theme's icon (what the analyst's other apps show); a plain drawn one where there is no theme."""
    icon = QIcon.fromTheme(theme)
    return icon if not icon.isNull() else QIcon(str(ICONS / fallback))


@dataclass
class Actions:
    open: QAction
    open_with_options: QAction
    open_recipe: QAction
    save_recipe: QAction
    save_recipe_as: QAction
    new_recipe: QAction
    export: QAction
    preferences: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    find_column: QAction
    scan: QAction
    full_text_scan: QAction
    suggested_plan: QAction
    key: QAction
    about: QAction
    recent_menu: QMenu


def _action(window: QMainWindow, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None,
            tip: str = "", icon: QStyle.StandardPixmap | QIcon | None = None) -> QAction:
    action = QAction(text, window)
    if isinstance(icon, QIcon):
        action.setIcon(icon)
    elif icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    plain = text.replace("&", "").rstrip(".…")
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip or plain} ({keys})" if keys else (tip or plain))
    action.setStatusTip(tip or plain)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_actions(window, undo_action: QAction, redo_action: QAction) -> Actions:
    sp = QStyle.StandardPixmap
    w = window
    actions = Actions(
        open=_action(w, "&Open dataset…", w.open_dialog, QKeySequence.StandardKey.Open,
                     "Open a CSV, TSV, Parquet, Excel or JSON file", sp.SP_DialogOpenButton),
        open_with_options=_action(w, "Open with &import options…", w.import_dialog, None,
                                  "Choose the sheet, separator or encoding, with a preview of the first rows"),
        open_recipe=_action(w, "Open &recipe…", w.open_recipe_dialog, "Ctrl+Shift+O",
                            "Open a recipe (YAML or JSON)"),
        save_recipe=_action(w, "&Save recipe", w.save_recipe, QKeySequence.StandardKey.Save,
                            "Save the recipe", sp.SP_DialogSaveButton),
        save_recipe_as=_action(w, "Save recipe &as…", w.save_recipe_as, "Ctrl+Shift+S",
                               "Save the recipe as a new file"),
        new_recipe=_action(w, "&New recipe", w.new_recipe, None, "Start an empty recipe for this dataset"),
        export=_action(w, "&Export…", w.export_dialog, "Ctrl+E",
                       "Write the sanitized dataset and its privacy report",
                       platform_icon("document-export", "export.svg")),
        preferences=_action(w, "&Preferences…", w.preferences_dialog, QKeySequence.StandardKey.Preferences,
                            "Detection model, locale, sample size, custom recognizers"),
        quit=_action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit),
        undo=undo_action,
        redo=redo_action,
        find_column=_action(w, "&Find column", w.focus_column_filter, QKeySequence.StandardKey.Find,
                            "Filter the column list"),
        scan=_action(w, "&Scan again", w.rescan, "F5", "Scan the dataset for personal data again",
                     sp.SP_BrowserReload),
        full_text_scan=_action(w, "Scan &every free-text cell", w.full_text_scan, "Shift+F5",
                               "Run detection over every cell of the free-text columns (slow)"),
        suggested_plan=_action(w, "Apply &suggested plan", w.apply_suggested_plan, "Ctrl+Shift+P",
                               "Give every column the action the findings suggest", sp.SP_DialogApplyButton),
        key=_action(w, "Pseudonymization &key…", w.key_dialog, "Ctrl+Shift+K",
                    "Create a key, pick a key file, or read it from an environment variable (this session only)",
                    platform_icon("dialog-password", "key.svg")),
        about=_action(w, "&About Sanitas", w.about),
        recent_menu=QMenu("Open &recent", w),
    )
    undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    if QKeySequence("Ctrl+Y") not in redo_keys:  # some platforms already bind it
        redo_keys.append(QKeySequence("Ctrl+Y"))
    redo_action.setShortcuts(redo_keys)
    undo_action.setIcon(platform_icon(QIcon.ThemeIcon.EditUndo, "undo.svg"))
    redo_action.setIcon(platform_icon(QIcon.ThemeIcon.EditRedo, "redo.svg"))
    for action, tip in ((undo_action, "Undo the last plan edit"), (redo_action, "Redo")):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})")
    return actions


def build_menus(window: QMainWindow, a: Actions) -> QToolBar:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.open, a.open_with_options])
    file_menu.addMenu(a.recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([a.new_recipe, a.open_recipe, a.save_recipe, a.save_recipe_as])
    file_menu.addSeparator()
    file_menu.addActions([a.export, a.preferences])
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addAction(a.find_column)
    scan_menu = bar.addMenu("&Scan")
    scan_menu.addActions([a.scan, a.full_text_scan])
    plan_menu = bar.addMenu("&Plan")
    plan_menu.addActions([a.suggested_plan, a.key])
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.about)

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setAccessibleName("Main toolbar")
    toolbar.addActions([a.open, a.scan, a.suggested_plan, a.undo, a.redo])
    toolbar.addSeparator()
    toolbar.addAction(a.export)
    return toolbar
