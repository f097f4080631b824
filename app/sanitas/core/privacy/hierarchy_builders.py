"""Hierarchies built from a column's values, so the analyst starts from a sound one and edits it.

Level 0 is keyed by ``value_text`` (what ``encode`` looks up); labels are derived once per distinct
value, vectorized, and the top level is '*'. Interval edges nest, so each level is a coarsening.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl

from sanitas.core.privacy.hierarchy import STAR, Hierarchy, HierarchyError, level_name, quoted, value_text

Kind = Literal["number", "date", "postal", "category"]
DATE_LEVELS = ("day", "month", "year", "decade")
DATE_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
POSTAL_NAME = re.compile(r"zip|postal|post_?code|plz", re.IGNORECASE)
MAX_STEPS = 64
Groups = Mapping[str, Sequence[str]]
Values = pl.Series | Sequence[Any]  # a column, or a plain list named by ``column``


def _series(values: Values, column: str | None) -> pl.Series:
    series = values if isinstance(values, pl.Series) else pl.Series(column or "value", list(values), strict=False)
    return series.alias(column) if column else series


def _build(column: str, keys: pl.Series, labels: list[pl.Series], by: pl.Series | None = None) -> Hierarchy:
    """A hierarchy from distinct keys and one label Series per level, with '*' on top.

    Rows are sorted (by ``by``, else by key) so the same values give the same file and codes whatever
    the order of the rows they came from."""
    levels = {level_name(0): keys.cast(pl.String)}
    for i, level in enumerate(labels, start=1):
        levels[level_name(i)] = level.cast(pl.String)
    levels[level_name(len(labels) + 1)] = pl.Series([STAR] * keys.len(), dtype=pl.String)
    order = (keys if by is None else by).arg_sort()
    return Hierarchy(column, pl.DataFrame(levels)[order])


def _distinct(series: pl.Series) -> pl.DataFrame:
    """Distinct non-null values: the original (``raw``) beside its key text (``key``)."""
    frame = pl.DataFrame({"raw": series, "key": value_text(series)}).drop_nulls("key")
    return frame.unique("key", maintain_order=True)


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
    Labels: '30-34' for whole numbers ('range'), '[30, 35[' as ARX writes them ('interval')."""
    series = _series(values, column)
    distinct = _distinct(series)
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
    return _build(series.name, distinct["key"], labels, by=numbers)


def _numbers(name: str, distinct: pl.DataFrame) -> pl.Series:
    raw = distinct["raw"]
    numbers = (raw if raw.dtype.is_numeric() else raw.cast(pl.String).str.strip_chars()).cast(pl.Float64, strict=False)
    if bad := numbers.len() - int(numbers.is_finite().sum()):
        raise HierarchyError(f"Column '{name}': {bad} distinct values are not finite numbers; clean them first.")
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
    if any(width <= 0 for width in widths):
        raise HierarchyError(f"Column '{name}': interval widths must be positive; got {list(widths)}.")
    for before, width in itertools.pairwise(widths):
        if width / before < 2 - 1e-9 or abs(width / before - round(width / before)) > 1e-9:
            raise HierarchyError(
                f"Column '{name}': width {width:g} is not a multiple (2x or more) of {before:g}, so its intervals "
                "would not group whole intervals of the level below."
            )


def _checked_edges(name: str, edges: Sequence[Sequence[float]]) -> list[list[float]]:
    cuts = [sorted({float(e) for e in level}) for level in edges]
    if not all(cuts):
        raise HierarchyError(f"Column '{name}': every level needs at least one edge; got {list(edges)}.")
    for i, (finer, level) in enumerate(itertools.pairwise(cuts), start=2):
        if extra := sorted(set(level) - set(finer)):
            raise HierarchyError(
                f"Column '{name}': level {i} cuts at {quoted([f'{e:g}' for e in extra])}, which level {i - 1} does "
                "not; a coarser level may only drop edges of the level below."
            )
    return cuts


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
    """'30-34' or '30' (range), '[30, 35[' (interval), '<18' and '>=65' at the open ends."""
    lo, hi = value_text(low), value_text(high)
    closed = (lo + "-" + value_text(high - 1)).zip_with(high - 1 != low, lo) if as_range else "[" + lo + ", " + hi + "["
    return ("<" + hi).zip_with(low.is_infinite(), (">=" + lo).zip_with(high.is_infinite(), closed))


# dates, postal codes, categories -----------------------------------------------------------------
def dates(
    values: Values,
    levels: Sequence[str] = ("month", "year", "decade"),
    *,
    date_format: str | None = None,
    column: str | None = None,
) -> Hierarchy:
    """Calendar periods, finest first, from a Date/Datetime column or text dates (ISO unless ``date_format``)."""
    series = _series(values, column)
    order = [DATE_LEVELS.index(unit) if unit in DATE_LEVELS else -1 for unit in levels]
    if -1 in order or order != sorted(set(order)):
        raise HierarchyError(f"Date levels must be some of {', '.join(DATE_LEVELS)} in that order; got {list(levels)}.")
    distinct = _distinct(series)
    day = _as_dates(series.name, distinct["raw"], date_format)
    decade = (day.dt.year() - day.dt.year() % 10).cast(pl.String) + "s"
    labels = [decade if unit == "decade" else day.dt.strftime(DATE_FORMATS[unit]) for unit in levels]
    return _build(series.name, distinct["key"], labels, by=day)


