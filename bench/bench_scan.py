"""Benchmark `scan` on the 1M-row CSV: in-process (after warm-up) and the CLI end to end.

    .venv/bin/python bench/bench_scan.py [--data bench/data/customers_1m.csv] [--repeat 1] [--no-cli]

Target (issue 15): scan under 2 s on the 2-core machine (the first issue's target was 10 s). The
in-process figure is open_dataset + scan_dataset with the analyzer already loaded (imports, spaCy and
Presidio loading, and the other languages' NER models, excluded: see _common.warm_up); the
CLI figure is `sanitas scan FILE --json` as a subprocess, wall time including imports and model load,
for reference. The last line is ``RESULT {json}`` for run_all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# _common first (before any sanitas, Presidio or spaCy import): offline guard, isolated settings.
from _common import (
    DEFAULT_CSV,
    SANITAS_CLI,
    PeakRss,
    bench_env,
    import_sanitas,
    machine,
    mb,
    profiled,
    require_data,
    rss,
    timed,
    verdict,
    warm_up,
)

TARGET_SECONDS = 2.0


def scan_in_process(path: Path, sample: int | None) -> tuple[dict[str, float], Any]:
    """Time open_dataset and scan_dataset once; return the timings and the ScanResult."""
    from sanitas.core.detect import scan_dataset
    from sanitas.core.io import open_dataset

    took: dict[str, float] = {}
    cpu = time.process_time()  # all of this process's threads (polars' pool included)
    started = time.perf_counter()
    dataset = open_dataset(path)
    took["open"] = time.perf_counter() - started
    result = scan_dataset(dataset, sample_size=sample)
    took["total"] = time.perf_counter() - started
    took["cpu"] = time.process_time() - cpu
    took["scan"] = took["total"] - took["open"]
    return took, result


def scan_phases(path: Path, sample: int | None) -> dict[str, float]:
    """Where the scan's time goes: row count, the evenly spread sample (both stream the file), then
    classification of the sampled columns (patterns, NER). Reproduces scan_dataset's steps."""
    from sanitas.core.dataset import ROW_INDEX
    from sanitas.core.detect.classify import classify_columns
    from sanitas.core.detect.context import make_context
    from sanitas.core.io import open_dataset
    from sanitas.core.settings import load_settings

    settings = load_settings()
    size = sample or settings.sample_size
    took: dict[str, float] = {}
    dataset = open_dataset(path)
    with timed(took, "row_count"):
        rows = dataset.row_count()
    with timed(took, "sample_rows"):
        frame = dataset.sample_rows(size, total_rows=rows).drop(ROW_INDEX, strict=False)
    ctx = make_context(settings, None)
    for name in frame.columns:
        with timed(took, f"classify:{name}"):
            classify_columns([frame[name]], ctx)
    took["classify"] = sum(v for k, v in took.items() if k.startswith("classify:"))
    return took


def scan_cli(path: Path, sample: int | None) -> tuple[float, int, dict[str, Any] | None, str]:
    """`sanitas scan PATH --json` in a fresh process: wall seconds, exit code, parsed JSON, stderr tail."""
    command = [str(SANITAS_CLI), "scan", str(path), "--json"]
    if sample:
        command += ["--sample", str(sample)]
    started = time.perf_counter()
    done = subprocess.run(command, env=bench_env(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    parsed = json.loads(done.stdout) if done.returncode == 0 else None
    return seconds, done.returncode, parsed, done.stderr[-2000:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--sample", type=int, default=None, help="values sampled per column (settings: 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="in-process runs (the best is the figure)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess run")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run under cProfile and print the top N functions (timings then include its overhead)")
    args = parser.parse_args(argv)
    path = require_data(args.data)

    rss_start = rss()
    import_sanitas()
    import polars as pl

    rss_imports = rss()
    warm = warm_up()
    rss_warm = rss()
    print(f"machine: {machine()}; polars {pl.__version__}")
    print(f"data: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"warm-up (excluded): analyzer {warm['analyzer']:.2f} s, tiny scan {warm['tiny_scan']:.2f} s, "
          f"other languages' NER models {warm['other_models']:.2f} s; "
          f"RSS start {mb(rss_start)}, after imports {mb(rss_imports)}, after warm-up {mb(rss_warm)}")

    runs: list[dict[str, float]] = []
    result = None
    with PeakRss() as peak, profiled(args.profile):
        for _ in range(max(1, args.repeat)):
            took, result = scan_in_process(path, args.sample)
            runs.append(took)
            print(f"in-process: open {took['open']:.2f} s + scan {took['scan']:.2f} s = {took['total']:.2f} s "
                  f"(CPU {took['cpu']:.2f} s; load {os.getloadavg()[0]:.1f})")
    assert result is not None
    best = min(r["total"] for r in runs)
    print(f"peak RSS during scan: {mb(peak.peak)} (+{mb(peak.peak - rss_warm)} over warm-up; "
          f"{peak.samples} samples)")

    print(f"\n{result.file}: {result.rows:,} rows, sample {result.sample_size}, model {result.model}, "
          f"scan_dataset's own clock {result.seconds:.2f} s")
    for note in result.notes:
        print(f"note: {note}")
    width = max(len(f.name) for f in result.columns)
    for f in result.columns:
        entities = ", ".join(f"{e.entity} {e.score:.2f}/{e.share:.0%}" for e in f.entities[:3]) or "-"
        print(f"  {f.name:<{width}}  {f.dtype:<8} {f.kind.value:<16} {entities}")

    phases = scan_phases(path, args.sample)
    print(f"\nphases (a separate run): row count {phases['row_count']:.2f} s, sample rows "
          f"{phases['sample_rows']:.2f} s, classify {phases['classify']:.2f} s; slowest columns: " + ", ".join(
              f"{k.split(':', 1)[1]} {v:.2f} s" for k, v in sorted(
                  ((k, v) for k, v in phases.items() if k.startswith("classify:")), key=lambda kv: -kv[1])[:5]))

    cli: dict[str, Any] = {}
    if not args.no_cli:
        seconds, code, parsed, stderr = scan_cli(path, args.sample)
        cli = {"seconds": round(seconds, 2), "exit": code}
        print(f"\nCLI `sanitas scan --json` (subprocess, incl. imports and model load): {seconds:.2f} s, exit {code}")
        if parsed is None:
            print(stderr, file=sys.stderr)
        else:
            same = [(c["name"], c["kind"], [e["entity"] for e in c["entities"]]) for c in parsed["columns"]] == [
                (f.name, f.kind.value, [e.entity for e in f.entities]) for f in result.columns
            ]
            cli["same_findings"] = same
            print(f"CLI findings identical to in-process: {same}")

    ok = best < TARGET_SECONDS
    print(f"\nscan in-process {best:.2f} s (best of {len(runs)}) vs target < {TARGET_SECONDS:g} s: {verdict(ok)}")
    summary = {
        "bench": "scan", "seconds": round(best, 2), "runs": [round(r["total"], 2) for r in runs],
        "cpu": [round(r["cpu"], 2) for r in runs],
        "open_seconds": round(runs[0]["open"], 3),
        "phases": {k: round(v, 2) for k, v in phases.items() if ":" not in k}, "target": TARGET_SECONDS, "pass": ok,
        "peak_rss_over_warm_mib": round((peak.peak - rss_warm) / 2**20), "cli": cli,
        "personal_columns": sum(1 for f in result.columns if f.is_personal),
    }
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
