"""The budget tab's per-column table: one row per ``dp_noise`` column, with its mechanism, share, bounds or
domain, and the noise scale and typical error that share buys (from the core, before anything runs).

A row reads its boxes into ``DpNoiseParams``; what the boxes cannot say (``bounds_epsilon``,
``domain_from_hierarchy``) is carried over unchanged from the recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from sanitas.core.privacy.dp.column_noise import SHARE_REPLACED, resolve_mechanism
from sanitas.core.privacy.dp.estimates import ErrorEstimate, column_estimate
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.gui.panels.privacy_budget import fields
from sanitas.gui.widgets.common.accessible import named

# The share and what it buys come first, so they stay in view when the tab is narrow.
HEADERS = ["Column", "ε share", "Typical error", "Noise scale", "Mechanism", "Lower", "Upper", "Domain (categories)",
           "δ share", ""]
WIDTHS = [110, 80, 150, 80, 150, 70, 70, 150, 70, 32]
COL_NAME, COL_EPS, COL_ERROR, COL_SCALE, COL_MECH, COL_LOWER, COL_UPPER, COL_DOMAIN, COL_DELTA, COL_REMOVE = range(10)
MECHANISMS = [("auto", None), ("laplace", "laplace"), ("gaussian (analytic)", "gaussian"),
              ("geometric", "geometric"), ("randomized response", "randomized_response"),
              ("exponential", "exponential")]
CARRIED = ("bounds_epsilon", "domain_from_hierarchy")  # params the boxes do not show; kept as the recipe has them


def epsilon_box(name: str, tip: str) -> QDoubleSpinBox:
    box = named(QDoubleSpinBox(), name, tip)
    box.setDecimals(4)
    box.setRange(0.0001, 1000.0)
    box.setSingleStep(0.1)
    box.setValue(0.5)
    return box


def set_widths(table: QTableWidget, widths: list[int]) -> None:
    """Columns sized for their boxes (cell widgets do not size their column), resizable by the analyst."""
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for col, width in enumerate(widths):
        table.setColumnWidth(col, width)


def error_text(estimate: ErrorEstimate | None) -> tuple[str, str]:
    """(cell text, tooltip) for a typical error."""
    if estimate is None or estimate.typical_error is None:
        note = estimate.note if estimate is not None else "known once the bounds or domain are known"
        return "—", note
    if estimate.unit == SHARE_REPLACED:
        return f"{estimate.typical_error:.1%} of values replaced", "Share of values replaced by another category"
    text = f"±{estimate.typical_error:.4g}"
    if estimate.error_95 is not None:
        text += f" (95%: ±{estimate.error_95:.4g})"
    return text, f"Mean absolute error ({estimate.unit}); 95% of errors within the second figure. {estimate.note}"


@dataclass
class ShareRow:
    column: str
    mechanism: QComboBox
    epsilon: QDoubleSpinBox
    delta: QLineEdit
    lower: QLineEdit
    upper: QLineEdit
    domain: QLineEdit
    remove: QPushButton
    carried: dict[str, Any] = field(default_factory=dict)


class ColumnSharesTable(QTableWidget):
    """dp_noise columns and their shares; ``edited`` after any change, ``removed(column)`` on ✕."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        named(self, "Column shares", "Each dp_noise column: its mechanism, share of the budget, bounds or "
              "categories, and the error that share buys")
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)
        set_widths(self, WIDTHS)
        self.rows: list[ShareRow] = []

    # --- rows --------------------------------------------------------------------------------------
    def columns(self) -> list[str]:
        return [row.column for row in self.rows]

    def row_of(self, column: str) -> ShareRow | None:
        return next((row for row in self.rows if row.column == column), None)

    def set_rows(self, params: dict[str, dict[str, Any]]) -> None:
        """Replace every row: {column: dp_noise params as the recipe holds them}."""
        self.setRowCount(0)
        self.rows = []
        for column, values in params.items():
            self.add_row(column, values)
        self.edited.emit()

    def add_row(self, column: str, values: dict[str, Any] | None = None) -> ShareRow:
        """A row for ``column``, filled from ``values`` (a new row: epsilon 0.5, no bounds yet)."""
        values = dict(values or {})
        existing = self.row_of(column)
        if existing is not None:
            self._fill(existing, values)
            return existing
        mech = named(QComboBox(), f"Mechanism of {column}", "auto: geometric on integers, laplace on other "
                     "numbers, randomized response on categories")
        for label, data in MECHANISMS:
            mech.addItem(label, data)
        row = ShareRow(
            column, mech,
            epsilon_box(f"Epsilon share of {column}", "This column's share of the total epsilon: more budget, "
                        "less noise"),
            named(QLineEdit(), f"Delta share of {column}", "Gaussian only: this column's share of the total delta"),
            named(QLineEdit(), f"Lower bound of {column}", "Smallest possible value (you give it: it is never read "
                  "from the data); values below are raised to it"),
            named(QLineEdit(), f"Upper bound of {column}", "Largest possible value; values above are lowered to it"),
            named(QLineEdit(), f"Domain of {column}", "Categories: every possible value, separated by commas"),
            named(QPushButton("✕"), f"Remove {column}", f"Take the DP noise off {column} (Apply to make it so)"),
        )
        row.delta.setPlaceholderText("0")
        index = self.rowCount()
        self.insertRow(index)
        self.setItem(index, COL_NAME, QTableWidgetItem(column))
        for col, widget in ((COL_MECH, row.mechanism), (COL_EPS, row.epsilon), (COL_DELTA, row.delta),
                            (COL_LOWER, row.lower), (COL_UPPER, row.upper), (COL_DOMAIN, row.domain),
                            (COL_REMOVE, row.remove)):
            self.setCellWidget(index, col, widget)
        for col in (COL_SCALE, COL_ERROR):
            self.setItem(index, col, QTableWidgetItem("—"))
        self.rows.append(row)
        self._fill(row, values)
        row.mechanism.currentIndexChanged.connect(self.edited)
        row.epsilon.valueChanged.connect(self.edited)
        for box in (row.delta, row.lower, row.upper, row.domain):
            box.textChanged.connect(self.edited)
        row.remove.clicked.connect(lambda _checked=False, c=column: self.remove_row(c))
        return row

    def _fill(self, row: ShareRow, values: dict[str, Any]) -> None:
        row.mechanism.setCurrentIndex(max(0, row.mechanism.findData(values.get("mechanism"))))
        row.epsilon.setValue(float(values.get("epsilon") or 0.5))
        row.delta.setText(fields.number_text(values.get("delta") or None))
        row.lower.setText(fields.number_text(values.get("lower")))
        row.upper.setText(fields.number_text(values.get("upper")))
        row.domain.setText(", ".join(str(v) for v in values.get("domain") or []))
        row.carried = {k: values[k] for k in CARRIED if values.get(k)}
        estimated = row.carried.get("bounds_epsilon")
        for box in (row.lower, row.upper):
            box.setPlaceholderText(f"estimated under DP (ε {estimated:g})" if estimated else "")
        row.domain.setPlaceholderText("from the k-anonymity hierarchy" if row.carried.get("domain_from_hierarchy")
                                      else "e.g. F, M")

    def remove_row(self, column: str) -> None:
        row = self.row_of(column)
        if row is None:
            return
        self.removeRow(self.rows.index(row))
        self.rows.remove(row)
        self.edited.emit()

    # --- reading -----------------------------------------------------------------------------------
    def params_of(self, row: ShareRow) -> DpNoiseParams:
        """The row as dp_noise params; raises FieldError or ValidationError (the caller words them)."""
        where = f"columns.{row.column}.params"
        data: dict[str, Any] = {"mechanism": row.mechanism.currentData(), "epsilon": row.epsilon.value(),
                                "delta": fields.number(row.delta.text(), f"{where}.delta"),
                                "lower": fields.optional_number(row.lower.text(), f"{where}.lower"),
                                "upper": fields.optional_number(row.upper.text(), f"{where}.upper"),
                                "domain": fields.text_list(row.domain.text()) or None, **row.carried}
        return DpNoiseParams.model_validate({k: v for k, v in data.items() if v is not None})

    def read(self, schema: dict[str, pl.DataType]) -> tuple[dict[str, DpNoiseParams], list[str]]:
        """Every row's params and the problems of the rows that have none; fills the estimate cells."""
        params: dict[str, DpNoiseParams] = {}
        problems: list[str] = []
        for index, row in enumerate(self.rows):
            where = f"columns.{row.column}"
            estimate: ErrorEstimate | None = None
            try:
                p = self.params_of(row)
                dtype = schema.get(row.column, pl.Float64)
                row.mechanism.setItemText(0, f"auto ({resolve_mechanism(p, dtype)})")
                estimate = column_estimate(p, dtype)
                params[row.column] = p
            except fields.FieldError as exc:
                problems.append(str(exc))
            except ValidationError as exc:
                problems += fields.problems_of(exc, f"{where}.params")
            except ValueError as exc:  # an estimate the settings do not allow (named by the core)
                problems.append(f"{where}.params: {exc}")
            scale = "—" if estimate is None or estimate.noise_scale is None else f"{estimate.noise_scale:.4g}"
            self.item(index, COL_SCALE).setText(scale)
            text, tip = error_text(estimate)
            self.item(index, COL_ERROR).setText(text)
            self.item(index, COL_ERROR).setToolTip(tip)
        return params, problems

    def recipe_params(self, params: DpNoiseParams) -> dict[str, Any]:
        """The params as the recipe should hold them: only what differs from the defaults, 17 not 17.0."""
        data = params.model_dump(exclude_defaults=True)
        for key in ("lower", "upper"):
            if key in data:
                data[key] = fields.plain(data[key])
        return data
