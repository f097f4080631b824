"""The release at 100k, 1M and 5M rows, streamed and in memory: time and peak RSS, each run in a fresh process.

    .venv/bin/python bench/bench_apply_scaling.py [--rows 100k,1m,5m] [--modes streamed,memory] [--batch-rows N]

Each run is a child process doing what `sanitas apply` does after parsing its arguments (open_dataset,
then ``release_to_file`` with bench_apply.py's ten-action recipe, its scan and residual check included),
with ``streamed=True`` (the default of `sanitas apply`) or ``streamed=False`` (engine.run, then
export_release). Printed per run: wall and CPU seconds (user+sys of the child, from wait4), peak RSS of the
child (ru_maxrss), and the release's own timings. Issue 15: costs grow linearly with the rows, and memory
stays flat with length when streaming. The 5M file is the 1M file's rows five times
(bench/data/customers_5m.csv, made here when missing: 1.3 GB on disk); the 100k and 1M files come from
make_data.py (run_all.py makes the 1M one).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import DATA, bench_env, machine, mb, require_data
from bench_apply import KEY_FILE, recipe_data

FILES = {"100k": DATA / "customers_100k.csv", "1m": DATA / "customers_1m.csv", "5m": DATA / "customers_5m.csv"}


def make_5m(one_million: Path, target: Path) -> None:
    """The 1M file's rows five times (header once), written beside it."""
    with open(one_million, "rb") as source:
        header = source.readline()
        body = source.read()
    with open(target, "wb") as out:
        out.write(header)
        for _ in range(5):
            out.write(body)


def record(path: Path, scanned: dict[str, Any]) -> dict[str, Any]:
    """The findings `sanitas plan` would record for ``path`` (scanned here, untimed; the 5M file reuses the
    1M file's scan, its rows repeated)."""
    from sanitas.core.detect import scan_dataset
    from sanitas.core.io import open_dataset
    from sanitas.core.recorded_findings import record_findings

    if "scan" not in scanned:
        scanned["scan"] = scan_dataset(open_dataset(path))
    return record_findings(scanned["scan"], path).model_dump(mode="json")


def child(mode: str, data: Path, work: Path, batch_rows: int) -> int:
    """One release in this process; prints its figures as JSON on the last line."""
    started = time.perf_counter()
    from sanitas.core.io import open_dataset
    from sanitas.core.recipe import parse_recipe
    from sanitas.core.streamed_release import release_to_file

    imported = time.perf_counter() - started
    data_recipe = recipe_data("drop")
    if (work / "findings.json").exists():
        data_recipe["findings"] = json.loads((work / "findings.json").read_text())
    recipe = parse_recipe(data_recipe, source="bench recipe")
    done = release_to_file(open_dataset(data), recipe, work / "out.csv", recipe_dir=work,
                           streamed=mode == "streamed", batch_rows=batch_rows)
    timings = {k: round(v, 2) for k, v in done.release.timings.items()}
    timings.update({f"export {k}": round(v, 2) for k, v in done.export.report.timings.items()})
    print(json.dumps({"imports": round(imported, 2), "timings": timings, "streamed": done.streamed,
                      "fallback": done.fallback, "rows": done.release.output_shape[0],
                      "clean": done.release.residual.clean, "bytes": (work / "out.csv").stat().st_size}))
    return 0


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, int, int, str]:
    """Wall seconds, CPU seconds, exit status, peak RSS (bytes) and the last output line of one child."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: its stdout into the pipe, then exec
        os.close(read)
        os.dup2(write, 1)
        os.execve(command[0], command, env)
    os.close(write)
    with os.fdopen(read) as pipe:
        output = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return (seconds, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024,
            last)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100k,1m,5m")
    parser.add_argument("--modes", default="streamed,memory")
    parser.add_argument("--batch-rows", type=int, default=50_000)
    parser.add_argument("--findings", choices=("recorded", "none"), default="recorded",
                        help="recorded (default): the recipe holds the findings, as after `sanitas plan`, so apply "
                        "skips the scan (and the NER model); none: apply scans")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, data, work = args.child
        return child(mode, Path(data), Path(work), args.batch_rows)
    print(f"machine: {machine()}; load {os.getloadavg()[0]:.1f}")
    results = []
    scanned: dict[str, Any] = {}
    for size in args.rows.split(","):
        path = FILES[size]
        if size == "5m" and not path.exists():
            make_5m(require_data(FILES["1m"]), path)
        require_data(path)
        if size != "5m":
            scanned.clear()
        findings = record(path, scanned) if args.findings == "recorded" else None
        for mode in args.modes.split(","):
            with tempfile.TemporaryDirectory(prefix="sanitas-bench-scaling-") as tmp:
                work = Path(tmp)
                (work / KEY_FILE).write_text(secrets.token_hex(32) + "\n")
                os.chmod(work / KEY_FILE, 0o600)
                if findings is not None:
                    (work / "findings.json").write_text(json.dumps(findings))
                load = os.getloadavg()[0]
                command = [sys.executable, str(Path(__file__).resolve()), "--batch-rows", str(args.batch_rows),
                           "--child", mode, str(path), str(work)]
                seconds, cpu, status, peak, last = run_child(command, bench_env())
                figures = json.loads(last) if status == 0 and last.startswith("{") else {"error": last[-500:]}
                row = {"rows": size, "mode": mode, "wall": round(seconds, 2), "cpu": round(cpu, 2),
                       "peak_rss": peak, "status": status, "load": round(load, 1), **figures}
                results.append(row)
                print(f"{size:>5} {mode:<9} wall {seconds:7.2f} s  cpu {cpu:7.2f} s  peak RSS {mb(peak):>10}  "
                      f"load {load:.1f}  exit {status}  {json.dumps(figures)[:300]}", flush=True)
    print("RESULT " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
