"""redact: replace every value by one constant, or by a tag naming what was there (``<EMAIL_ADDRESS>``).

The tag keeps the column readable for a downstream model (it still knows an email was there) while
carrying no information about which email. Nulls stay null unless asked otherwise, so missingness
patterns survive; set ``redact_nulls`` when the fact that a value existed is itself sensitive.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import Field

from sanitas.core.transforms.base import Transform, TransformParams


class RedactParams(TransformParams):
    replacement: str | None = Field(
        default=None,
        description="Text written in place of every value. Leave empty to write a tag such as "
        "<EMAIL_ADDRESS> naming the column's entity (or <REDACTED> when none is known).",
    )
    entity: str | None = Field(
        default=None,
        description="Entity used for the tag; empty uses the entity detected for the column.",
    )
    redact_nulls: bool = Field(default=False, description="Also replace missing values, hiding which rows had a value.")


class Redact(Transform):
    """Replace values by a constant or an entity tag."""

    name: ClassVar[str] = "redact"
    removes_identity: ClassVar[bool] = True
    label: ClassVar[str] = "Redact"
    description: ClassVar[str] = "Replace every value with a fixed text or a tag like <EMAIL_ADDRESS>."
    Params: ClassVar[type[TransformParams]] = RedactParams

    params: RedactParams

    def replacement_text(self) -> str:
        if self.params.replacement is not None:
            return self.params.replacement
        entity = self.params.entity or (self.context.entity if self.context else None)
        return f"<{entity or 'REDACTED'}>"

    def apply(self, column: pl.Series) -> pl.Series:
        text = self.replacement_text()
        frame = column.to_frame()
        value = pl.lit(text, dtype=pl.String)
        expr = value if self.params.redact_nulls else pl.when(pl.col(column.name).is_not_null()).then(value)
        out = frame.with_columns(expr.alias(column.name)).get_column(column.name)
        self._facts = {
            "rows": column.len(),
            "cells_replaced": out.len() - out.null_count(),
        }
        return out
