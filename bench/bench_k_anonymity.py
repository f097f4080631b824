"""Benchmark k-anonymity (issue 4): global recoding with the ARX adult hierarchies, and Mondrian.

    .venv/bin/python bench/bench_k_anonymity.py [--rows 30000] [--big-rows 1000000] [--no-big]

(a) 30,000 rows x 8 quasi-identifiers (age, education, marital-status, native-country, occupation,
race, sex, workclass) drawn from each ARX adult hierarchy's level-0 values, skewed like the real
data (seed 1); salary-class is the sensitive column. k = 2, 5, 10 at 5% suppression, then k = 5 with
distinct 2-diversity and k = 5 with equal-distance 0.2-closeness on salary-class. Each timing
includes reading the hierarchy files (``read_arx_csv``) and the ``anonymize`` call:
target under 1 s.
(b) 1,000,000 rows x 6 quasi-identifiers (age, education, marital-status, occupation, race, sex),
k = 5: target under 15 s, and peak RSS above the RSS just before the call (sampled every 10 ms)
under 3x the input's Arrow size (``frame.to_arrow().nbytes``). Mondrian (k = 5) on the same table
is timed for reference (no target).
(c) ``--release``: the whole 1,000,000-row release, as an analyst runs it: the table of (b) plus a
``salary-class`` column written to a CSV, a recipe that keeps every column and sets a k_anonymity
section (k = 5, 5% suppression, the ARX adult hierarchy files), and ``sanitas apply`` in a child
process. Printed: wall time and the child's peak RSS (ru_maxrss: the whole process, imports, reading,
scan, search, verification, reports and the CSV written) and that peak over the table's Arrow size;
target under 0.6 GB (ARX's own run of the same release peaks at 1.16 GB). The release is streamed
(privacy/k_anonymity/batches.py): neither the input nor the released table is ever whole in memory.
The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

# _common first (before any sanitas import): offline guard, isolated settings.
from _common import ROOT, SANITAS_CLI, PeakRss, bench_env, machine, mb, rss, verdict

HIERARCHIES = ROOT / "tests" / "support" / "arx-hierarchies" / "adult"
QIS_30K = ["age", "education", "marital-status", "native-country", "occupation", "race", "sex", "workclass"]
QIS_1M = ["age", "education", "marital-status", "occupation", "race", "sex"]
SENSITIVE = "salary-class"
TARGET_30K = 1.0
TARGET_1M = 15.0
TARGET_RSS_FACTOR = 3.0
TARGET_RELEASE_RSS = 0.6e9


def level0(column: str) -> list[str]:
    """The hierarchy file's first-column values, in file order (ARX lists the common ones first)."""
    lines = (HIERARCHIES / f"adult_hierarchy_{column}.csv").read_text().splitlines()
    return [line.split(";")[0] for line in lines if line.strip()]


def make_table(rows: int, columns: Sequence[str], seed: int = 1) -> Any:
    """Skewed draws: age roughly normal around 38 (as in adult), other columns Zipf-like over file order,
    salary-class about 24% '>50K'. Age is a string column, as in the hierarchy file."""
    import polars as pl

    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    for column in columns:
        values = level0(column)
        if column == "age":
            ages = np.clip(np.rint(rng.normal(38.6, 13.6, rows)), 17, 90).astype(int)
            assert {str(a) for a in range(17, 91)} <= set(values), "the age hierarchy lacks ages 17-90"
            data[column] = pl.Series(column, [str(a) for a in range(91)], pl.String).gather(ages)
            continue
        weights = 1.0 / np.arange(1, len(values) + 1) ** 1.3
        data[column] = pl.Series(column, values, pl.String).gather(
            rng.choice(len(values), rows, p=weights / weights.sum()))
    salary = level0(SENSITIVE)
    high = salary.index(">50K") if ">50K" in salary else 0
    data[SENSITIVE] = pl.Series(SENSITIVE, salary, pl.String).gather(np.where(rng.random(rows) < 0.24, high, 1 - high))
    return pl.DataFrame(data)


