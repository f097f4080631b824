"""The "Privacy budget" tab: the total epsilon and delta, every column share and figure as it is set, the
noise and typical error each buys before anything runs, a live over-budget warning, a preview of a
noisy column, and "Apply to recipe" (one undo step).

The tab edits a draft; the recipe changes only on Apply. Every figure comes from the core: the error
estimates (``core/privacy/dp/estimates.py``), the budget and its warnings (the DP step's own
``section_problems``, so the tab says what a release would refuse, in the same words).
"""

from __future__ import annotations

import polars as pl
from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.privacy.dp import budget
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.privacy.dp.section import AggregateSpec, DifferentialPrivacySection
from sanitas.core.privacy.dp.step import DifferentialPrivacyStep, column_shares
from sanitas.gui.document import Document
from sanitas.gui.panels.privacy_budget import fields
from sanitas.gui.panels.privacy_budget.aggregates_table import AggregatesTable
from sanitas.gui.panels.privacy_budget.apply import apply_budget
from sanitas.gui.panels.privacy_budget.column_shares import ColumnSharesTable, epsilon_box
from sanitas.gui.panels.privacy_budget.noise_preview import NoisePreview
from sanitas.gui.widgets.common.accessible import named

WARNING = "⚠"
OK = "✓"


class PrivacyBudgetPanel(QWidget):
    """Totals and budget bar | column shares | aggregates | preview."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setAccessibleName("Privacy budget")
        self.params: dict[str, DpNoiseParams] = {}
        self.section: DifferentialPrivacySection | None = None
        self.problems: list[str] = []
        self._group_rows: dict[tuple[str, ...], float | None] = {}
        self._loading = False
        self._applying = False
        self._build()
        doc.recipeReplaced.connect(self.reload)
        doc.datasetChanged.connect(self.reload)
        doc.frameLoaded.connect(self._frame_loaded)
        doc.planChanged.connect(self._plan_changed)
        self.reload()

    # --- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.epsilon = epsilon_box("Total epsilon", "differential_privacy.epsilon: the budget every column share "
                                   "and figure composes into (smaller: more privacy, more noise)")
        self.epsilon.setValue(1.0)
        self.delta = named(QLineEdit(), "Total delta", "differential_privacy.delta: for gaussian noise and for "
                           "group keys no domain declares (e.g. 1e-6); empty or 0 for pure epsilon-DP")
        self.delta.setPlaceholderText("0")
        self.output = named(QComboBox(), "Output", "records: the table with its dp_noise columns; aggregates: only "
                            "the figures below, and no record")
        self.output.addItem("records (noisy columns)", "records")
        self.output.addItem("aggregates (figures only, no records)", "aggregates")
        self.spent = named(QProgressBar(), "Epsilon spent", "Share of the total epsilon the plan spends")
        self.spent.setRange(0, 1000)
        self.spent_label = named(QLabel(), "Budget", "Epsilon and delta spent of the total, and what is left")
        self.warning = named(QLabel(), "Privacy budget messages", "Over-budget plans and fields to fix, in the "
                             "words a release would use")
        self.warning.setWordWrap(True)
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shares = ColumnSharesTable()
        self.add_column = named(QComboBox(), "Column to add", "A column to perturb with DP noise")
        self.add_column_button = named(QPushButton("Add column"), "Add DP noise column", "Give this column DP noise "
                                       "(its bounds or categories come from you, never from the data)")
        self.aggregates = AggregatesTable()
        self.add_figure_button = named(QPushButton("Add figure"), "Add aggregate", "Release one more DP statistic")
        self.preview = NoisePreview()
        self.apply_button = named(QPushButton("Apply to recipe"), "Apply to recipe", "Store the budget, column "
                                  "shares and figures in the recipe (undoable)")

        totals = QFormLayout()
        totals.addRow("Total ε", self.epsilon)
        totals.addRow("Total δ", self.delta)
        totals.addRow("Output", self.output)
        totals.addRow("Spent", self.spent)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(totals)
        column.addWidget(self.spent_label)
        column.addWidget(self.warning)
        column.addWidget(self.apply_button)
        column.addStretch()

        shares_box = QGroupBox("Column shares (dp_noise)")
        shares_layout = QVBoxLayout(shares_box)
        shares_layout.addWidget(self.shares, 1)
        shares_layout.addWidget(self._row(QLabel("Column"), self.add_column, self.add_column_button))
        figures_box = QGroupBox("Aggregates (output: aggregates)")
        figures_layout = QVBoxLayout(figures_box)
        figures_layout.addWidget(self.aggregates, 1)
        figures_layout.addWidget(self._row(self.add_figure_button))
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(shares_box)
        middle.addWidget(figures_box)
        splitter = QSplitter()
        for pane in (left, middle, self.preview):  # panes scroll, so the tab never widens the window
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(pane)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

        for signal in (self.epsilon.valueChanged, self.delta.textChanged, self.output.currentIndexChanged,
                       self.shares.edited, self.aggregates.edited):
            signal.connect(self.refresh)
        self.add_column_button.clicked.connect(self._add_column)
        self.add_figure_button.clicked.connect(lambda: self.aggregates.add_row())
        self.apply_button.clicked.connect(self.apply)
        self.preview.button.clicked.connect(self.start_preview)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch()
        return row

    # --- loading from the recipe ---------------------------------------------------------------------
    def reload(self) -> None:
        """The draft from the recipe: its section and its dp_noise columns (defaults without a section)."""
        self._loading = True
        try:
            section = self.doc.recipe.differential_privacy
            self.epsilon.setValue(section.epsilon if section else 1.0)
            self.delta.setText(fields.number_text(section.delta) if section and section.delta else "")
            self.output.setCurrentIndex(self.output.findData(section.output if section else "records"))
            self.shares.set_rows({c: p.params for c, p in self.doc.recipe.columns.items() if p.action == "dp_noise"})
            self.aggregates.set_rows(list(section.aggregates) if section else [], self.doc.columns)
            self.add_column.clear()
            self.add_column.addItems(self.doc.columns)
            self._suggest_column()
            self._group_rows.clear()
        finally:
            self._loading = False
        self.refresh()

    def _frame_loaded(self) -> None:
        self._group_rows.clear()
        self.refresh()

    def _plan_changed(self, column: str) -> None:
        """Follow dp_noise edits made elsewhere (the inspector, undo): one column, or all when many changed."""
        if self._applying:
            return
        if not column:
            self.shares.set_rows({c: p.params for c, p in self.doc.recipe.columns.items() if p.action == "dp_noise"})
            return
        plan = self.doc.plan(column)
        if plan is not None and plan.action == "dp_noise":
            self.shares.add_row(column, plan.params)
            self.refresh()
        else:
            self.shares.remove_row(column)

    def _add_column(self) -> None:
        column = self.add_column.currentText()
        if column:
            self.shares.add_row(column)
            self._suggest_column()
            self.refresh()

    def _suggest_column(self) -> None:
        """Offer the first numeric column not yet noised (the common case), if there is one."""
        schema = self.doc.dataset.schema if self.doc.dataset else {}
        listed = set(self.shares.columns())
        numeric = [c for c in self.doc.columns if c not in listed and schema[c].is_numeric()]
        if numeric:
            self.add_column.setCurrentText(numeric[0])

    # --- the live figures ----------------------------------------------------------------------------
    def group_rows(self, by: list[str]) -> float | None:
        """Rows per group of ``by`` (the average), for a mean's typical error.

        The groups are counted on the sample spread over the table and the rows on the whole table: an
        estimate (a rare group the sample misses makes it a little high), which is all a typical error needs.
        """
        key = tuple(by)
        frame, height = self.doc.sample, self.doc.row_count
        if frame is None or height is None or any(c not in frame.columns for c in by):
            return None
        if key not in self._group_rows:
            groups = frame.select(pl.struct(list(by)).n_unique()).item() if by else 1
            self._group_rows[key] = height / max(int(groups), 1)
        return self._group_rows[key]

    def hierarchy_columns(self) -> set[str]:
        section = self.doc.recipe.k_anonymity
        return set(section.quasi_identifiers) | set(section.hierarchies) if section else set()

    def refresh(self) -> None:
        """Read the draft, fill every estimate, and say what is wrong (or how much budget is left)."""
        if self._loading:
            return
        schema = dict(self.doc.dataset.schema) if self.doc.dataset else {}
        hierarchies = self.hierarchy_columns()
        self.params, problems = self.shares.read(schema)
        specs, figure_problems = self.aggregates.read(hierarchies, self.group_rows)
        problems += figure_problems
        self.preview.set_columns(self.shares.columns())
        self.section = None
        try:
            delta = fields.number(self.delta.text(), "differential_privacy.delta")
            self.section = self._section(delta, specs)
        except fields.FieldError as exc:
            problems.insert(0, str(exc))
        except ValidationError as exc:
            problems[:0] = fields.problems_of(exc, "differential_privacy")
        if self.section is not None and not problems:
            checked = schema or {c: pl.Null for c in self.shares.columns()}  # no dataset: names only
            problems = DifferentialPrivacyStep().section_problems(
                self.section, checked, list(checked), column_params=self.params,
                hierarchy_domains={c: [] for c in hierarchies})
        self.problems = problems
        self._show_budget(specs)

    def _section(self, delta: float, specs: list[AggregateSpec]) -> DifferentialPrivacySection:
        return DifferentialPrivacySection(epsilon=self.epsilon.value(), delta=delta,
                                          output=self.output.currentData(), aggregates=specs)

    def _show_budget(self, specs: list[AggregateSpec]) -> None:
        total = self.epsilon.value()
        probe = DifferentialPrivacySection.model_construct(epsilon=total, delta=0.0, output="records", aggregates=specs)
        shares = budget.plan_shares(probe, column_shares(self.params), self.hierarchy_columns())
        eps, delta = budget.composed(shares)
        self.spent.setValue(min(1000, round(eps / total * 1000)))
        self.spent.setFormat(f"ε {eps:.4g} of {total:.4g}")
        left = total - eps
        text = f"ε spent {eps:.4g} of {total:.4g} · " + (f"{left:.4g} left" if left >= -1e-12 else
                                                          f"over by {-left:.4g}")
        if delta or (self.section is not None and self.section.delta):
            text += f" · δ {delta:.3g} of {self.section.delta if self.section else 0:.3g}"
        self.spent_label.setText(text)
        if self.problems:
            self.warning.setText("\n".join(f"{WARNING} {p}" for p in self.problems))
        elif self.params or specs:
            self.warning.setText(f"{OK} The plan fits the budget.")
        else:
            self.warning.setText("No DP noise yet: add a column, or choose output aggregates and add a figure.")

    # --- preview and apply ---------------------------------------------------------------------------
    def start_preview(self) -> None:
        column = self.preview.column.currentText()
        problem = "" if column in self.params else next(
            (p for p in self.problems if p.startswith(f"columns.{column}")), "")
        self.preview.start(self.doc.sample, self.params.get(column), problem)

    def apply(self) -> None:
        """Write the draft into the recipe, or say what must be fixed first (nothing is written then)."""
        self.refresh()
        if self.problems:
            self.warning.setText("Not applied: fix these first.\n" + self.warning.text())
            return
        recipe_params = {c: self.shares.recipe_params(p) for c, p in self.params.items()}
        section = self.section if (recipe_params or (self.section and self.section.aggregates)) else None
        self._applying = True
        try:
            changed = apply_budget(self.doc, section, recipe_params, self._section_written)
        finally:
            self._applying = False
        self.reload()
        if changed:
            self.warning.setText(f"{OK} Applied to the recipe: Ctrl+Z undoes it.")

    def _section_written(self) -> None:
        """The section changed by Apply, undo or redo: show the recipe (once, after Apply's last write)."""
        if not self._applying:
            self.reload()
