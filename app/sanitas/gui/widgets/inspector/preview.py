"""Before → after for the selected column, on a sample of rows, following every edit of its plan.

The core's ``preview_column`` computes it (the same transform code as a release) in a workers.Task.
Requests are debounced, a newer one cancels the older, and a late answer from an older request is
dropped, so the table always shows the plan as it is now.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.preview import (
    SAMPLE_ROWS,
    PreviewPairs,
    distinct_pairs,
    preview_column,
    sample_frame,
)
from sanitas.core.transforms.registry import get_transform
from sanitas.gui.document import Document
from sanitas.gui.key_store import SessionKeys
from sanitas.gui.workers import Task

DEBOUNCE_MS = 250
NULL_TEXT = "(empty)"


def facts_text(facts: dict[str, Any]) -> str:
    """The transform's figures in words ('Cells masked: 198 · Emails masked: 198')."""
    def show(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        return str(value)
    return " · ".join(f"{k.replace('_', ' ').capitalize()}: {show(v)}" for k, v in facts.items())


class PreviewPanel(QWidget):
    """The before → after table under the inspector. ``previewReady`` carries the core's ColumnPreview."""

    previewReady = Signal(object)

    def __init__(self, doc: Document, parent: QWidget | None = None, *, sample_rows: int = SAMPLE_ROWS,
                 keys: SessionKeys | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.keys = keys
        self.sample_rows = sample_rows
        self._held: str | None = None  # why the action the analyst chose is not planned yet
        self._column: str | None = None
        self._generation = 0
        self._tasks: set[Task] = set()
        self._pairs: PreviewPairs | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        self._build()
        doc.planChanged.connect(self._plan_changed)
        for signal in (doc.frameLoaded, doc.scanChanged, doc.recipeReplaced, doc.datasetChanged):
            signal.connect(self.refresh)
        if keys is not None:
            keys.changed.connect(self.refresh)
        self._show_idle()

    def _build(self) -> None:
        title = QLabel("<b>Before → after</b> (sample)")
        self.status = QLabel()
        self.status.setObjectName("previewStatus")
        self.status.setAccessibleName("Preview status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("previewTable")
        self.table.setAccessibleName("Preview: values before and after the action")
        self.table.setHorizontalHeaderLabels(["Before", "After", "Rows"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeaderItem(2).setToolTip("Sample rows with this before → after pair")
        self.facts = QLabel()
        self.facts.setObjectName("previewFacts")
        self.facts.setAccessibleName("Preview facts")
        self.facts.setWordWrap(True)
        self.facts.setToolTip("Figures the action reports on the sample (they go in the privacy report)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.facts)

    # --- public ------------------------------------------------------------------------------------
    @property
    def column(self) -> str | None:
        return self._column

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or any(t.running for t in self._tasks)

    def set_column(self, name: str | None) -> None:
        self._column = name
        self._held = None
        self.refresh()

    def hold(self, reason: str) -> None:
        """The analyst chose an action the plan cannot take yet: say so here instead of "no action"."""
        self._held = reason
        self.refresh()

    def refresh(self) -> None:
        """Ask for a new preview ~250 ms after the last request; an older request is obsoleted now."""
        self._generation += 1
        for task in self._tasks:
            task.cancel()
        self._timer.start()

    def status_text(self) -> str:
        return self.status.text()

    def pairs(self) -> list[tuple[str | None, str | None, int]]:
        return list(self._pairs.pairs) if self._pairs else []

    # --- running -----------------------------------------------------------------------------------
    def _plan_changed(self, column: str) -> None:
        if column in ("", self._column):
            self._held = None
            self.refresh()

    def _start(self) -> None:
        doc, column = self.doc, self._column
        if column is None or doc.sample is None or column not in doc.sample.columns:
            self._show_idle()
            return
        plan = doc.plan(column)
        if plan is None:
            if self._held:
                self._clear(self._held, error=True)
                return
            self._clear("No action planned: the values stay as they are unless the recipe's policy says otherwise.")
            return
        generation = self._generation
        frame, recipe, scan, recipe_dir = doc.sample, doc.recipe, doc.scan, doc.recipe_dir()
        # the worker gets its own copy, reading keys where this session has them
        recipe = self.keys.prepared(recipe) if self.keys is not None else \
            recipe.model_copy(update={"columns": dict(recipe.columns)})
        rows = self.sample_rows

        def run(progress: Any, cancel: Any) -> PreviewPairs:
            sample = sample_frame(frame, rows)
            if get_transform(plan.action).runs_in == "analysis_process":  # spaCy holds the GIL
                from sanitas.core.settings import load_settings
                from sanitas.gui.analysis_process import shared_process

                preview = shared_process().call(
                    "preview", progress, cancel, cancellable=False, sample=sample, column=column, plan=plan,
                    recipe=recipe, scan=scan, recipe_dir=recipe_dir, settings=load_settings())
            else:
                preview = preview_column(sample, column, plan, recipe, scan=scan, recipe_dir=recipe_dir,
                                         progress=progress, cancel=cancel)
            cancel.raise_if_cancelled()
            return distinct_pairs(preview)

        # No Qt parent: the task outlives this panel if it is closed mid-run; the bound-method
        # connections below are dropped with the panel, so a late answer goes nowhere.
        task = Task("column preview", run)
        task.generation = generation  # type: ignore[attr-defined]
        task.finished.connect(self._task_finished)
        task.failed.connect(self._task_failed)
        task.ended.connect(self._task_ended)
        self._tasks.add(task)
        self._set_status(f"Computing the preview of {plan.action}…")
        task.start()

    def _current(self) -> bool:
        """Whether the task that sent this signal answers the latest request (older answers are dropped)."""
        return getattr(self.sender(), "generation", None) == self._generation

    def _task_ended(self) -> None:
        self._tasks.discard(self.sender())  # type: ignore[arg-type]

    def _task_finished(self, result: PreviewPairs) -> None:
        if not self._current():
            return  # a newer edit has asked for another preview
        self._pairs = result
        self._fill(result)
        self.previewReady.emit(result.preview)

    def _task_failed(self, exc: BaseException) -> None:
        if not self._current():
            return
        if isinstance(exc, SanitasError):
            self._clear(exc.message, error=True)
        else:  # the task has logged where it failed; its message may quote data, so it is not shown
            self._clear(f"The preview failed ({type(exc).__name__}); details are in the log.", error=True)

    # --- display -----------------------------------------------------------------------------------
    def _fill(self, result: PreviewPairs) -> None:
        removed = result.preview.after is None
        if removed:
            self._set_status(f"Column removed: drop leaves it out of the output (preview of {result.rows} rows).")
        else:
            distinct = len(result.pairs)
            same = f", {result.unchanged} unchanged" if result.unchanged else ""
            self._set_status(f"Preview of {result.rows} rows: {distinct} distinct values{same}.")
        self.table.setRowCount(len(result.pairs))
        for row, (before, after, count) in enumerate(result.pairs):
            self.table.setItem(row, 0, _item(before))
            after_item = QTableWidgetItem("(removed)") if removed else _item(after)
            if removed:
                _dim(after_item)
            elif before is not None and before == after:
                after_item.setText(f"= {after_item.text()}")
                after_item.setToolTip("Unchanged by the action")
            self.table.setItem(row, 1, after_item)
            rows_item = QTableWidgetItem(str(count))
            rows_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 2, rows_item)
        self.facts.setText(facts_text(result.preview.facts))

    def _show_idle(self) -> None:
        if self._column is None:
            self._clear("Select a column to preview its action.")
        elif self.doc.sample is None:
            self._clear("Waiting for the data to load…")
        else:
            self._clear(f"Column '{self._column}' is not in the loaded rows.")

    def _clear(self, text: str, *, error: bool = False) -> None:
        self._pairs = None
        self.table.setRowCount(0)
        self.facts.setText("")
        self._set_status(text, error=error)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setProperty("role", "error" if error else "")
        self.status.setStyleSheet("color: #d1242f;" if error else "")
        self.status.setText(f"⚠ {text}" if error else text)


def _item(value: str | None) -> QTableWidgetItem:
    item = QTableWidgetItem(NULL_TEXT if value is None else value)
    if value is None:
        _dim(item)
        item.setToolTip("Missing value")
    return item


def _dim(item: QTableWidgetItem) -> None:
    font = QFont(item.font())
    font.setItalic(True)
    item.setFont(font)
