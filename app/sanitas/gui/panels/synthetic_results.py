"""The synthetic tab's figures after a run: quality, privacy against the holdout baseline, utility, and
real-vs-synthetic bars of the worst columns (binned shares only, as in the report: no raw value)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.common.bar_chart import BarChart, Series

REAL, SYNTHETIC = "#E69F00", "#0072B2"  # the report's Okabe-Ito pair
FIGURES = ["Rows", "Quality", "Diagnostic", "Exact copies", "Closer to training", "k on quasi-identifiers",
           "Utility", "Not given"]


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}%}"


class SyntheticResults(QWidget):
    """A form of figures (each labelled in words, flagged ones marked ⚠) and one chart per worst column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for name in FIGURES:
            label = named(QLabel("—"), name, f"Synthetic release: {name.lower()}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[name] = label
            form.addRow(name, label)
        self.charts_box = QVBoxLayout()
        self.charts: list[BarChart] = []
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.charts_box)
        layout.addStretch()

    def figure(self, name: str) -> str:
        return self.labels[name].text()

    def clear(self) -> None:
        for label in self.labels.values():
            label.setText("—")
        for chart in self.charts:
            self.charts_box.removeWidget(chart)
            chart.deleteLater()
        self.charts = []

    def show_facts(self, facts: SyntheticFacts) -> None:
        self.clear()
        set_ = lambda name, text: self.labels[name].setText(text)  # noqa: E731
        set_("Rows", f"{facts.rows_generated:,} generated from {facts.synthesizer}, trained on "
                     f"{facts.rows_trained:,} ({facts.rows_held_out:,} held out) in "
                     f"{facts.seconds.get('total', 0.0):.1f} s")
        q = facts.quality
        if q is not None and q.score is not None:
            worst = f"; worst columns: {', '.join(q.worst_columns)}" if q.worst_columns else ""
            set_("Quality", f"{q.score:.2f} (SDMetrics quality score, 0-1){worst}")
            if q.diagnostic is not None and q.diagnostic.score is not None:
                set_("Diagnostic", f"{q.diagnostic.score:.2f} (1.00: valid values and structure)")
        p = facts.privacy
        if p is not None:
            flag = "⚠ FLAGGED: more copies than chance explains. " if p.flagged else ""
            set_("Exact copies", f"{flag}{_pct(p.exact_copies, 2)} of synthetic rows equal a training row "
                                 f"(holdout baseline {_pct(p.baseline, 2)}, threshold {_pct(p.threshold, 2)})")
            if p.dcr_share is not None:
                mark = "⚠ " if p.dcr_flagged else ""
                set_("Closer to training", f"{mark}{_pct(p.dcr_share)} of synthetic rows are closer to the training "
                                           "rows than to the holdout (50% is ideal)")
            if p.k is not None:
                set_("k on quasi-identifiers", f"k = {p.k} on {', '.join(p.quasi_identifiers)}")
        u = facts.utility
        if u is not None and u.tstr is not None:
            real = f"{u.trtr:.3f}" if u.trtr is not None else "—"
            set_("Utility", f"{u.metric} predicting {u.target}: trained on synthetic {u.tstr:.3f}, on real {real}")
        if facts.missing:
            set_("Not given", " ".join(facts.missing))
        for plot in facts.plots:
            chart = BarChart(f"{plot.column}: real vs synthetic", value_format="{:.0%}")
            chart.setAccessibleName(f"Distribution of {plot.column}, real and synthetic")
            chart.set_data(plot.labels, [Series("Real", plot.real, REAL), Series("Synthetic", plot.synthetic,
                                                                                  SYNTHETIC)])
            chart.setMinimumHeight(160)
            self.charts_box.addWidget(chart)
            self.charts.append(chart)