def run_anonymize(frame: Any, qis: list[str], **models: Any) -> tuple[float, Any]:
    """Read the hierarchies and anonymize, timed together."""
    from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
    from sanitas.core.privacy.k_anonymity.anonymize import anonymize

    started = time.perf_counter()
    hierarchies = {c: read_arx_csv(HIERARCHIES / f"adult_hierarchy_{c}.csv", c) for c in qis}
    config = {"quasi_identifiers": qis, "hierarchies": hierarchies, "suppression_limit": 0.05, **models}
    result = anonymize(frame, config)
    return time.perf_counter() - started, result


def describe(name: str, seconds: float, result: Any, target: float) -> dict[str, Any]:
    stats, facts = result.stats, result.facts
    levels = ", ".join(f"{c} {v}" for c, v in result.levels.items())
    print(f"{name:<26} {seconds:6.2f} s  {verdict(seconds < target)}  levels [{levels}]")
    print(f"{'':<26} suppressed {facts.suppressed:,}, loss {result.loss:.4f}, nodes {stats.nodes_evaluated:,}/"
          f"{stats.nodes_total:,} (pruned {stats.pruned:,}), strategy {stats.strategy}"
          f"{'' if stats.exact else ' (not exact)'}, classes {facts.classes:,}, k {facts.k}"
          f"{'' if facts.distinct_l is None else f', l {facts.distinct_l}, t {facts.t:.3f}'}")
    return {"seconds": round(seconds, 3), "pass": seconds < target, "levels": result.levels,
            "suppressed": facts.suppressed, "loss": round(result.loss, 5), "nodes_evaluated": stats.nodes_evaluated,
            "nodes_total": stats.nodes_total, "strategy": stats.strategy}


def small(rows: int) -> dict[str, Any]:
    from sanitas.core.privacy.k_anonymity.models import LDiversity, TCloseness

    frame = make_table(rows, QIS_30K)
    print(f"\n(a) {frame.height:,} rows x {len(QIS_30K)} quasi-identifiers, 5% suppression, target < {TARGET_30K:g} s "
          "(hierarchy files + anonymize)")
    run_anonymize(frame.head(1000), QIS_30K, k=2)  # warm-up: first-call imports and polars start-up
    out: dict[str, Any] = {}
    for k in (2, 5, 10):
        seconds, result = run_anonymize(frame, QIS_30K, k=k)
        out[f"k{k}"] = describe(f"k={k}", seconds, result, TARGET_30K)
    seconds, result = run_anonymize(frame, QIS_30K, k=5, sensitive=[SENSITIVE],
                                    l_diversity=LDiversity(variant="distinct", l=2))
    out["k5_l2"] = describe("k=5, distinct 2-diversity", seconds, result, TARGET_30K)
    seconds, result = run_anonymize(frame, QIS_30K, k=5, sensitive=[SENSITIVE],
                                    t_closeness=TCloseness(variant="equal", t=0.2))
    out["k5_t0.2"] = describe("k=5, 0.2-closeness", seconds, result, TARGET_30K)
    return out


def big(rows: int) -> dict[str, Any]:
    import polars as pl

    from sanitas.core.privacy.k_anonymity.mondrian import mondrian

    frame = make_table(rows, QIS_1M)
    arrow = frame.to_arrow().nbytes
    print(f"\n(b) {frame.height:,} rows x {len(QIS_1M)} quasi-identifiers, k = 5, 5% suppression; "
          f"Arrow size {mb(arrow)}; targets < {TARGET_1M:g} s, peak RSS over the start < "
          f"{TARGET_RSS_FACTOR:g}x Arrow = "
          f"{mb(TARGET_RSS_FACTOR * arrow)}")
    gc.collect()
    before = rss()
    with PeakRss() as peak:
        seconds, result = run_anonymize(frame, QIS_1M, k=5)
    extra = peak.peak - before
    out = describe("k=5 (1M)", seconds, result, TARGET_1M)
    memory_ok = extra < TARGET_RSS_FACTOR * arrow
    print(f"{'':<26} peak RSS +{mb(extra)} over {mb(before)} = {extra / arrow:.2f}x Arrow  {verdict(memory_ok)}")
    out.update(peak_rss_over_start=extra, arrow_bytes=arrow, rss_factor=round(extra / arrow, 2), memory_pass=memory_ok)
    del result
    gc.collect()

    numeric = frame.with_columns(pl.col("age").cast(pl.Int64))
    before = rss()
    with PeakRss() as peak:
        done = mondrian(numeric, QIS_1M, 5, numeric={"age"})
    extra = peak.peak - before
    print(f"{'Mondrian k=5 (1M)':<26} {done.seconds:6.2f} s  (reference) {done.partitions:,} partitions, smallest "
          f"{done.smallest}, peak RSS +{mb(extra)} = {extra / arrow:.2f}x Arrow")
    out["mondrian"] = {"seconds": round(done.seconds, 3), "partitions": done.partitions, "smallest": done.smallest,
                       "peak_rss_over_start": extra}
    return out


