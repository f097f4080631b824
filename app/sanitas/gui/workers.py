"""Run core steps off the GUI thread, with progress and a Cancel that really stops them.

A Task wraps a plain function ``fn(progress, cancel) -> result`` (the core's own progress callback
and CancelToken, as in Orange's concurrent tasks) and runs it on Qt's thread pool. Its signals are
delivered on the GUI thread; the widget only handles ``finished`` / ``failed`` / ``cancelled``.
Progress is throttled so a chatty step cannot flood the event loop.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from sanitas.core.progress import Cancelled, CancelToken

log = logging.getLogger(__name__)

TaskFunction = Callable[[Callable[[float, str], None], CancelToken], Any]
PROGRESS_INTERVAL = 0.05  # seconds between progress signals


class Task(QObject):
    """One background step. Keep a reference until it has finished (the owner usually does)."""

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    ended = Signal()  # after any of the three above

    def __init__(self, name: str, fn: TaskFunction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn = fn
        self.token = CancelToken()
        self._last_progress = 0.0
        self.running = False
        self.result: Any = None
        self.error: BaseException | None = None

    def start(self, pool: QThreadPool | None = None) -> Task:
        self.running = True
        (pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def cancel(self) -> None:
        self.token.cancel()

    def _report(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL or fraction >= 1.0:
            self._last_progress = now
            self.progress.emit(float(fraction), message)
        self.token.raise_if_cancelled()

    def _run(self) -> None:
        try:
            self.result = self._fn(self._report, self.token)
        except Cancelled:
            self.running = False
            self.cancelled.emit()
        except BaseException as exc:  # reported to the GUI, which decides how to show it
            self.running = False
            self.error = exc
            if not _is_expected(exc):
                log.error("task %s failed:\n%s", self.name, safe_traceback(exc))
            self.failed.emit(exc)
        else:
            self.running = False
            self.finished.emit(self.result)
        self.ended.emit()


class _Runner(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self.task._run()


def _is_expected(exc: BaseException) -> bool:
    from sanitas.core.errors import SanitasError

    return isinstance(exc, SanitasError)


def safe_traceback(exc: BaseException) -> str:
    """Where it failed (files, lines, functions) and the exception type, without its message.

    Exception messages from libraries can quote data values; frames cannot.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join([f"{type(exc).__module__}.{type(exc).__qualname__}", *lines])
