"""The recipe's own re-identification risk threshold, set where the analyst reads the risk (the Report tab).

Unset, the release uses the default of File › Preferences; set, the recipe carries it (saved in its
YAML, so a headless ``sanitas apply`` judges the same way) and the report names it. Each change is
an undo step of the plan, like any other plan edit; a run of spin box steps is one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from sanitas.gui.document import Document

DEFAULT_SHOWN = 0.2  # what the box shows before the analyst sets a value: ARX's default


def preferences_threshold() -> float:
    """The default threshold (File › Preferences); ARX's 0.2 if the settings file cannot be read."""
    from sanitas.core.errors import SanitasError
    from sanitas.core.settings import load_settings

    try:
        return load_settings().risk_threshold
    except (SanitasError, OSError, ValueError):
        return DEFAULT_SHOWN


class RiskThresholdBar(QWidget):
    """[x] This recipe's risk threshold: [20 %]   Preferences' default: 20%."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setAccessibleName("Risk threshold of this recipe")
        self.own_check = QCheckBox("This recipe's &risk threshold:", self)
        self.own_check.setAccessibleName("Use this recipe's own risk threshold")
        self.own_check.setToolTip("Highest prosecutor risk (1 / size of the smallest group of records sharing "
                                  "their quasi-identifiers) this release may carry before its report says "
                                  "'Released at risk'. Saved in the recipe; unchecked, the default of "
                                  "File › Preferences applies.")
        self.spin = QDoubleSpinBox(self)
        self.spin.setAccessibleName("Risk threshold (percent)")
        self.spin.setRange(1.0, 100.0)
        self.spin.setDecimals(0)
        self.spin.setSingleStep(5.0)
        self.spin.setSuffix(" %")
        self.spin.setToolTip("20 % means no group of fewer than 5 records (ARX's default)")
        self.default_label = QLabel(self)
        self.default_label.setAccessibleName("Default risk threshold")
        self.default_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.own_check)
        layout.addWidget(self.spin)
        layout.addWidget(self.default_label, 1)
        self.own_check.toggled.connect(self._own_toggled)
        self.spin.valueChanged.connect(self._value_changed)
        doc.riskThresholdChanged.connect(self.refresh)
        doc.recipeReplaced.connect(self.refresh)
        doc.recipePathChanged.connect(self.refresh)  # also an autosaved plan restored with its threshold
        self.refresh()

    def refresh(self) -> None:
        """Show the recipe's value (or the default, greyed) and the Preferences default beside it."""
        own = self.doc.recipe.risk_threshold
        default = preferences_threshold()
        for widget in (self.own_check, self.spin):
            widget.blockSignals(True)
        self.own_check.setChecked(own is not None)
        self.spin.setValue(round(100 * (own if own is not None else default)))
        self.spin.setEnabled(own is not None)
        for widget in (self.own_check, self.spin):
            widget.blockSignals(False)
        self.default_label.setText(f"Default (File › Preferences): {default:.0%}" + ("" if own is not None
                                   else ", used for this recipe"))

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # the Preferences default may have changed since
        super().showEvent(event)

    def _own_toggled(self, checked: bool) -> None:
        self.doc.set_risk_threshold(round(self.spin.value() / 100, 4) if checked else None)

    def _value_changed(self, value: float) -> None:
        if self.own_check.isChecked():
            self.doc.set_risk_threshold(round(value / 100, 4))