def release(rows: int) -> dict[str, Any]:
    """``sanitas apply`` of a k_anonymity recipe on ``rows`` rows in a child process: time and peak RSS."""
    import resource
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    import yaml

    frame = make_table(rows, QIS_1M)
    with tempfile.TemporaryDirectory(prefix="sanitas-bench-kanon-") as tmp:
        folder = Path(tmp)
        frame.write_csv(folder / "adult.csv")
        hierarchies = {}
        for column in QIS_1M:
            shutil.copy(HIERARCHIES / f"adult_hierarchy_{column}.csv", folder / f"{column}.csv")
            hierarchies[column] = {"file": f"{column}.csv"}
        recipe = {"version": 1, "seed": 1, "columns": {c: {"action": "keep"} for c in frame.columns},
                  "k_anonymity": {"quasi_identifiers": QIS_1M, "k": 5, "suppression_limit": 0.05,
                                  "hierarchies": hierarchies}}
        (folder / "recipe.yaml").write_text(yaml.safe_dump(recipe, sort_keys=False))
        command = [str(SANITAS_CLI), "apply", str(folder / "adult.csv"), "--recipe", str(folder / "recipe.yaml"),
                   "-o", str(folder / "out.csv"), "--quiet"]
        started = time.perf_counter()
        done = subprocess.run(command, env=bench_env(), capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        size = (folder / "out.csv").stat().st_size if (folder / "out.csv").exists() else 0
    ok = done.returncode == 0 and peak < TARGET_RELEASE_RSS
    arrow = frame.to_arrow().nbytes
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"\n(c) sanitas apply, {rows:,} rows, k = 5 over {len(QIS_1M)} QIs: {seconds:.2f} s "
          f"(CPU {cpu.ru_utime + cpu.ru_stime:.2f} s), exit {done.returncode}, child peak RSS {mb(peak)} "
          f"({peak / 1e9:.2f} GB; target < 0.6 GB, ARX 1.16 GB)  {verdict(ok)}; {peak / arrow:.2f}x the table's "
          f"Arrow size ({mb(arrow)}); output {size / 1e6:.1f} MB")
    if done.returncode != 0:
        print((done.stdout + done.stderr)[-1500:])
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu.ru_utime + cpu.ru_stime, 2), "exit": done.returncode,
            "peak_rss": peak, "arrow_bytes": arrow, "rss_factor": round(peak / arrow, 2), "pass": ok}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--no-big", action="store_true", help="skip the 1M-row part")
    parser.add_argument("--release", action="store_true", help="also (c): sanitas apply of the 1M-row release")
    parser.add_argument("--only-release", action="store_true", help="(c) alone")
    args = parser.parse_args(argv)
    import polars as pl

    import sanitas.core.privacy.k_anonymity.anonymize  # noqa: F401  (imports are not part of the timings)

    print(f"machine: {machine()}; polars {pl.__version__}")
    result: dict[str, Any] = {}
    if not args.only_release:
        result["small"] = small(args.rows)
        if not args.no_big:
            result["big"] = big(args.big_rows)
    if args.release or args.only_release:
        result["release"] = release(args.big_rows)
    print("RESULT " + json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
