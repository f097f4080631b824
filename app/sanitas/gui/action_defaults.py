"""Working starting parameters when the analyst picks an action by hand.

Some actions cannot run on their schema defaults (generalize's ``bins`` needs a width). Choosing one
by hand must not leave a plan that silently does nothing, so the inspector starts from parameters
that fit the column: the suggested plan's parameters for its entity when they are for this action,
else ones read off the column itself (a date method for dates, round bins over a number's range, a
postal prefix for other text). Each candidate is checked with the transform's own ``parse_params``
and ``check``, so nothing here can disagree with what a recipe accepts.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from sanitas.core.errors import TransformError
from sanitas.core.plan import BY_ENTITY
from sanitas.core.transforms.registry import get_transform

SAMPLE = 5_000  # values read to choose a method and a width
TARGET_BINS = 10


def starting_params(action: str, column: pl.Series | None, entity: str | None) -> dict[str, Any]:
    """Parameters that make ``action`` work on ``column`` (``{}`` when the defaults already do)."""
    suggested = BY_ENTITY.get(entity or "")
    candidates: list[dict[str, Any]] = []
    if suggested is not None and suggested[0] == action:
        candidates.append(dict(suggested[1]))
    if action == "generalize" and column is not None:
        candidates += _generalize_candidates(column.head(SAMPLE) if column.len() > SAMPLE else column)
    candidates.append({})
    for params in candidates:
        if _works(action, params, column.dtype if column is not None else None):
            return params
    return {}


def _works(action: str, params: dict[str, Any], dtype: pl.DataType | None) -> bool:
    cls = get_transform(action)
    try:
        cls.parse_params(params)
    except TransformError:
        return False
    return dtype is None or not cls(params).check(dtype)


def _generalize_candidates(values: pl.Series) -> list[dict[str, Any]]:
    values = values.drop_nulls()
    if values.dtype.is_temporal():
        return [{"method": "date", "to": "year"}]
    numbers = values if values.dtype.is_numeric() else values.cast(pl.String).str.strip_chars().cast(
        pl.Float64, strict=False)
    numbers = numbers.drop_nulls()
    found: list[dict[str, Any]] = []
    if numbers.len() and numbers.len() >= 0.9 * max(values.len(), 1):
        low, high = float(numbers.min()), float(numbers.max())  # type: ignore[arg-type]
        found.append({"method": "bins", "width": nice_width(high - low)})
    elif values.dtype == pl.String:
        dates = values.str.to_date(strict=False).drop_nulls()
        if dates.len() >= 0.9 * values.len() and values.len():
            found.append({"method": "date", "to": "year"})
        found.append({"method": "postal", "keep": 3})
    return found


def nice_width(span: float, bins: int = TARGET_BINS) -> float | int:
    """A round width (1, 2 or 5 times a power of ten) cutting ``span`` into about ``bins`` ranges."""
    if not math.isfinite(span) or span <= 0:
        return 1
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if raw <= step * power:
            width = step * power
            return int(width) if float(width).is_integer() else width
    return 10 * power
