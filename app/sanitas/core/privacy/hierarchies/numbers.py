"""Number intervals: fixed widths, growing widths, or the analyst's own edges; nested levels."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

import polars as pl

from sanitas.core.privacy.hierarchies._common import MAX_STEPS, Values, as_series, build_hierarchy, distinct_values
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, HierarchyError, quoted, value_text


# numbers -----------------------------------------------------------------------------------------
def numeric_intervals(
    values: Values,
    *,
    widths: Sequence[float] | None = None,
    first_width: float | None = None,
    factor: int = 2,
    edges: Sequence[Sequence[float]] | None = None,
    origin: float | None = None,
    style: Literal["auto", "range", "interval"] = "auto",
    column: str | None = None,
) -> Hierarchy:
    """Intervals per level: explicit ``widths`` (5, 10, 20), ``first_width`` times ``factor`` until one
    interval would hold everything, or explicit cut points per level (``edges``, with '<18' and '>=65'
    at the open ends). With none of them the first width is a round number giving about 20 intervals.
    Intervals start at ``origin`` (0, or below the smallest value when there are negative values).
    Labels: '30-34' for whole numbers ('range'; '-50 to -46' when the interval starts below zero, as
    '-50--46' would be ambiguous), '[30, 35[' as ARX writes them ('interval')."""
    series = as_series(values, column)
    distinct = distinct_values(series)
    numbers = _numbers(series.name, distinct)
    if sum(x is not None for x in (widths, first_width, edges)) > 1:
        raise HierarchyError(f"Column '{series.name}': give widths, first_width or edges, not several.")
    if edges is not None:
        cuts = _checked_edges(series.name, edges)
        bounds = [_edge_bounds(numbers, level) for level in cuts]
        whole_edges = all(float(e).is_integer() for level in cuts for e in level)
    else:
        first = widths[0] if widths else first_width if first_width is not None else _nice_width(numbers)
        _checked_widths(series.name, list(widths or [first]))
        smallest = float(numbers.min()) if numbers.len() else 0.0  # type: ignore[arg-type]
        origin = origin if origin is not None else min(0.0, math.floor(smallest / first) * first)
        chosen = list(widths) if widths is not None else _growing_widths(numbers, first, factor, origin)
        bounds = [_width_bounds(numbers, w, origin) for w in chosen]
        whole_edges = all(float(x).is_integer() for x in (*chosen, origin))
    whole = whole_edges and bool((numbers == numbers.floor()).all())
    if style == "range" and not whole:
        raise HierarchyError(f"Column '{series.name}': 'range' labels need whole numbers and edges; use 'interval'.")
    as_range = style == "range" or (style == "auto" and whole)
    labels = [_interval_labels(low, high, as_range) for low, high in bounds]
    return build_hierarchy(series.name, distinct["key"], labels, by=numbers)


def _numbers(name: str, distinct: pl.DataFrame) -> pl.Series:
    raw = distinct["raw"]
    numbers = (raw if raw.dtype.is_numeric() else raw.cast(pl.String).str.strip_chars()).cast(pl.Float64, strict=False)
    if bad := numbers.len() - int(numbers.is_finite().sum()):
        raise HierarchyError(f"Column '{name}': {bad} distinct values are not finite numbers; clean them first, or "
                             "choose another kind (date, postal or category).")
    return numbers


def _nice_width(numbers: pl.Series) -> float:
    """A 1, 2 or 5 times a power of ten giving about 20 intervals over the values' span."""
    step = float(numbers.max() - numbers.min()) / 20 if numbers.len() else 0.0  # type: ignore[operator]
    scale = 10.0 ** math.floor(math.log10(step)) if step > 0 else 1.0
    return next(m * scale for m in (1, 2, 5, 10) if m * scale >= step)


