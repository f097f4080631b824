"""The hierarchy editor's widgets and their places, apart from what they do (as Qt Designer's setupUi).

``setup_ui(editor)`` gives the editor its widgets as attributes (form, table, buttons, messages) and
lays them out: builder options above, the table of values by level in the middle, level and file
buttons under it, problems and OK/Cancel at the bottom. The editor connects them (hierarchy_editor.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.k_anonymity.hierarchy_builder_form import BuilderForm
from sanitas.gui.widgets.k_anonymity.hierarchy_table import HierarchyModel, LevelTable


def setup_ui(editor: Any) -> None:
    """Create the editor's widgets on ``editor`` (a HierarchyEditor) and lay them out."""
    editor.form = BuilderForm()
    editor.rebuild_button = named(QPushButton("&Rebuild"), "Rebuild the hierarchy",
                                  "Regenerate the table from these options (hand edits are replaced)")
    editor.group_button = named(QPushButton("&Group selected…"), "Group selected values",
                                "Select values (or level 1 groups) in the table and name their group at the next level")
    editor.ungroup_button = named(QPushButton("&Ungroup selected"), "Ungroup selected",
                                  "Selected values leave their group; selected group labels dissolve their group")
    builder = QGroupBox("Builder")
    builder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # the table takes the room
    column = QVBoxLayout(builder)
    column.addWidget(editor.form)
    column.addWidget(row(editor.rebuild_button, editor.group_button, editor.ungroup_button))
    editor.model = HierarchyModel(editor)
    editor.table = named(LevelTable(editor.model), f"Hierarchy rows of {editor.column}", "Each row: an original "
                         "value and what it becomes at each level; double-click a label to edit it")
    editor.add_level_button = named(QPushButton("&Add level"), "Add a level", "Insert a level above the "
                                    "selected one, starting as a copy of it")
    editor.remove_level_button = named(QPushButton("Remo&ve level"), "Remove the selected level",
                                       "Drop the level of the selected cells")
    editor.import_button = named(QPushButton("&Import ARX…"), "Import an ARX hierarchy",
                                 "Read an ARX hierarchy CSV (value;level1;...;*) into the table")
    editor.export_button = named(QPushButton("E&xport ARX…"), "Export the hierarchy as an ARX CSV file",
                                 "Save as an ARX hierarchy CSV (semicolon separated) to edit and reuse")
    editor.status = named(QLabel(), "Hierarchy summary", "How many values and levels, and where they come from")
    editor.problem = message("Hierarchy problem", "Why the table is not a valid hierarchy")
    editor.missing_label = message("Values missing from the hierarchy", "Values of the data the hierarchy has no "
                                   "row for")
    editor.star = named(QCheckBox("Map missing values to *"), "Map missing values to *", "Values the "
                        "hierarchy lacks become '*' above level 0 instead of stopping the release")
    editor.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    editor.ok_button = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    editor.ok_button.setToolTip("Use this hierarchy for the column (then Apply to recipe)")
    layout = QVBoxLayout(editor)
    layout.addWidget(builder)
    layout.addWidget(editor.status)
    layout.addWidget(editor.table, 1)
    layout.addWidget(row(editor.add_level_button, editor.remove_level_button, None, editor.import_button,
                         editor.export_button))
    for widget in (editor.problem, editor.missing_label, editor.star, editor.buttons):
        layout.addWidget(widget)


def message(name: str, tip: str) -> QLabel:
    """A hidden, wrapping, selectable label for a problem the editor names in place."""
    label = named(QLabel(), name, tip)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def row(*widgets: QWidget | None) -> QWidget:
    """Widgets side by side; None is a stretch."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addStretch() if widget is None else layout.addWidget(widget)
    return box
