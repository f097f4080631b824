"""The synthetic tab's settings: synthesizer and its parameters, rows, holdout, evaluation target, constraints.

The form reads and writes a SyntheticSection without its metadata fields (the metadata table holds
those); ``values()`` is a plain dict so the panel validates form and metadata together in one place.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.privacy.synthetic.section import NEURAL, SyntheticSection
from sanitas.gui.widgets.common.accessible import named

SYNTHESIZERS = [("Gaussian copula (fast)", "gaussian_copula"), ("CTGAN (neural)", "ctgan"),
                ("TVAE (neural)", "tvae"), ("CopulaGAN (neural)", "copulagan")]
DISTRIBUTIONS = ["beta", "norm", "truncnorm", "uniform", "gamma", "gaussian_kde"]
CONSTRAINTS = ["positive", "negative", "inequality", "range", "fixed combination"]
NO_TARGET = "(none)"


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


class ConstraintsTable(QTableWidget):
    """One rule per row: its kind and the columns it names, comma-separated (low, high / low, middle, high)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        named(self, "Constraints", "Rules every synthetic row keeps: positive/negative columns, low <= high "
              "inequalities, low <= middle <= high ranges, fixed combinations of categories")
        self.setHorizontalHeaderLabels(["Rule", "Columns (comma-separated, in order)"])
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def add_rule(self, kind: str = "positive", columns: list[str] | None = None) -> None:
        row = self.rowCount()
        self.insertRow(row)
        combo = named(QComboBox(), f"Rule {row + 1}", "What this rule keeps")
        combo.addItems(CONSTRAINTS)
        combo.setCurrentText(kind)
        edit = named(QLineEdit(", ".join(columns or [])), f"Columns of rule {row + 1}",
                     "inequality: low, high; range: low, middle, high; the others: one or more columns")
        self.setCellWidget(row, 0, combo)
        self.setCellWidget(row, 1, edit)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()} or {self.rowCount() - 1}, reverse=True)
        for row in rows:
            if row >= 0:
                self.removeRow(row)

    def rules(self) -> list[tuple[str, list[str]]]:
        return [(self.cellWidget(r, 0).currentText(), _columns(self.cellWidget(r, 1).text()))  # type: ignore[union-attr]
                for r in range(self.rowCount())]

    def to_dict(self) -> dict[str, Any]:
        """The rules as the section's ``constraints``; ValueError names a rule with the wrong number of columns."""
        out: dict[str, Any] = {"fixed_combinations": [], "inequalities": [], "ranges": [], "positive": [],
                               "negative": []}
        for row, (kind, columns) in enumerate(self.rules(), start=1):
            wanted = {"inequality": 2, "range": 3}.get(kind)
            if (wanted and len(columns) != wanted) or not columns:
                names = {"inequality": "two columns: low, high", "range": "three columns: low, middle, high"}
                raise ValueError(f"constraint rule {row} ({kind}): name {names.get(kind, 'at least one column')}")
            if kind in ("positive", "negative"):
                out[kind] += columns
            elif kind == "fixed combination":
                out["fixed_combinations"].append(columns)
            elif kind == "inequality":
                out["inequalities"].append(dict(zip(("low", "high"), columns, strict=True)))
            else:
                out["ranges"].append(dict(zip(("low", "middle", "high"), columns, strict=True)))
        return {k: v for k, v in out.items() if v}

    def load(self, section: SyntheticSection) -> None:
        self.setRowCount(0)
        c = section.constraints
        for name in c.positive:
            self.add_rule("positive", [name])
        for name in c.negative:
            self.add_rule("negative", [name])
        for i in c.inequalities:
            self.add_rule("inequality", [i.low, i.high])
        for r in c.ranges:
            self.add_rule("range", [r.low, r.middle, r.high])
        for group in c.fixed_combinations:
            self.add_rule("fixed combination", group)


