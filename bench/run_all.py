"""Run every benchmark in sequence, each in its own process (clean RSS figures), then print a summary.

    .venv/bin/python bench/run_all.py [--data bench/data/customers_1m.csv] [--no-cli] [--only scan,apply,...]

Makes the 1M-row CSV first when it is missing (bench/make_data.py, about 15 s). Each benchmark's
own output is shown as it runs; its last line (``RESULT {json}``) feeds the summary table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# _common first: offline guard and isolated settings, passed on to the children by bench_env().
from _common import BENCH, DEFAULT_CSV, bench_env, machine, verdict

BENCHES = {
    "scan": "bench_scan.py",
    "apply": "bench_apply.py",
    "values": "bench_values.py",
    "vs_presidio_structured": "bench_vs_presidio_structured.py",
    "k_anonymity": "bench_k_anonymity.py",
    "dp": "bench_dp.py",
    "gui": "bench_gui.py",
}
TAKES_DATA = {"scan", "apply", "values"}
TAKES_NO_CLI = {"scan", "apply"}


def run(script: str, args: list[str]) -> tuple[int, dict[str, Any] | None, float]:
    """Run one benchmark script, echoing its output; its exit code, parsed RESULT line and wall time."""
    command = [sys.executable, str(BENCH / script), *args]
    print(f"\n$ {' '.join(command)}", flush=True)
    started = time.perf_counter()
    result: dict[str, Any] | None = None
    with subprocess.Popen(command, env=bench_env(), stdout=subprocess.PIPE, text=True, bufsize=1) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            if line.startswith("RESULT "):
                result = json.loads(line.removeprefix("RESULT "))
    return child.returncode, result, time.perf_counter() - started


def summary_rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(measure, figure, target, verdict) rows for the table."""
    rows: list[tuple[str, str, str, str]] = []
    if scan := results.get("scan"):
        rows.append(("scan 1M x 20, in-process", f"{scan['seconds']:.2f} s", f"< {scan['target']:g} s",
                     verdict(scan["pass"])))
        if scan.get("cli"):
            rows.append(("scan 1M x 20, CLI incl. imports", f"{scan['cli']['seconds']:.2f} s", "(reference)", ""))
    if dp := results.get("dp"):
        rows.append((f"DP noise {dp['columns']} x {dp['rows']:,}", f"{dp['seconds']:.2f} s", f"< {dp['target_s']:g} s",
                     verdict(dp["ok"])))
    if apply := results.get("apply"):
        rows.append(("apply 1M x 20 (10 transforms), in-process", f"{apply['seconds']:.2f} s",
                     f"< {apply['target']:g} s", verdict(apply["pass"])))
        steps = apply["steps"]
        rows.append(("  of which residual_check", f"{steps.get('residual_check', 0):.2f} s", "", ""))
        rows.append(("apply peak RSS over warm-up", f"{apply['peak_over_warm_mib']:,} MiB = {apply['rss_factor']:.2f}x "
                     f"Arrow ({apply['arrow_mib']} MiB)", f"< {apply['rss_target']:g}x", verdict(apply["rss_pass"])))
        if apply.get("cli"):
            rows.append(("apply 1M x 20, CLI incl. imports", f"{apply['cli']['seconds']:.2f} s, "
                         f"peak RSS {apply['cli']['peak_rss_mib']:,} MiB", "(reference)", ""))
    if values := results.get("values"):
        for entity in ("PERSON", "EMAIL_ADDRESS"):
            r = values[f"fake_{entity}"]
            rows.append((f"fake {entity} ({r['values']:,} distinct)", f"{r['per_second']:,} values/s", "(measure)", ""))
        for name, label in (("scrub_default", "scrub, defaults"), ("scrub_known_values", "scrub, known_values_from"),
                            ("presidio_one_by_one_default_recognizers", "Presidio analyze+anonymize one by one")):
            r = values[name]
            rows.append((f"{label} ({r['cells']:,} notes)", f"{r['per_second']:,.0f} cells/s", "(measure)", ""))
    if ps := results.get("vs_presidio_structured"):
        rows.append((f"presidio-structured n={ps['n']} ({ps['rows']:,} x 20)", f"{ps['ps_seconds']:.2f} s", "", ""))
        rows.append(("sanitas classify_frame, same frame and n", f"{ps['classify_frame_seconds']:.3f} s", "", ""))
        rows.append(("speed-up", f"{ps['ratio']:.1f}x (scan_dataset {ps['ratio_scan']:.1f}x)", ">= 10x",
                     verdict(min(ps["ratio"], ps["ratio_scan"]) >= 10)))
        rows.append(("column F1 sanitas vs presidio-structured", f"{ps['sanitas_f1']:.3f} vs {ps['ps_f1']:.3f}",
                     "equal or better", verdict(min(ps["sanitas_f1"], ps["sanitas_scan_f1"]) >= ps["ps_f1"])))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess runs of scan and apply")
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")

    print(f"machine: {machine()}")
    if any(name in TAKES_DATA for name in chosen) and not args.data.is_file():
        code, _, _ = run("make_data.py", ["-o", str(args.data)])
        if code != 0:
            print(f"make_data.py failed (exit {code})", file=sys.stderr)
            return code

    results: dict[str, dict[str, Any]] = {}
    walls: dict[str, float] = {}
    failed: list[str] = []
    for name in chosen:
        extra = ["--data", str(args.data)] if name in TAKES_DATA else []
        if args.no_cli and name in TAKES_NO_CLI:
            extra.append("--no-cli")
        code, result, walls[name] = run(BENCHES[name], extra)
        if code != 0:
            failed.append(f"{name} (exit {code})")
        elif result is not None:  # the k-anonymity and GUI benchmarks print their own figures
            results[name] = result

    rows = [("MEASURE", "FIGURE", "TARGET", ""), *summary_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print("\n" + "=" * 100 + "\nSUMMARY  " + machine())
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    print("wall time per benchmark: " + ", ".join(f"{k} {v:.0f} s" for k, v in walls.items()))
    if failed:
        print(f"benchmarks that did not finish: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
