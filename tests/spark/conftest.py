"""One local[2] SparkSession for every Spark test (starting a JVM costs seconds), loopback only.

pytest-socket blocks every connection; these tests may connect to 127.0.0.1 alone, which is how the
Python driver talks to its own JVM and Python workers. Nothing else is allowed (no external host).
Skipped when PySpark (the `spark` extra) or Java is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

LOOPBACK = ["127.0.0.1", "localhost"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.spark)
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK))


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed")
    from sanitas.spark.session import build_session

    session = build_session("local[2]")
    # Small splits, so a few thousand rows already make several partitions (the point of the tests).
    session.conf.set("spark.sql.files.maxPartitionBytes", "48k")
    session.conf.set("spark.sql.files.openCostInBytes", "4k")
    yield session
    session.stop()
