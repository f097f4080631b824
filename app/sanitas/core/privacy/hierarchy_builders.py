"""Hierarchies built from a column's values, so the analyst starts from a sound one and edits it.

Level 0 is keyed by ``value_text`` (what ``encode`` looks up); labels are derived once per distinct
value, vectorized, and the top level is '*'. Interval edges nest, so each level is a coarsening.

A recipe's automatic rule (``{auto: number, first_width: 5}``) passes its options to these builders
through ``auto_hierarchy``; one options model per kind (``NumberOptions``...) mirrors each builder's
keyword arguments, so ``check_options`` refuses a misspelt or mistyped option when the recipe is
loaded, with what is allowed, rather than as a traceback when the release runs.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NamedTuple

import polars as pl
from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from sanitas.core.privacy.hierarchy import STAR, Hierarchy, HierarchyError, level_name, quoted, value_text

Kind = Literal["number", "date", "postal", "category"]
DATE_LEVELS = ("day", "month", "year", "decade")
DATE_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
POSTAL_NAME = re.compile(r"zip|postal|post_?code|plz", re.IGNORECASE)
MAX_STEPS = 64
# Day and month as 1-2 digits separated by '/', '.' or '-', the year last (2 or 4 digits), maybe then a
# time (ignored: the finest level is the day). 03/04/2021 is 3 April or 4 March, so the values (or
# date_format) must say which field is the day.
NUMERIC_DATE = (r"^((?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})(?P<sep2>[/.-])(?P<year>\d{4}|\d{2}))"
                r"(?:[ T]\d.*)?$")
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
    try:
        key = value_text(series)
    except pl.exceptions.PolarsError:  # durations, binary...: no text form to key a hierarchy by
        raise HierarchyError(f"Column '{series.name}' holds {series.dtype} values, which a hierarchy cannot key by; "
                             "convert the column to numbers, dates or text first.") from None
    frame = pl.DataFrame({"raw": series, "key": key}).drop_nulls("key")
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
    Labels: '30-34' for whole numbers ('range'; '-50 to -46' when the interval starts below zero, as
    '-50--46' would be ambiguous), '[30, 35[' as ARX writes them ('interval')."""
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
    if problem := _widths_problem(widths):
        raise HierarchyError(f"Column '{name}': {problem}.")


def _widths_problem(widths: Sequence[float]) -> str | None:
    if any(width <= 0 for width in widths):
        return f"interval widths must be positive; got {list(widths)}"
    for before, width in itertools.pairwise(widths):
        if width / before < 2 - 1e-9 or abs(width / before - round(width / before)) > 1e-9:
            return (f"width {width:g} is not a multiple (2x or more) of {before:g}, so its intervals would not "
                    "group whole intervals of the level below")
    return None


def _checked_edges(name: str, edges: Sequence[Sequence[float]]) -> list[list[float]]:
    cuts = [sorted({float(e) for e in level}) for level in edges]
    if problem := _edges_problem(edges, cuts):
        raise HierarchyError(f"Column '{name}': {problem}.")
    return cuts


def _edges_problem(edges: Sequence[Sequence[float]], cuts: list[list[float]]) -> str | None:
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


