"""Benchmark the Spark engine against the in-process engine: the ten-action recipe of bench_apply.py
on 100k, 1M and 10M rows, time and rows per second, and how each scales with rows.

    .venv/bin/python bench/bench_spark.py [--data bench/data/customers_1m.csv] [--master 'local[*]']
                                          [--sizes 100000,1000000,10000000] [--in-process-max 1000000]

The tables are Parquet files made from the 1M-row CSV (bench/make_data.py): smaller sizes are its head,
10M is ten copies with customer_id, email and ssn made distinct per copy (so per-distinct-value work grows
with the rows, as it would in real data). Both engines run the same recipe with the same key and write
their output and report (in-process: a Parquet file; Spark: a folder of part files). The in-process engine
runs up to ``--in-process-max`` rows (10M rows do not fit a laptop's memory in one piece: the reason for
Spark). Spark's first run (JVM and worker start, about 10-30 s) is a separate warm-up on 10k rows and is
excluded. The last line is ``RESULT {json}`` for run_all.py.
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import tempfile
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

_REAL_CONNECT, _REAL_GETADDRINFO = socket.socket.connect, socket.getaddrinfo  # before _common's network guard

from _common import DEFAULT_CSV, import_sanitas, machine, require_data, warm_up  # noqa: E402
from bench_apply import KEY_FILE, recipe_data  # noqa: E402

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_GUARDED_CONNECT, _GUARDED_GETADDRINFO = socket.socket.connect, socket.getaddrinfo


def _loopback_connect(self: socket.socket, address: Any) -> Any:
    """The driver talks to its own JVM over the loopback interface; every other host stays blocked."""
    if isinstance(address, tuple) and address and address[0] in LOOPBACK:
        return _REAL_CONNECT(self, address)
    return _GUARDED_CONNECT(self, address)


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host in LOOPBACK:
        return _REAL_GETADDRINFO(host, *args, **kwargs)
    return _GUARDED_GETADDRINFO(host, *args, **kwargs)


socket.socket.connect = _loopback_connect  # type: ignore[method-assign]
socket.getaddrinfo = _loopback_getaddrinfo  # type: ignore[assignment]


def make_table(csv: Path, rows: int, folder: Path) -> Path:
    """A Parquet file of ``rows`` rows from the 1M-row CSV (copies made distinct beyond 1M)."""
    import polars as pl

    from sanitas.core.io import open_dataset

    base = open_dataset(csv).collect()
    if rows <= base.height:
        table = base.head(rows)
    else:
        copies = []
        for i in range(-(-rows // base.height)):
            tag = pl.lit(f"-{i}") if i else pl.lit("")
            copies.append(base.with_columns(pl.col("customer_id") + tag, pl.col("ssn") + tag,
                                            ((pl.lit(f"c{i}.") if i else pl.lit("")) + pl.col("email")).alias("email")))
        table = pl.concat(copies).head(rows)
    path = folder / f"customers_{rows}.parquet"
    table.write_parquet(path, row_group_size=100_000)
    return path


def cpu_seconds() -> float:
    """User + system CPU of this process and all its live and finished children (the JVM, its Python workers):
    on a shared machine wall time follows the load, CPU time far less."""
    import os

    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2]) + sum(os.times()[2:4])
    for child in me.children(recursive=True):
        try:
            times = child.cpu_times()
            total += times.user + times.system
            total += getattr(times, "children_user", 0) + getattr(times, "children_system", 0)
        except psutil.Error:
            continue
    return total


def peak_rss_mib() -> int:
    """This process's peak resident memory so far (MiB): the in-process engine runs here, the JVM in a child,
    and the sizes grow, so read after an in-process run it is that run's peak."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def load() -> str:
    import os

    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def in_process(path: Path, recipe: Any, workdir: Path) -> float:
    from sanitas.core.engine import run
    from sanitas.core.export import export_release
    from sanitas.core.io import open_dataset

    started = time.perf_counter()
    release = run(open_dataset(path), recipe, recipe_dir=workdir)
    export_release(release, workdir / f"{path.stem}.local.parquet")
    return time.perf_counter() - started


def on_spark(spark: Any, path: Path, recipe: Any, workdir: Path, master: str) -> tuple[float, dict[str, float], int]:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark
    from sanitas.spark.io import check_output

    out = workdir / f"{path.stem}.spark.parquet"
    started = time.perf_counter()
    result = run_on_spark(spark, path, recipe, master=master, recipe_dir=workdir)
    export_spark(result, path, out, check_output(out, path, {}))
    result.close()
    return time.perf_counter() - started, dict(result.release.timings), result.partitions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--in-process-max", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    csv = require_data(args.data)
    import_sanitas()
    warm_up()
    from sanitas.core.recipe import parse_recipe
    from sanitas.spark.session import build_session

    recipe = parse_recipe(recipe_data("drop"), source="bench recipe")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}; master {args.master}")
    rows_out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sanitas-bench-spark-") as tmp:
        workdir = Path(tmp)
        (workdir / KEY_FILE).write_text(secrets.token_hex(32) + "\n")
        (workdir / KEY_FILE).chmod(0o600)
        spark = build_session(args.master)
        started = time.perf_counter()
        on_spark(spark, make_table(csv, 10_000, workdir), recipe, workdir, args.master)
        print(f"Spark warm-up on 10k rows (excluded): {time.perf_counter() - started:.1f} s")
        for rows in sizes:
            path = make_table(csv, rows, workdir)
            load_before, cpu = load(), cpu_seconds()
            local = in_process(path, recipe, workdir) if rows <= args.in_process_max else None
            local_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
            local_rss = peak_rss_mib() if local is not None else None
            seconds, steps, partitions = on_spark(spark, path, recipe, workdir, args.master)
            spark_cpu = cpu_seconds() - cpu
            row = {"rows": rows, "in_process_s": None if local is None else round(local, 2),
                   "in_process_cpu_s": round(local_cpu, 1) if local is not None else None,
                   "in_process_peak_rss_mib": local_rss,
                   "spark_s": round(seconds, 2), "spark_cpu_s": round(spark_cpu, 1), "partitions": partitions,
                   "load": f"{load_before} -> {load()}", "spark_steps": {k: round(v, 2) for k, v in steps.items()}}
            rows_out.append(row)
            ratio = f"{local / seconds:.2f}x" if local else "n/a"
            print(f"{rows:>11,} rows: in-process {local or float('nan'):7.1f} s | Spark {seconds:7.1f} s "
                  f"({rows / seconds:,.0f} rows/s, {partitions} partitions) | in-process/Spark {ratio}")
            print(f"             CPU (user+sys, with the JVM and workers): in-process {row['in_process_cpu_s']} s, "
                  f"Spark {spark_cpu:.1f} s; load {row['load']}; in-process peak RSS {local_rss} MiB")
            print("             Spark steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        spark.stop()
    for a, b in pairwise(rows_out):
        growth = b["rows"] / a["rows"]
        spark_growth = b["spark_s"] / a["spark_s"]
        print(f"scaling {a['rows']:,} -> {b['rows']:,} rows (x{growth:g}): Spark time x{spark_growth:.2f}"
              + (f", in-process x{b['in_process_s'] / a['in_process_s']:.2f}"
                 if a["in_process_s"] and b["in_process_s"] else ""))
    print("RESULT " + json.dumps({"bench": "spark", "master": args.master, "runs": rows_out}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
