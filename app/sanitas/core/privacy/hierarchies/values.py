"""Dates (day, month, year, decade), postal codes (digits stripped) and category groups."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from sanitas.core.privacy.hierarchies._common import (
    DATE_FORMATS,
    DATE_LEVELS,
    NUMERIC_DATE,
    Groups,
    Values,
    as_series,
    build_hierarchy,
    distinct_values,
)
from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, HierarchyError, quoted, value_text


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
    series = as_series(values, column)
    order = [DATE_LEVELS.index(unit) if unit in DATE_LEVELS else -1 for unit in levels]
    if -1 in order or order != sorted(set(order)):
        raise HierarchyError(f"Date levels must be some of {', '.join(DATE_LEVELS)} in that order; got {list(levels)}.")
    distinct = distinct_values(series)
    day = _as_dates(series.name, distinct["raw"], date_format)
    decade = (day.dt.year() - day.dt.year() % 10).cast(pl.String) + "s"
    labels = [decade if unit == "decade" else day.dt.strftime(DATE_FORMATS[unit]) for unit in levels]
    return build_hierarchy(series.name, distinct["key"], labels, by=day)


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
    series = as_series(values, column)
    distinct = distinct_values(series)
    text = distinct["key"].str.strip_chars()
    longest = int(text.str.len_chars().max() or 0)
    if series.dtype.is_integer():
        text = text.str.zfill(longest)
    steps = list(strip) if strip is not None else list(range(1, longest))
    if any(s <= 0 for s in steps) or steps != sorted(set(steps)):
        raise HierarchyError(f"Column '{series.name}': strip must be increasing positive counts; got {steps}.")
    length = text.str.len_chars()
    labels = [text.str.slice(0, (length.cast(pl.Int64) - s).clip(0)).str.pad_end(length, STAR) for s in steps]
    return build_hierarchy(series.name, distinct["key"], labels, by=text)


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
    series = as_series(values, column)
    keys = distinct_values(series)["key"].sort()
    nested = not isinstance(groups, Mapping)
    levels = [_text_grouping(series.name, g, f"groups[{i}]" if nested else "groups")
              for i, g in enumerate([groups] if not nested else list(groups or []))]
    if levels:
        members = pl.Series(list(dict.fromkeys(m for ms in levels[0].values() for m in ms)), dtype=pl.String)
        keys = pl.concat([keys, members.filter(~members.is_in(keys.implode()))])
    labels = [keys]
    for depth, grouping in enumerate(levels, start=1):
        labels.append(_grouped(series.name, labels[-1], grouping, other, depth))
    return build_hierarchy(series.name, keys, labels[1:])


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


