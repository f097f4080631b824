"""Progress from Spark's stages, and cancel: both polled by a small thread beside the driver.

The status tracker says, for each active stage, how many tasks are done; the bar shows the share of
tasks done in the current phase of the run. When the CancelToken is set (the workbench's Cancel, or
Ctrl-C in the CLI), ``cancelAllJobs`` stops the running job and the driver raises ``Cancelled``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sanitas.core.progress import CancelToken, Progress

POLL_SECONDS = 0.25


class StageWatcher:
    """Polls the status tracker; reports into ``progress`` between ``start`` and ``end`` of the bar."""

    def __init__(self, spark_context, cancel: CancelToken) -> None:
        self._sc = spark_context
        self._cancel = cancel
        self._phase: tuple[Progress, str] | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a poll never reports after its phase has ended (1.0 stays last)
        self.cancelled_jobs = False
        self._thread = threading.Thread(target=self._loop, name="sanitas-spark-progress", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    @contextmanager
    def phase(self, progress: Progress, message: str) -> Iterator[None]:
        """Stage progress of the jobs run inside the block goes to ``progress`` (0..1) with ``message``."""
        progress(0.0, message)
        with self._lock:
            self._phase = (progress, message)
        try:
            yield
        finally:
            with self._lock:
                self._phase = None
            progress(1.0, message)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            if self._cancel.cancelled and not self.cancelled_jobs:
                self.cancelled_jobs = True
                self._sc.cancelAllJobs()
            if self._phase is None:
                continue
            try:
                fraction, stages = self._fraction()
            except Exception:  # the context is stopping: no more progress to read
                continue
            with self._lock:
                phase = self._phase
                if phase is not None and stages:
                    phase[0](fraction, f"{phase[1]} (Spark: {stages} stage(s) running)")

    def _fraction(self) -> tuple[float, int]:
        tracker = self._sc.statusTracker()
        done = total = 0
        stages = tracker.getActiveStageIds()
        for stage_id in stages:
            info = tracker.getStageInfo(stage_id)
            if info is not None:
                done += info.numCompletedTasks
                total += info.numTasks
        return (done / total if total else 0.0), len(stages)