class SyntheticForm(QWidget):
    """Synthesizer settings and constraints."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.synthesizer = named(QComboBox(), "Synthesizer", "Gaussian copula is fast and a good default; the "
                                 "neural ones (CTGAN, TVAE, CopulaGAN) learn more but train per epoch, slowly")
        for label, value in SYNTHESIZERS:
            self.synthesizer.addItem(label, value)
        self.epochs = named(QSpinBox(), "Epochs", "Training passes over the rows (neural synthesizers)")
        self.epochs.setRange(1, 100_000)
        self.batch_size = named(QSpinBox(), "Batch size", "Rows per training step (neural synthesizers; CTGAN "
                                "and CopulaGAN need a multiple of 10)")
        self.batch_size.setRange(10, 1_000_000)
        self.batch_size.setSingleStep(10)
        self.distribution = named(QComboBox(), "Default distribution", "Marginal distribution of numeric columns "
                                  "(Gaussian copula, CopulaGAN)")
        self.distribution.addItems(DISTRIBUTIONS)
        self.min_max = named(QCheckBox("Keep numbers within the range seen"), "Enforce min and max values",
                             "Synthetic numbers stay between the smallest and largest real ones")
        self.rounding = named(QCheckBox("Keep the decimals seen"), "Enforce rounding",
                              "Synthetic numbers have as many decimals as the real ones")
        self.rows = named(QSpinBox(), "Rows", "Rows to generate; 'as many as the input' when 0")
        self.rows.setRange(0, 100_000_000)
        self.rows.setSpecialValueText("as many as the input")
        self.rows.setGroupSeparatorShown(True)
        self.holdout = named(QDoubleSpinBox(), "Holdout", "Share of rows held out of training to judge privacy "
                             "and utility; 0 trains on every row (some figures cannot be given then)")
        self.holdout.setRange(0.0, 0.5)
        self.holdout.setSingleStep(0.05)
        self.target = named(QComboBox(), "Utility target", "A column to predict: a model trained on the synthetic "
                            "rows is compared with one trained on the real rows, on the held-out rows")
        self.constraints = ConstraintsTable()
        self.add_rule = named(QPushButton("Add rule"), "Add a constraint", "Add a rule the synthetic rows keep")
        self.remove_rule = named(QPushButton("Remove rule"), "Remove the selected constraint", "Remove the rule")
        self.add_rule.clicked.connect(lambda: self.constraints.add_rule())
        self.remove_rule.clicked.connect(self.constraints.remove_selected)
        self.synthesizer.currentIndexChanged.connect(self._synthesizer_changed)
        form = QFormLayout()
        form.addRow("Synthesizer", self.synthesizer)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Distribution", self.distribution)
        form.addRow(self.min_max)
        form.addRow(self.rounding)
        form.addRow("Rows", self.rows)
        form.addRow("Holdout", self.holdout)
        form.addRow("Utility target", self.target)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_rule)
        buttons.addWidget(self.remove_rule)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.constraints, 1)
        layout.addLayout(buttons)
        self.load(SyntheticSection())

    def _synthesizer_changed(self) -> None:
        neural = self.synthesizer.currentData() in NEURAL
        self.epochs.setEnabled(neural)
        self.batch_size.setEnabled(neural)
        self.distribution.setEnabled(self.synthesizer.currentData() in ("gaussian_copula", "copulagan"))

    def set_columns(self, columns: list[str]) -> None:
        current = self.target.currentText()
        self.target.clear()
        self.target.addItems([NO_TARGET, *columns])
        self.target.setCurrentText(current if current in columns else NO_TARGET)

    def load(self, section: SyntheticSection) -> None:
        self.synthesizer.setCurrentIndex(self.synthesizer.findData(section.synthesizer))
        self.epochs.setValue(section.epochs)
        self.batch_size.setValue(section.batch_size)
        self.distribution.setCurrentText(section.default_distribution)
        self.min_max.setChecked(section.enforce_min_max_values)
        self.rounding.setChecked(section.enforce_rounding)
        self.rows.setValue(section.rows or 0)
        self.holdout.setValue(section.holdout)
        target = section.evaluation.target
        if target and self.target.findText(target) < 0:
            self.target.addItem(target)
        self.target.setCurrentText(target or NO_TARGET)
        self.constraints.load(section)
        self._synthesizer_changed()

    def values(self, base: SyntheticSection | None = None) -> dict[str, Any]:
        """The form's fields over ``base`` (the recipe's section: fields the form does not show are kept)."""
        data = base.model_dump(exclude_defaults=True) if base is not None else {}
        data.update(synthesizer=self.synthesizer.currentData(), default_distribution=self.distribution.currentText(),
                    enforce_min_max_values=self.min_max.isChecked(), enforce_rounding=self.rounding.isChecked(),
                    rows=self.rows.value() or None, holdout=round(self.holdout.value(), 4))
        if self.synthesizer.currentData() in NEURAL:
            data.update(epochs=self.epochs.value(), batch_size=self.batch_size.value())
        if self.synthesizer.currentData() not in ("gaussian_copula", "copulagan"):
            data.pop("numerical_distributions", None)
        target = self.target.currentText()
        data["evaluation"] = {**data.get("evaluation", {}), "target": None if target == NO_TARGET else target}
        data["constraints"] = self.constraints.to_dict()
        return data
