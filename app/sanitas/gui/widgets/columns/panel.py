"""The left panel: every column with its kind, finding and action, riskiest first, with a filter.

Corrections made here (the context menu) go through the Document like every other plan edit, so
they are undoable and show up in the recipe and the report.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.detect.findings import ColumnKind
from sanitas.gui.document import Document
from sanitas.gui.models.columns_model import (
    COLUMN,
    FINDING,
    KIND,
    ColumnsFilterProxy,
    ColumnsModel,
    NameRole,
    is_corrected,
)


class ColumnsPanel(QWidget):
    """Filterable, risk-sorted column list; emits ``columnSelected`` when the analyst picks a column."""

    columnSelected = Signal(str)

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.columns_model = ColumnsModel(doc, self)
        self.proxy = ColumnsFilterProxy(self)
        self.proxy.setSourceModel(self.columns_model)
        self._current: str | None = None
        self._quiet = False

        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Column count")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter columns")
        self.filter_edit.setAccessibleName("Filter columns")
        self.filter_edit.setToolTip("Show columns whose name, entity or kind contains these words (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        # Ctrl+F is the window's Edit › Find column (one owner: two would make the shortcut ambiguous)
        self.filter_edit.returnPressed.connect(self._take_first_match)

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Columns list")
        self.view.setAccessibleDescription("Each column's kind, top finding and planned action; riskiest first")
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        # Name and finding give way (elided, full text in the tooltip); kind and action are read in full
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FINDING, QHeaderView.ResizeMode.Interactive)  # the inspector has it in full
        header.resizeSection(FINDING, 72)
        header.setStretchLastSection(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.sortByColumn(KIND, Qt.SortOrder.DescendingOrder)  # riskiest first, shown on the header

        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.filter_edit, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)

        for signal in (doc.datasetChanged, doc.scanChanged, doc.planChanged, doc.recipeReplaced):
            signal.connect(self._update_count)
        self.columns_model.modelReset.connect(self._model_reset)
        self._update_count()

    # --- public ------------------------------------------------------------------------------------
    @property
    def current_column(self) -> str | None:
        return self._current

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def select_column(self, name: str) -> None:
        """Select ``name``'s row without emitting ``columnSelected`` (the caller already knows)."""
        self._current = name
        index = self._proxy_index(name)
        if not index.isValid():  # filtered out or unknown: the list keeps no stale selection
            self._quietly(lambda: self.view.selectionModel().clear())
            return
        if index == self.view.currentIndex() and self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self._quietly(lambda: self.view.selectionModel().setCurrentIndex(index, flags))
        self.view.scrollTo(index)

    def context_menu(self, name: str) -> QMenu:
        """The row's menu: correct the finding, or reuse this column's action for its entity."""
        menu = QMenu(self)
        menu.setAccessibleName(f"Actions for {name}")
        plan = self.doc.plan(name)
        entity = self.doc.effective_entity(name)
        override = plan.entity if plan else None

        not_personal = menu.addAction("Mark as not personal")
        not_personal.setToolTip("Correct the finding: the column holds no personal data")
        not_personal.triggered.connect(lambda: self.doc.correct(name, entity=override, kind=ColumnKind.NOT_PERSONAL))
        identifier = menu.addAction("Mark as personal (identifier)")
        identifier.setToolTip("Correct the finding: the column identifies people on its own")
        identifier.triggered.connect(lambda: self.doc.correct(name, entity=override, kind=ColumnKind.IDENTIFIER))
        if is_corrected(plan):
            clear = menu.addAction("Clear the correction")
            clear.setToolTip("Go back to what detection found")
            clear.triggered.connect(lambda: self.doc.correct(name, entity=None, kind=None))
        menu.addSeparator()
        apply_all = menu.addAction(f"Apply this action to all {entity or 'such'} columns")
        if plan is None or entity is None:
            apply_all.setEnabled(False)
            apply_all.setToolTip("Choose an action for this column first" if entity else "No entity was found here")
        else:
            apply_all.setToolTip(f"Set '{plan.action}' with these settings on every {entity} column")
            apply_all.triggered.connect(lambda: self.doc.apply_to_entity(entity, plan))
        menu.setToolTipsVisible(True)
        return menu

    # --- internals ---------------------------------------------------------------------------------
    def _proxy_index(self, name: str) -> QModelIndex:
        row = self.columns_model.row_of(name)
        if row < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.columns_model.index(row, COLUMN))

    def _quietly(self, change: object) -> None:
        self._quiet = True
        try:
            change()  # type: ignore[operator]
        finally:
            self._quiet = False

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.data(NameRole) if current.isValid() else None
        if self._quiet or name is None or name == self._current:
            return
        self._current = name
        self.columnSelected.emit(name)

    def _filter_changed(self, text: str) -> None:
        """Filtering moves Qt's current row; keep the analyst's column selected if it is still listed."""
        self._quietly(lambda: self.proxy.set_filter_text(text))
        if self._current is not None:
            self.select_column(self._current)
        self._update_count()

    def _take_first_match(self) -> None:
        if self.proxy.rowCount() > 0:
            first = self.proxy.index(0, COLUMN)
            self.view.setCurrentIndex(first)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.context_menu(index.data(NameRole)).exec(self.view.viewport().mapToGlobal(pos))

    def _model_reset(self) -> None:
        self._current = None
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        total, shown = self.columns_model.rowCount(), self.proxy.rowCount()
        counted = f"Columns ({total})" if shown == total else f"Columns ({shown} of {total})"
        if self.doc.scan is None:
            self.count_label.setText(f"{counted} · not scanned" if total else counted)
        else:
            self.count_label.setText(f"{counted} · {self.columns_model.personal_count()} personal")
        self.count_label.setToolTip("Columns shown, and how many hold personal data (by kind)")
