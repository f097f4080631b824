"""Which column dtypes a synthesizer can model (polars only: the recipe check runs it without pandas or SDV)."""

from __future__ import annotations

import polars as pl

SUPPORTED = "text, numbers, booleans, dates and date-times"


def unsupported(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object) or dtype == pl.Binary
