"""Real-vs-synthetic distributions of the worst columns: the figures (``distribution``); the report draws
them as inline SVG (``report/synthetic_charts.py``, the report's own chart kit, no script).

No raw value reaches the report: numbers are binned between the 1st and 99th percentiles of the real
column (so neither extreme, often one person's, is printed) with edges rounded to three significant
digits; a category is named only when at least ``MIN_NAMED`` real rows hold it, the others are pooled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sanitas.core.privacy.synthetic.facts import PlotSeries

BINS = 10
MIN_NAMED = 10  # real rows a category needs before its name may appear in the report
TOP = 10


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return 0.0
    return float(f"{value:.3g}")


def _text(value: float, dates: bool) -> str:
    if dates:
        return str(pd.Timestamp(value * 1e9).date())
    return f"{value:,.3g}" if abs(value) < 1e6 else f"{value:.3g}"


def _as_float(col: pd.Series) -> tuple[np.ndarray, bool]:
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        values = col.astype("datetime64[ns]")
        return np.where(values.isna(), np.nan, values.astype("int64") / 1e9), True
    return pd.to_numeric(col, errors="coerce").astype(float).to_numpy(), False


def _numeric(name: str, real: pd.Series, synthetic: pd.Series, score: float | None) -> PlotSeries | None:
    r, dates = _as_float(real)
    s, _ = _as_float(synthetic)
    present = r[np.isfinite(r)]
    if present.size == 0:
        return None
    low, high = (_round(v) for v in np.percentile(present, [1, 99]))
    if high <= low:
        high = low + 1.0 if not dates else low + 86400.0
    edges = np.linspace(low, high, BINS + 1)
    edges = np.unique([_round(e) for e in edges])
    labels = [f"< {_text(edges[0], dates)}"]
    labels += [f"{_text(a, dates)} – {_text(b, dates)}" for a, b in itertools.pairwise(edges)]
    labels.append(f"≥ {_text(edges[-1], dates)}")

    def shares(values: np.ndarray) -> list[float]:
        finite = values[np.isfinite(values)]
        counts = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1)
        total = max(len(values), 1)
        out = [float(c) / total for c in counts]
        if np.isnan(r).any() or np.isnan(s).any():
            out.append(float(np.isnan(values).sum()) / total)
        return out

    if np.isnan(r).any() or np.isnan(s).any():
        labels.append("(missing)")
    return PlotSeries(column=name, kind="numeric", labels=labels, real=shares(r), synthetic=shares(s), score=score)


def _categorical(name: str, real: pd.Series, synthetic: pd.Series, score: float | None) -> PlotSeries:
    r = real.astype("object").where(real.notna(), None).map(lambda v: "(missing)" if v is None else str(v))
    s = synthetic.astype("object").where(synthetic.notna(), None).map(lambda v: "(missing)" if v is None else str(v))
    counts = r.value_counts()
    named = [str(v) for v, n in counts.items() if n >= MIN_NAMED][:TOP]
    pooled = len(set(counts.index) | set(s.unique())) - len(named)
    labels = list(named) + ([f"other ({pooled:,} categories)"] if pooled else [])

    def shares(values: pd.Series) -> list[float]:
        total = max(len(values), 1)
        out = [float((values == v).sum()) / total for v in named]
        if pooled:
            out.append(float((~values.isin(named)).sum()) / total)
        return out

    return PlotSeries(column=name, kind="categorical", labels=labels, real=shares(r), synthetic=shares(s), score=score)


def distribution(name: str, real: pd.Series, synthetic: pd.Series, score: float | None = None) -> PlotSeries | None:
    """The binned shares of one column in both tables (None for a column with nothing to plot)."""
    numeric = (pd.api.types.is_numeric_dtype(real.dtype) and not pd.api.types.is_bool_dtype(real.dtype)) \
        or pd.api.types.is_datetime64_any_dtype(real.dtype)
    if numeric and real.nunique() > BINS:
        return _numeric(name, real, synthetic, score)
    return _categorical(name, real, synthetic, score)


def distributions(real: pd.DataFrame, synthetic: pd.DataFrame, columns: Sequence[str],
                  scores: dict[str, float | None]) -> list[PlotSeries]:
    out = []
    for name in columns:
        plot = distribution(name, real[name], synthetic[name], scores.get(name))
        if plot is not None:
            out.append(plot)
    return out
