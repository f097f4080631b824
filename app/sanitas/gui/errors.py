"""Unexpected errors: a dialog with a copyable summary, and the same summary in the log.

A SanitasError is expected: its message is written for the analyst and shown in place (MessageBar).
Anything else is a bug. Its summary says what (the exception type), where (frames only, via
``workers.safe_traceback``), in which step and on which versions. It never holds the exception's
message: library messages can quote data values ("could not parse 'Maria Keller' as int").
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import PySide6
import shiboken6
from PySide6.QtCore import Qt, QThread, QTimer, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sanitas import __version__
from sanitas.core.errors import SanitasError
from sanitas.gui.app_settings import state_dir
from sanitas.gui.workers import safe_traceback

log = logging.getLogger("sanitas")
LOG_NAME = "sanitas.log"
MAX_OPEN_DIALOGS = 3
_state = {"step": "working in the workbench"}
_open_dialogs: list[QDialog] = []


# --- the step the analyst was doing ----------------------------------------------------------------
def current_step() -> str:
    return _state["step"]


@contextmanager
def step(name: str) -> Iterator[None]:
    previous = _state["step"]
    _state["step"] = name
    try:
        yield
    finally:
        _state["step"] = previous


# --- log file --------------------------------------------------------------------------------------
class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (the default would follow the umask)."""

    def _open(self):  # type: ignore[override]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding, errors=self.errors)


def log_path() -> Path:
    return state_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send the ``sanitas`` loggers to the private log file (once per path)."""
    path = log_path()
    for handler in list(log.handlers):
        if isinstance(handler, _PrivateFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            log.removeHandler(handler)  # the data folder moved (tests, a new SANITAS_STATE_DIR)
            handler.close()
    handler = _PrivateFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8", delay=False)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    return path


# --- the summary -----------------------------------------------------------------------------------
def error_summary(exc: BaseException, step: str | None = None) -> str:
    """Type, frames, step and versions; never ``str(exc)``."""
    lines = [
        f"Sanitas {__version__}: unexpected error",
        f"Step: {step or current_step()}",
        "Exception and where (most recent call last):",
        safe_traceback(exc),
    ]
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    depth = 0
    while cause is not None and depth < 3:
        lines += ["Caused by:", safe_traceback(cause)]
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
        depth += 1
    lines += [
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}",
        f"Platform: {platform.platform(terse=True)}",
        f"Time: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "(The exception's own message is left out on purpose: it may quote data values.)",
    ]
    return "\n".join(lines)


class UnexpectedErrorDialog(QDialog):
    """The summary in a read-only box, with Copy, so it can go into a bug report as it is."""

    def __init__(self, summary: str, step: str, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.setAccessibleName("Unexpected error")
        self.summary = summary
        where = f" It was also written to the log: {log_file}." if log_file else ""
        intro = QLabel(
            f"Sanitas hit an error it did not expect while {step[:1].lower() + step[1:]}. That step was "
            f"stopped. The summary below holds no data values; copy it into a bug report.{where}", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.text = QPlainTextEdit(summary, self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Error summary")
        self.text.setMinimumSize(560, 220)
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setToolTip("Copy the summary to the clipboard")
        self.copy_button.setAccessibleName("Copy the summary")
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.summary)


def report_unexpected(exc: BaseException, step: str | None = None,
                      parent: QWidget | None = None) -> UnexpectedErrorDialog | None:
    """Log the summary and show it (non-blocking). Returns the dialog, or None off the GUI thread."""
    step = step or current_step()
    summary = error_summary(exc, step)
    log_file: Path | None
    try:
        log_file = setup_logging()
    except OSError:
        log_file = None
    log.error("%s", summary)
    app = QApplication.instance()
    if not isinstance(app, QApplication) or QThread.currentThread() is not app.thread():
        if isinstance(app, QApplication):  # show it from the GUI thread
            QTimer.singleShot(0, app, lambda: _show(summary, step, log_file, parent))
        return None
    return _show(summary, step, log_file, parent)


def _show(summary: str, step: str, log_file: Path | None, parent: QWidget | None) -> UnexpectedErrorDialog | None:
    _open_dialogs[:] = [d for d in _open_dialogs if shiboken6.isValid(d) and d.isVisible()]
    if len(_open_dialogs) >= MAX_OPEN_DIALOGS:  # a cascade of the same bug: the log has them all
        return None
    dialog = UnexpectedErrorDialog(summary, step, log_file, parent or QApplication.activeWindow())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _open_dialogs.append(dialog)
    dialog.open()
    return dialog


# --- the hook --------------------------------------------------------------------------------------
def install_excepthook(parent_getter: Callable[[], QWidget | None] | None = None) -> Callable[[], None]:
    """Route uncaught exceptions (in slots, timers, event handlers) to the dialog and the log.

    Returns a function that puts the previous hooks back (tests use it).
    """
    previous_sys, previous_thread = sys.excepthook, threading.excepthook
    getter = parent_getter or (lambda: None)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            previous_sys(exc_type, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if isinstance(exc, SanitasError):  # a widget forgot to show it in place: still the analyst's message
            log.warning("uncaught %s", safe_traceback(exc))
            _show_sanitas_error(exc, getter())
            return
        report_unexpected(exc, None, getter())

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    with suppress(OSError):
        setup_logging()
    sys.excepthook = hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_thread

    return uninstall


def _show_sanitas_error(exc: SanitasError, parent: QWidget | None) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication) or QThread.currentThread() is not app.thread():
        return
    box = QMessageBox(QMessageBox.Icon.Warning, "Sanitas", exc.message, QMessageBox.StandardButton.Close,
                      parent or QApplication.activeWindow())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
