"""Progress from Spark's stages: while a job runs inside a phase, the status tracker's share of tasks done
reaches the progress callback with the phase's message and the number of stages running."""

from __future__ import annotations

import threading

from sanitas.core.progress import CancelToken


def test_stage_watcher_reports_the_running_stages_into_the_phase(spark) -> None:
    from sanitas.spark.progress import StageWatcher

    seen: list[tuple[float, str]] = []
    lock = threading.Lock()

    def progress(fraction: float, message: str) -> None:
        with lock:
            seen.append((fraction, message))

    def slow(batches):  # two tasks of about a second each: several polls of the tracker see them
        import time

        for batch in batches:
            time.sleep(1.0)
            yield batch

    sc = spark.sparkContext  # type: ignore[attr-defined]
    watcher = StageWatcher(sc, CancelToken())
    watcher.start()
    try:
        with watcher.phase(progress, "Applying"):
            frame = spark.range(0, 2, 1, 2)  # type: ignore[attr-defined]
            assert frame.mapInArrow(slow, frame.schema).count() == 2
    finally:
        watcher.stop()
    running = [(f, m) for f, m in seen if "stage(s) running" in m]
    assert running, seen
    assert all(m.startswith("Applying (Spark: ") and 0.0 <= f <= 1.0 for f, m in running)
    assert seen[0] == (0.0, "Applying") and seen[-1] == (1.0, "Applying")
