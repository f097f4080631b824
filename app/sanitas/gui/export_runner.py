"""The export flow: run the recipe, stop for confirmation if personal data remains, then write.

Two background steps. The run (engine) builds the release and its residual check; nothing is written.
If the check is not clean and the export is not strict, ``confirmationNeeded(release)`` asks the
analyst through the dialog given to ``ask_with`` (the session gives ``ResidualDialog``: export anyway,
or cancel and write nothing); the runner names no widget, so widgets may import it without a cycle.
The write (export_release) is the second step. Under strict, no question is needed: the core
withholds the data file and writes the report that says where the personal data is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QDialog, QWidget

from sanitas.core.engine import Release, run
from sanitas.core.errors import SanitasError
from sanitas.core.export import ExportResult, export_release, files_read
from sanitas.core.io import WRITE_FORMATS, check_destination
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.residual import ResidualCheck
from sanitas.gui import errors
from sanitas.gui.document import Document
from sanitas.gui.key_store import SessionKeys
from sanitas.gui.wording import for_workbench
from sanitas.gui.workers import Task

RUN_SHARE = 0.9  # of the progress bar; writing takes the rest
AskDialog = Callable[..., QDialog]  # (release, parent, *, output_name) -> a dialog that accepts or rejects
UNEXPECTED = "The export stopped on an unexpected error; nothing more was written. The error report has details."


@dataclass(frozen=True)
class ExportRequest:
    """What the ExportDialog returns: where to write, and whether to withhold an unclean release."""

    path: Path
    strict: bool = False

    @property
    def format(self) -> str:
        return WRITE_FORMATS[self.path.suffix.lower()]


class ExportRunner(QObject):
    progress = Signal(float, str)
    confirmationNeeded = Signal(object)  # Release whose residual check is not clean
    exported = Signal(object)  # ExportResult
    failed = Signal(str)  # a message for the analyst (SanitasError), shown in place
    cancelled = Signal()
    ended = Signal()  # after exported, failed or cancelled

    def __init__(self, doc: Document, request: ExportRequest, parent: QObject | None = None, *,
                 pool: QThreadPool | None = None,
                 dialog_parent: QWidget | Callable[[], QWidget | None] | None = None,
                 keys: SessionKeys | None = None, open_options: dict | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.open_options = dict(open_options or {})  # how the dataset was read (sheet, delimiter, encoding)
        self.keys = keys  # the session's key choices: the run reads keys from there, the recipe keeps none
        self.request = request
        self.release: Release | ResidualCheck | None = None
        self.result: ExportResult | None = None
        self.task: Task | None = None
        self._pool = pool
        # A window, or a function giving the window at the time a dialog opens (it may change meanwhile)
        self._dialog_parent: Callable[[], QWidget | None] = (
            dialog_parent if callable(dialog_parent) and not isinstance(dialog_parent, QWidget)
            else (lambda parent=dialog_parent: parent))
        self._stopped = False
        self.running = False
        self.phase = ""  # "run", "confirm" or "write"
        self.dialog: QDialog | None = None

    # --- control ---------------------------------------------------------------------------------
    def start(self) -> None:
        doc = self.doc
        if doc.dataset is None:
            self._fail("Open a dataset before exporting.")
            return
        recipe = self.keys.prepared(doc.recipe) if self.keys is not None else doc.recipe
        dataset, recipe, recipe_dir, scan = doc.dataset, recipe.model_copy(deep=True), doc.recipe_dir(), doc.scan
        path = self.request.path
        input_path = dataset.source
        reads = files_read(recipe, recipe_path=doc.recipe_path, recipe_dir=recipe_dir)

        def build(progress: Callable[[float, str], None], cancel: CancelToken) -> Release | ResidualCheck:
            # refuse a bad destination before minutes of work: the input, the recipe, its hierarchy or key files
            check_destination(path, input_path, reads=reads)
            scaled = lambda f, m: progress(f * RUN_SHARE, m)  # noqa: E731
            if input_path is not None:  # in the analysis process: spaCy/Presidio never load in the GUI's
                from sanitas.core.settings import load_settings
                from sanitas.gui.analysis_process import shared_process

                return shared_process().call("release", scaled, cancel, path=input_path, recipe=recipe,
                                             recipe_dir=recipe_dir, scan=scan, settings=load_settings(),
                                             options=self.open_options, output=path, recipe_path=doc.recipe_path,
                                             strict=self.request.strict)
            return run(dataset, recipe, recipe_dir=recipe_dir, scan=scan, progress=scaled, cancel=cancel)

        self.running, self.phase = True, "run"
        self._start_task(Task("Run the recipe", build), self._built)

    def confirm(self) -> None:
        """The analyst chose "Export anyway"."""
        if self.phase == "confirm" and self.release is not None and not self._stopped:
            self._write(self.release)

    def cancel(self) -> None:
        """Stop now: the current step raises Cancelled at its next checkpoint; nothing is written.

        Once the write has begun it finishes (see ``_write``), and ``exported`` still comes.
        """
        if not self.running or self._stopped:
            return
        task_running = self.task is not None and self.task.running
        if self.phase == "write" and not task_running:
            return  # written already; its result is on its way
        self._stopped = True
        if task_running:
            self.task.cancel()  # the task's cancelled signal ends the flow
        else:  # waiting for confirmation, or the run's result is on its way
            self._end_cancelled()

    def ask_with(self, dialog_class: AskDialog) -> None:
        """Ask with ``dialog_class`` (window-modal; accept = export anyway) when personal data remains."""
        self.confirmationNeeded.connect(lambda release: self._ask(dialog_class, release))

    def _ask(self, dialog_class: AskDialog, release: Release | ResidualCheck) -> None:
        dialog = dialog_class(release, self._dialog_parent(), output_name=self.request.path.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(self.confirm)
        dialog.rejected.connect(self.cancel)
        self.dialog = dialog
        dialog.open()

    # --- steps -----------------------------------------------------------------------------------
    def _start_task(self, task: Task, on_done: Callable[[object], None]) -> None:
        # No Qt parent on purpose: a parent deleted with the runner would delete the Task while its worker
        # still emits its last signal. Python references (ours and the pool's runnable) keep it alive.
        self.task = task
        task.progress.connect(self.progress)
        task.finished.connect(on_done)
        task.failed.connect(self._task_failed)
        task.cancelled.connect(self._end_cancelled)
        task.start(self._pool)

    def _built(self, release: object) -> None:
        """``release`` is the Release, or its ResidualCheck when the release waits in the analysis process."""
        assert isinstance(release, Release | ResidualCheck)
        if self._stopped:
            self._end_cancelled()
            return
        self.release = release
        residual = release.residual if isinstance(release, Release) else release
        if residual.clean or self.request.strict:
            self._write(release)
        else:
            self.phase = "confirm"
            self.confirmationNeeded.emit(release)

    def _write(self, release: Release | ResidualCheck) -> None:
        path, strict, recipe_path = self.request.path, self.request.strict, self.doc.recipe_path

        def write(progress: Callable[[float, str], None], cancel: CancelToken) -> ExportResult:
            cancel.raise_if_cancelled()

            def report(fraction: float, message: str) -> None:
                # Once writing has begun it runs to the end: the data file is atomic and short to write,
                # and a cancel between it and its report would leave a release without a report.
                with contextlib.suppress(Cancelled):
                    progress(RUN_SHARE + fraction * (1 - RUN_SHARE), message)

            if isinstance(release, ResidualCheck):  # the release waits in the analysis process
                from sanitas.gui.analysis_process import shared_process

                return shared_process().call("export", report, cancel, cancellable=False, path=path,
                                             recipe_path=recipe_path, strict=strict)
            return export_release(release, path, recipe_path=recipe_path, strict=strict, progress=report)

        self.phase = "write"
        self._start_task(Task("Write the export", write), self._written)

    def _written(self, result: object) -> None:
        assert isinstance(result, ExportResult)
        self.result = result
        self.release = None  # the sanitized frame is no longer needed in memory
        self.running = False
        self.exported.emit(result)
        self.ended.emit()

    # --- endings ---------------------------------------------------------------------------------
    def _task_failed(self, exc: object) -> None:
        if isinstance(exc, SanitasError):
            self._fail(for_workbench(exc.message))
            return
        assert isinstance(exc, BaseException)
        errors.report_unexpected(exc, "exporting the sanitized dataset", self._dialog_parent())
        self._fail(UNEXPECTED)

    def _fail(self, message: str) -> None:
        self.release = None
        self.running = False
        self.failed.emit(message)
        self.ended.emit()

    def _end_cancelled(self) -> None:
        if not self.running:
            return
        self.release = None
        self.running = False
        self.cancelled.emit()
        self.ended.emit()
