"""Detection evaluation: precision, recall and F1 per corpus and entity class (columns), and span
recall / word keep rate (free text), for Sanitas and Presidio's own tools on the same data.

    .venv/bin/python bench/eval_detection/run.py [--columns-only | --text-only] [--no-presidio]

Corpora come from Mimesis (six locales) and hand-written generators (see corpora.py, tickets.py):
never from Faker (the tests' generator) nor from the lists the lexicons were built from. Targets
(issue 12): column F1 >= 0.97 and right type >= 90% on the people export; F1 >= 0.93 and right type
>= 85% on European opaque headers; free text >= 95% of identifier spans removed, >= 90% of other
words kept. The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import import_sanitas
from columns import Score, score
from corpora import Corpus, all_corpora


def sanitas_columns(corpus: Corpus, tmp: Path) -> tuple[dict[str, list[str]], float]:
    from sanitas.core.detect import scan_dataset
    from sanitas.core.io import open_dataset

    path = tmp / "corpus.csv"
    corpus.frame.write_csv(path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # exports often carry a BOM
    started = time.perf_counter()
    result = scan_dataset(open_dataset(path))
    seconds = time.perf_counter() - started
    return {f.name: [e.entity for e in f.entities] for f in result.columns}, seconds


def presidio_columns(corpus: Corpus) -> tuple[dict[str, list[str]], float]:
    from presidio_structured import PandasAnalysisBuilder

    from sanitas.core.detect import get_analyzer

    builder = PandasAnalysisBuilder(analyzer=get_analyzer()[0])
    frame = corpus.frame.cast({c: str for c in corpus.frame.columns}).to_pandas()  # type: ignore[dict-item]
    started = time.perf_counter()
    analysis = builder.generate_analysis(frame, n=min(300, len(frame)))
    return {c: [e] for c, e in analysis.entity_mapping.items()}, time.perf_counter() - started


def column_table(with_presidio: bool) -> dict[str, object]:
    rows, summary = [], {}
    per_class: dict[str, dict[str, Score]] = {"sanitas": {}, "presidio": {}}
    with tempfile.TemporaryDirectory(prefix="sanitas-eval-") as folder:
        for corpus in all_corpora():
            found, secs = sanitas_columns(corpus, Path(folder))
            ours = score(corpus, found, per_class["sanitas"])
            theirs, psecs = presidio_columns(corpus) if with_presidio else ({}, 0.0)
            ps = score(corpus, theirs, per_class["presidio"]) if with_presidio else None
            rows.append((corpus.name, ours, secs, ps, psecs))
            summary[corpus.name] = {"f1": round(ours.f1, 3), "typed": round(ours.typed_share, 3),
                                    "presidio_f1": round(ps.f1, 3) if ps else None}
    print(f"\n{'corpus':<46} {'P':>5} {'R':>5} {'F1':>5} {'typed':>6} {'sec':>5} | presidio-structured P/R/F1")
    for name, s, secs, ps, psecs in rows:
        other = f"{ps.precision:.2f}/{ps.recall:.2f}/{ps.f1:.2f} ({psecs:.1f} s)" if ps else "-"
        print(f"{name:<46} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f} {s.typed_share:6.0%} {secs:5.1f} | {other}")
    for name, s, *_ in rows:
        if s.misses:
            print(f"  {name}: {'; '.join(s.misses)}")
    print(f"\n{'entity class (all corpora)':<46} {'P':>5} {'R':>5} {'F1':>5} {'typed':>6} | presidio F1")
    for cls, s in sorted(per_class["sanitas"].items()):
        ps = per_class["presidio"].get(cls)
        print(f"{cls:<46} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f} {s.typed_share:6.0%} | "
              f"{f'{ps.f1:.2f}' if ps else '-'}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns-only", action="store_true")
    parser.add_argument("--text-only", action="store_true")
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    import_sanitas()
    result: dict[str, object] = {}
    if not args.text_only:
        result["columns"] = column_table(not args.no_presidio)
    if not args.columns_only:
        from tickets import text_table

        result["text"] = text_table(not args.no_presidio)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
