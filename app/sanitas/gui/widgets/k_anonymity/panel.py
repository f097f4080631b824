"""The k-anonymity tab: column roles, privacy models, and a trial run with risk before and after.

The panel never edits the recipe itself: "Apply to recipe" goes through Document.set_k_anonymity (one
undo step). "Run" is a trial on the loaded rows, off the GUI thread, so the analyst can see whether
the models can hold and what they cost before committing. Errors are shown in place, never as dialogs,
because they are expected answers (e.g. "no generalization satisfies 5000-anonymity"). The parts have
a module each: roles_table (roles), models_form (settings), hierarchy_chooser, results, conflicts.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts, k_anonymity_step
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.validation import validation_problems
from sanitas.gui.document import Document
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.k_anonymity.conflicts import conflicts_text
from sanitas.gui.widgets.k_anonymity.hierarchy_chooser import HierarchyChooser
from sanitas.gui.widgets.k_anonymity.models_form import ModelsForm, row
from sanitas.gui.widgets.k_anonymity.results import KAnonymityResults
from sanitas.gui.widgets.k_anonymity.roles_table import RolesTable
from sanitas.gui.workers import Task


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
        self.roles = RolesTable(self.doc)
        self.models = ModelsForm()
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
        self.roles.roleChanged.connect(self._rebuild_hierarchies)
        self.models.t_enabled.toggled.connect(self._rebuild_hierarchies)
        self.models.t_variant.currentTextChanged.connect(self._rebuild_hierarchies)
        self.models.method.currentIndexChanged.connect(self._method_changed)
        self.apply_button.clicked.connect(self.apply)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.addWidget(self.models)
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
        pinned.addWidget(row(self.apply_button, self.run_button, self.cancel_button))
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

    def _method_changed(self) -> None:
        self.models.show_method()
        self.hierarchies.setEnabled(not self.models.mondrian())  # Mondrian uses no hierarchy

    # --- roles and hierarchies -----------------------------------------------------------------------
    def _reload(self) -> None:
        self.roles.reload()
        if self.doc.recipe.k_anonymity is not None:
            self._load_models(self.doc.recipe.k_anonymity)
        self._rebuild_hierarchies()

    def _load_models(self, section: KAnonymitySection) -> None:
        self.models.load(section)
        self.hierarchies.refs = dict(section.hierarchies)  # auto options and files, as the recipe has them

    def role(self, column: str) -> str:
        return self.roles.role(column)

    def set_role(self, column: str, role: str) -> None:
        self.roles.set_role(column, role)

    def columns_with(self, role: str) -> list[str]:
        return self.roles.columns_with(role)

    def _rebuild_hierarchies(self) -> None:
        self.hierarchies.set_columns(self.columns_with("quasi-identifying"),
                                     sensitive=self.columns_with("sensitive") if self.models.hierarchical_t() else [])

    def show_hierarchy(self, column: str) -> None:
        self.hierarchies.show_hierarchy(column)

    # --- section, apply, run -----------------------------------------------------------------------
    def section(self) -> KAnonymitySection:
        """The form as a section; raises ValidationError when it is not a valid one."""
        roles = {"quasi_identifiers": self.columns_with("quasi-identifying"),
                 "sensitive": self.columns_with("sensitive"), "identifying": self.columns_with("identifying")}
        if self.models.mondrian():
            return KAnonymitySection(**roles, **self.models.settings())
        return KAnonymitySection(**roles, **self.models.settings(), hierarchies=self.hierarchies.chosen_refs(
            roles["quasi_identifiers"] + roles["sensitive"]))

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
            self.message.setText(conflicts_text(self.doc, section))

    def run(self) -> None:
        """A trial over the whole table, through the core with the lazy Dataset and off the GUI thread: a
        file is read again in the analysis process (the workbench never holds the table), an in-memory
        dataset is run in a worker thread."""
        if self.task is not None:
            return
        section, dataset = self._checked_section(), self.doc.dataset
        if section is None or dataset is None:
            return
        recipe_dir, options = self.doc.recipe_dir(), dict(self.doc.open_options)

        def trial(progress: Any, cancel: Any) -> KAnonymityFacts:
            if dataset.source is not None:
                from sanitas.core.settings import load_settings
                from sanitas.gui.analysis_process import shared_process

                return shared_process().call("k_anonymity", progress, cancel, path=dataset.source, section=section,
                                             recipe_dir=recipe_dir, settings=load_settings(), options=options)
            return k_anonymity_step(dataset.collect(), section, recipe_dir=recipe_dir, progress=progress,
                                    cancel=cancel)[1]

        self.task = Task("k-anonymity", trial, self)
        self.task.progress.connect(self._progress)
        self.task.finished.connect(self.show_facts)
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