# dates, postal codes, categories -----------------------------------------------------------------
def dates(
    values: Values,
    levels: Sequence[str] = ("month", "year", "decade"),
    *,
    date_format: str | None = None,
    column: str | None = None,
) -> Hierarchy:
    """Calendar periods, finest first, from a Date/Datetime column or text dates.

    Text dates are read with ``date_format`` when given. Otherwise ISO dates (and what polars infers)
    are read as they are, while day and month written with '/', '.' or '-' and the year last
    (03/04/2021) are read day first only when some value has a first field above 12, month first only
    when some value has a second field above 12, and refused when no value tells: they would be
    silently read one way or the other."""
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
    dtype = raw.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return raw.dt.date()  # a zoned datetime's day where it happened
    if dtype.is_numeric() and date_format is None:
        raise HierarchyError(f"Column '{name}' holds numbers ({dtype}), not dates: choose another kind (number), or "
                             "give date_format if they are dates written as digits (e.g. '%Y%m%d').")
    if not (dtype in (pl.String, pl.Null) or dtype.is_integer() or isinstance(dtype, pl.Categorical | pl.Enum)):
        raise HierarchyError(f"Column '{name}' holds {dtype} values, not dates: convert it to dates or text dates "
                             "first, or choose another kind (number, postal or category).")
    text = raw.cast(pl.String).str.strip_chars()
    if date_format is not None:
        try:
            parsed = text.str.to_date(date_format, strict=False)
        except pl.exceptions.PolarsError:
            raise HierarchyError(f"Column '{name}': date_format '{date_format}' is not a date format; write it with "
                                 "strftime codes, e.g. '%d/%m/%Y' or '%m/%d/%Y'.") from None
    elif (numeric := _numeric_date_format(name, text)) is not None:
        parsed = text.str.extract(NUMERIC_DATE, 1).str.to_date(numeric, strict=False)
    else:
        parsed = _inferred_dates(text)
    if parsed.null_count():
        hint = ("check date_format" if date_format else "give date_format (e.g. '%d/%m/%Y' or '%m/%d/%Y'), or choose "
                "another kind (number, postal or category)")
        raise HierarchyError(f"Column '{name}': {parsed.null_count()} distinct values do not read as dates; {hint}.")
    return parsed


def _inferred_dates(text: pl.Series) -> pl.Series:
    """ISO dates and datetimes, and what else polars infers from the first value; null where none reads."""
    try:
        parsed = text.str.to_date(strict=False)
    except pl.exceptions.PolarsError:  # 'could not find an appropriate format': not dates
        parsed = pl.Series(text.name, [None] * text.len(), dtype=pl.Date)
    if parsed.null_count():
        with contextlib.suppress(pl.exceptions.PolarsError):
            parsed = parsed.fill_null(text.str.to_datetime(strict=False).dt.date())
    return parsed


def _numeric_date_format(name: str, text: pl.Series) -> str | None:
    """The format of dates written like 03/04/2021, told by the values, or None when there are none.

    A first field above 12 can only be a day ('%d/%m/%Y'), a second field above 12 only a day too
    ('%m/%d/%Y'); when no value has either, each date reads both ways, and guessing would silently
    move some to another month, so the analyst must say (date_format)."""
    parts = text.str.extract_groups(NUMERIC_DATE).struct.unnest().drop_nulls("first")
    if parts.is_empty():
        return None
    sep = parts["sep"][0]
    year = "%Y" if parts["year"].str.len_chars().min() == 4 else "%y"
    formats = f"'%m{sep}%d{sep}{year}' (month first) or '%d{sep}%m{sep}{year}' (day first)"
    if parts["year"].str.len_chars().n_unique() > 1:
        raise HierarchyError(f"Column '{name}': its dates write the year with 2 digits in some values and 4 in "
                             "others, so no one date_format reads them all; write every year with 4 digits first.")
    day_first = bool((parts["first"].cast(pl.Int32) > 12).any())
    month_first = bool((parts["second"].cast(pl.Int32) > 12).any())
    if day_first and month_first:
        raise HierarchyError(f"Column '{name}': some dates have a first field above 12 (day first) and others a "
                             "second field above 12 (month first), so they are not all written one way; clean the "
                             f"column, or give date_format ({formats}) and the dates written the other way will be "
                             "refused.")
    if not (day_first or month_first):
        raise HierarchyError(f"Column '{name}': its dates are written with '{sep}' and no value has a first or "
                             "second field above 12, so each one reads as day/month or as month/day. Say which with "
                             f"date_format: {formats}; in a recipe, hierarchies: {{{name}: {{auto: date, date_format: "
                             f"'%m{sep}%d{sep}{year}'}}}}.")
    return f"%d{sep}%m{sep}{year}" if day_first else f"%m{sep}%d{sep}{year}"


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
    a group for the rest. Members not in the column are kept, so the hierarchy covers later data too.
    Members and group names are compared as text, as the column's values are keyed (a recipe's
    ``[1, 2]`` matches an integer column's 1 and 2)."""
    series = _series(values, column)
    keys = _distinct(series)["key"].sort()
    nested = not isinstance(groups, Mapping)
    levels = [_text_grouping(series.name, g, f"groups[{i}]" if nested else "groups")
              for i, g in enumerate([groups] if not nested else list(groups or []))]
    if levels:
        members = pl.Series(list(dict.fromkeys(m for ms in levels[0].values() for m in ms)), dtype=pl.String)
        keys = pl.concat([keys, members.filter(~members.is_in(keys.implode()))])
    labels = [keys]
    for depth, grouping in enumerate(levels, start=1):
        labels.append(_grouped(series.name, labels[-1], grouping, other, depth))
    return _build(series.name, keys, labels[1:])


