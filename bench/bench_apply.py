"""Benchmark `apply` of a 10-transform recipe on the 1M-row CSV: time and peak memory, in-process.

    .venv/bin/python bench/bench_apply.py [--data bench/data/customers_1m.csv] [--names-notes drop|keep] [--no-cli]

Targets (the issue), on the 2-core machine:
- engine.run + export_release (scan, read, 10 transforms, residual check, CSV + report) under 15 s,
  timed after the imports and the analyzer (spaCy + Presidio) are loaded;
- peak RSS above the RSS after warm-up under 3x the Arrow size of the collected input frame
  (``dataset.collect().to_arrow().nbytes``; polars' ``estimated_size()``, which leaves out its string
  views, is printed beside it). RSS is sampled every 10 ms in a background thread.

The recipe: keep city, sex, diagnosis, amount, plan, signup_date, product_sku, favorite_color; drop
street_address; redact ssn and ip_address; mask phone and card_number; pseudonymize customer_id
(token) and email (email format); generalize zip (postal), date_of_birth (date -> year) and age
(age_band). full_name and notes are dropped (or kept with ``--names-notes keep``): no fake and no
free-text scrub here (bench_values.py measures those). The key is a random key file in a temp dir.
The last line is ``RESULT {json}`` for run_all.py.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

# _common first (before any sanitas, Presidio or spaCy import): offline guard, isolated settings.
from _common import (
    DEFAULT_CSV,
    SANITAS_CLI,
    PeakRss,
    StepLog,
    bench_env,
    import_sanitas,
    machine,
    max_rss,
    mb,
    profiled,
    require_data,
    rss,
    verdict,
    warm_up,
)

TARGET_SECONDS = 15.0
TARGET_RSS_FACTOR = 3.0
KEY_FILE = "bench.key"


def write_key(folder: Path) -> Path:
    """A fresh random key for the bench recipe's pseudonyms, private (0600) like a real key file."""
    key = folder / KEY_FILE
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o600)
    return key


def recipe_data(names_notes: str) -> dict[str, Any]:
    """The benchmark recipe as YAML-ready data: ten transforms, keeps, and full_name/notes listed."""
    keep = {"action": "keep"}
    return {
        "version": 1,
        "seed": 20261123,
        "locale": "en_US",
        "unlisted_columns": "refuse",
        "keys": {"default": {"file": KEY_FILE}},
        "columns": {
            "customer_id": {"action": "pseudonymize", "params": {"format": "token", "prefix": "cust_"}},
            "full_name": {"action": names_notes},
            "email": {"action": "pseudonymize", "params": {"format": "email"}},
            "phone": {"action": "mask", "params": {"keep_last": 4}},
            "street_address": {"action": "drop"},
            "city": keep,
            "zip": {"action": "generalize", "params": {"method": "postal", "keep": 3}},
            "date_of_birth": {"action": "generalize", "params": {"method": "date", "to": "year"}},
            "age": {"action": "generalize", "params": {"method": "age_band", "width": 10, "top": 90}},
            "sex": keep,
            "ssn": {"action": "redact"},
            "card_number": {"action": "mask", "params": {"keep_last": 4}},
            "diagnosis": keep,
            "amount": keep,
            "plan": keep,
            "signup_date": keep,
            "product_sku": keep,
            "favorite_color": keep,
            "notes": {"action": names_notes},
            "ip_address": {"action": "redact"},
        },
    }


def apply_in_process(path: Path, recipe: Any, workdir: Path, steps: StepLog) -> tuple[dict[str, float], Any, Any]:
    """open_dataset + engine.run + export_release to a CSV in ``workdir``: timings, release, export.
    ``steps`` receives the progress messages (to put RSS peaks against steps)."""
    from sanitas.core.engine import run
    from sanitas.core.export import export_release
    from sanitas.core.io import open_dataset

    took: dict[str, float] = {}
    started = time.perf_counter()
    dataset = open_dataset(path)
    took["open"] = time.perf_counter() - started
    steps(0.0, "Opening the dataset")
    release = run(dataset, recipe, recipe_dir=workdir, progress=steps)
    took["run"] = time.perf_counter() - started - took["open"]
    mark = time.perf_counter()
    result = export_release(release, workdir / "customers_1m.clean.csv", progress=steps)
    took["export"] = time.perf_counter() - mark
    took["total"] = time.perf_counter() - started
    return took, release, result


