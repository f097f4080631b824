"""The workbench window: columns | data | inspector, release panels below, progress and Cancel at the bottom.

It wires widgets to the Document and runs every long step (open, scan, export) as a workers.Task.
It never computes anything itself: the core does.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sanitas import __version__
from sanitas.gui.actions import build_actions, build_menus
from sanitas.gui.document import Document
from sanitas.gui.panels.privacy_budget.panel import PrivacyBudgetPanel
from sanitas.gui.panels.synthetic_panel import SyntheticPanel
from sanitas.gui.session import Session
from sanitas.gui.spark_run import add_spark_action
from sanitas.gui.widgets.columns.panel import ColumnsPanel
from sanitas.gui.widgets.common.message_bar import MessageBar
from sanitas.gui.widgets.data.view import DataView
from sanitas.gui.widgets.inspector.panel import InspectorPanel
from sanitas.gui.widgets.k_anonymity.panel import KAnonymityPanel
from sanitas.gui.widgets.report.risk_threshold import RiskThresholdBar
from sanitas.gui.widgets.report.view import ReportView
from sanitas.gui.wording import for_workbench

log = logging.getLogger(__name__)
APP_NAME = "Sanitas"
DATA_FILTER = "Tables (*.csv *.tsv *.txt *.parquet *.xlsx *.json *.ndjson *.jsonl);;All files (*)"
RECIPE_FILTER = "Recipes (*.yaml *.yml *.json)"


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.doc = Document(self)
        self.session = Session(self.doc, self)
        self.setObjectName("main-window")
        self.setAcceptDrops(True)
        self.resize(1400, 860)
        self._build()
        self._connect()
        self._update_title()
        self._update_counts()

    # --- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        stack = self.doc.undo_stack
        self.actions = build_actions(self, stack.createUndoAction(self, "&Undo"), stack.createRedoAction(self, "&Redo"))
        build_menus(self, self.actions)
        self.run_on_spark_action = add_spark_action(self)  # Run on Spark... (gui/spark_run.py)
        self.messages = MessageBar(self)
        self.columns_panel = ColumnsPanel(self.doc, self)
        self.data_view = DataView(self.doc, self)
        self.inspector = InspectorPanel(self.doc, self, keys=self.session.keys)
        self.report_view = ReportView(self)
        self.risk_threshold_bar = RiskThresholdBar(self.doc, self.report_view)
        self.report_view.add_setting(self.risk_threshold_bar)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.setObjectName("top-splitter")
        top.addWidget(self.columns_panel)
        top.addWidget(self.data_view)
        top.addWidget(self.inspector)
        top.setSizes([300, 640, 360])
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)  # the data table takes what the window gains or loses
        top.setStretchFactor(2, 0)
        self.top_splitter = top
        self._laid_out = False

        self.release_tabs = QTabWidget()
        self.release_tabs.setAccessibleName("Release panels")
        self.release_tabs.setDocumentMode(True)
        self.k_anonymity_panel = KAnonymityPanel(self.doc, self)
        self.release_tabs.addTab(self.k_anonymity_panel, "k-anonymity")
        self.synthetic_panel = SyntheticPanel(self.doc, self)
        self.release_tabs.addTab(self.synthetic_panel, "Synthetic data")
        self.privacy_budget_panel = PrivacyBudgetPanel(self.doc, self)
        self.release_tabs.addTab(self.privacy_budget_panel, "Privacy budget")
        self.report_tab = self.release_tabs.addTab(self.report_view, "Report")
        self.release_tabs.setCurrentIndex(self.report_tab)
        self.release_tabs.currentChanged.connect(self._release_tab_changed)

        body = self.body_splitter = QSplitter(Qt.Orientation.Vertical)
        body.setObjectName("body-splitter")
        body.addWidget(top)
        body.addWidget(self.release_tabs)
        body.setSizes([560, 200])
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.messages)
        layout.addWidget(body, 1)
        self.setCentralWidget(central)

        status = self.statusBar()
        self.status_label = QLabel("Open a dataset to begin (Ctrl+O), or drop a file here.")
        self.status_label.setAccessibleName("Status")
        self.counts_label = QLabel()
        self.counts_label.setAccessibleName("Personal columns and residual findings")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(260)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running step")
        self.cancel_button.setToolTip("Stop the running step (Esc)")
        self.cancel_button.setShortcut("Esc")
        self.cancel_button.setVisible(False)
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.counts_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)

    def _connect(self) -> None:
        doc, s = self.doc, self.session
        self.columns_panel.columnSelected.connect(self._select_column)
        self.inspector.keyRequested.connect(self.key_dialog)
        doc.planChanged.connect(self._plan_edited)
        self.data_view.columnSelected.connect(self._select_column)
        doc.dirtyChanged.connect(lambda _dirty: self._update_title())
        doc.recipePathChanged.connect(self._update_title)
        doc.datasetChanged.connect(self._update_title)
        doc.scanChanged.connect(self._update_counts)
        doc.recipeReplaced.connect(self.messages.clear)
        doc.recipeReplaced.connect(self._update_counts)
        doc.planChanged.connect(lambda _c: self._update_counts())
        self.cancel_button.clicked.connect(s.cancel_all)
        s.busyChanged.connect(self._busy)
        s.progressed.connect(self._progress)
        s.status.connect(self.status_label.setText)
        s.error.connect(lambda text: self.messages.show_message("error", for_workbench(text)))
        s.loadFailed.connect(self._load_failed)
        s.info.connect(self._info)
        s.exported.connect(self._exported)
        s.recentChanged.connect(self._fill_recent)
        self._fill_recent()

    # --- slots the actions call ------------------------------------------------------------------
    def open_dialog(self) -> None:
        start = self.session.settings.last_folder()
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", start, DATA_FILTER)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        if not self._may_discard_plan():
            return
        self.messages.clear()
        self.session.open_dataset(path)

    def import_dialog(self, path: Path | None = None, problem: str = "") -> None:
        """File › Open with options…: sheet, separator and encoding, with a preview (non-blocking)."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Open dataset with options",
                                                    self.session.settings.last_folder(), DATA_FILTER)
            if not chosen:
                return
            path = Path(chosen)
        from sanitas.gui.widgets.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(path, self, problem=problem)
        dialog.accepted.connect(lambda: self._open_with(path, dialog.options()))
        self.import_prompt = dialog
        dialog.open()

    def _open_with(self, path: Path, options: dict) -> None:
        if self._may_discard_plan():
            self.messages.clear()
            self.session.open_dataset(path, options=options)

    def _load_failed(self, path: Path, option: str, message: str) -> None:
        self.messages.show_message("error", message, "Import options…",
                                   lambda: self.import_dialog(path, message))

    def open_recipe_dialog(self) -> None:
        if not self._may_discard_plan():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open recipe", self.session.settings.last_folder(), RECIPE_FILTER)
        if path:
            self.session.open_recipe(Path(path))

    def save_recipe(self) -> bool:
        if self.doc.recipe_path is None:
            return self.save_recipe_as()
        return self.session.save_recipe(self.doc.recipe_path)

    def save_recipe_as(self) -> bool:
        suggested = self.session.suggested_recipe_path()
        path, _ = QFileDialog.getSaveFileName(self, "Save recipe", str(suggested), RECIPE_FILTER)
        return bool(path) and self.session.save_recipe(Path(path))

    def new_recipe(self) -> None:
        if self._may_discard_plan():
            self.doc.new_recipe()

    def export_dialog(self) -> None:
        self.session.export(self)

    def key_dialog(self, name: str | None = None) -> None:
        """Plan › Pseudonymization key…: where this session's key comes from (non-blocking)."""
        self.session.key_dialog(self, name or None).open()

    def preferences_dialog(self) -> None:
        self.session.preferences(self)

    def rescan(self) -> None:
        self.session.scan()

    def full_text_scan(self) -> None:
        self.session.full_text_scan()

    def apply_suggested_plan(self) -> None:
        if self.doc.scan is None:
            self.messages.show_message("info", "Scan the dataset first: the suggestion follows its findings.")
            return
        self.doc.apply_suggested_plan()
        self.messages.clear()
        self.status_label.setText("Suggested plan applied: review each column, undo with Ctrl+Z.")

    def focus_column_filter(self) -> None:
        self.columns_panel.focus_filter()

    def about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", f"<b>{APP_NAME} {__version__}</b><p>Find personal data in "
                          "tables and release them sanitized, with a privacy report. Works offline.</p>")

    # --- reactions -------------------------------------------------------------------------------
    def _select_column(self, name: str) -> None:
        self.inspector.set_column(name)
        self.columns_panel.select_column(name)
        self.data_view.select_column(name)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.setValue(0)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status_label.setText(message)

    def _info(self, text: str, action_text: str, action_name: str) -> None:
        callback = getattr(self, action_name, None) if action_name else None
        self.messages.show_message("info", text, action_text or None, callback)
        self._offering_plan = action_name == "apply_suggested_plan"

    def _plan_edited(self, _column: str) -> None:
        """The analyst has started planning: the offer of the suggested plan is stale."""
        if getattr(self, "_offering_plan", False):
            self._offering_plan = False
            self.messages.clear()

    def _exported(self, result: object) -> None:
        self.report_view.show_result(result)
        self.release_tabs.setCurrentIndex(self.report_tab)
        self._update_counts(result)

    def _release_tab_changed(self, index: int) -> None:
        """The k-anonymity tab is a form with results: give it room (at least 330 px or 45%) when it opens."""
        if self.release_tabs.widget(index) is not self.k_anonymity_panel:
            return
        top, bottom = self.body_splitter.sizes()
        wanted = max(330, int(0.45 * (top + bottom)))
        if bottom < wanted and top + bottom > wanted + 120:
            self.body_splitter.setSizes([top + bottom - wanted, wanted])

    def _update_title(self) -> None:
        name = self.doc.dataset.name if self.doc.dataset else None
        recipe = f" · {self.doc.recipe_path.name}" if self.doc.recipe_path else ""
        self.setWindowTitle(f"{APP_NAME} — {name}{recipe}[*]" if name else f"{APP_NAME}[*]")
        self.setWindowModified(self.doc.dirty)

    def _update_counts(self, result: object | None = None) -> None:
        scan = self.doc.scan
        if scan is None:
            self.counts_label.setText("")
            return
        personal = sum(1 for f in scan.columns if f.is_personal)
        unplanned = [f.name for f in scan.columns if f.is_personal and self.doc.plan(f.name) is None]
        text = f"{personal} personal columns · {len(unplanned)} without an action"
        report = getattr(result, "report", None)
        if report is not None:
            text += f" · {report.residual_findings} residual findings"
        self.counts_label.setText(text)

    def _fill_recent(self) -> None:
        menu = self.actions.recent_menu
        menu.clear()
        for path in self.session.settings.recent_files():
            menu.addAction(str(path), lambda p=path: self.open_path(Path(p)))
        menu.setEnabled(not menu.isEmpty())

    # --- window events ---------------------------------------------------------------------------
    def _may_discard_plan(self) -> bool:
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved recipe", "The recipe has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_recipe()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_discard_plan():
            event.ignore()
            return
        self.session.cancel_all()
        self.session.settings.save_window(self)
        self.session.autosaver.clear()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(Path(urls[0].toLocalFile()))

    def showEvent(self, event) -> None:
        """First show: side panels take about a quarter of the width each, the data the rest (unless restored)."""
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            width = max(self.top_splitter.width(), 900)
            side = max(315, min(400, int(width * 0.27)))
            self.top_splitter.setSizes([side, width - 2 * side - 20, side + 20])

    def restore_state(self) -> None:
        self._laid_out = True  # the analyst's own layout wins
        self.session.settings.restore_window(self)
        QTimer.singleShot(0, self.session.offer_restore)
