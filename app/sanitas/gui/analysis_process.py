"""A long-lived worker process for the steps that need spaCy and Presidio (scan, preview, release).

spaCy and Presidio hold the GIL while they load and while their C code runs, so even from a worker
thread they stall the GUI for a few hundred milliseconds. Here they run in one separate process
(spawned, so no Qt state is copied) that loads the analyzer once and keeps it. The GUI side sends a
request down a pipe and relays progress messages; Cancel terminates the process (the next request
starts a new one), which stops any step at once. Data crosses the pipe pickled: the sample rows of a
preview, findings, residual check and report facts; the released table itself never leaves the worker.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sanitas.core.errors import SanitasError
from sanitas.core.memory import give_back_memory
from sanitas.core.progress import Cancelled, CancelToken

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
PROGRESS_SECONDS = 0.05  # at most one progress message per interval crosses the pipe
NICENESS = 5  # the worker yields the CPU to the window on a busy machine
# polars' allocator (jemalloc) returns freed memory to the system only while it allocates again, unless a
# background thread purges it: idle after a release of 1,000,000 rows, the worker kept ~500 MB it had freed.
ALLOCATOR_CONF = ("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:1000")
WHOLE_TABLE_STEPS = ("page_copy", "scan", "release", "export", "k_anonymity")  # collect garbage after these


class AnalysisProcessError(SanitasError):
    """The worker process failed in an unexpected way (the GUI shows the type, never data values)."""


class AnalysisProcess:
    """The GUI side: one request at a time, progress relayed, cancel by termination."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Any = None
        self._lock = threading.Lock()

    def call(self, name: str, progress: Callable[[float, str], None], cancel: CancelToken, *,
             cancellable: bool = True, **kwargs: Any) -> Any:
        """Run step ``name`` in the worker. ``cancellable=False`` for a step that must finish once begun
        (writing an export: killing it would leave a temporary file beside the destination)."""
        while not self._lock.acquire(timeout=POLL_SECONDS):
            cancel.raise_if_cancelled()
        try:
            self._ensure()
            self._connection.send((name, kwargs))
            while True:
                if cancellable and cancel.cancelled:
                    self.restart()
                    raise Cancelled()
                if not self._connection.poll(POLL_SECONDS):
                    if not self._process.is_alive():
                        self.restart()
                        raise AnalysisProcessError("The analysis process stopped unexpectedly; try the step again.")
                    continue
                kind, payload = self._connection.recv()
                if kind == "progress":
                    try:
                        progress(*payload)
                    except Cancelled:
                        if cancellable:
                            self.restart()
                            raise
                elif kind == "done":
                    return payload
                else:
                    raise payload
        finally:
            self._lock.release()

    def _ensure(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        os.environ.setdefault(*ALLOCATOR_CONF)  # read by the spawned worker's allocator as it starts
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=serve, args=(child,), name="sanitas-analysis", daemon=True)
        self._process.start()
        child.close()
        self._connection = parent

    def restart(self) -> None:
        """Stop the worker now (cancel); the next call starts a fresh one."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._process = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def shutdown(self) -> None:
        self.restart()


_shared: AnalysisProcess | None = None


def shared_process() -> AnalysisProcess:
    """The one worker process of this application (all windows and steps share its loaded analyzer)."""
    global _shared
    if _shared is None:
        _shared = AnalysisProcess()
    return _shared


# --- the worker side ------------------------------------------------------------------------------

def serve(connection: Any) -> None:
    """Answer requests until the pipe closes. Runs in the spawned process.

    At a lower priority (``NICENESS``): on a machine with fewer free cores than busy processes the window's
    thread then gets a CPU first, so a long scan or release does not make it late to repaint. Progress is
    throttled here too: every message wakes the GUI process's relay thread, which needs the GIL.
    """
    from sanitas.gui import analysis_steps

    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows; a refused nice is harmless
        os.nice(NICENESS)
    state: dict[str, Any] = {}
    while True:
        try:
            name, kwargs = connection.recv()
        except (EOFError, OSError):
            return
        last = [0.0]

        def progress(fraction: float, message: str, last: list[float] = last) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS or fraction >= 1.0:
                last[0] = now
                connection.send(("progress", (fraction, message)))

        try:
            result = getattr(analysis_steps, name)(state, progress, **kwargs)
            if name in WHOLE_TABLE_STEPS:
                _give_back_memory()
            connection.send(("done", result))
        except (SanitasError, Cancelled) as exc:
            connection.send(("error", SanitasError(getattr(exc, "message", "cancelled"))))
        except BaseException as exc:  # the type only: messages from libraries can quote data values
            log.error("analysis step %s failed with %s", name, type(exc).__name__)
            connection.send(("error", AnalysisProcessError(
                f"The step '{name}' failed unexpectedly ({type(exc).__name__}); see the log for where.")))


def _give_back_memory() -> None:
    """After a whole-table step: free what its cycles hold, and hand the C heap's free pages back to the system
    (glibc keeps them otherwise: the worker idles between steps holding the last step's peak)."""
    gc.collect()
    give_back_memory()
