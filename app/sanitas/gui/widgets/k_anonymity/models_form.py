"""The k-anonymity tab's settings form: method, privacy models, suppression, metric and population.

One job: show a KAnonymitySection's settings and read them back. Which columns play which role and
which hierarchy each uses come from the roles table and the hierarchy chooser beside it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.gui.widgets.common.accessible import named


def row(*widgets: QWidget) -> QWidget:
    """Widgets side by side, without margins (a form row's field)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class ModelsForm(QWidget):
    """Method, k / l / t / average risk, suppression, metric, population; ``settings()`` for a section."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_models()
        self._build_method_and_population()
        self.global_only: list[QWidget] = [
            self.l_variant, self.c_value, self.t_enabled, self.t_variant, self.t_value, self.avg_enabled,
            self.avg_value, self.suppression_limit, self.suppression, self.metric_combo]
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Method", self.method)
        form.addRow(self.k_enabled, self.k)
        form.addRow(self.l_enabled, row(self.l_variant, self.l_value, QLabel("c"), self.c_value))
        form.addRow(self.t_enabled, row(self.t_variant, self.t_value))
        form.addRow(self.avg_enabled, self.avg_value)
        form.addRow("Suppression limit", self.suppression_limit)
        form.addRow("Suppressed rows", self.suppression)
        form.addRow("Metric", self.metric_combo)
        form.addRow("Population size", row(self.population, QLabel("or sampling fraction"), self.sampling_fraction))

    def _build_models(self) -> None:
        self.k_enabled = named(QCheckBox("k-anonymity"), "Use k-anonymity", "Every record shares its "
                                "quasi-identifiers with at least k-1 others")
        self.k_enabled.setChecked(True)
        self.k = named(QSpinBox(), "k", "Smallest allowed equivalence class")
        self.k.setRange(2, 1_000_000)
        self.k.setValue(5)
        self.l_enabled = named(QCheckBox("l-diversity"), "Use l-diversity", "Each class holds l well-represented "
                                "sensitive values")
        self.l_variant = named(QComboBox(), "l-diversity variant", "distinct, entropy or recursive (c, l)")
        self.l_variant.addItems(["distinct", "entropy", "recursive"])
        self.l_value = named(QSpinBox(), "l", "Number of well-represented sensitive values")
        self.l_value.setRange(2, 100_000)
        self.c_value = named(QDoubleSpinBox(), "c", "Recursive (c, l)-diversity's c")
        self.c_value.setRange(0.1, 100.0)
        self.c_value.setValue(3.0)
        self.t_enabled = named(QCheckBox("t-closeness"), "Use t-closeness", "Each class's sensitive values are "
                                "distributed within t of the whole table's")
        self.t_variant = named(QComboBox(), "t-closeness variant", "equal or hierarchical distance")
        self.t_variant.addItems(["equal", "hierarchical"])
        self.t_value = named(QDoubleSpinBox(), "t", "Largest allowed distance (0-1)")
        self.t_value.setRange(0.0001, 1.0)
        self.t_value.setDecimals(4)
        self.t_value.setValue(0.2)
        self.suppression_limit = named(QDoubleSpinBox(), "Suppression limit (%)", "Share of rows that may be "
                                        "suppressed to reach the models")
        self.suppression_limit.setRange(0.0, 100.0)
        self.suppression_limit.setDecimals(3)  # a recipe's 0.00125 shows as 0.125 %, not rounded away
        self.avg_enabled = named(QCheckBox("average risk"), "Use an average risk threshold", "The average "
                                 "re-identification risk of the released records stays at or below this")
        self.avg_value = named(QDoubleSpinBox(), "Average risk threshold", "Largest allowed average "
                               "re-identification risk (0-1)")
        self.avg_value.setRange(0.0001, 1.0)
        self.avg_value.setDecimals(4)
        self.avg_value.setValue(0.1)
        self.suppression_limit.setSuffix(" %")
        self.suppression_limit.setValue(5.0)
        self.suppression = named(QComboBox(), "Suppression", "remove: drop suppressed rows; mask: keep them with "
                                  "'*' quasi-identifiers")
        self.suppression.addItems(["remove", "mask"])
        self.metric_combo = named(QComboBox(), "Metric", "Information loss the search minimises")
        self.metric_combo.addItems(["loss", "precision", "discernibility", "non_uniform_entropy"])

    def _build_method_and_population(self) -> None:
        self.method = named(QComboBox(), "Method", "Global recoding: one generalization level per quasi-identifier, "
                            "the least-loss one (exact). Mondrian: cuts the records into groups, for many "
                            "quasi-identifiers (heuristic; k-anonymity and distinct l-diversity only)")
        self.method.addItem("Global recoding (optimal)", "global")
        self.method.addItem("Mondrian (local, heuristic)", "mondrian")
        self.population = named(QDoubleSpinBox(), "Population size", "People the rows were drawn from, for "
                                "journalist and marketer risk; 0: the dataset is the population")
        self.population.setDecimals(0)
        self.population.setRange(0, 1e10)
        self.population.setGroupSeparatorShown(True)
        self.population.setSpecialValueText("the dataset")
        self.sampling_fraction = named(QDoubleSpinBox(), "Sampling fraction", "Rows / population, instead of a "
                                       "population size; 0: not given")
        self.sampling_fraction.setDecimals(6)
        self.sampling_fraction.setRange(0.0, 1.0)
        self.sampling_fraction.setSingleStep(0.01)
        self.sampling_fraction.setSpecialValueText("—")

    # --- state ---------------------------------------------------------------------------------------
    def mondrian(self) -> bool:
        return self.method.currentData() == "mondrian"

    def show_method(self) -> None:
        """Mondrian guarantees k and distinct l only and uses no hierarchy, suppression or metric: grey those
        out (the panel greys the hierarchy chooser)."""
        if self.mondrian():
            self.l_variant.setCurrentText("distinct")
            self.t_enabled.setChecked(False)
            self.avg_enabled.setChecked(False)
        for widget in self.global_only:
            widget.setEnabled(not self.mondrian())

    def hierarchical_t(self) -> bool:
        return self.t_enabled.isChecked() and self.t_variant.currentText() == "hierarchical"

    def load(self, section: KAnonymitySection) -> None:
        self.method.setCurrentIndex(self.method.findData(section.method))
        self.population.setValue(section.population or 0)
        self.sampling_fraction.setValue(section.sampling_fraction or 0.0)
        self.k_enabled.setChecked(section.k is not None)
        self.k.setValue(section.k or 5)
        self.l_enabled.setChecked(section.l_diversity is not None)
        ld, tc = section.l_diversity or {}, section.t_closeness or {}
        self.l_variant.setCurrentText(str(ld.get("variant", "distinct")))
        self.l_value.setValue(int(ld.get("l", 2)))
        self.c_value.setValue(float(ld.get("c", 3.0)))
        self.t_enabled.setChecked(section.t_closeness is not None)
        self.avg_enabled.setChecked(section.average_risk is not None)
        self.avg_value.setValue(section.average_risk or 0.1)
        self.t_variant.setCurrentText(str(tc.get("variant", "equal")))
        self.t_value.setValue(float(tc.get("t", 0.2)))
        self.suppression_limit.setValue(section.suppression_limit * 100)
        self.suppression.setCurrentText(section.suppression)
        self.metric_combo.setCurrentText(section.metric)

    def settings(self) -> dict[str, Any]:
        """The section's fields this form holds. Mondrian takes k and distinct l only: the global-only
        options are left out, not sent to be refused."""
        k = self.k.value() if self.k_enabled.isChecked() else None
        if self.mondrian():
            return {**self._population(), "method": "mondrian", "k": k,
                    "l_diversity": {"variant": "distinct", "l": self.l_value.value()}
                    if self.l_enabled.isChecked() else None}
        l_div: dict[str, Any] = {"variant": self.l_variant.currentText(), "l": self.l_value.value()}
        if l_div["variant"] == "recursive":
            l_div["c"] = self.c_value.value()
        return {
            **self._population(), "k": k,
            "l_diversity": l_div if self.l_enabled.isChecked() else None,
            "t_closeness": {"variant": self.t_variant.currentText(), "t": self.t_value.value()}
            if self.t_enabled.isChecked() else None,
            "average_risk": self.avg_value.value() if self.avg_enabled.isChecked() else None,
            "suppression_limit": round(self.suppression_limit.value() / 100, 6),
            "suppression": self.suppression.currentText(), "metric": self.metric_combo.currentText(),
        }

    def _population(self) -> dict[str, float]:
        """population or sampling_fraction for journalist and marketer risk; 0 in a box means not given."""
        given = {"population": int(self.population.value()), "sampling_fraction": self.sampling_fraction.value()}
        return {name: value for name, value in given.items() if value}