def _growing_widths(numbers: pl.Series, first: float, factor: int, origin: float) -> list[float]:
    """first * factor ** i, keeping the widths that merge intervals, until one interval would hold all."""
    if factor < 2 or factor != int(factor):
        raise HierarchyError(f"The factor must be a whole number of 2 or more so intervals nest; got {factor}.")
    widths, width, count = [float(first)], float(first), _width_bounds(numbers, first, origin)[0].n_unique()
    for _ in range(MAX_STEPS):  # values on both sides of a given origin never end in one interval
        width *= factor
        coarser = _width_bounds(numbers, width, origin)[0].n_unique()
        if coarser <= 1:
            break
        if coarser < count:
            widths, count = [*widths, width], coarser
    return widths


def _checked_widths(name: str, widths: list[float]) -> None:
    if problem := widths_problem(widths):
        raise HierarchyError(f"Column '{name}': {problem}.")


def widths_problem(widths: Sequence[float]) -> str | None:
    if any(width <= 0 for width in widths):
        return f"interval widths must be positive; got {list(widths)}"
    for before, width in itertools.pairwise(widths):
        if width / before < 2 - 1e-9 or abs(width / before - round(width / before)) > 1e-9:
            return (f"width {width:g} is not a multiple (2x or more) of {before:g}, so its intervals would not "
                    "group whole intervals of the level below")
    return None


def _checked_edges(name: str, edges: Sequence[Sequence[float]]) -> list[list[float]]:
    cuts = [sorted({float(e) for e in level}) for level in edges]
    if problem := edges_problem(edges, cuts):
        raise HierarchyError(f"Column '{name}': {problem}.")
    return cuts


def edges_problem(edges: Sequence[Sequence[float]], cuts: list[list[float]]) -> str | None:
    if not cuts or not all(cuts):
        return f"every level needs at least one edge; got {list(edges)}"
    for i, (finer, level) in enumerate(itertools.pairwise(cuts), start=2):
        if extra := sorted(set(level) - set(finer)):
            return (f"level {i} cuts at {quoted([f'{e:g}' for e in extra])}, which level {i - 1} does not; a coarser "
                    "level may only drop edges of the level below")
    return None


def _width_bounds(numbers: pl.Series, width: float, origin: float) -> tuple[pl.Series, pl.Series]:
    """Each value's interval [origin + k * width, origin + (k + 1) * width[. Edges are rounded to the
    decimals of width and origin (0.1-wide intervals end at 1.7, not 1.7000000000000002), so nested
    levels share them exactly, and values are compared with the edges themselves: 1.7 / 0.1 is
    16.999... in binary, yet 1.7 belongs in [1.7, 1.8[."""
    places = min(max(len(t.split(".")[1]) if "." in (t := f"{x:.10g}") else 0 for x in (width, origin)), 10)

    def edge(k: pl.Series) -> pl.Series:
        return (k * width + origin).round(places)

    k = ((numbers - origin) / width).floor()
    k = k + (numbers >= edge(k + 1)).cast(pl.Float64) - (numbers < edge(k)).cast(pl.Float64)
    return edge(k), edge(k + 1)


def _edge_bounds(numbers: pl.Series, cuts: list[float]) -> tuple[pl.Series, pl.Series]:
    """Each value's interval between explicit cut points; -inf / inf mark the open ends."""
    index = pl.Series(cuts, dtype=pl.Float64).search_sorted(numbers, side="right")
    low, high = pl.Series([-math.inf, *cuts]), pl.Series([*cuts, math.inf])
    return low.gather(index), high.gather(index)


def _interval_labels(low: pl.Series, high: pl.Series, as_range: bool) -> pl.Series:
    """'30-34' or '30' (range; '-50 to -46' and '-5 to 4' from a negative start, where a dash would be
    ambiguous), '[30, 35[' (interval), '<18' and '>=65' at the open ends."""
    lo, hi = value_text(low), value_text(high)
    if as_range:
        top = value_text(high - 1)
        closed = (lo + " to " + top).zip_with(low < 0, lo + "-" + top).zip_with(high - 1 != low, lo)
    else:
        closed = "[" + lo + ", " + hi + "["
    return ("<" + hi).zip_with(low.is_infinite(), (">=" + lo).zip_with(high.is_infinite(), closed))


