"""Benchmark wide tables: scan and apply of 1,000 / 2,000 / 10,000 columns x 20 rows, in-process.

    .venv/bin/python bench/bench_wide.py [--columns 1000,2000,10000] [--rows 20] [--profile 30]

The table is the demo generator's 20 columns (Faker names, emails, phones, addresses, dates, ages,
SSNs, cards, diagnoses, amounts, notes, IPs...) tiled side by side: copy i holds rows 20i..20i+19 of
a larger generated frame, so every column has its own values (no cache is flattered by repeats) and
the mix of kinds is the demo's. Columns are named ``<name>_<i>``.

For each width: ``open_dataset`` + ``scan_dataset`` (the scan), then the suggested plan
(``suggest_recipe``, k_anonymity section included, capped for wide tables) applied by
``engine.run`` + ``export_release`` to a CSV (the apply). Printed: wall and CPU seconds (user+sys of
this process) of each, the findings by kind, and the load average before and after, since the
machine is shared. Issue 14 measured 10,000 x 20 at scan 73 s, apply 126 s: wide tables must scale
with cells, not columns squared. The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import import_sanitas, load_generator, machine, profiled, warm_up


def wide_frame(columns: int, rows: int, seed: int = 20261123) -> Any:
    """``columns`` x ``rows`` of demo data: the demo's 20 columns tiled, each copy with its own rows."""
    import polars as pl

    gen = load_generator()
    width = len(gen.COLUMNS)
    copies = -(-columns // width)
    base = gen.generate(rows * copies, seed, "auto")
    parts = [base.slice(i * rows, rows).rename({c: f"{c}_{i}" for c in base.columns}) for i in range(copies)]
    frame = pl.concat(parts, how="horizontal")
    return frame.select(frame.columns[:columns])


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def measure(path: Path, workdir: Path, profile: int) -> dict[str, Any]:
    """Scan, then apply the suggested plan: wall and CPU seconds of each, findings by kind."""
    from sanitas.core.detect import scan_dataset
    from sanitas.core.engine import run
    from sanitas.core.export import export_release
    from sanitas.core.io import open_dataset
    from sanitas.core.plan import suggest_recipe

    out: dict[str, Any] = {}
    wall, used = time.perf_counter(), cpu()
    with profiled(profile):
        dataset = open_dataset(path)
        scan = scan_dataset(dataset)
    out["scan_s"], out["scan_cpu_s"] = time.perf_counter() - wall, cpu() - used
    out["kinds"] = dict(Counter(f.kind.value for f in scan.columns))
    recipe, _ = suggest_recipe(scan, seed=1)
    section = recipe.k_anonymity
    out["k_anonymity_qis"] = len(section.quasi_identifiers) if section is not None else 0
    wall, used = time.perf_counter(), cpu()
    with profiled(profile):
        release = run(dataset, recipe, recipe_dir=workdir, scan=scan)
        result = export_release(release, workdir / "wide.clean.csv")
    out["apply_s"], out["apply_cpu_s"] = time.perf_counter() - wall, cpu() - used
    out["output_columns"] = release.frame.width
    out["output_bytes"] = result.output.stat().st_size if result.output else 0
    out["residual_clean"] = release.residual.clean
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", default="1000,2000,10000", help="comma-separated widths (1000,2000,10000)")
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile, top N functions")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.columns.split(",") if w]

    import_sanitas()
    warm = warm_up()
    os.environ.setdefault("SANITAS_KEY", secrets.token_hex(32))
    print(f"machine: {machine()}")
    print(f"warm-up (excluded): analyzer {warm['analyzer']:.2f} s, tiny scan {warm['tiny_scan']:.2f} s")
    results = []
    with tempfile.TemporaryDirectory(prefix="sanitas-bench-wide-") as tmp:
        workdir = Path(tmp)
        for width in widths:
            path = workdir / f"wide_{width}.csv"
            wide_frame(width, args.rows).write_csv(path)
            load_before = os.getloadavg()[0]
            figures = {"columns": width, "rows": args.rows, **measure(path, workdir, args.profile)}
            figures["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
            results.append(figures)
            print(f"\n{width:,} columns x {args.rows} rows: scan {figures['scan_s']:.2f} s "
                  f"(CPU {figures['scan_cpu_s']:.2f} s), apply {figures['apply_s']:.2f} s "
                  f"(CPU {figures['apply_cpu_s']:.2f} s); load {figures['load'][0]} -> {figures['load'][1]}")
            print(f"  kinds: {figures['kinds']}; k_anonymity QIs {figures['k_anonymity_qis']}; output "
                  f"{figures['output_columns']:,} columns, {figures['output_bytes'] / 1e3:,.0f} kB; "
                  f"residual clean {figures['residual_clean']}")
            path.unlink()
    print("RESULT " + json.dumps({"bench": "wide", "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
