"""keep: leave the column as it is (a decision the report records, not an oversight)."""

from __future__ import annotations

from typing import ClassVar, Literal

import polars as pl

from sanitas.core.transforms.base import NoParams, Transform, TransformParams


class Keep(Transform):
    """Pass the column through unchanged, e.g. a quasi-identifier that k-anonymity generalizes later."""

    name: ClassVar[str] = "keep"
    keeps_values: ClassVar[bool] = True
    per: ClassVar[Literal["value", "row", "column"]] = "column"
    label: ClassVar[str] = "Keep"
    description: ClassVar[str] = "Keep the column unchanged (the report lists it as kept on purpose)."
    Params: ClassVar[type[TransformParams]] = NoParams
    generates_values: ClassVar[bool] = False

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return dtype

    def apply(self, column: pl.Series) -> pl.Series:
        self._facts = {"rows": column.len()}
        return column.clone()