def _text_grouping(name: str, grouping: Any, where: str) -> dict[str, list[str]]:
    """A level's groups with names and members as text; a text member where a list belongs is refused
    (iterating it would make a group of its characters)."""
    if not isinstance(grouping, Mapping):
        raise HierarchyError(f"Column '{name}': {where} must map each group to a list of its values, e.g. "
                             f"{{East: [Boston, New York]}}; got {grouping!r}.")
    out: dict[str, list[str]] = {}
    for group, members in grouping.items():
        if isinstance(members, str | bytes) or not isinstance(members, Sequence):
            raise HierarchyError(f"Column '{name}': {where}.{group} must be a list of values, e.g. {group}: "
                                 f"[{members}]; got {members!r}.")
        out[_text(group)] = [_text(m) for m in members]
    return out


def _text(value: Any) -> str:
    """A configured value as the text a column's value is keyed by (value_text): 1.0 -> '1', True -> 'true'."""
    return value if isinstance(value, str) else str(value_text(pl.Series([value], strict=False)).item())


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
    # 03/04/2021 are dates, read day or month first as the values tell or refused by ``dates``: never
    # silently day first, as polars' own guess reads them
    if bool(text.str.contains(NUMERIC_DATE).all()) or _iso_dates(text):
        return "date"
    return "number" if text.cast(pl.Float64, strict=False).null_count() == 0 else "category"


def _iso_dates(text: pl.Series) -> bool:
    """Every value reads as a date by polars' own guess (slash dates are told apart before)."""
    try:
        return text.str.to_date(strict=False).null_count() == 0
    except pl.exceptions.PolarsError:  # 'could not find an appropriate format'
        return False


def auto_hierarchy(series: pl.Series, kind: Kind | None = None, **options: Any) -> Hierarchy:
    """A first hierarchy for a column; ``kind`` overrides the guess, ``options`` go to the builder.

    The options are checked first (``check_options``), and a column the builder cannot read (dates
    that are not dates...) is a HierarchyError naming the column, never a polars traceback."""
    chosen = kind or guess_kind(series)
    if chosen not in BUILDERS:
        raise HierarchyError(f"Unknown hierarchy kind '{chosen}'; use number, date, postal or category.")
    options, problems = check_options(chosen, options)
    if problems:
        raise HierarchyError(f"Column '{series.name}', 'auto: {chosen}' options: "
                             + "; ".join(problem.text() for problem in problems) + ".")
    if chosen == "date" and isinstance(series.dtype, pl.Datetime):
        options.setdefault("levels", DATE_LEVELS)
    try:
        return BUILDERS[chosen](series, **options)
    except pl.exceptions.PolarsError as exc:  # a safety net: the builders turn the problems they know into words
        raise HierarchyError(f"Column '{series.name}': a {chosen} hierarchy cannot be built from its {series.dtype} "
                             f"values ({type(exc).__name__}); choose another kind, or clean or convert the column "
                             "first.") from None


BUILDERS: dict[str, Any] = {"number": numeric_intervals, "date": dates, "postal": postal_codes,
                            "category": categories}


# the options of the automatic rules --------------------------------------------------------------
Number = Annotated[float, Strict(), AllowInfNan(False)]  # an int or a float as YAML reads it; not '5', not true
Positive = Annotated[Number, Field(gt=0)]
Count = Annotated[int, Strict(), Field(gt=0)]


