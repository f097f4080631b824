"""Fixtures shared by the workbench tests: the demo scan, and the real main window."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.io import open_dataset
from sanitas.core.settings import Settings
from sanitas.gui.errors import UnexpectedErrorDialog
from sanitas.gui.main_window import MainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(scope="module")
def scanned_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, pl.DataFrame, ScanResult]:
    """The first 2,000 demo rows (read as text, as the file has them), their frame and their scan."""
    path = tmp_path_factory.mktemp("demo") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", n_rows=2000, infer_schema=False).write_csv(path)
    dataset = open_dataset(path)
    return dataset, dataset.collect(), scan_dataset(dataset, settings=Settings())


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The real main window, shown, with its state in a private folder; background work ends before it closes."""
    (tmp_path / "state").mkdir(exist_ok=True)
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    win = MainWindow()
    win.show()
    yield win
    win.session.cancel_all()
    qtbot.waitUntil(lambda: not win.session.busy, timeout=30_000)
    for dialog in win.findChildren(UnexpectedErrorDialog):  # a test that provoked one leaves no modal behind
        dialog.close()
    win.doc.undo_stack.setClean()
    win.close()
    win.deleteLater()
