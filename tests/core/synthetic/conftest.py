"""Fixtures for the synthetic-data tests (the generators are in synthetic_data.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_data import people

# Import pydantic's field machinery and the package up front: PySide6's import hook (loaded by pytest-qt)
# inspects modules as they are imported and trips over pydantic's lazy attributes mid-import.
import sanitas.core.privacy.synthetic  # noqa: F401


@pytest.fixture(scope="session")
def table() -> pl.DataFrame:
    return people(400, seed=11)
