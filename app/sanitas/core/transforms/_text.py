"""Helpers several transforms share: dtype families, a text view of a column, value normalization."""

from __future__ import annotations

import unicodedata
from typing import Literal

import polars as pl

Normalization = Literal["none", "trim", "casefold", "email"]

EMAIL_ENTITIES = frozenset({"EMAIL_ADDRESS", "EMAIL"})


def is_null_dtype(dtype: pl.DataType) -> bool:
    return dtype == pl.Null


def is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def is_integer(dtype: pl.DataType) -> bool:
    return dtype.is_integer()


def is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric()


def is_temporal(dtype: pl.DataType) -> bool:
    return dtype == pl.Date or isinstance(dtype, pl.Datetime)


def as_text(column: pl.Series) -> pl.Series:
    """The column as strings (integers in decimal, dates in ISO form), same name and nulls."""
    if column.dtype == pl.String:
        return column
    return column.cast(pl.String).alias(column.name)


def default_normalization(entity: str | None) -> Normalization:
    """Emails compare case-insensitively in practice; everything else only loses stray whitespace."""
    return "email" if entity in EMAIL_ENTITIES else "trim"


def normalize(value: str, mode: Normalization) -> str:
    """Canonical form used before hashing or looking up a value.

    none: the value as is. trim: Unicode NFC, surrounding whitespace removed. casefold: trim, then
    Unicode case folding. email: casefold, plus a leading 'mailto:' and surrounding angle brackets
    removed, so 'Jane.Doe@Example.com' and '<jane.doe@example.com>' are the same address.
    """
    if mode == "none":
        return value
    text = unicodedata.normalize("NFC", value).strip()
    if mode == "trim":
        return text
    text = text.casefold()
    if mode == "email":
        if text.startswith("mailto:"):
            text = text[len("mailto:") :]
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        text = text.strip()
    return text


# Python's str.strip() removes the characters for which str.isspace() is true. polars' strip_chars()
# without arguments uses Rust's notion of whitespace, which leaves \x1c-\x1f; naming the set keeps
# normalize_series exactly equal to normalize.
ASCII_SPACE = " \t\n\v\f\r\x1c\x1d\x1e\x1f"
_V = "__sanitas_text__"


def normalize_series(column: pl.Series, mode: Normalization) -> pl.Series:
    """``normalize`` over a text Series, vectorized: same values, same order, nulls kept.

    ASCII values (nearly all of them in practice) are normalized with polars expressions: NFC changes
    no ASCII text and case folding of ASCII is lowercasing. Values with other characters go through
    ``normalize`` itself, so Unicode normalization and full case folding (ß -> ss) come from Python's
    unicodedata, exactly as before, whatever Unicode version polars was built with.
    """
    text = as_text(column).alias(_V)
    if mode == "none" or text.len() == 0:
        return text.alias(column.name)
    c = pl.col(_V)
    frame = text.to_frame()
    expr = (c if mode == "trim" else c.str.to_lowercase()).str.strip_chars(ASCII_SPACE)
    out, other = frame.select(expr, (c.str.len_bytes() != c.str.len_chars()).alias("other")).get_columns()
    if mode == "email":  # the rare wrappers, only when some value has one (when/then computes both sides)
        found = out.to_frame().select(c.str.starts_with("mailto:").any().alias("mailto"),
                                      (c.str.starts_with("<") & c.str.ends_with(">")).any().alias("angle")).row(0)
        if any(found):
            if found[0]:
                expr = pl.when(c.str.starts_with("mailto:")).then(c.str.slice(7)).otherwise(c)
                out = out.to_frame().select(expr).to_series()
            unwrapped = pl.when(c.str.starts_with("<") & c.str.ends_with(">")).then(
                c.str.slice(1, c.str.len_chars() - 2)).otherwise(c)
            out = out.to_frame().select(unwrapped.str.strip_chars(ASCII_SPACE)).to_series()
    other = other.fill_null(False)
    if other.any():  # more bytes than characters: not ASCII
        positions = other.arg_true()
        fixed = [normalize(v, mode) for v in text.gather(positions).to_list()]
        out = out.scatter(positions, pl.Series(fixed, dtype=pl.String))
    return out.alias(column.name)
