"""Throughput of the per-value transforms left out of the apply benchmark: fake and free-text scrub.

    .venv/bin/python bench/bench_values.py [--data bench/data/customers_1m.csv] [--fake-values 100000] [--notes 2000]

- fake: values/s for PERSON and EMAIL_ADDRESS on 100,000 distinct values (names and emails of the
  1M-row file), one fresh fake map each, default parameters (uniform draws, avoid_real, unique);
- scrub: cells/s on 2,000 distinct short notes from the demo generator, default parameters and with
  ``known_values_from: [full_name, email, phone]`` (the notes' own rows supply the known values);
- baseline: raw Presidio ``analyze`` + ``anonymize`` one note at a time on the same 2,000 notes, with
  Sanitas's analyzer and with Presidio's default recognizers on the same spaCy model (the issue's
  "about 100 short messages per second").
Imports, the spaCy model and the analyzers are loaded before timing. The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# _common first (before any sanitas, Presidio or spaCy import): offline guard, isolated settings.
from _common import DEFAULT_CSV, import_sanitas, load_generator, machine, require_data, warm_up

NOTES_SEED = 20261123
NOTE_ENTITIES = {"full_name": "PERSON", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER"}


def distinct_values(path: Path, column: str, n: int) -> Any:
    """The first ``n`` distinct non-null values of ``column`` in the CSV, as a polars Series."""
    import polars as pl

    frame = pl.scan_csv(path, infer_schema=False).select(pl.col(column).drop_nulls().unique(maintain_order=True))
    values = frame.head(n).collect().get_column(column)
    if values.len() < n:
        sys.exit(f"{path}: only {values.len():,} distinct {column} values, {n:,} wanted")
    return values


def fake_rate(values: Any, entity: str) -> dict[str, Any]:
    """Fake every distinct value once (fresh map); values per second and the transform's facts."""
    from sanitas.core.transforms.base import TransformContext
    from sanitas.core.transforms.fake import Fake

    transform = Fake({"entity": entity})
    context = TransformContext(column=values.name, entity=entity, seed=NOTES_SEED, shared={})
    started = time.perf_counter()
    out = transform.fit_apply(values, context)
    seconds = time.perf_counter() - started
    assert out.len() == values.len()
    return {"values": values.len(), "seconds": round(seconds, 3), "per_second": round(values.len() / seconds),
            "facts": transform.facts()}


def demo_notes(n: int) -> Any:
    """``n`` rows of the demo generator with distinct notes (and the name, email and phone beside them)."""
    gen = load_generator()
    rows = n * 3
    while True:
        frame = gen.generate(rows, NOTES_SEED)
        distinct = frame.unique("notes", keep="first", maintain_order=True).drop_nulls("notes")
        if distinct.height >= n or rows >= gen.ROW_BY_ROW_LIMIT:
            return distinct.head(n)
        rows *= 2


def scrub_rate(frame: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Scrub the notes column of ``frame`` (distinct cells); cells per second and the facts."""
    from sanitas.core.transforms.base import TransformContext
    from sanitas.core.transforms.scrub import Scrub

    transform = Scrub(params)
    context = TransformContext(column="notes", entity=None, seed=NOTES_SEED, source=frame,
                               column_entities={"notes": None, **NOTE_ENTITIES}, shared={})
    started = time.perf_counter()
    out = transform.fit_apply(frame.get_column("notes"), context)
    seconds = time.perf_counter() - started
    assert out.len() == frame.height
    return {"cells": frame.height, "seconds": round(seconds, 3), "per_second": round(frame.height / seconds, 1),
            "facts": transform.facts()}


def presidio_rate(notes: list[str], analyzer: Any) -> dict[str, Any]:
    """Presidio as documented: analyze then anonymize, one text at a time, default operator."""
    from presidio_anonymizer import AnonymizerEngine

    anonymizer = AnonymizerEngine()
    found: Counter[str] = Counter()
    changed = 0
    started = time.perf_counter()
    for note in notes:
        results = analyzer.analyze(text=note, language="en")
        done = anonymizer.anonymize(text=note, analyzer_results=results)
        found.update(item.entity_type for item in done.items)
        changed += done.text != note
    seconds = time.perf_counter() - started
    return {"cells": len(notes), "seconds": round(seconds, 3), "per_second": round(len(notes) / seconds, 1),
            "facts": {"cells_changed": changed, "entities": dict(sorted(found.items()))}}


def stock_analyzer(nlp_engine: Any) -> Any:
    """Presidio's default recognizers (its own PhoneRecognizer included) on Sanitas's loaded spaCy engine."""
    from presidio_analyzer import AnalyzerEngine

    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--fake-values", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=2_000)
    args = parser.parse_args(argv)
    path = require_data(args.data)

    import_sanitas()
    warm = warm_up()
    from sanitas.core.detect import get_analyzer

    analyzer = get_analyzer()[0]
    stock = stock_analyzer(analyzer.nlp_engine)
    print(f"machine: {machine()}")
    print(f"warm-up (excluded): analyzer {warm['analyzer']:.2f} s, tiny scan {warm['tiny_scan']:.2f} s")

    results: dict[str, Any] = {}
    for column, entity in (("full_name", "PERSON"), ("email", "EMAIL_ADDRESS")):
        values = distinct_values(path, column, args.fake_values)
        fake_rate(values.head(200), entity)  # warm: Faker import and locale providers
        r = fake_rate(values, entity)
        results[f"fake_{entity}"] = r
        facts = r["facts"]
        print(f"fake {entity:<13}: {r['values']:,} distinct values in {r['seconds']:.2f} s = "
              f"{r['per_second']:,} values/s "
              f"(duplicate fakes {facts.get('duplicate_fakes')}, equal to real {facts.get('equal_to_real')})")

    frame = demo_notes(args.notes)
    notes = frame.get_column("notes").to_list()
    print(f"\nnotes: {len(notes):,} distinct, mean {sum(map(len, notes)) / len(notes):.0f} characters "
          f"(demo generator, seed {NOTES_SEED})")
    scrub_rate(frame.head(20), {})  # warm: anonymizer import, first batches
    variants = {
        "scrub_default": lambda: scrub_rate(frame, {}),
        "scrub_known_values": lambda: scrub_rate(frame, {"known_values_from": list(NOTE_ENTITIES)}),
        "presidio_one_by_one_sanitas_analyzer": lambda: presidio_rate(notes, analyzer),
        "presidio_one_by_one_default_recognizers": lambda: presidio_rate(notes, stock),
    }
    for name, measure in variants.items():
        r = measure()
        results[name] = r
        facts = r["facts"]
        entities = ", ".join(f"{k} {v}" for k, v in facts.get("entities", {}).items())
        print(f"{name:<40}: {r['seconds']:6.2f} s = {r['per_second']:7.1f} cells/s; "
              f"cells changed {facts.get('cells_changed')}; {entities}")
    base = results["presidio_one_by_one_default_recognizers"]["per_second"]
    for name in ("scrub_default", "scrub_known_values"):
        print(f"{name} vs Presidio one-by-one (default recognizers): {results[name]['per_second'] / base:.1f}x")

    summary = {"bench": "values", **{k: {kk: vv for kk, vv in v.items() if kk != "facts"} for k, v in results.items()}}
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
