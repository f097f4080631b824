"""A preview of one noisy column on the loaded rows, drawn off the GUI thread by the core's own
``noise_series`` with the operating system's randomness (as a release draws it; never the recipe seed).

It shows the first rows before and after, and the mean absolute change over every value next to the
typical error the share promised, so the analyst sees what the estimate means on their data.
"""

from __future__ import annotations

import polars as pl
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.dp.column_noise import noise_series
from sanitas.core.privacy.dp.facts import MechanismFacts
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.workers import Task

SHOWN_ROWS = 50


def _cell(value: object) -> str:
    return "(missing)" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


def change_summary(before: pl.Series, after: pl.Series, facts: MechanismFacts) -> str:
    """'Mean absolute change over 5,000 values: 12.1 (typical error promised: ±14.6 before clamping).'"""
    kept = before.is_not_null()
    n = int(kept.sum())
    if n == 0:
        return "Every value is missing: nothing to noise."
    if facts.error_unit == "share of values replaced":
        changed = float((before.cast(pl.String).filter(kept) != after.cast(pl.String).filter(kept)).mean() or 0.0)
        return (f"{changed:.1%} of {n:,} values changed (expected {facts.expected_error or 0:.1%}, "
                "counting replacements by another category).")
    diff = (after.cast(pl.Float64) - before.cast(pl.Float64)).filter(kept).abs()
    mean = float(diff.mean() or 0.0)
    return (f"Mean absolute change over {n:,} values: {mean:.4g} (typical error promised: "
            f"±{facts.expected_error or 0:.4g}, before the result is clamped to the bounds).")


class NoisePreview(QWidget):
    """Column chooser, Preview, and the before | after table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self.column = named(QComboBox(), "Preview column", "The dp_noise column to preview on the loaded rows")
        self.button = named(QPushButton("Preview"), "Preview noisy column", "Draw the noise once on the loaded rows "
                            "(fresh noise every time, as in a release)")
        self.summary = named(QLabel(), "Preview summary", "How far the noise moved the values")
        self.summary.setWordWrap(True)
        self.table = named(QTableWidget(0, 3), "Preview table", "The first rows before and after the noise")
        self.table.setHorizontalHeaderLabels(["Before", "After", "Change"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("Preview"))
        top.addWidget(self.column, 1)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def set_columns(self, columns: list[str]) -> None:
        current = self.column.currentText()
        self.column.blockSignals(True)
        self.column.clear()
        self.column.addItems(columns)
        if current in columns:
            self.column.setCurrentText(current)
        self.column.blockSignals(False)
        self.button.setEnabled(bool(columns))

    def start(self, frame: pl.DataFrame | None, params: DpNoiseParams | None, problem: str = "") -> None:
        """Noise the chosen column of ``frame`` with ``params`` in the background."""
        name = self.column.currentText()
        if self.task is not None:
            return
        if problem or params is None:
            self.summary.setText(problem or f"Fix the settings of {name} first.")
            return
        if frame is None or name not in frame.columns:
            self.summary.setText("The rows are still loading." if frame is None else f"No column {name!r}.")
            return
        before = frame.get_column(name)
        self.task = Task("DP noise preview", lambda _progress, _cancel: noise_series(before, params), self)
        self.task.finished.connect(lambda result: self.show_result(before, *result))
        self.task.failed.connect(self._failed)
        self.task.ended.connect(self._ended)
        self.button.setEnabled(False)
        self.summary.setText(f"Drawing noise for {name}…")
        self.task.start()

    def show_result(self, before: pl.Series, after: pl.Series, facts: MechanismFacts) -> None:
        self.table.setRowCount(0)
        numeric = before.dtype.is_numeric() and after.dtype.is_numeric()
        for i, (b, a) in enumerate(zip(before.head(SHOWN_ROWS), after.head(SHOWN_ROWS), strict=True)):
            self.table.insertRow(i)
            change = "" if b is None or a is None else (f"{a - b:+.4g}" if numeric else
                                                        ("kept" if str(a) == str(b) else "replaced"))
            for col, text in enumerate((_cell(b), _cell(a), change)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.summary.setText(change_summary(before, after, facts))

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(str(exc) if isinstance(exc, SanitasError) else
                             f"The preview failed ({type(exc).__name__}).")

    def _ended(self) -> None:
        self.task = None
        self.button.setEnabled(self.column.count() > 0)
