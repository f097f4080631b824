"""The analysis process: same results as in-process, errors cross as messages, Cancel stops it at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.detect import scan_dataset
from sanitas.core.errors import SanitasError
from sanitas.core.io import open_dataset
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.settings import load_settings
from sanitas.gui.analysis_process import AnalysisProcess

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(scope="module")
def process():
    worker = AnalysisProcess()
    yield worker
    worker.shutdown()


def test_scan_in_the_process_equals_the_scan_here(process: AnalysisProcess, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    messages: list[str] = []
    remote = process.call("scan", lambda f, m: messages.append(m), CancelToken(), path=path, settings=load_settings())
    local = scan_dataset(open_dataset(path), settings=load_settings())
    assert [(c.name, c.kind, c.top_entity) for c in remote.columns] == [
        (c.name, c.kind, c.top_entity) for c in local.columns]
    assert messages, "progress is relayed"


def test_errors_cross_with_their_message(process: AnalysisProcess, tmp_path: Path) -> None:
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(SanitasError, match=r"ragged\.csv"):
        process.call("scan", lambda f, m: None, CancelToken(), path=bad, settings=load_settings())


def test_cancel_terminates_and_the_next_call_starts_afresh(process: AnalysisProcess) -> None:
    from sanitas.core.recipe import ColumnPlan, Recipe

    sample = pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=3000)
    token = CancelToken()
    threading.Timer(1.0, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):  # scrubbing 3,000 notes takes several seconds
        process.call("preview", lambda f, m: None, token, sample=sample, column="notes",
                     plan=ColumnPlan(action="scrub"), recipe=Recipe(), scan=None, recipe_dir=None,
                     settings=load_settings())
    assert time.monotonic() - started < 5
    assert process.call("warm_up", lambda f, m: None, CancelToken(), settings=load_settings())


def test_the_process_runs_at_lower_priority_and_throttles_progress(process: AnalysisProcess, tmp_path: Path) -> None:
    """On a busy machine the window's thread gets a CPU first; a chatty step sends a few messages, not thousands."""
    import os

    from sanitas.gui.analysis_process import NICENESS, PROGRESS_SECONDS

    path = tmp_path / "many.csv"
    pl.DataFrame({"n": list(range(200_000))}).write_csv(path)
    stamps: list[float] = []
    started = time.monotonic()
    process.call("page_copy", lambda f, m: stamps.append(time.monotonic()), CancelToken(), path=path,
                 target=tmp_path / "pages", settings=load_settings())
    took = time.monotonic() - started
    assert os.getpriority(os.PRIO_PROCESS, process._process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0)
                                                                          + NICENESS)
    assert len(stamps) <= took / PROGRESS_SECONDS + 2
