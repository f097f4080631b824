"""The budget tab's aggregates table: one row per released figure (statistic, column, groups, share,
bounds, quantile levels or histogram bins, declared group keys), with the error its share buys.

Each row reads into the core's ``AggregateSpec``; a bad box gives a message naming the recipe field
(``differential_privacy.aggregates[1].lower``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from sanitas.core.privacy.dp.estimates import ErrorEstimate, aggregate_estimate
from sanitas.core.privacy.dp.section import AggregateSpec
from sanitas.gui.panels.privacy_budget import fields
from sanitas.gui.panels.privacy_budget.column_shares import epsilon_box, error_text, set_widths
from sanitas.gui.widgets.common.accessible import named

HEADERS = ["Statistic", "Column", "By", "ε share", "Typical error", "Noise scale", "Lower", "Upper", "Levels / bins",
           "Domains (group keys)", ""]
WIDTHS = [90, 110, 90, 80, 150, 80, 70, 70, 100, 170, 32]
(COL_STAT, COL_COLUMN, COL_BY, COL_EPS, COL_ERROR, COL_SCALE, COL_LOWER, COL_UPPER, COL_OPTIONS, COL_DOMAINS,
 COL_REMOVE) = range(11)
STATISTICS = ["count", "sum", "mean", "median", "quantile", "histogram"]
RECORDS_ITEM = "(records)"
GroupRows = Callable[[list[str]], float | None]  # by columns -> rows per group (for a mean's error)


@dataclass
class AggregateRow:
    statistic: QComboBox
    column: QComboBox
    by: QLineEdit
    epsilon: QDoubleSpinBox
    lower: QLineEdit
    upper: QLineEdit
    options: QLineEdit
    domains: QLineEdit
    remove: QPushButton
    carried: dict[str, Any]


class AggregatesTable(QTableWidget):
    """The figures of ``differential_privacy.aggregates``; ``edited`` after any change."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        named(self, "Aggregates", "DP statistics released instead of records (output: aggregates)")
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)
        set_widths(self, WIDTHS)
        self.rows: list[AggregateRow] = []
        self.dataset_columns: list[str] = []

    def set_rows(self, specs: list[AggregateSpec], columns: list[str]) -> None:
        self.dataset_columns = list(columns)
        self.setRowCount(0)
        self.rows = []
        for spec in specs:
            self.add_row(spec.model_dump(exclude_defaults=True))
        self.edited.emit()

    def add_row(self, values: dict[str, Any] | None = None) -> AggregateRow:
        values = dict(values or {"statistic": "count", "epsilon": 0.5})
        n = len(self.rows) + 1
        row = AggregateRow(
            named(QComboBox(), f"Statistic of figure {n}", "count, sum, mean, median, quantile or histogram"),
            named(QComboBox(), f"Column of figure {n}", "The column summarised; (records) for a count of records"),
            named(QLineEdit(), f"Groups of figure {n}", "Columns whose values make the groups, separated by commas"),
            epsilon_box(f"Epsilon share of figure {n}", "This figure's share of the total epsilon (all its groups)"),
            named(QLineEdit(), f"Lower bound of figure {n}", "Smallest value of the column (sum, mean, quantiles, "
                  "histogram); you give it, it is never read from the data"),
            named(QLineEdit(), f"Upper bound of figure {n}", "Largest value of the column"),
            named(QLineEdit(), f"Levels or bins of figure {n}", "quantile: levels such as 0.25, 0.5, 0.75; "
                  "histogram: a number of bins (10) or the edges (0, 18, 65, 120)"),
            named(QLineEdit(), f"Domains of figure {n}", "Every possible group key, e.g. sex: F, M; race: A, B. "
                  "Undeclared keys need differential_privacy.delta > 0"),
            named(QPushButton("✕"), f"Remove figure {n}", "Take this figure out (Apply to make it so)"),
            {k: values[k] for k in ("delta", "key_selection_share") if k in values},
        )
        row.statistic.addItems(STATISTICS)
        row.column.addItems([RECORDS_ITEM, *self.dataset_columns])
        row.by.setPlaceholderText("e.g. sex, race")
        row.statistic.setCurrentText(str(values.get("statistic", "count")))
        row.column.setCurrentText(values.get("column") or RECORDS_ITEM)
        row.by.setText(", ".join(values.get("by") or []))
        row.epsilon.setValue(float(values.get("epsilon") or 0.5))
        row.lower.setText(fields.number_text(values.get("lower")))
        row.upper.setText(fields.number_text(values.get("upper")))
        levels, bins = values.get("quantile"), values.get("bins")
        row.options.setText(", ".join(f"{v:g}" for v in levels) if levels else
                            ", ".join(f"{v:g}" for v in bins) if isinstance(bins, list) else str(bins or ""))
        row.domains.setText(fields.domains_text(values.get("domains") or {}))
        index = self.rowCount()
        self.insertRow(index)
        for col, widget in ((COL_STAT, row.statistic), (COL_COLUMN, row.column), (COL_BY, row.by),
                            (COL_EPS, row.epsilon), (COL_LOWER, row.lower), (COL_UPPER, row.upper),
                            (COL_OPTIONS, row.options), (COL_DOMAINS, row.domains), (COL_REMOVE, row.remove)):
            self.setCellWidget(index, col, widget)
        for col in (COL_SCALE, COL_ERROR):
            self.setItem(index, col, QTableWidgetItem("—"))
        self.rows.append(row)
        for combo in (row.statistic, row.column):
            combo.currentIndexChanged.connect(self.edited)
        row.epsilon.valueChanged.connect(self.edited)
        for box in (row.by, row.lower, row.upper, row.options, row.domains):
            box.textChanged.connect(self.edited)
        row.remove.clicked.connect(lambda _checked=False, r=row: self.remove_row(r))
        self.edited.emit()
        return row

    def remove_row(self, row: AggregateRow) -> None:
        if row in self.rows:
            self.removeRow(self.rows.index(row))
            self.rows.remove(row)
            self.edited.emit()

    def spec_of(self, index: int) -> AggregateSpec:
        """Row ``index`` as the core's AggregateSpec; raises FieldError or ValidationError."""
        row = self.rows[index]
        where = f"differential_privacy.aggregates[{index}]"
        stat = row.statistic.currentText()
        data: dict[str, Any] = {
            "statistic": stat, "epsilon": row.epsilon.value(), "by": fields.text_list(row.by.text()),
            "column": None if row.column.currentText() == RECORDS_ITEM else row.column.currentText(),
            "lower": fields.optional_number(row.lower.text(), f"{where}.lower"),
            "upper": fields.optional_number(row.upper.text(), f"{where}.upper"),
            "domains": fields.domains(row.domains.text(), f"{where}.domains"), **row.carried,
        }
        options = row.options.text()
        if stat == "quantile":
            data["quantile"] = fields.number_list(options, f"{where}.quantile") or None
        elif stat == "histogram":
            edges = fields.number_list(options, f"{where}.bins")
            data["bins"] = (int(edges[0]) if float(edges[0]).is_integer() else edges[0]) if len(edges) == 1 \
                else edges or None
        elif options.strip():
            raise fields.FieldError(f"{where}: levels or bins are only for quantile and histogram, not {stat}; "
                                    "clear the box")
        return AggregateSpec.model_validate({k: v for k, v in data.items() if v is not None})

    def read(self, hierarchy_columns: Collection[str], group_rows: GroupRows) -> tuple[list[AggregateSpec],
                                                                                        list[str]]:
        """Every row's spec and the problems of rows that have none; fills the estimate cells."""
        specs: list[AggregateSpec] = []
        problems: list[str] = []
        for index in range(len(self.rows)):
            estimate: ErrorEstimate | None = None
            try:
                spec = self.spec_of(index)
                rows = group_rows(spec.by) if spec.statistic == "mean" else None
                estimate = aggregate_estimate(spec, hierarchy_columns, rows)
                specs.append(spec)
            except fields.FieldError as exc:
                problems.append(str(exc))
            except ValidationError as exc:
                problems += fields.problems_of(exc, f"differential_privacy.aggregates[{index}]")
            scale = "—" if estimate is None or estimate.noise_scale is None else f"{estimate.noise_scale:.4g}"
            self.item(index, COL_SCALE).setText(scale)
            text, tip = error_text(estimate)
            self.item(index, COL_ERROR).setText(text)
            self.item(index, COL_ERROR).setToolTip(tip)
        return specs, problems
