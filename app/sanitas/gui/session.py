"""The workbench's controller: runs open, scan and export as background tasks for the Document.

Widgets stay thin: they call these methods and listen to the signals. Every task reports progress
to the status bar and can be cancelled; SanitasError messages become in-place messages, anything
unexpected goes to the error dialog and the log (without data values).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from sanitas.core.errors import LoadError, SanitasError
from sanitas.gui.analysis_process import shared_process
from sanitas.gui.app_settings import AppSettings
from sanitas.gui.autosave import Autosaver
from sanitas.gui.document import Document
from sanitas.gui.errors import report_unexpected
from sanitas.gui.key_store import SessionKeys
from sanitas.gui.wording import for_workbench
from sanitas.gui.workers import Task

log = logging.getLogger(__name__)
DOING = {"open": "opening the dataset", "scan": "scanning the dataset",
         "full-text scan": "scanning every free-text cell"}


class Session(QObject):
    busyChanged = Signal(bool)
    progressed = Signal(float, str)
    status = Signal(str)
    error = Signal(str)
    info = Signal(str, str, str)  # text, action button text, name of the MainWindow slot it calls
    loadFailed = Signal(object, str, str)  # path, the reading option that would help, the message (worded)
    exported = Signal(object)
    recentChanged = Signal()

    def __init__(self, doc: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.settings = AppSettings()
        self.autosaver = Autosaver(doc, self)
        self.keys = SessionKeys(self)  # pseudonymization keys for this session (never in recipe or settings)
        self._tasks: list[Task] = []
        self._runner: Any = None
        self._opening: Path | None = None  # the file being opened (an import option may help it)
        self.open_options: dict[str, Any] = {}  # sheet, delimiter, encoding the open dataset was read with

    # --- task plumbing ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self._tasks) or self._runner is not None

    def _run(self, name: str, fn: Callable[..., Any], done: Callable[[Any], None]) -> Task:
        task = Task(name, fn, self)
        task.progress.connect(self.progressed)
        task.finished.connect(done)
        task.failed.connect(lambda exc, step=name: self._failed(step, exc))
        task.cancelled.connect(lambda step=name: self.status.emit(f"{step.capitalize()} cancelled."))
        task.ended.connect(lambda t=task: self._ended(t))
        self._tasks.append(task)
        self.busyChanged.emit(True)
        return task.start()

    def _ended(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if not self.busy:
            self.busyChanged.emit(False)

    def _failed(self, step: str, exc: BaseException) -> None:
        if isinstance(exc, LoadError) and exc.option and self._opening is not None:
            self.loadFailed.emit(self._opening, exc.option, for_workbench(exc.message))
            self.status.emit(f"{step.capitalize()} failed.")
        elif isinstance(exc, SanitasError):
            self.error.emit(for_workbench(exc.message))
            self.status.emit(f"{step.capitalize()} failed.")
        else:
            # "while scanning the dataset", not "while scan"
            report_unexpected(exc, DOING.get(step, f"running the {step}"), self._window())
            self.status.emit(f"{step.capitalize()} failed unexpectedly; details in the error dialog.")

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            self._runner.cancel()

    def _window(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    # --- dataset and scan ------------------------------------------------------------------------
    def open_dataset(self, path: Path, then: Callable[[], None] | None = None,
                     options: dict[str, Any] | None = None) -> None:
        """Open ``path`` (``options``: sheet, delimiter, encoding from the import dialog; automatic if none)."""
        from sanitas.core.io import open_dataset

        self.cancel_all()
        self.status.emit(f"Opening {path.name}…")
        self._opening = path
        options = dict(options or {})

        def work(progress, cancel):
            from sanitas.core.io.pages import COPY_NAME, PagedRows
            from sanitas.core.io.tempdir import TempFolder
            from sanitas.core.settings import load_settings
            from sanitas.gui.analysis_process import shared_process

            settings = load_settings()
            dataset = open_dataset(path, progress=progress, cancel=cancel, excel_limits=settings.excel_limits(),
                                   **options)
            progress(0.5, f"Reading {path.name}")
            # Pages for the views; the table itself stays lazy (a release reads the file again). The full pass
            # that writes the paged copy runs in the analysis process, into this process's private folder.
            temp = TempFolder()
            try:
                shared_process().call("page_copy", lambda f, text: progress(0.5 + f / 2, text), cancel, path=path,
                                      target=temp.path / COPY_NAME, settings=settings, options=options)
                return dataset, PagedRows.from_copy(temp)
            except BaseException:
                temp.cleanup()
                raise

        def done(result: tuple[Any, Any]) -> None:
            dataset, rows = result
            self._opening = None
            self.open_options = options  # the scan and the release re-open the file in the analysis process
            self.doc.open_options = dict(options)
            keep_recipe = bool(self.doc.recipe.columns) and set(self.doc.recipe.columns) <= set(dataset.columns)
            if not keep_recipe and not self.doc.dirty:
                self.doc.new_recipe()
            self.doc.set_dataset(dataset)
            self.doc.set_rows(rows)
            self.settings.add_recent(path)
            self.recentChanged.emit()
            self.status.emit(f"{path.name}: {rows.height:,} rows, {rows.width} columns. Scanning…")
            self.scan()
            if then is not None:
                then()

        self._run("open", work, done)

    def scan(self) -> None:
        from sanitas.core.detect import scan_dataset
        from sanitas.core.settings import load_settings

        dataset = self.doc.dataset
        if dataset is None:
            return

        def done(scan: Any) -> None:
            self.doc.set_scan(scan)
            personal = sum(1 for f in scan.columns if f.is_personal)
            if self.doc.row_count == 0:
                self.status.emit(header_only_summary([f.name for f in scan.columns]))
                return
            self.status.emit(f"Findings ready in {scan.seconds:.1f} s: {personal} of {len(scan.columns)} columns "
                             "hold personal data.")
            if not self.doc.recipe.columns:
                self.info.emit(f"{personal} of {len(scan.columns)} columns hold personal data. Start from the "
                               "suggested plan, then review each column.", "Apply suggested plan",
                               "apply_suggested_plan")
            for note in scan.notes:
                self.info.emit(note, "", "")

        def work(progress, cancel):
            if dataset.source is None:
                return scan_dataset(dataset, settings=load_settings(), progress=progress, cancel=cancel)
            # spaCy and Presidio hold the GIL: they run in the analysis process, never in the GUI's
            return shared_process().call("scan", progress, cancel, path=dataset.source, settings=load_settings(),
                                         options=dict(self.open_options))

        self._run("scan", work, done)

    def full_text_scan(self) -> None:
        from sanitas.core.detect import ColumnKind
        from sanitas.core.detect.full_text import full_text_scan

        scan, dataset = self.doc.scan, self.doc.dataset
        if scan is None or dataset is None:
            return
        columns = [f.name for f in scan.columns if f.kind is ColumnKind.FREE_TEXT]
        if not columns:
            self.info.emit("No free-text columns were found.", "", "")
            return

        def work(progress, cancel):
            found = full_text_scan(dataset, scan, progress=progress, cancel=cancel)
            return {name: (c.cells_with_personal_data, c.cells) for name, c in found.items()}

        def done(counts: dict[str, tuple[int, int]]) -> None:
            text = "; ".join(f"{c}: {hit:,} of {n:,} cells hold personal data" for c, (hit, n) in counts.items())
            self.info.emit(f"Full free-text scan: {text}.", "", "")

        self._run("full-text scan", work, done)

    # --- recipe ----------------------------------------------------------------------------------
    def open_recipe(self, path: Path) -> None:
        from sanitas.core.recipe_check import recipe_problems

        try:
            self.doc.open_recipe(path)
        except SanitasError as exc:
            self.error.emit(for_workbench(exc.message))  # the current plan stays as it was
            return
        self.settings.set_last_folder(path.parent)
        if self.doc.dataset is not None:
            problems = recipe_problems(self.doc.recipe, self.doc.dataset.schema)
            if problems:
                self.error.emit(f"{path.name} does not fit this dataset:\n" + "\n".join(f"• {p}" for p in problems))
        self.status.emit(f"Recipe {path.name} opened.")

    def save_recipe(self, path: Path) -> bool:
        try:
            self.doc.save_recipe(path)
        except (OSError, SanitasError) as exc:
            self.error.emit(f"{path}: could not save the recipe ({getattr(exc, 'message', None) or exc}).")
            return False
        self.settings.set_last_folder(path.parent)
        self.autosaver.clear()
        self.status.emit(f"Recipe saved to {path}.")
        return True

    def suggested_recipe_path(self) -> Path:
        if self.doc.recipe_path is not None:
            return self.doc.recipe_path
        folder = Path(self.settings.last_folder())
        stem = self.doc.dataset.source.stem if self.doc.dataset and self.doc.dataset.source else "recipe"
        return folder / f"{stem}.recipe.yaml"

    # --- export, preferences, restore ------------------------------------------------------------
    def export(self, parent: QWidget) -> None:
        from sanitas.gui.widgets.export.dialog import ExportDialog

        if self.doc.dataset is None:
            self.error.emit("Open a dataset first.")
            return
        if not self.ensure_keys(parent):
            return
        dialog = ExportDialog(self.doc, parent, folder=self.settings.last_export_folder(),
                              strict=self.settings.export_strict(), keys=self.keys)
        if not dialog.exec():
            return
        request = dialog.request()
        self.settings.set_last_export_folder(request.path.parent)
        self.settings.set_export_strict(request.strict)
        self.start_export(request, parent)

    def start_export(self, request: Any, parent: QWidget | None = None) -> Any:
        """Run the release and write it; personal data left in the output is shown for confirmation."""
        from sanitas.gui.export_runner import ExportRunner
        from sanitas.gui.widgets.export.residual_dialog import ResidualDialog

        runner = ExportRunner(self.doc, request, self, dialog_parent=parent, keys=self.keys,
                              open_options=self.open_options)
        runner.ask_with(ResidualDialog)
        self._runner = runner
        self.busyChanged.emit(True)

        def finish() -> None:
            self._runner = None
            self.busyChanged.emit(self.busy)

        def exported(result: Any) -> None:
            name = result.output.name if result.output else "nothing (withheld under strict)"
            self.status.emit(f"Exported {name}; the report is beside it.")
            self.exported.emit(result)

        runner.progress.connect(self.progressed)
        runner.exported.connect(exported)
        runner.failed.connect(self.error)
        runner.cancelled.connect(lambda: self.status.emit("Export cancelled: nothing was written."))
        runner.ended.connect(finish)
        runner.start()
        return runner

    def key_dialog(self, parent: QWidget | None, name: str | None = None) -> Any:
        """Open the key dialog (window-modal, non-blocking); returns it."""
        from sanitas.gui.widgets.dialogs.key_dialog import KeyDialog

        dialog = KeyDialog(self.keys, self.doc.recipe, self.doc.recipe_dir(), parent, name=name)
        dialog.accepted.connect(lambda: self.status.emit(
            f"Key '{dialog.name}' set for this session: it is not written to the recipe or the report."))
        self.key_prompt = dialog
        return dialog

    def ensure_keys(self, parent: QWidget | None) -> bool:
        """Every key the plan needs can be read, or the analyst gives it now (the key dialog)."""
        missing = self.keys.missing(self.doc.recipe, self.doc.recipe_dir())
        for name in missing:
            dialog = self.key_dialog(parent, name)
            if not dialog.exec():
                self.error.emit(f"Pseudonymization needs key '{name}': set it with Plan › Pseudonymization key… "
                                "(Ctrl+Shift+K), then export again.")
                return False
        return True

    def preferences(self, parent: QWidget) -> None:
        from sanitas.gui.widgets.dialogs.preferences import PreferencesDialog

        if PreferencesDialog(parent).exec() and self.doc.dataset is not None:
            self.status.emit("Preferences saved; Scan again (F5) to use them.")

    def offer_restore(self) -> None:
        """Offer the plan a crash or kill left behind (non-blocking, so the window stays usable)."""
        snapshot = self.autosaver.pending_restore()
        if snapshot is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved plan",
                          "Sanitas was closed with unsaved plan edits"
                          + (f" for {snapshot.dataset_path.name}" if snapshot.dataset_path else "")
                          + ". Restore them?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self._window())
        box.setObjectName("restore-prompt")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def answered(_result: int) -> None:
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
                self.autosaver.restore(self.doc, snapshot, self)
                self.status.emit("Unsaved plan restored.")
            else:
                self.autosaver.clear()

        box.finished.connect(answered)
        box.open()
        self.restore_prompt = box


def header_only_summary(columns: list[str]) -> str:
    """A file with headers and no rows: nothing to check, but the headers alone are evidence."""
    from sanitas.core.detect.headers import read_header

    suggested = {name: read_header(name).hints[0].entity for name in columns if read_header(name).hints}
    if not suggested:
        return f"No rows: no values to check, and none of the {len(columns)} headers suggests personal data."
    named = ", ".join(f"{name} ({entity})" for name, entity in suggested.items())
    return (f"No rows: no values to check; headers suggest personal data in {len(suggested)} of {len(columns)} "
            f"columns: {named}.")