def _as_dates(name: str, raw: pl.Series, date_format: str | None) -> pl.Series:
    if raw.dtype == pl.Date or isinstance(raw.dtype, pl.Datetime):
        return raw.dt.date()  # a zoned datetime's day where it happened
    text = raw.cast(pl.String).str.strip_chars()
    parsed = text.str.to_date(date_format, strict=False)
    if date_format is None and parsed.null_count():
        parsed = parsed.fill_null(text.str.to_datetime(strict=False).dt.date())
    if parsed.null_count():
        hint = "check date_format" if date_format else "give date_format (e.g. %d/%m/%Y)"
        raise HierarchyError(f"Column '{name}': {parsed.null_count()} distinct values do not read as dates; {hint}.")
    return parsed


def postal_codes(values: Values, strip: Sequence[int] | None = None, *, column: str | None = None) -> Hierarchy:
    """Trailing characters redacted, one more per level by default: 02139, 0213*, 021**, ..., *.

    An integer column lost its leading zeros on reading (02139 became 2139); the labels pad them back
    to the longest code, while level 0 keeps the column's own text so that ``encode`` finds it."""
    series = _series(values, column)
    distinct = _distinct(series)
    text = distinct["key"].str.strip_chars()
    longest = int(text.str.len_chars().max() or 0)
    if series.dtype.is_integer():
        text = text.str.zfill(longest)
    steps = list(strip) if strip is not None else list(range(1, longest))
    if any(s <= 0 for s in steps) or steps != sorted(set(steps)):
        raise HierarchyError(f"Column '{series.name}': strip must be increasing positive counts; got {steps}.")
    length = text.str.len_chars()
    labels = [text.str.slice(0, (length.cast(pl.Int64) - s).clip(0)).str.pad_end(length, STAR) for s in steps]
    return _build(series.name, distinct["key"], labels, by=text)


def categories(
    values: Values,
    groups: Groups | Sequence[Groups] | None = None,
    *,
    other: str | None = None,
    column: str | None = None,
) -> Hierarchy:
    """Suppression only (value, '*') unless a grouping is given: value, group, ..., '*'.

    ``groups`` maps each group to its members; a list of such mappings adds levels (values to groups,
    then groups to larger groups). A value in no group is an error listing it unless ``other`` names
    a group for the rest. Members not in the column are kept, so the hierarchy covers later data too."""
    series = _series(values, column)
    keys = _distinct(series)["key"].sort()
    levels = [groups] if isinstance(groups, Mapping) else list(groups or [])
    if levels:
        members = pl.Series(list(dict.fromkeys(m for ms in levels[0].values() for m in ms)), dtype=pl.String)
        keys = pl.concat([keys, members.filter(~members.is_in(keys.implode()))])
    labels = [keys]
    for depth, grouping in enumerate(levels, start=1):
        labels.append(_grouped(series.name, labels[-1], grouping, other, depth))
    return _build(series.name, keys, labels[1:])


def _grouped(name: str, labels: pl.Series, grouping: Groups, other: str | None, depth: int) -> pl.Series:
    owner: dict[str, str] = {}
    for group, members in grouping.items():
        for member in members:
            if owner.setdefault(member, group) != group:
                raise HierarchyError(
                    f"Column '{name}': '{member}' is in two groups at level {depth} ('{owner[member]}', '{group}')."
                )
    if (loose := [v for v in labels.unique(maintain_order=True).to_list() if v not in owner]) and other is None:
        raise HierarchyError(
            f"Column '{name}': {len(loose)} labels are in no group at level {depth}: {quoted(loose)}. "
            "Add them to a group, or name a group for the rest ('other')."
        )
    return labels.replace_strict(list(owner), list(owner.values()), default=other, return_dtype=pl.String)


# choosing a builder ------------------------------------------------------------------------------
def guess_kind(series: pl.Series) -> Kind:
    """The builder a column most likely wants, from its dtype, its name and its values.

    Text postal codes are all digits of one length (4 or more), some with a leading zero that a
    number would have lost; an integer column is taken for postal codes only by its name."""
    dtype, postal_name = series.dtype, bool(POSTAL_NAME.search(series.name))
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "date"
    if dtype.is_numeric():
        return "postal" if postal_name and dtype.is_integer() else "number"
    text = series.drop_nulls().unique().str.strip_chars() if dtype == pl.String else pl.Series([], dtype=pl.String)
    if text.is_empty():
        return "category"
    digits = bool(text.str.contains(r"^\d{4,}$").all()) and text.str.len_chars().n_unique() == 1
    if postal_name or (digits and bool(text.str.starts_with("0").any())):
        return "postal"
    if text.str.to_date(strict=False).null_count() == 0:
        return "date"
    return "number" if text.cast(pl.Float64, strict=False).null_count() == 0 else "category"


def auto_hierarchy(series: pl.Series, kind: Kind | None = None, **options: Any) -> Hierarchy:
    """A first hierarchy for a column; ``kind`` overrides the guess, ``options`` go to the builder."""
    chosen = kind or guess_kind(series)
    builders = {"number": numeric_intervals, "date": dates, "postal": postal_codes, "category": categories}
    if chosen not in builders:
        raise HierarchyError(f"Unknown hierarchy kind '{chosen}'; use number, date, postal or category.")
    if chosen == "date" and isinstance(series.dtype, pl.Datetime):
        options.setdefault("levels", DATE_LEVELS)
    return builders[chosen](series, **options)
