"""Fixtures shared by the k-anonymity panel and hierarchy editor tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.io import open_dataset
from sanitas.core.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(scope="module")
def scanned_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, pl.DataFrame, ScanResult]:
    """The first 2,000 demo rows (read as text, as the file has them), their frame and their scan."""
    path = tmp_path_factory.mktemp("demo") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", n_rows=2000, infer_schema=False).write_csv(path)
    dataset = open_dataset(path)
    return dataset, dataset.collect(), scan_dataset(dataset, settings=Settings())
