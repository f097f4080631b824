"""The hierarchy editor's table: one row per original value, then its label at each level.

A model over plain rows rather than a QTableWidget, because a quasi-identifier such as a date of
birth can have tens of thousands of distinct values. The value column is read-only (it is what the
data is matched on); labels of levels 1 and up are edited in place. The model does not judge an
edit: the dialog validates the whole hierarchy and marks the offending cell (icon and tooltip, so
colour is not the only signal).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QApplication, QStyle, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex


class HierarchyModel(QAbstractTableModel):
    """Rows of ``value, label1, ..., labelN``; ``edited(row, level)`` after the analyst changes a label."""

    edited = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[list[str]] = []
        self.height = 0
        self.problem: tuple[int, int, str] | None = None  # row, level, message

    def set_rows(self, rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.rows = [list(row) for row in rows]
        self.height = len(rows[0]) if rows else 0
        self.problem = None
        self.endResetModel()

    def set_problem(self, problem: tuple[int, int, str] | None) -> None:
        old, self.problem = self.problem, problem
        for cell in (old, problem):
            if cell is not None and cell[0] < len(self.rows) and cell[1] < self.height:
                index = self.index(cell[0], cell[1])
                self.dataChanged.emit(index, index)

    def insert_level(self, level: int) -> None:
        """A new level at ``level`` (1..height-1), starting as a copy of the level below: a valid coarsening
        the analyst then edits."""
        self.beginInsertColumns(QModelIndex(), level, level)
        for row in self.rows:
            row.insert(level, row[level - 1])
        self.height += 1
        self.endInsertColumns()

    def remove_level(self, level: int) -> None:
        self.beginRemoveColumns(QModelIndex(), level, level)
        for row in self.rows:
            del row[level]
        self.height -= 1
        self.endRemoveColumns()

    # --- QAbstractTableModel -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.height

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, level = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.rows[row][level]
        marked = self.problem is not None and self.problem[:2] == (row, level)
        if marked and role == Qt.ItemDataRole.DecorationRole:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if marked and role == Qt.ItemDataRole.ToolTipRole:
            return self.problem[2]  # type: ignore[index]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == 0:
            return False
        text = str(value).strip()
        if text == self.rows[index.row()][index.column()]:
            return False
        self.rows[index.row()][index.column()] = text
        self.dataChanged.emit(index, index)
        self.edited.emit(index.row(), index.column())
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() > 0 else flags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return "value" if section == 0 else f"level {section}"


class LevelTable(QTableView):
    """The view, with the QTableWidget-style counts callers and tests read."""

    def __init__(self, model: HierarchyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.horizontalHeader().setStretchLastSection(True)

    def rowCount(self) -> int:
        return self.model().rowCount()

    def columnCount(self) -> int:
        return self.model().columnCount()

    def selected_rows_and_level(self) -> tuple[list[int], int | None]:
        """Selected rows and the one column they are in (None when the selection spans several)."""
        indexes = self.selectionModel().selectedIndexes()
        levels = {i.column() for i in indexes}
        return sorted({i.row() for i in indexes}), (levels.pop() if len(levels) == 1 else None)
