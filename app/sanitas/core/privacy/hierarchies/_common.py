"""What every builder shares: the kinds, level names, and building a Hierarchy from labels."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl

from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, HierarchyError, level_name, value_text

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



def as_series(values: Values, column: str | None) -> pl.Series:
    series = values if isinstance(values, pl.Series) else pl.Series(column or "value", list(values), strict=False)
    return series.alias(column) if column else series


def build_hierarchy(column: str, keys: pl.Series, labels: list[pl.Series], by: pl.Series | None = None) -> Hierarchy:
    """A hierarchy from distinct keys and one label Series per level, with '*' on top.

    Rows are sorted (by ``by``, else by key) so the same values give the same file and codes whatever
    the order of the rows they came from."""
    levels = {level_name(0): keys.cast(pl.String)}
    for i, level in enumerate(labels, start=1):
        levels[level_name(i)] = level.cast(pl.String)
    levels[level_name(len(labels) + 1)] = pl.Series([STAR] * keys.len(), dtype=pl.String)
    order = (keys if by is None else by).arg_sort()
    return Hierarchy(column, pl.DataFrame(levels)[order])


def distinct_values(series: pl.Series) -> pl.DataFrame:
    """Distinct non-null values: the original (``raw``) beside its key text (``key``)."""
    try:
        key = value_text(series)
    except pl.exceptions.PolarsError:  # durations, binary...: no text form to key a hierarchy by
        raise HierarchyError(f"Column '{series.name}' holds {series.dtype} values, which a hierarchy cannot key by; "
                             "convert the column to numbers, dates or text first.") from None
    frame = pl.DataFrame({"raw": series, "key": key}).drop_nulls("key")
    return frame.unique("key", maintain_order=True)


