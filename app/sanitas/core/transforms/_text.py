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
