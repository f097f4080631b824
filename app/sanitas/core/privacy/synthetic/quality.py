"""Quality of a synthetic table: SDMetrics' QualityReport and DiagnosticReport through SDV 2.0's
``sdv.evaluation`` (``evaluate_quality`` / ``run_diagnostic``), on bounded samples of both tables."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pandas as pd

from sanitas.core.privacy.synthetic.facts import ColumnScore, Diagnostic, PairScore, Quality
from sanitas.core.privacy.synthetic.metadata import TABLE
from sanitas.core.privacy.synthetic.offline import load_sdv

WORST = 4  # columns plotted real vs synthetic


def bounded(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """At most ``rows`` rows, drawn at random with the seed (the whole frame when it is small enough)."""
    if len(frame) <= rows:
        return frame
    return frame.sample(n=rows, random_state=seed % 2**32).reset_index(drop=True)


def quality(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Any, *, max_rows: int, seed: int,
            constraints: list[dict[str, Any]] | None = None) -> Quality:
    """Overall score, per-column shapes, per-pair trends, the diagnostic, and the worst learned columns."""
    load_sdv()
    from sdv.evaluation import evaluate_quality, run_diagnostic

    real_s, synth_s = bounded(real, max_rows, seed), bounded(synthetic, max_rows, seed + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate_quality({TABLE: real_s}, {TABLE: synth_s}, metadata, verbose=False)
        diagnostic = run_diagnostic({TABLE: real_s}, {TABLE: synth_s}, metadata, constraints=constraints,
                                    verbose=False)
    shapes = [ColumnScore(column=str(r["Column"]), metric=str(r["Metric"]), score=_num(r["Score"]))
              for r in report.get_details("Column Shapes").to_dict("records")]
    pairs = [PairScore(columns=(str(r["Column 1"]), str(r["Column 2"])), metric=str(r["Metric"]),
                       score=_num(r["Score"]))
             for r in report.get_details("Column Pair Trends").to_dict("records")]
    pairs = [p for p in pairs if p.score is not None]  # SDMetrics leaves pairs without a real trend unscored
    worst = [s.column for s in sorted((s for s in shapes if s.score is not None), key=lambda s: s.score or 0.0)]
    return Quality(
        score=_num(report.get_score()),
        properties=_properties(report.get_properties()),
        column_shapes=shapes,
        column_pair_trends=pairs,
        diagnostic=Diagnostic(score=_num(diagnostic.get_score()), properties=_properties(diagnostic.get_properties())),
        worst_columns=worst[:WORST],
        real_rows=len(real_s),
        synthetic_rows=len(synth_s),
    )


def _properties(frame: pd.DataFrame) -> dict[str, float | None]:
    return {str(r["Property"]): _num(r["Score"]) for r in frame.to_dict("records")}


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else round(number, 6)
