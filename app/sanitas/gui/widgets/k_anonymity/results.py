"""The result side of the k-anonymity tab: which models hold, at what cost, and the risk before and after.

Kept apart from the form so each stays small; it only displays a KAnonymityFacts and never runs anything.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts
from sanitas.core.privacy.metrics.risk import RiskReport
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.common.bar_chart import BarChart, Series

RISK_ROWS: list[tuple[str, Callable[[RiskReport], str]]] = [
    ("Records", lambda r: f"{r.records:,}"),
    ("Classes", lambda r: f"{r.classes:,}"),
    ("Smallest class (k)", lambda r: f"{r.k:,}"),
    ("Sample uniques", lambda r: f"{r.sample_uniques:,}"),
    ("Prosecutor risk, highest", lambda r: f"{r.prosecutor_risk.highest:.1%}"),
    ("Prosecutor risk, average", lambda r: f"{r.prosecutor_risk.average:.1%}"),
    ("Journalist risk, highest", lambda r: f"{r.journalist_risk.highest:.1%}"),
    ("Journalist risk, average", lambda r: f"{r.journalist_risk.average:.1%}"),
    ("Marketer risk", lambda r: f"{r.marketer_risk.average:.1%}"),
]


class KAnonymityResults(QWidget):
    """Summary text, a before/after risk table and two small charts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = named(QLabel("Run to see which models hold and what they cost."), "k-anonymity result",
                             "Models, method, lattice position or partitions, and suppression of the last run")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.risk_table = named(QTableWidget(len(RISK_ROWS), 2), "Risk before and after",
                                "Re-identification risk of the input and of the released rows")
        self.risk_table.setHorizontalHeaderLabels(["Before", "After"])
        self.risk_table.setVerticalHeaderLabels([name for name, _ in RISK_ROWS])
        self.risk_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.risk_table.setTabKeyNavigation(False)  # Tab moves on to the next control, not cell to cell
        header = self.risk_table.verticalHeader()
        self.risk_table.setMinimumHeight(header.defaultSectionSize() * len(RISK_ROWS)
                                         + self.risk_table.horizontalHeader().sizeHint().height()
                                         + 2 * self.risk_table.frameWidth())  # every row shown: it scrolls outside
        self.histogram = named(BarChart("Equivalence classes by size"), "Class-size histogram before and after",
                               "Number of classes of each size, before and after")
        self.risk_chart = named(BarChart("Re-identification risk (%)", value_format="{:.0f}"),
                                "Risk before and after chart", "Prosecutor, journalist and marketer risk, before "
                                "and after (highest and average)")
        self.kept_chart = named(BarChart("Utility kept per quasi-identifier (%)", value_format="{:.0f}"),
                                "Utility kept per quasi-identifier", "Distinct values after / before, and the share "
                                "of each column's entropy (bits) that the release keeps")
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.risk_table, self.risk_chart, self.histogram, self.kept_chart):
            layout.addWidget(widget)

    def clear(self) -> None:
        """Forget the last run (a new one started): no figure may be read as the new run's."""
        self.summary.setText("Running…")
        self.risk_table.clearContents()
        for chart in (self.histogram, self.risk_chart, self.kept_chart):
            chart.set_data([], [])

    def risk(self, row_name: str, column: int) -> str:
        """The risk table's text for a row ("Sample uniques") and column (0 before, 1 after)."""
        row = [name for name, _ in RISK_ROWS].index(row_name)
        item = self.risk_table.item(row, column)
        return item.text() if item else ""

    def show_facts(self, facts: KAnonymityFacts) -> None:
        checks = [f"{'✔' if c.holds else '✖'} {c.model} {'holds' if c.holds else 'does not hold'} "
                  f"(required {c.required:g}, achieved {'—' if c.achieved is None else f'{c.achieved:g}'})"
                  for c in facts.checks]
        self.summary.setText("\n".join([
            *checks,
            f"Method: {facts.method_label or facts.method}",
            *self._position(facts),
            f"Journalist and marketer risk: {population(facts.risk_before)}",
        ]))
        for col, report in enumerate((facts.risk_before, facts.risk_after)):
            for row, (_, value) in enumerate(RISK_ROWS):
                self.risk_table.setItem(row, col, QTableWidgetItem(value(report)))
        before, after = facts.risk_before.histogram, facts.risk_after.histogram
        self.histogram.set_data([b.label for b in before], [
            Series("before", [float(b.classes) for b in before], "#6e7781"),
            Series("after", [float(b.classes) for b in after], "#0969da"),
        ])
        risks = [("pros. max", lambda r: r.prosecutor_risk.highest), ("pros. avg", lambda r: r.prosecutor_risk.average),
                 ("journ. max", lambda r: r.journalist_risk.highest),
                 ("journ. avg", lambda r: r.journalist_risk.average), ("marketer", lambda r: r.marketer_risk.average)]
        self.risk_chart.set_data([name for name, _ in risks], [
            Series("before", [100 * value(facts.risk_before) for _, value in risks], "#6e7781"),
            Series("after", [100 * value(facts.risk_after) for _, value in risks], "#0969da"),
        ])
        kept = [c for c in facts.utility.columns if c.column in facts.quasi_identifiers]
        labels = [f"{c.column} L{facts.levels[c.column]}" if c.column in facts.levels else c.column for c in kept]
        self.kept_chart.set_data(labels, [
            Series("distinct values", [c.distinct_kept * 100 for c in kept], "#1a7f37"),
            Series("entropy", [max(0.0, 100 * (1 - c.entropy_lost_share)) for c in kept], "#bc4c00"),
        ])

    @staticmethod
    def _position(facts: KAnonymityFacts) -> list[str]:
        """Where the method landed: the lattice node and search (global), or the partitions (Mondrian)."""
        if facts.method == "mondrian":
            smallest = facts.search.get("smallest_partition")
            size = f" (smallest {smallest:,} records)" if smallest else ""
            penalty = ", ".join(f"{c.column} {c.certainty_penalty:.0%}" for c in facts.utility.columns
                                if c.certainty_penalty is not None)
            return [f"Partitions: {facts.partitions or 0:,}{size}",
                    "Suppressed rows: none (Mondrian suppresses no record)",
                    f"Certainty penalty (0% exact, 100% whole range): {penalty}"]
        placed = [c for c in facts.quasi_identifiers if c in facts.levels and c in facts.heights]
        levels = ", ".join(f"{c} {facts.levels[c]}/{facts.heights[c] - 1}" for c in placed)
        # "city 1/1" alone reads as a score: the top level means the column no longer tells records apart
        away = [c for c in placed if facts.levels[c] == facts.heights[c] - 1 > 0]
        search = facts.search
        return [
            f"Lattice position (level/top): {levels}",
            *([f"Fully generalized away (every value replaced by its hierarchy's top, so the column no longer "
               f"tells records apart): {', '.join(away)}"] if away else []),
            f"Search: {search.get('strategy', '?')}, {search.get('nodes_evaluated', '?')} of "
            f"{search.get('nodes_total', '?')} nodes evaluated",
            f"Suppressed rows: {facts.suppressed:,} ({facts.suppression}, limit {facts.suppression_limit:.1%})",
        ]


def population(report: RiskReport) -> str:
    """The population model behind the journalist and marketer risks, in words."""
    if report.sampling_fraction == 1:
        return "the dataset is the population"
    size = f"population {report.population:,}, " if report.population else ""
    return f"{size}sampling fraction {report.sampling_fraction:.4g} ({report.population_model})"