class _Options(BaseModel):
    """One builder's keyword options as a recipe writes them: checked, never coerced (YAML '5' is text),
    and never stored: the recipe keeps what the analyst wrote. ``description`` says what is allowed."""

    model_config = ConfigDict(extra="forbid", strict=True)


class NumberOptions(_Options):
    """``numeric_intervals``: widths, first_width (times factor) or edges, and the label style."""

    widths: Annotated[list[Positive], Field(min_length=1)] | None = Field(
        None, description="a list of positive interval widths, one per level, each a whole multiple (2x or more) "
        "of the one before, e.g. [5, 10, 20]")
    first_width: Positive | None = Field(
        None, description="a positive number, the width of the level 1 intervals, e.g. 5 (each further level is "
        "factor times wider)")
    factor: Annotated[int, Strict(), Field(ge=2)] = Field(
        2, description="a whole number of 2 or more, how many times wider each level's intervals are, e.g. 2")
    edges: Annotated[list[Annotated[list[Number], Field(min_length=1)]], Field(min_length=1)] | None = Field(
        None, description="a list of cut-point lists, one per level, each coarser level keeping some cuts of the "
        "one below, e.g. [[18, 30, 45, 65], [18, 65]] (a single level may be written [18, 30, 45, 65])")
    origin: Number | None = Field(None, description="a number, where the intervals start, e.g. 0")
    style: Literal["auto", "range", "interval"] = Field(
        "auto", description="one of auto, range (30-34) or interval ([30, 35[)")

    @field_validator("widths")
    @classmethod
    def _nested_widths(cls, widths: list[float] | None) -> list[float] | None:
        if widths is not None and (problem := _widths_problem(widths)):
            raise ValueError(problem)
        return widths

    @field_validator("edges")
    @classmethod
    def _nested_edges(cls, edges: list[list[float]] | None) -> list[list[float]] | None:
        if edges is not None and (problem := _edges_problem(edges, [sorted(set(level)) for level in edges])):
            raise ValueError(problem)
        return edges

    @model_validator(mode="after")
    def _one_way(self) -> NumberOptions:
        given = [name for name in ("widths", "first_width", "edges") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give widths, first_width or edges, not several (got {', '.join(given)}); keep one")
        return self


class DateOptions(_Options):
    """``dates``: the calendar levels and how text dates are written."""

    levels: Annotated[list[Literal["day", "month", "year", "decade"]], Field(min_length=1)] | None = Field(
        None, description="a list of date levels, some of day, month, year, decade in that order, e.g. "
        "[month, year, decade]")
    date_format: str | None = Field(
        None, description="a strftime format of the column's text dates, e.g. '%d/%m/%Y' or '%m/%d/%Y'")

    @field_validator("levels")
    @classmethod
    def _in_order(cls, levels: list[str] | None) -> list[str] | None:
        order = [DATE_LEVELS.index(unit) for unit in levels or []]
        if order != sorted(set(order)):
            raise ValueError(f"must be {_described(cls, 'levels')} (finest first, each once); got {levels!r}")
        return levels

    @field_validator("date_format")
    @classmethod
    def _a_format(cls, date_format: str | None) -> str | None:
        if date_format is not None and "%" not in date_format:
            raise ValueError(f"must be {_described(cls, 'date_format')}; got {date_format!r}")
        return date_format


class PostalOptions(_Options):
    """``postal_codes``: how many trailing characters each level redacts."""

    strip: Annotated[list[Count], Field(min_length=1)] | None = Field(
        None, description="a list of how many trailing characters each level redacts, increasing, e.g. [1, 2, 3] "
        "(a single level: [2])")

    @field_validator("strip")
    @classmethod
    def _increasing(cls, strip: list[int] | None) -> list[int] | None:
        if strip is not None and strip != sorted(set(strip)):
            raise ValueError(f"must be {_described(cls, 'strip')}; got {strip!r}")
        return strip


class CategoryOptions(_Options):
    """``categories``: groups per level, and the group for the rest."""

    groups: Any = Field(
        None, description="a mapping of each group to the list of its values, e.g. {East: [Boston, New York], "
        "West: [Seattle]}, or a list of such mappings, one per level (level 2 groups the level 1 groups)")
    other: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="text, the group for values in no group, e.g. Other")

    @field_validator("groups", mode="before")
    @classmethod
    def _lists_of_values(cls, groups: Any) -> Any:
        if groups is None:
            return groups
        nested = not isinstance(groups, Mapping)
        if nested and (not isinstance(groups, list | tuple) or not groups):
            raise ValueError(f"must be {_described(cls, 'groups')}; got {groups!r}")
        problems = []
        for i, grouping in enumerate(groups if nested else [groups]):
            where = f"groups[{i}]" if nested else "groups"
            if not isinstance(grouping, Mapping) or not grouping:
                problems.append(f"{where} must map each group to the list of its values, e.g. {{East: [Boston, "
                                f"New York]}}; got {grouping!r}")
                continue
            for name, members in grouping.items():
                if not _scalar(name):
                    problems.append(f"{where}: group name {name!r} must be text or a number")
                elif not isinstance(members, list | tuple):
                    problems.append(f"{where}.{name} must be a list of values, e.g. {name}: [{members}]; got "
                                    f"{members!r}")
                elif not members:
                    problems.append(f"{where}.{name} lists no values; list them, or remove the group")
                elif bad := [m for m in members if not _scalar(m)]:
                    problems.append(f"{where}.{name} must be a list of values (text or numbers); got {bad[0]!r} "
                                    "in it")
        if problems:
            raise ValueError("; ".join(problems))
        return groups


