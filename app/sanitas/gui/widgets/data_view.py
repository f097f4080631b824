"""The centre table: the data itself, with finding badges in the headers.

Selecting a column (header click, a cell, or the keyboard) tells the rest of the window which column
the analyst is looking at; ``select_column`` is the quiet way back, so two synced views never echo.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from sanitas.gui.document import Document
from sanitas.gui.models.dataset_model import DatasetTableModel

MIN_WIDTH, MAX_WIDTH = 72, 260  # default column widths, in pixels
SAMPLE_ROWS = 40  # rows whose text sizes the default column widths


class DataView(QTableView):
    """A read-only, virtualized table over ``doc.frame``; emits ``columnSelected`` on the analyst's moves."""

    columnSelected = Signal(str)

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.table_model = DatasetTableModel(doc, self)
        self._current: str | None = None
        self._quiet = False
        self.setModel(self.table_model)
        self.setAccessibleName("Data table")
        self.setAccessibleDescription("The dataset's rows; headers show each column's kind and top finding")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform heights: no per-row layout
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.setHighlightSections(True)
        columns.setToolTip("Click a header to inspect the column")
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.table_model.modelReset.connect(self._model_reset)
        self.table_model.headerDataChanged.connect(self._widen_for_headers)
        self._model_reset()

    # --- public ------------------------------------------------------------------------------------
    @property
    def current_column(self) -> str | None:
        return self._current

    def select_column(self, name: str) -> None:
        """Scroll to and highlight ``name`` without emitting ``columnSelected`` (the caller knows)."""
        section = self.table_model.column_index(name)
        if section < 0 or (name == self._current and self._column_highlighted(section)):
            return
        self._quiet = True
        try:
            self._current = name
            if self.table_model.rowCount() > 0:
                row = max(self.rowAt(0), 0)
                index = self.table_model.index(row, section)
                self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.selectColumn(section)
                self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
            else:
                bar = self.horizontalScrollBar()
                bar.setValue(min(self.horizontalHeader().sectionPosition(section), bar.maximum()))
        finally:
            self._quiet = False

    def go_to_end(self) -> None:
        """Jump to the last row of the whole frame, announcing the remaining rows first."""
        self.table_model.fetch_all()
        column = max(self.currentIndex().column(), 0)
        if self.table_model.rowCount() > 0:
            self.setCurrentIndex(self.table_model.index(self.table_model.rowCount() - 1, column))

    # --- behaviour ---------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+End means the frame's last row, not the last row fetched so far."""
        if event.key() == Qt.Key.Key_End and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.go_to_end()
            event.accept()
            return
        super().keyPressEvent(event)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = self.table_model.column_name(current.column()) if current.isValid() else None
        if name is None or name == self._current:
            return
        self._current = name
        if not self._quiet:
            self.columnSelected.emit(name)

    def _column_highlighted(self, section: int) -> bool:
        return self.table_model.rowCount() == 0 or self.selectionModel().isColumnSelected(section, QModelIndex())

    def _model_reset(self) -> None:
        self._current = None
        self._size_columns()

    def _widen_for_headers(self, orientation: Qt.Orientation, first: int, last: int) -> None:
        """Badges arrive with the scan: widen a column whose badge no longer fits, never narrow one."""
        if orientation != Qt.Orientation.Horizontal:
            return
        for section in range(first, last + 1):
            wanted = min(MAX_WIDTH, self._header_width(section) + 24)
            if self.columnWidth(section) < wanted:
                self.setColumnWidth(section, wanted)

    def _header_width(self, section: int) -> int:
        head = str(self.table_model.headerData(section, Qt.Orientation.Horizontal) or "")
        metrics = self.horizontalHeader().fontMetrics()
        return max((metrics.horizontalAdvance(line) for line in head.split("\n")), default=0)

    def _size_columns(self) -> None:
        """Widths from the header and a few rows' text, clamped: no column starts huge or unreadable."""
        model, metrics = self.table_model, self.fontMetrics()
        sample = min(model.rowCount(), SAMPLE_ROWS)
        for section in range(model.columnCount()):
            widest = self._header_width(section)
            for row in range(sample):
                text = model.data(model.index(row, section)) or ""
                widest = max(widest, metrics.horizontalAdvance(text[:60]))
            self.setColumnWidth(section, max(MIN_WIDTH, min(MAX_WIDTH, widest + 24)))
