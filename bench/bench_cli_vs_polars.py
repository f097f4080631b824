"""`sanitas apply` as a whole process against polars reading and writing the same CSV, side by side.

    .venv/bin/python bench/bench_cli_vs_polars.py [--data bench/data/customers_1m.csv] [--runs 3]
        [--findings recorded|none] [--print-commands]

Target (issue 15): the whole `sanitas apply` of the 1M x 20 file with bench_apply.py's ten-action
recipe, scan and residual check included, within 8x of polars reading and writing the same CSV
(goal 4x); its peak RSS under 1 GB. The two commands run in turn (A B A B ...), each in a fresh
process; the figure is the median of the per-pair ratios, so a drift of the shared machine's speed
hits both sides of a pair. Peak RSS is each child's ru_maxrss (wait4).

``--findings recorded`` (default) writes the recipe as `sanitas plan` would, with the scan's findings
for this file (the scan is done once here, untimed), so `apply` reuses them; ``none`` makes `apply`
scan. ``--print-commands`` prints both command lines (the recipe and key stay in a temp folder until
Enter is pressed) to time them with another tool, e.g. `/usr/bin/time -v`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from _common import DEFAULT_CSV, SANITAS_CLI, bench_env, import_sanitas, machine, mb, require_data
from bench_apply import recipe_data, write_key

TARGET_RATIO = 8.0
GOAL_RATIO = 4.0
TARGET_RSS = 1 << 30


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, int, int, float]:
    """Wall seconds, exit status, peak RSS (bytes) and CPU seconds (user+sys) of one child process: on
    the shared machine the CPU ratio moves less with the load than the wall ratio."""
    started = time.perf_counter()
    pid = os.spawnve(os.P_NOWAIT, command[0], command, env)
    _, status, usage = os.wait4(pid, 0)
    return (time.perf_counter() - started, os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024,
            usage.ru_utime + usage.ru_stime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--findings", choices=("recorded", "none"), default="recorded")
    parser.add_argument("--print-commands", action="store_true")
    args = parser.parse_args(argv)
    path = require_data(args.data).resolve()
    env = bench_env()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="sanitas-bench-cli-") as tmp:
        work = Path(tmp)
        write_key(work)
        data = recipe_data("drop")
        if args.findings == "recorded":
            import_sanitas()
            from sanitas.core.detect import scan_dataset
            from sanitas.core.io import open_dataset
            from sanitas.core.recorded_findings import record_findings

            scan = scan_dataset(open_dataset(path))
            data["findings"] = record_findings(scan, path).model_dump(mode="json")
        recipe = work / "bench.recipe.yaml"
        recipe.write_text(yaml.safe_dump(data, sort_keys=False))
        sanitas = [str(SANITAS_CLI), "apply", str(path), "--recipe", str(recipe), "-o", str(work / "out.csv"),
                   "--quiet"]
        floor = [sys.executable, "-c", "import sys, polars as pl; pl.read_csv(sys.argv[1]).write_csv(sys.argv[2])",
                 str(path), str(work / "polars.csv")]
        if args.print_commands:
            print("A: " + " ".join(sanitas) + "\nB: " + " ".join(floor))
            print("(env: SANITAS_CONFIG_DIR, SANITAS_SPACY_MODEL as in bench/_common.py) press Enter to clean up")
            input()
            return 0
        pairs = []
        for i in range(args.runs):
            a = run_child(sanitas, env)
            b = run_child(floor, env)
            if a[1] != 0 or b[1] != 0:
                print(f"run {i}: exit codes {a[1]} / {b[1]}", file=sys.stderr)
                return 1
            pairs.append((a, b))
            print(f"run {i + 1}: sanitas apply {a[0]:.2f} s (CPU {a[3]:.2f} s, {mb(a[2])}), polars read+write "
                  f"{b[0]:.2f} s (CPU {b[3]:.2f} s, {mb(b[2])}), ratio {a[0] / b[0]:.2f} wall, "
                  f"{a[3] / b[3]:.2f} CPU; load {os.getloadavg()[0]:.1f}")
    ratio = statistics.median(a[0] / b[0] for a, b in pairs)
    apply_s = statistics.median(a[0] for a, _ in pairs)
    floor_s = statistics.median(b[0] for _, b in pairs)
    peak = max(a[2] for a, _ in pairs)
    cpu_ratio = statistics.median(a[3] / b[3] for a, b in pairs)
    print(f"\nmedian: sanitas apply {apply_s:.2f} s, polars {floor_s:.2f} s, ratio {ratio:.2f} "
          f"wall, {cpu_ratio:.2f} CPU (target < {TARGET_RATIO:g}x, goal {GOAL_RATIO:g}x); "
          f"sanitas peak RSS {mb(peak)} (target < 1 GiB)")
    print("RESULT " + json.dumps({"bench": "cli_vs_polars", "findings": args.findings,
                                  "apply_seconds": round(apply_s, 2), "polars_seconds": round(floor_s, 2),
                                  "ratio": round(ratio, 2), "cpu_ratio": round(cpu_ratio, 2),
                                  "pass": ratio < TARGET_RATIO, "peak_rss_mib": round(peak / 2**20),
                                  "rss_pass": peak < TARGET_RSS}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
