"""Hierarchies built from a column's values, so the analyst starts from a sound one and edits it.

Level 0 is keyed by ``value_text`` (what ``encode`` looks up); labels are derived once per distinct
value, vectorized, and the top level is '*'. Interval edges nest, so each level is a coarsening.

A recipe's automatic rule (``{auto: number, first_width: 5}``) passes its options to these builders
through ``auto_hierarchy``; one options model per kind (``NumberOptions``...) mirrors each builder's
keyword arguments, so ``check_options`` refuses a misspelt or mistyped option when the recipe is
loaded, with what is allowed, rather than as a traceback when the release runs.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from sanitas.core.privacy.hierarchies._common import DATE_FORMATS, DATE_LEVELS, NUMERIC_DATE, POSTAL_NAME, Kind
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, HierarchyError
from sanitas.core.privacy.hierarchies.numbers import numeric_intervals
from sanitas.core.privacy.hierarchies.options import (
    OPTIONS,
    CategoryOptions,
    DateOptions,
    NumberOptions,
    OptionProblem,
    PostalOptions,
    check_options,
)
from sanitas.core.privacy.hierarchies.values import categories, dates, postal_codes

__all__ = [
    "BUILDERS", "DATE_FORMATS", "DATE_LEVELS", "OPTIONS", "CategoryOptions", "DateOptions", "Kind", "NumberOptions",
    "OptionProblem", "PostalOptions", "auto_hierarchy", "categories", "check_options", "dates", "guess_kind",
    "numeric_intervals", "postal_codes",
]


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


