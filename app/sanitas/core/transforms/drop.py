"""drop: leave the column out of the output.

``apply`` returns the column unchanged so the contract (same name, same length) holds for every
action; the engine looks at ``removes_column`` and leaves the column out.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import polars as pl

from sanitas.core.transforms.base import NoParams, Transform, TransformParams


class Drop(Transform):
    """Remove the column from the sanitized output: the safest action for data nobody needs."""

    name: ClassVar[str] = "drop"
    removes_identity: ClassVar[bool] = True
    per: ClassVar[Literal["value", "row", "column"]] = "column"
    label: ClassVar[str] = "Drop"
    description: ClassVar[str] = "Remove the column from the output entirely."
    Params: ClassVar[type[TransformParams]] = NoParams
    generates_values: ClassVar[bool] = False
    removes_column: ClassVar[bool] = True

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return dtype

    def apply(self, column: pl.Series) -> pl.Series:
        self._facts = {"rows": column.len()}
        return column.clone()