def apply_cli(path: Path, recipe_path: Path, workdir: Path) -> tuple[float, int, int, str]:
    """`sanitas apply` in a fresh process: wall seconds, exit code, the child's peak RSS, output tail."""
    command = [str(SANITAS_CLI), "apply", str(path), "--recipe", str(recipe_path),
               "-o", str(workdir / "cli.clean.csv"), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(command, env=bench_env(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, done.returncode, child_peak, (done.stdout + done.stderr)[-1500:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--names-notes", choices=("drop", "keep"), default="drop",
                        help="what the recipe does with full_name and notes (drop)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess run")
    parser.add_argument("--without-residual", action="store_true",
                        help="diagnostic only: replace the residual check by a no-op to see what the rest costs "
                        "(never a figure for the target)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run under cProfile and print the top N functions (timings then include its overhead)")
    parser.add_argument("--profile-out", type=Path, default=None, help="also dump the cProfile stats to this file")
    args = parser.parse_args(argv)
    path = require_data(args.data)

    rss_start = rss()
    import_sanitas()
    import polars as pl

    from sanitas.core.recipe import parse_recipe

    rss_imports = rss()
    warm = warm_up()
    gc.collect()
    rss_warm = rss()
    print(f"machine: {machine()}; polars {pl.__version__}")
    print(f"data: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"warm-up (excluded): analyzer {warm['analyzer']:.2f} s, tiny scan {warm['tiny_scan']:.2f} s; "
          f"RSS start {mb(rss_start)}, after imports {mb(rss_imports)}, after warm-up {mb(rss_warm)}")

    if args.without_residual:
        import sanitas.core.engine as engine
        from sanitas.core.residual import ResidualCheck

        engine.residual_check = lambda *_, **__: ResidualCheck()  # type: ignore[assignment]
        print("DIAGNOSTIC RUN: residual check replaced by a no-op; the figures below are not the release's")

    data = recipe_data(args.names_notes)
    recipe = parse_recipe(data, source="bench recipe")
    actions = [p.action for p in recipe.columns.values()]
    print(f"recipe: {len(actions) - actions.count('keep')} columns transformed, {actions.count('keep')} kept "
          f"({', '.join(f'{a} x{actions.count(a)}' for a in dict.fromkeys(actions))})")

    with tempfile.TemporaryDirectory(prefix="sanitas-bench-apply-") as tmp:
        workdir = Path(tmp)
        (workdir / KEY_FILE).write_text(secrets.token_hex(32) + "\n")
        log = StepLog()
        with PeakRss() as peak, profiled(args.profile, args.profile_out):
            took, release, result = apply_in_process(path, recipe, workdir, log)
        finished = time.perf_counter()
        kernel_peak = max_rss()
        out_size = result.output.stat().st_size if result.output else 0

        print(f"\nin-process: open {took['open']:.2f} s + engine.run {took['run']:.2f} s + export_release "
              f"{took['export']:.2f} s = {took['total']:.2f} s")
        steps = dict(release.timings)
        write = result.report.timings.get("write", 0.0)
        steps["write (export)"] = write
        steps["report (export)"] = took["export"] - write
        print("steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
        print(f"output: {release.frame.height:,} rows x {release.frame.width} columns, {out_size / 1e6:.1f} MB CSV; "
              f"residual check clean: {release.residual.clean} ({release.residual.blocking_count} blocking)")
        print("RSS by step (progress message, seconds until the next one, peak RSS over warm-up), steps > 0.2 s:")
        for message, seconds, top in log.peaks(peak.timeline, finished):
            if seconds > 0.2:
                print(f"  {message[:60]:<60} {seconds:6.2f} s  +{mb(top - rss_warm)}")
        print("per column (ColumnOutcome.seconds):")
        for o in sorted(release.outcomes, key=lambda o: -o.seconds):
            print(f"  {o.name:<15} {o.action:<13} {o.seconds:6.3f} s")
        outcome_seconds = {o.name: round(o.seconds, 3) for o in release.outcomes}
        del release, result
        gc.collect()

        dataset_frame = __import__("sanitas.core.io", fromlist=["open_dataset"]).open_dataset(path).collect()
        # The data's in-memory Arrow size: the collected frame as an Arrow table (large_string offsets and
        # data buffers). polars' own estimated_size() is smaller: it leaves out its 16-byte string views.
        polars_size = dataset_frame.estimated_size()
        arrow = dataset_frame.to_arrow().nbytes
        del dataset_frame
        gc.collect()

        cli: dict[str, Any] = {}
        if not args.no_cli:
            recipe_path = workdir / "bench.recipe.yaml"
            recipe_path.write_text(yaml.safe_dump(data, sort_keys=False))
            seconds, code, child_peak, tail = apply_cli(path, recipe_path, workdir)
            cli = {"seconds": round(seconds, 2), "exit": code, "peak_rss_mib": round(child_peak / 2**20)}
            print(f"\nCLI `sanitas apply` (subprocess, incl. imports and model load): {seconds:.2f} s, exit {code}, "
                  f"child peak RSS (ru_maxrss) {mb(child_peak)}")
            if code != 0:
                print(tail, file=sys.stderr)

    over_warm = peak.peak - rss_warm
    budget = TARGET_RSS_FACTOR * arrow
    time_ok = took["total"] < TARGET_SECONDS
    rss_ok = over_warm < budget
    print(f"\nArrow size of the collected input frame (pyarrow Table.nbytes): {mb(arrow)}; budget "
          f"{TARGET_RSS_FACTOR:g}x = {mb(budget)} (polars estimated_size {mb(polars_size)}: "
          f"{over_warm / polars_size:.2f}x of that)")
    print(f"peak RSS (sampled, {peak.samples} samples) {mb(peak.peak)}: +{mb(over_warm)} over warm-up "
          f"({over_warm / arrow:.2f}x Arrow), +{mb(peak.peak - rss_imports)} over bare imports "
          f"({(peak.peak - rss_imports) / arrow:.2f}x); kernel ru_maxrss {mb(kernel_peak)}")
    print(f"apply {took['total']:.2f} s vs target < {TARGET_SECONDS:.0f} s: {verdict(time_ok)}")
    print(f"peak RSS over warm-up {over_warm / arrow:.2f}x Arrow size vs target < {TARGET_RSS_FACTOR:g}x: "
          f"{verdict(rss_ok)}")
    summary = {
        "bench": "apply", "without_residual": args.without_residual,
        "seconds": round(took["total"], 2), "target": TARGET_SECONDS, "pass": time_ok,
        "steps": {k: round(v, 2) for k, v in steps.items()}, "columns": outcome_seconds,
        "arrow_mib": round(arrow / 2**20), "polars_estimated_mib": round(polars_size / 2**20),
        "peak_over_warm_mib": round(over_warm / 2**20),
        "peak_over_imports_mib": round((peak.peak - rss_imports) / 2**20),
        "rss_factor": round(over_warm / arrow, 2), "rss_target": TARGET_RSS_FACTOR, "rss_pass": rss_ok, "cli": cli,
    }
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