OPTIONS: dict[str, type[_Options]] = {"number": NumberOptions, "date": DateOptions, "postal": PostalOptions,
                                      "category": CategoryOptions}


class OptionProblem(NamedTuple):
    """What is wrong with one option ('' for the options together), and the value given."""

    option: str
    message: str
    value: Any = None

    def text(self) -> str:
        return f"{self.option}: {self.message}" if self.option else self.message


def check_options(kind: str, options: Mapping[str, Any]) -> tuple[dict[str, Any], list[OptionProblem]]:
    """The options as the ``kind`` builder takes them, and every problem with them (unknown option,
    wrong type, empty, unknown value), each saying what is allowed.

    The options come back as given, except that a flat ``edges`` list of numbers becomes its one level
    ([0, 40] -> [[0, 40]]): a list of numbers can only be one level's cut points."""
    model, given = OPTIONS[kind], dict(options)
    options = dict(given)
    edges = options.get("edges")
    if kind == "number" and isinstance(edges, list) and edges and not any(isinstance(e, list) for e in edges):
        options["edges"] = [edges]
    try:
        model.model_validate(options)
    except ValidationError as exc:
        return options, _explained(kind, model, given, exc)
    return options, []


def _explained(kind: str, model: type[_Options], options: Mapping[str, Any],
               exc: ValidationError) -> list[OptionProblem]:
    """One problem per option, in words: pydantic's own messages ('Input should be a valid number') say
    neither what the option is for nor what to write instead."""
    allowed = list(model.model_fields)
    problems: dict[str, OptionProblem] = {}
    for error in exc.errors():
        option = str(error["loc"][0]) if error["loc"] else ""
        if option in problems:
            continue  # a union or a list reports one input several times
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(option, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = (f"unknown option for 'auto: {kind}'{hint}; the options are {', '.join(allowed)}: rename it, "
                       "or remove it")
        elif error["type"] == "value_error":
            message = str(error["msg"]).removeprefix("Value error, ")
        else:
            message = f"must be {_described(model, option)}; got {options.get(option)!r}"
        problems[option] = OptionProblem(option, message, options.get(option))
    return list(problems.values())


def _described(model: type[_Options], option: str) -> str:
    field = model.model_fields.get(option)
    return (field.description if field is not None else None) or "valid"


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and value == value  # text, a number or a boolean; not NaN
