"""The k-anonymity tab: column roles, privacy models, and a trial run with risk before and after.

The panel never edits the recipe itself: "Apply to recipe" goes through Document.set_k_anonymity (one
undo step). "Run" is a trial on the loaded rows, off the GUI thread, so the analyst can see whether
the models can hold and what they cost before committing. Errors are shown in place, never as dialogs,
because they are expected answers (e.g. "no generalization satisfies 5000-anonymity").
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts, k_anonymity_step
from sanitas.core.privacy.k_anonymity.roles import propose_role
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.validation import validation_problems
from sanitas.gui import theme
from sanitas.gui.document import Document
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.k_anonymity.hierarchy_chooser import HierarchyChooser
from sanitas.gui.widgets.k_anonymity.results import KAnonymityResults
from sanitas.gui.workers import Task

ROLES = ["identifying", "quasi-identifying", "sensitive", "insensitive"]


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(validation_problems(exc, where=lambda loc: ""))
    return str(exc) if isinstance(exc, SanitasError) else f"The run failed ({type(exc).__name__})."


class KAnonymityPanel(QWidget):
    """Roles | models and hierarchies | trial-run results."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.task: Task | None = None
        self.facts: KAnonymityFacts | None = None
        self.setAccessibleName("k-anonymity")
        self._build()
        doc.recipeReplaced.connect(self._forget_unapplied)  # before _reload, which then shows the new recipe
        for signal in (doc.datasetChanged, doc.scanChanged, doc.recipeReplaced, doc.datasetModelChanged):
            signal.connect(self._reload)
        self._reload()

    def _forget_unapplied(self) -> None:
        """A recipe without a k_anonymity section was opened or created: start from the defaults, so
        settings and hierarchy files of the previous recipe cannot slip into this one."""
        if self.doc.recipe.k_anonymity is None:
            self._load_models(KAnonymitySection.model_construct(quasi_identifiers=[], k=5))

    # --- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.roles = named(QTableWidget(0, 3), "Column roles", "What each column is for k-anonymity")
        self.roles.setHorizontalHeaderLabels(["Column", "Detected", "Role"])
        self.roles.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roles.verticalHeader().setVisible(False)
        self.roles.setTabKeyNavigation(False)  # Tab leaves the table for the models form
        header = self.roles.horizontalHeader()  # the role combos are read in full; names and kinds share the rest
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
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
        self._build_method_and_population()
        form = QFormLayout()
        form.addRow("Method", self.method)
        form.addRow(self.k_enabled, self.k)
        form.addRow(self.l_enabled, self._row(self.l_variant, self.l_value, QLabel("c"), self.c_value))
        form.addRow(self.t_enabled, self._row(self.t_variant, self.t_value))
        form.addRow(self.avg_enabled, self.avg_value)
        form.addRow("Suppression limit", self.suppression_limit)
        form.addRow("Suppressed rows", self.suppression)
        form.addRow("Metric", self.metric_combo)
        form.addRow("Population size", self._row(self.population, QLabel("or sampling fraction"),
                                                 self.sampling_fraction))
        self.hierarchies = HierarchyChooser(self.doc)
        self.message = named(QLabel(), "k-anonymity messages", "Problems with the configuration or the run")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hierarchies.problem.connect(self.message.setText)
        self.apply_button = named(QPushButton("Apply to recipe"), "Apply to recipe",
                                   "Store these settings in the recipe (undoable)")
        self.run_button = named(QPushButton("Run"), "Run k-anonymity", "Try the settings on the loaded rows")
        self.cancel_button = named(QPushButton("Cancel"), "Cancel the run", "Stop the search")
        self.cancel_button.setEnabled(False)
        self.progress = named(QProgressBar(), "k-anonymity progress", "Progress of the run")
        self.progress.setRange(0, 1000)
        self.t_enabled.toggled.connect(self._rebuild_hierarchies)
        self.t_variant.currentTextChanged.connect(self._rebuild_hierarchies)
        self.apply_button.clicked.connect(self.apply)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.addLayout(form)
        column.addWidget(self.hierarchies)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(middle)
        # The settings scroll; the messages, Run/Apply and progress stay in view below them at any height
        pane = QWidget()
        pinned = QVBoxLayout(pane)
        pinned.setContentsMargins(0, 0, 0, 0)
        pinned.addWidget(scroll, 1)
        pinned.addWidget(self.message)
        pinned.addWidget(self._row(self.apply_button, self.run_button, self.cancel_button))
        pinned.addWidget(self.progress)
        splitter = QSplitter()
        splitter.setObjectName("k-anonymity-splitter")
        splitter.addWidget(self.roles)
        splitter.addWidget(pane)
        self.results = KAnonymityResults()
        results = QScrollArea()  # the figures scroll, so the tab fits a laptop screen
        results.setWidgetResizable(True)
        results.setWidget(self.results)
        results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        splitter.addWidget(results)
        QVBoxLayout(self).addWidget(splitter)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return row

    def _build_method_and_population(self) -> None:
        self.method = named(QComboBox(), "Method", "Global recoding: one generalization level per quasi-identifier, "
                            "the least-loss one (exact). Mondrian: cuts the records into groups, for many "
                            "quasi-identifiers (heuristic; k-anonymity and distinct l-diversity only)")
        self.method.addItem("Global recoding (optimal)", "global")
        self.method.addItem("Mondrian (local, heuristic)", "mondrian")
        self.method.currentIndexChanged.connect(self._method_changed)
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

    def _method_changed(self) -> None:
        """Mondrian guarantees k and distinct l only and uses no hierarchy, suppression or metric: grey those out."""
        mondrian = self.method.currentData() == "mondrian"
        if mondrian:
            self.l_variant.setCurrentText("distinct")
            self.t_enabled.setChecked(False)
            self.avg_enabled.setChecked(False)
        for widget in (self.l_variant, self.c_value, self.t_enabled, self.t_variant, self.t_value, self.avg_enabled,
                       self.avg_value,
                       self.suppression_limit, self.suppression, self.metric_combo, self.hierarchies):
            widget.setEnabled(not mondrian)

    # --- roles and hierarchies -----------------------------------------------------------------------
    def _reload(self) -> None:
        """Roles from the recipe's section if there is one, else proposed from the detected kind."""
        section = self.doc.recipe.k_anonymity
        listed = {c: "quasi-identifying" for c in section.quasi_identifiers} if section else {}
        listed.update({c: "sensitive" for c in section.sensitive} if section else {})
        listed.update({c: "identifying" for c in section.identifying} if section else {})
        self.roles.clearContents()  # drops the old role combos before new ones take their cells
        self.roles.setRowCount(len(self.doc.columns))
        for row, column in enumerate(self.doc.columns):
            kind = self.doc.effective_kind(column)
            self.roles.setItem(row, 0, QTableWidgetItem(column))
            self.roles.setItem(row, 1, QTableWidgetItem(f"{theme.kind_symbol(kind)} {theme.kind_label(kind)}"))
            combo = named(QComboBox(), f"Role of {column}", "identifying columns are left to the column plan; "
                           "quasi-identifiers are generalized; sensitive ones are protected by l/t models")
            combo.addItems(ROLES)
            finding = self.doc.finding(column)
            proposed = propose_role(finding, kind).value
            if section is not None:  # the section's roles, exactly: what it leaves out is insensitive
                proposed = "insensitive"
            combo.setCurrentText(listed.get(column) or proposed)
            combo.currentTextChanged.connect(self._rebuild_hierarchies)
            self.roles.setCellWidget(row, 2, combo)
        if section is not None:
            self._load_models(section)
        self._rebuild_hierarchies()

    def _load_models(self, section: KAnonymitySection) -> None:
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
        self.hierarchies.refs = dict(section.hierarchies)  # auto options and files, as the recipe has them

    def role(self, column: str) -> str:
        return self.roles.cellWidget(self.doc.columns.index(column), 2).currentText()

    def set_role(self, column: str, role: str) -> None:
        self.roles.cellWidget(self.doc.columns.index(column), 2).setCurrentText(role)

    def columns_with(self, role: str) -> list[str]:
        """Columns with ``role``: in the recipe's order where the recipe lists them, so Apply without an edit
        leaves the recipe as it was; the others after them, in the dataset's order."""
        chosen = [c for c in self.doc.columns if self.role(c) == role]
        section = self.doc.recipe.k_anonymity
        listed = {"quasi-identifying": section.quasi_identifiers, "sensitive": section.sensitive,
                  "identifying": section.identifying}.get(role, []) if section else []
        return [c for c in listed if c in chosen] + [c for c in chosen if c not in listed]

    def _rebuild_hierarchies(self) -> None:
        hierarchical_t = self.t_enabled.isChecked() and self.t_variant.currentText() == "hierarchical"
        self.hierarchies.set_columns(self.columns_with("quasi-identifying"),
                                     sensitive=self.columns_with("sensitive") if hierarchical_t else [])

    def show_hierarchy(self, column: str) -> None:
        self.hierarchies.show_hierarchy(column)

    # --- section, apply, run -----------------------------------------------------------------------
    def section(self) -> KAnonymitySection:
        """The form as a section; raises ValidationError when it is not a valid one."""
        l_div = {"variant": self.l_variant.currentText(), "l": self.l_value.value()}
        if l_div["variant"] == "recursive":
            l_div["c"] = self.c_value.value()
        if self.method.currentData() == "mondrian":
            return self._mondrian_section()
        return KAnonymitySection(
            **self._population(),
            quasi_identifiers=self.columns_with("quasi-identifying"), sensitive=self.columns_with("sensitive"),
            identifying=self.columns_with("identifying"),
            k=self.k.value() if self.k_enabled.isChecked() else None,
            l_diversity=l_div if self.l_enabled.isChecked() else None,
            t_closeness={"variant": self.t_variant.currentText(), "t": self.t_value.value()}
            if self.t_enabled.isChecked() else None,
            average_risk=self.avg_value.value() if self.avg_enabled.isChecked() else None,
            suppression_limit=round(self.suppression_limit.value() / 100, 6),
            suppression=self.suppression.currentText(), metric=self.metric_combo.currentText(),
            hierarchies=self.hierarchies.chosen_refs(self.columns_with("quasi-identifying")
                                                     + self.columns_with("sensitive")),
        )

    def _mondrian_section(self) -> KAnonymitySection:
        """Mondrian takes k and distinct l only: the global-only options are left out, not sent to be refused."""
        return KAnonymitySection(
            **self._population(), method="mondrian",
            quasi_identifiers=self.columns_with("quasi-identifying"), sensitive=self.columns_with("sensitive"),
            identifying=self.columns_with("identifying"),
            k=self.k.value() if self.k_enabled.isChecked() else None,
            l_diversity={"variant": "distinct", "l": self.l_value.value()} if self.l_enabled.isChecked() else None,
        )

    def _population(self) -> dict[str, float]:
        """population or sampling_fraction for journalist and marketer risk; 0 in a box means not given."""
        given = {"population": int(self.population.value()), "sampling_fraction": self.sampling_fraction.value()}
        return {name: value for name, value in given.items() if value}

    def _checked_section(self) -> KAnonymitySection | None:
        if self.doc.dataset is None:
            self.message.setText("Open a dataset first.")
            return None
        if not self.columns_with("quasi-identifying"):
            self.message.setText("Choose at least one quasi-identifier: set its role in the Role column.")
            return None
        try:
            section = self.section()
        except ValidationError as exc:
            self.message.setText(_error_text(exc))
            return None
        self.message.clear()
        return section

    def apply(self) -> None:
        section = self._checked_section()
        if section is not None:
            self.doc.set_k_anonymity(section, "Set k-anonymity")
            self.message.setText(self._identifying_kept(section))

    def _identifying_kept(self, section: KAnonymitySection) -> str:
        """Column actions that the export would refuse with this section, said in place right away: the
        release's own check (privacy/k_anonymity/checks.py), worded for the column list."""
        from sanitas.core.privacy.k_anonymity.checks import role_conflicts
        from sanitas.core.recipe_check import plan_view

        if self.doc.dataset is None:
            return ""
        conflicts = role_conflicts(section, plan_view(self.doc.recipe), self.doc.dataset.schema)
        problems = []
        kept = [c.column for c in conflicts if c.role == "identifying"]
        if kept:
            problems.append(
                f"Identifying column{'s' if len(kept) > 1 else ''} {', '.join(kept)} would be released as "
                f"{'they are' if len(kept) > 1 else 'it is'}: choose an action that removes or replaces "
                f"{'them' if len(kept) > 1 else 'it'} (drop, pseudonymize, fake, …) in the column list.")
        changed = [f"{c.column} ({c.action})" for c in conflicts if c.role != "identifying"]
        if changed:
            problems.append(
                f"Quasi-identifiers and sensitive columns must keep their values for this section (it generalizes "
                f"them itself): set the action of {', '.join(changed)} to keep in the column list, or change "
                "their role.")
        return "\n".join(problems)

    def run(self) -> None:
        if self.task is not None:
            return
        section, frame = self._checked_section(), self.doc.frame
        if section is None:
            return
        if frame is None:
            self.message.setText("The rows are still loading.")
            return
        recipe_dir = self.doc.recipe_dir()
        self.task = Task("k-anonymity", lambda progress, cancel: k_anonymity_step(
            frame, section, recipe_dir=recipe_dir, progress=progress, cancel=cancel), self)
        self.task.progress.connect(self._progress)
        self.task.finished.connect(lambda result: self.show_facts(result[1]))
        self.task.failed.connect(lambda exc: self.message.setText(_error_text(exc)))
        self.task.cancelled.connect(lambda: self.message.setText("Cancelled."))
        self.task.ended.connect(self._ended)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.facts = None
        self.results.clear()  # the last run's figures must not pass for this one's
        self.task.start()

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(text)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _ended(self) -> None:
        self.task = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def show_facts(self, facts: KAnonymityFacts) -> None:
        self.facts = facts
        self.results.show_facts(facts)
