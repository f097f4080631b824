"""The data table's model: pages of the Document's rows, shown without holding the table.

The rows come from ``doc.rows`` (core/io/pages.py), which reads a page of the lazily read table at a
time: the table is never in this process's memory. Rows are announced in blocks (canFetchMore /
fetchMore), so the view's header never has to lay out a million rows at once, and cells are read from
small pages converted to Python lists on demand and kept in a little LRU cache: scrolling touches a
few thousand values, never the table. Headers carry the column's kind badge and top entity, so the
findings are visible over the data.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import polars as pl
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from sanitas.core.errors import SanitasError
from sanitas.core.io.pages import PagedRows
from sanitas.gui import theme
from sanitas.gui.document import Document
from sanitas.gui.models.columns_model import column_tooltip

Index = QModelIndex | QPersistentModelIndex

FETCH_ROWS = 2_000  # rows announced at first and the smallest fetchMore block
SLICE_ROWS = 500  # rows read as one page; a column of it is converted to Python when first shown
CACHED_SLICES = 32  # pages kept (each every column of SLICE_ROWS rows): many screenfuls
MAX_TEXT = 300  # characters shown in a cell; the tooltip has up to 4x more
NULL_TEXT = "∅"
NameRole = Qt.ItemDataRole.UserRole + 1  # header: the column's plain name

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class DatasetTableModel(QAbstractTableModel):
    """Read-only, virtualized view of ``doc.rows``; resets when a dataset or its rows arrive."""

    def __init__(self, doc: Document, parent: QObject | None = None, *, fetch_rows: int = FETCH_ROWS,
                 slice_rows: int = SLICE_ROWS, cached_slices: int = CACHED_SLICES) -> None:
        super().__init__(parent)
        self.doc = doc
        self.fetch_rows, self.slice_rows, self.cached_slices = fetch_rows, slice_rows, cached_slices
        self._rows: PagedRows | None = None
        self._columns: list[str] = []
        self._numeric: list[bool] = []
        self._fetched = 0
        self._current_section = -1  # the column the analyst is looking at: its header is marked
        self._cache: OrderedDict[int, tuple[pl.DataFrame, dict[int, list[Any]]]] = OrderedDict()
        doc.datasetChanged.connect(self.reload)
        doc.frameLoaded.connect(self.reload)
        doc.scanChanged.connect(self.refresh_headers)
        doc.recipeReplaced.connect(self.refresh_headers)
        doc.planChanged.connect(self._plan_changed)
        self.reload()

    # --- public ------------------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def total_rows(self) -> int:
        """Rows in the table (rowCount() is the part announced to the view so far)."""
        return self._rows.height if self._rows is not None else 0

    def column_index(self, name: str) -> int:
        try:
            return self._columns.index(name)
        except ValueError:
            return -1

    def column_name(self, section: int) -> str | None:
        return self._columns[section] if 0 <= section < len(self._columns) else None

    def fetch_all(self) -> None:
        """Announce every remaining row at once (for jumping to the end)."""
        if self.canFetchMore():
            self._announce(self.total_rows - self._fetched)

    def reload(self) -> None:
        """Take the document's current rows (or, until they load, just its columns)."""
        self.beginResetModel()
        self._rows = self.doc.rows
        self._cache.clear()
        self._current_section = -1
        if self._rows is not None:
            self._columns = list(self._rows.columns)
            self._numeric = [dtype.is_numeric() for dtype in self._rows.schema.values()]
        else:
            try:
                self._columns = self.doc.columns
            except SanitasError:  # the loader reports an unreadable file; the table stays empty
                self._columns = []
            self._numeric = [False] * len(self._columns)
        self._fetched = min(self.fetch_rows, self.total_rows)
        self.endResetModel()

    def set_current_column(self, name: str | None) -> None:
        section = self.column_index(name) if name is not None else -1
        if section == self._current_section:
            return
        old, self._current_section = self._current_section, section
        for changed in (old, section):
            if changed >= 0 and self._fetched:
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, changed, changed)
                # repaint the column's cells; the view only asks for the visible ones
                self.dataChanged.emit(self.index(0, changed), self.index(self._fetched - 1, changed),
                                      [Qt.ItemDataRole.BackgroundRole])
            elif changed >= 0:
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, changed, changed)

    def refresh_headers(self) -> None:
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    # --- Qt model ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._fetched

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._fetched < self.total_rows

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """Blocks grow with what is already shown (x1.5), so dragging to the end takes ~15 fetches, not 500."""
        if self.canFetchMore(parent):
            block = max(self.fetch_rows, self._fetched // 2)
            self._announce(min(block, self.total_rows - self._fetched))

    def flags(self, index: Index) -> Qt.ItemFlag:
        # one precomputed value: Qt calls this per row for whole-column questions, and enum | is slow in Python
        return _CELL_FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _CELL_ROLES or not index.isValid() or self._rows is None:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:  # the current column, marked without selecting it (see DataView)
            return _highlight(40) if index.column() == self._current_section else None
        value = self.value(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return NULL_TEXT if value is None else _display(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if self._numeric[index.column()] and value is not None else _LEFT
        if value is None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return _muted()
            return "missing"  # tooltip and accessible text
        if role == Qt.ItemDataRole.ToolTipRole:
            text = str(value)
            return text[: MAX_TEXT * 4] if len(text) > MAX_TEXT or "\n" in text else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _display(value)
        return None

    def value(self, row: int, column: int) -> Any:
        """One cell as a Python value: its page is read once (every column), each column converted on first use."""
        key = row // self.slice_rows
        page = self._cache.get(key)
        if page is None:
            assert self._rows is not None
            page = (self._rows.page(key * self.slice_rows, self.slice_rows), {})
            self._cache[key] = page
            if len(self._cache) > self.cached_slices:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        frame, converted = page
        values = converted.get(column)
        if values is None:
            values = converted[column] = frame.get_column(self._columns[column]).to_list()
        return values[row % self.slice_rows]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT
            return None
        name = self.column_name(section)
        if name is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}\n{self.badge(name)}"
        if role == NameRole:
            return name
        if role == Qt.ItemDataRole.FontRole and section == self._current_section:
            return _bold()
        if role == Qt.ItemDataRole.BackgroundRole and section == self._current_section:
            return _highlight(70)
        if role == Qt.ItemDataRole.ForegroundRole and self.doc.scan is not None:
            return theme.kind_colour(self.doc.effective_kind(name))
        if role == Qt.ItemDataRole.ToolTipRole:
            return column_tooltip(self.doc, name)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{name}, {theme.kind_label(self.doc.effective_kind(name))}"
        return None

    def badge(self, name: str) -> str:
        """The header's second line: kind symbol and top entity ("⚑ EMAIL_ADDRESS"), or the kind's name."""
        if self.doc.scan is None:
            return theme.kind_symbol(None)
        kind = self.doc.effective_kind(name)
        entity = self.doc.effective_entity(name) if kind is None or kind.is_personal else None
        return f"{theme.kind_symbol(kind)} {entity or theme.kind_label(kind)}"

    # --- internals ---------------------------------------------------------------------------------
    def _announce(self, rows: int) -> None:
        if rows <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._fetched, self._fetched + rows - 1)
        self._fetched += rows
        self.endInsertRows()

    def _plan_changed(self, column: str) -> None:
        section = self.column_index(column)
        if section < 0:
            self.refresh_headers()
        else:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)


_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

_CELL_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole,
})


def _display(value: Any) -> str:
    """One line of text: newlines made visible, long text cut (the view elides the rest)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    if "\n" in text or "\r" in text:
        text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _bold() -> QFont:
    font = QFont(QApplication.font())
    font.setBold(True)
    return font


def _highlight(alpha: int) -> QColor:
    app = QApplication.instance()
    colour = app.palette().color(QPalette.ColorRole.Highlight) if isinstance(app, QApplication) else QColor("#0969da")
    colour.setAlpha(alpha)
    return colour


def _muted() -> QColor:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app.palette().color(QPalette.ColorRole.PlaceholderText)
    return QColor("#6e7781")
