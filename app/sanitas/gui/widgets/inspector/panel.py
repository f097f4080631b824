"""The inspector: what is in the selected column, what we do with it, and what that does to its values.

It edits the plan only through the Document (so every edit is one undo step), and it redraws from
the Document whenever that column's plan changes, with its own signals blocked, so undo and redo
refresh the form without pushing new commands.
"""

from __future__ import annotations

import html

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible

from sanitas.core.detect.entities import CATALOGUE
from sanitas.core.detect.findings import ColumnFinding, ColumnKind
from sanitas.core.recipe import ColumnPlan
from sanitas.core.transforms.registry import TRANSFORMS
from sanitas.core.validation import validation_problems
from sanitas.gui import theme
from sanitas.gui.action_defaults import starting_params
from sanitas.gui.document import Document
from sanitas.gui.key_store import SessionKeys
from sanitas.gui.widgets.inspector.params_form import ParamsForm
from sanitas.gui.widgets.inspector.preview import PreviewPanel

AS_DETECTED = "as detected"


class InspectorPanel(QWidget):
    """Right-hand panel for one column: finding, correction, action form and live preview."""

    keyRequested = Signal(str)  # the analyst asked to set key NAME (the window opens the key dialog)

    def __init__(self, doc: Document, parent: QWidget | None = None, *, keys: SessionKeys | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.keys = keys
        self._column: str | None = None
        self._syncing = False
        self.setObjectName("inspector")
        self.setAccessibleName("Column inspector")
        self._build()
        doc.planChanged.connect(self._plan_changed)
        doc.scanChanged.connect(self._refresh)
        doc.recipeReplaced.connect(self._refresh)
        doc.datasetChanged.connect(self._dataset_changed)
        if keys is not None:
            keys.changed.connect(self._refresh)
        self._dataset_changed()

    # --- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.name_label = QLabel()
        self.name_label.setObjectName("inspectorColumn")
        self.name_label.setAccessibleName("Selected column")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_label = QLabel()
        self.kind_label.setAccessibleName("Kind of the column")
        self.corrected_label = QLabel("✎ corrected by you")
        self.corrected_label.setAccessibleName("Finding corrected by the analyst")
        self.corrected_label.setToolTip("The recipe holds your correction of this finding (the report shows it)")

        self.entities = QTableWidget(0, 4)
        self.entities.setAccessibleName("Detected entities, best first")
        self.entities.setHorizontalHeaderLabels(["Entity", "Score", "Share", "Evidence"])
        self.entities.horizontalHeaderItem(2).setToolTip("Share of the sampled values that match")
        self.entities.horizontalHeaderItem(3).setToolTip("Why: matched values, the header, or both")
        self.entities.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entities.verticalHeader().setVisible(False)
        self.entities.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.entities.horizontalHeader().setStretchLastSection(True)
        self.examples = QLabel()
        self.examples.setAccessibleName("Masked examples of the column's values")
        self.examples.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setAccessibleName("Why detection decided this")
        self.reason.setWordWrap(True)

        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Corrected kind")
        self.kind_combo.setToolTip("Correct the kind detection gave this column")
        self.entity_combo = QComboBox()
        self.entity_combo.setEditable(True)
        self.entity_combo.setAccessibleName("Corrected entity")
        self.entity_combo.setToolTip("Correct the entity; type a custom one (UPPER_CASE) if it is not listed")
        self.correct_button = QPushButton("Apply correction")
        self.correct_button.setAccessibleName("Apply the correction of the finding")
        self.correct_button.setToolTip("Store your correction in the recipe (undoable; shown in the report)")
        self.correct_button.clicked.connect(self._apply_correction)

        finding_box = QGroupBox("Finding")
        finding = QVBoxLayout(finding_box)
        finding.addWidget(self.entities)
        finding.addWidget(self.examples)
        finding.addWidget(self.reason)
        correction_form = QWidget()
        correction = QFormLayout(correction_form)
        correction.setContentsMargins(0, 0, 0, 0)
        correction.addRow("Kind:", self.kind_combo)
        correction.addRow("Entity:", self.entity_combo)
        correction.addRow("", self.correct_button)
        # Rarely needed: folded until the analyst opens it or the plan holds a correction.
        self.correction = QCollapsible("Correct the finding", expandedIcon="▾", collapsedIcon="▸")
        self.correction.setDuration(80)
        self.correction.toggleButton().setAccessibleName("Show or hide the correction of the finding")
        self.correction.addWidget(correction_form)
        finding.addWidget(self.correction)

        self.action_combo = QComboBox()
        self.action_combo.setObjectName("actionCombo")
        self.action_combo.setAccessibleName("Action for the column")
        # short texts: the combo's width must not widen the inspector past a laptop's share (a sideways scroll
        # would hide the box); the rest of the sentence is the tooltip
        self.action_combo.setPlaceholderText("No action planned")
        self.action_combo.setToolTip("No action planned: the column is kept unless the recipe's policy for "
                                     "unlisted columns says otherwise")
        self.action_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.action_combo.setMinimumContentsLength(16)
        for name, cls in TRANSFORMS.items():
            self.action_combo.addItem(f"{cls.label} ({name})", name)
            self.action_combo.setItemData(self.action_combo.count() - 1, cls.description, Qt.ItemDataRole.ToolTipRole)
        self.action_combo.currentIndexChanged.connect(self._action_chosen)
        action_label = QLabel("&Action:")
        action_label.setBuddy(self.action_combo)
        action_label.setToolTip("What the release does with this column (Alt+A)")
        self.form = ParamsForm()
        self.form.setAccessibleName("Parameters of the action")
        self.form.paramsEdited.connect(self._params_edited)
        action_box = QGroupBox("Action")
        action = QVBoxLayout(action_box)
        row = QHBoxLayout()
        row.addWidget(action_label)
        row.addWidget(self.action_combo, 1)
        action.addLayout(row)
        self.key_label = QLabel()
        self.key_label.setObjectName("keyStatus")
        self.key_label.setAccessibleName("Key of the action")
        self.key_label.setWordWrap(True)
        self.key_button = QPushButton("Set &key…")
        self.key_button.setAccessibleName("Set the pseudonymization key")
        self.key_button.setToolTip("Create a key, pick a key file or name an environment variable (Ctrl+Shift+K)")
        self.key_button.clicked.connect(self._request_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_label, 1)
        key_row.addWidget(self.key_button)
        self.key_row = QWidget()
        self.key_row.setLayout(key_row)
        key_row.setContentsMargins(0, 0, 0, 0)
        action.addWidget(self.key_row)
        action.addWidget(self.form)

        details = QWidget()
        top = QVBoxLayout(details)
        top.addWidget(finding_box)
        top.addWidget(action_box)
        top.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(details)
        self.details_scroll = scroll
        self.preview = PreviewPanel(self.doc, keys=self.keys)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("inspector-splitter")
        split.addWidget(scroll)
        split.addWidget(self.preview)
        split.setSizes([480, 260])

        self.placeholder = QLabel("Select a column to see what was found in it and choose its action.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        # the column's name stays above the scrolled details: scrolling to the action box cut it in half
        header = QHBoxLayout()
        header.setContentsMargins(9, 4, 9, 0)
        header.addWidget(self.name_label)
        header.addWidget(self.kind_label, 1)
        header.addWidget(self.corrected_label)
        page = QWidget()
        column_page = QVBoxLayout(page)
        column_page.setContentsMargins(0, 0, 0, 0)
        column_page.setSpacing(2)
        column_page.addLayout(header)
        column_page.addWidget(split, 1)
        self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # --- public ------------------------------------------------------------------------------------
    @property
    def column(self) -> str | None:
        return self._column

    def set_column(self, name: str | None) -> None:
        """Show ``name`` (None: nothing selected)."""
        self._column = name if name in self.doc.columns else None
        self.preview.set_column(self._column)
        self._refresh()
        if self._column is not None:  # after the layout settles: the action box is where the eye goes next
            QTimer.singleShot(0, self._show_action_box)

    def _show_action_box(self) -> None:
        """Scroll the details just enough that the action box is in view (a short inspector, with the release
        panels open on a laptop screen, would otherwise hide it below the finding)."""
        if self._column is not None and self.action_combo.isVisible():
            self.details_scroll.ensureWidgetVisible(self.action_combo, 0, 8)

    # --- from the document -------------------------------------------------------------------------
    def _dataset_changed(self) -> None:
        self.form.set_suggestions(columns=self.doc.columns, entities=list(CATALOGUE))
        self.set_column(self._column)

    def _plan_changed(self, column: str) -> None:
        if column in ("", self._column):
            self._refresh()

    def _refresh(self) -> None:
        column = self._column
        self.pages.setCurrentIndex(0 if column is None else 1)
        if column is None:
            return
        finding, plan = self.doc.finding(column), self.doc.plan(column)
        self._syncing = True  # a redraw from the document is not the analyst's edit
        try:
            self._show_header(column, finding, plan)
            self._show_finding(finding)
            self._show_correction(finding, plan)
            self._show_action(plan)
        finally:
            self._syncing = False

    def _show_header(self, column: str, finding: ColumnFinding | None, plan: ColumnPlan | None) -> None:
        dtype = finding.dtype if finding else str(self.doc.dataset.schema.get(column, "")) if self.doc.dataset else ""
        self.name_label.setText(f"<b>{html.escape(column)}</b> <span style='color: gray'>{html.escape(dtype)}</span>")
        kind = self.doc.effective_kind(column)
        words = f"{theme.kind_symbol(kind)} {theme.kind_label(kind)}"
        self.kind_label.setText(f"<span style='color: {theme.kind_colour(kind).name()}'>{words}</span>")
        self.kind_label.setToolTip(f"Kind: {theme.kind_label(kind)}")
        corrected = plan is not None and (plan.entity is not None or plan.kind is not None)
        self.corrected_label.setVisible(corrected)
        if corrected:
            self.correction.expand(animate=False)

    def _show_finding(self, finding: ColumnFinding | None) -> None:
        rows = finding.entities if finding else []
        self.entities.setRowCount(len(rows))
        for i, e in enumerate(rows):
            for j, text in enumerate((e.entity, f"{e.score:.2f}", f"{e.share:.0%}", str(e.evidence))):
                item = QTableWidgetItem(text)
                if j in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.entities.setItem(i, j, item)
        self.entities.setVisible(bool(rows))
        shown = min(len(rows), 5)  # fit the table to its rows: the finding, not blank space
        self.entities.setFixedHeight(self.entities.horizontalHeader().sizeHint().height()
                                     + shown * self.entities.verticalHeader().defaultSectionSize() + 4)
        if finding is None:
            self.examples.setText("")
            self.reason.setText("Not scanned yet: findings appear when the scan reaches this column.")
            return
        self.examples.setText("Examples (masked): " + " · ".join(finding.examples) if finding.examples else "")
        self.examples.setVisible(bool(finding.examples))
        self.reason.setText(f"Why: {finding.reason}" if finding.reason else "No entity found.")

    def _show_correction(self, finding: ColumnFinding | None, plan: ColumnPlan | None) -> None:
        self.kind_combo.clear()
        self.kind_combo.addItem(f"{AS_DETECTED} ({theme.kind_label(finding.kind if finding else None)})", "")
        for kind in ColumnKind:
            self.kind_combo.addItem(f"{theme.kind_symbol(kind)} {theme.kind_label(kind)}", kind.value)
        chosen = plan.kind.value if plan is not None and plan.kind is not None else ""
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(chosen), 0))
        detected = [e.entity for e in finding.entities] if finding else []
        self.entity_combo.clear()
        self.entity_combo.addItem(f"{AS_DETECTED} ({finding.top_entity if finding and finding.top_entity else 'none'})")
        self.entity_combo.addItems(list(dict.fromkeys([*detected, *CATALOGUE])))
        entity = plan.entity if plan is not None else None
        if entity and self.entity_combo.findText(entity) < 0:
            self.entity_combo.addItem(entity)  # a custom entity the analyst typed earlier
        self.entity_combo.setCurrentIndex(self.entity_combo.findText(entity) if entity else 0)

    def _show_action(self, plan: ColumnPlan | None) -> None:
        self.action_combo.setCurrentIndex(self.action_combo.findData(plan.action) if plan else -1)
        self._show_key(plan)
        if plan is None:
            self.form.set_transform("keep", {})
            self.form.setEnabled(False)
            return
        self.form.setEnabled(True)
        if self.form.transform_name != plan.action or self.form.params() != plan.params or not self.form.is_valid():
            self.form.set_transform(plan.action, plan.params)  # unchanged forms are left alone: focus stays

    def _show_key(self, plan: ColumnPlan | None) -> None:
        """For a keyed action: which key, and whether it can be read now, beside the action itself."""
        name = plan.params.get("key", "default") if plan is not None and plan.action == "pseudonymize" else None
        self.key_row.setVisible(name is not None)
        if name is None:
            return
        problem = self.key_problem(name)
        if problem:
            self.key_label.setText(f"⚠ Key '{name}' is not set: pseudonymize cannot run until it is. {problem}")
            self.key_label.setStyleSheet("color: #d1242f;")
        else:
            ref = self.keys.ref(name, self.doc.recipe) if self.keys else self.doc.recipe.keys.get(name)
            where = ref.describe() if ref is not None else "the recipe"
            self.key_label.setText(f"✔ Key '{name}' from {where}")
            self.key_label.setStyleSheet("")

    def key_problem(self, name: str) -> str | None:
        if self.keys is not None:
            return self.keys.problem(name, self.doc.recipe, self.doc.recipe_dir())
        from sanitas.core.errors import SanitasError
        from sanitas.core.keys import KeyRing

        try:
            KeyRing(self.doc.recipe.keys, self.doc.recipe_dir())(name)
        except SanitasError as exc:
            return exc.message
        return None

    def _request_key(self) -> None:
        plan = self.doc.plan(self._column or "")
        self.keyRequested.emit(plan.params.get("key", "default") if plan is not None else "default")

    # --- the analyst's edits -----------------------------------------------------------------------
    def _action_chosen(self, index: int) -> None:
        if self._syncing or self._column is None or index < 0:
            return
        name = self.action_combo.itemData(index)
        plan = self.doc.plan(self._column)
        self.form.setEnabled(True)
        if plan is not None and plan.action == name:
            params = plan.params
        else:  # start from parameters that work on this column, never from a form that cannot run
            sample = self.doc.sample  # rows spread over the table: enough to choose working parameters
            column = sample.get_column(self._column) if sample is not None and self._column in sample.columns \
                else None
            params = starting_params(name, column, self.doc.effective_entity(self._column))
        self.form.set_transform(name, params)
        if self.form.is_valid():  # else the form says what is missing, above its fields
            self._push(name, self.form.params())
        else:
            self.preview.hold(f"{TRANSFORMS[name].label} is not planned yet: {self.form.error_text()} "
                              "(see the Action box).")

    def _params_edited(self, params: dict) -> None:
        if not self._syncing and self._column is not None and self.form.transform_name:
            self._push(self.form.transform_name, params)

    def _push(self, action: str, params: dict) -> None:
        column = self._column or ""
        current = self.doc.plan(column) or ColumnPlan(action="keep")  # corrections and note are kept
        try:
            plan = ColumnPlan(action=action, params=params, entity=current.entity, kind=current.kind, note=current.note)
        except ValidationError as exc:
            self.form.show_error("; ".join(validation_problems(exc, where=lambda loc: "")))
            return
        self.doc.set_plan(column, plan)

    def _apply_correction(self) -> None:
        if self._column is None:
            return
        value = self.kind_combo.currentData()
        kind = ColumnKind(value) if value else None
        text = self.entity_combo.currentText().strip()
        entity = None if not text or text.startswith(AS_DETECTED) else text.upper().replace(" ", "_")
        self.doc.correct(self._column, entity=entity, kind=kind)
