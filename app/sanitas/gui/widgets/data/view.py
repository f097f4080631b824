"""The centre table: the data itself, with finding badges in the headers.

Selecting a column (header click, a cell, or the keyboard) tells the rest of the window which column
the analyst is looking at; ``select_column`` is the quiet way back, so two synced views never echo.

At a million rows Qt's selection model is the trap: any selection that spans a whole column makes
every header repaint ask ``isColumnSelected``, which calls the model's ``flags()`` once per row
(seconds in Python). So the view selects one cell at a time, a header press moves the current cell
instead of selecting the column, and the model marks the current column itself (header and cells).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from sanitas.gui.document import Document
from sanitas.gui.models.dataset_model import DatasetTableModel

MIN_WIDTH, MAX_WIDTH = 72, 260  # default column widths, in pixels
SAMPLE_ROWS = 40  # rows whose text sizes the default column widths


class DataView(QTableView):
    """A read-only, virtualized table over ``doc.rows`` (pages); emits ``columnSelected`` on the analyst's moves."""

    columnSelected = Signal(str)

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.table_model = DatasetTableModel(doc, self)
        self._current: str | None = None
        self._selected_section = -1
        self._quiet = False
        self.setModel(self.table_model)
        self.setAccessibleName("Data table")
        self.setAccessibleDescription("The dataset's rows; headers show each column's kind and top finding")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)  # never a whole column: see above
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
        # Qt's own section highlight asks the selection model isColumnSelected(), which calls the model's
        # flags() once per row: 1M Python calls (seconds) per header repaint. The model marks the current
        # column's header itself (bold, highlighted) instead.
        columns.setHighlightSections(False)
        columns.setToolTip("Click a header to inspect the column")
        columns.setSectionsClickable(False)  # Qt would select the whole column; a press is handled below
        columns.viewport().installEventFilter(self)
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
            self.table_model.set_current_column(name)
            if self.table_model.rowCount() > 0:
                row = max(self.rowAt(0), 0)
                index = self.table_model.index(row, section)
                self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self._selected_section = section
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A press on a header (not on a resize handle) makes that column current, as a click on a cell would."""
        header = self.horizontalHeader()
        if watched is header.viewport() and event.type() == QEvent.Type.MouseButtonPress:
            assert isinstance(event, QMouseEvent)
            x = int(event.position().x())
            section = header.logicalIndexAt(x)
            handle = header.sectionViewportPosition(section) + header.sectionSize(section) - x
            if section >= 0 and event.button() == Qt.MouseButton.LeftButton and handle > 4 and \
                    x - header.sectionViewportPosition(section) > 4:
                self._header_pressed(section)
        return super().eventFilter(watched, event)

    def _header_pressed(self, section: int) -> None:
        if self.table_model.rowCount() > 0:
            index = self.table_model.index(max(self.rowAt(0), 0), section)
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self._selected_section = section
        else:
            name = self.table_model.column_name(section)
            if name is not None and name != self._current:
                self._current = name
                self.table_model.set_current_column(name)
                self.columnSelected.emit(name)

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
        self.table_model.set_current_column(name)
        if self._selected_section != current.column():
            self._selected_section = -1  # a click elsewhere changed the selection
        if name is None or name == self._current:
            return
        self._current = name
        if not self._quiet:
            self.columnSelected.emit(name)

    def _column_highlighted(self, section: int) -> bool:
        """Whether ``section`` is the selected column (tracked here: asking the selection model is O(rows))."""
        return self.table_model.rowCount() == 0 or self._selected_section == section

    def _model_reset(self) -> None:
        self._current = None
        self._selected_section = -1
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
