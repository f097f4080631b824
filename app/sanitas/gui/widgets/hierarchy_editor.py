"""Shows a quasi-identifier's generalization hierarchy, so the analyst sees what each level does.

Read-only on purpose: editing hierarchies is done in a file (Export ARX…, edit, then choose it as
"from ARX file…"), which keeps the recipe pointing at something reviewable.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.hierarchy import Hierarchy
from sanitas.core.privacy.hierarchy_builders import auto_hierarchy
from sanitas.gui.document import Document

AUTOMATIC, FROM_FILE = "Automatic", "From ARX file…"


class HierarchyEditor(QDialog):
    """One row per original value: the value, then its label at level 1..N."""

    def __init__(self, hierarchy: Hierarchy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hierarchy = hierarchy
        self.setWindowTitle(f"Hierarchy of {hierarchy.column}")
        self.setAccessibleName(f"Generalization hierarchy of {hierarchy.column}")
        rows = hierarchy.rows()
        self.table = QTableWidget(len(rows), hierarchy.height)
        self.table.setAccessibleName(f"Hierarchy rows of {hierarchy.column}")
        self.table.setToolTip("Each row: an original value and what it becomes at each generalization level")
        self.table.setHorizontalHeaderLabels(["value", *[f"level {i}" for i in range(1, hierarchy.height)]])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for r, row in enumerate(rows):
            for c, label in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(label))
        self.status = QLabel(f"{len(rows):,} values, {hierarchy.height - 1} levels above the original")
        self.status.setAccessibleName("Hierarchy summary")
        self.export_button = QPushButton("Export ARX…")
        self.export_button.setAccessibleName("Export the hierarchy as an ARX CSV file")
        self.export_button.setToolTip("Save as an ARX hierarchy CSV (semicolon separated) to edit and reuse")
        self.export_button.clicked.connect(self._export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 420)

    def export(self, path: Path) -> None:
        self.hierarchy.to_arx_csv(path)
        self.status.setText(f"Exported to {path.name}")

    def _export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export hierarchy", f"{self.hierarchy.column}_hierarchy.csv", "ARX hierarchy (*.csv)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if name:
            try:
                self.export(Path(name))
            except OSError as exc:
                self.status.setText(f"Could not export: {exc.strerror or exc}")


class HierarchyChooser(QGroupBox):
    """Per quasi-identifier: Automatic or an ARX file, and "Show" to see what it does to the values.

    ``files`` remembers chosen files even for columns that are not quasi-identifiers right now, so
    flipping a role back and forth does not lose the choice; ``chosen_files`` gives the current ones.
    """

    problem = Signal(str)  # shown in place by the panel, never as a dialog

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__("Hierarchies", parent)
        self.doc = doc
        self.setAccessibleName("Hierarchy per quasi-identifier")
        self.files: dict[str, str] = {}
        self.combos: dict[str, QComboBox] = {}
        self.dialog: HierarchyEditor | None = None
        self._grid = QGridLayout(self)

    def chosen_files(self) -> dict[str, str]:
        return {c: f for c, f in self.files.items() if c in self.combos}

    def set_columns(self, columns: list[str]) -> None:
        while self._grid.count():
            old = self._grid.takeAt(0).widget()
            old.hide()  # deleteLater is deferred: hidden now so it cannot paint over the new row
            old.deleteLater()
        self.combos = {}
        for row, column in enumerate(columns):
            combo = QComboBox()
            combo.setAccessibleName(f"Hierarchy of {column}")
            combo.setToolTip("Build one from the values, or read an ARX hierarchy CSV")
            combo.addItems([AUTOMATIC, FROM_FILE])
            if column in self.files:
                combo.insertItem(1, f"ARX: {Path(self.files[column]).name}", self.files[column])
                combo.setCurrentIndex(1)
            combo.activated.connect(lambda _i, c=column: self._chosen(c))
            show = QPushButton("Show")
            show.setAccessibleName(f"Show the hierarchy of {column}")
            show.setToolTip("See every value and what it becomes at each level")
            show.clicked.connect(lambda _=False, c=column: self.show_hierarchy(c))
            self.combos[column] = combo
            for col, widget in enumerate((QLabel(column), combo, show)):
                self._grid.addWidget(widget, row, col)

    def _chosen(self, column: str) -> None:
        text = self.combos[column].currentText()
        if text == AUTOMATIC:
            self.files.pop(column, None)
        elif text == FROM_FILE:
            name, _ = QFileDialog.getOpenFileName(self, f"Hierarchy of {column}", str(self.doc.recipe_dir() or ""),
                                                  "ARX hierarchy (*.csv)",
                                                  options=QFileDialog.Option.DontUseNativeDialog)
            if name:
                self.files[column] = name
            self.set_columns(list(self.combos))

    def hierarchy(self, column: str) -> Hierarchy:
        """The hierarchy the run would use (relative files are read from the recipe's folder)."""
        if column in self.files:
            path = Path(self.files[column])
            return Hierarchy.from_arx_csv(path if path.is_absolute() else (self.doc.recipe_dir() or Path()) / path,
                                          column=column)
        if self.doc.frame is None:
            raise SanitasError("The rows are still loading.")
        return auto_hierarchy(self.doc.frame.get_column(column))

    def show_hierarchy(self, column: str) -> None:
        try:
            hierarchy = self.hierarchy(column)
        except (SanitasError, OSError) as exc:
            self.problem.emit(str(exc))
            return
        self.dialog = HierarchyEditor(hierarchy, self)
        self.dialog.show()
