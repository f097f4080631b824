"""A SparkSession that stays on this machine unless the analyst names a cluster.

Local mode binds the driver to 127.0.0.1 and turns the web UI off, so nothing listens on a public
interface and nothing is fetched: Spark's own jars ship in the pyspark wheel. Arrow carries every
batch between the JVM and the Python workers (``mapInArrow``), so the transforms see polars frames.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sanitas.core.errors import SanitasError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
BATCH_ROWS = 100_000  # rows per Arrow batch handed to a transform call
APP_NAME = "sanitas"


class SparkUnavailable(SanitasError):
    """PySpark or Java is missing: says what to install."""


def _import_pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            "The Spark engine needs PySpark: install the extra with `pip install sanitas[spark]` "
            "(and Java 17 or 21), or run without --engine spark."
        ) from None
    return SparkSession


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def local_cores(master: str) -> int:
    """Cores of a local master (local[2] -> 2, local[*] -> this machine's): one shuffle partition each, since
    Spark's default of 200 costs more in task start-up than a laptop-sized aggregation takes."""
    inside = master[len("local["):-1] if master.startswith("local[") else "1"
    return int(inside) if inside.isdigit() else (os.cpu_count() or 2)


CELLS_PER_SHUFFLE_PARTITION = 2_500_000  # about 80 MB of (column, row, value) cells in the residual join


def fit_shuffle_partitions(spark: SparkSession, master: str, rows: int, columns: int) -> int | None:
    """Local mode starts with one shuffle partition per core (``build_session``); a table of many millions of
    cells needs more, or one task sorts gigabytes: the residual join of a 10M x 20 table ran a 4 GB JVM out of
    heap with two. A cluster keeps its own setting (None)."""
    if not is_local(master):
        return None
    wanted = max(local_cores(master), -(-rows * max(columns, 1) // CELLS_PER_SHUFFLE_PARTITION))
    spark.conf.set("spark.sql.shuffle.partitions", str(wanted))
    return wanted


def build_session(master: str = DEFAULT_MASTER, *, shuffle_partitions: int | None = None) -> SparkSession:
    """Get or create the session for ``master`` with the settings the engine relies on."""
    session_cls = _import_pyspark()
    local = is_local(master)
    if local:
        # The driver and the Python workers talk over the loopback interface only.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_LOCAL_HOSTNAME", "localhost")
        # The Python workers must import sanitas: the driver's own interpreter has it.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        session_cls.builder.master(master).appName(APP_NAME)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # the CLI draws its own bar from the status tracker
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_ROWS))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
        .config("spark.sql.sources.partitionOverwriteMode", "static")
        .config("spark.sql.ansi.enabled", "false")
    )
    if local:
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.sql.shuffle.partitions", str(shuffle_partitions or local_cores(master))))
    elif shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: Java missing, or a master that does not answer
        raise SparkUnavailable(
            f"Spark could not start with master '{master}' ({type(exc).__name__}): check that Java 17 or 21 is "
            "installed (JAVA_HOME) and that the master URL is right."
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def spark_session(master: str = DEFAULT_MASTER) -> Iterator[SparkSession]:
    """A session for one run, stopped at the end unless it existed before (tests share one)."""
    session_cls = _import_pyspark()
    existing = session_cls.getActiveSession()
    session = existing if existing is not None else build_session(master)
    try:
        yield session
    finally:
        if existing is None:
            session.stop()
