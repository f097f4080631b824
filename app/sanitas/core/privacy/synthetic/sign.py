"""Positive and negative columns as an SDV programmable constraint.

SDV 2.0's constraint module (``sdv.cag``) has FixedCombinations, Inequality, Range, FixedIncrements and
OneHotEncoding, but no Positive/Negative (SDV 1's ScalarInequality is gone). SDV's documented way to add
one is a ``SingleTableProgrammableConstraint``: this one models ``log1p(|x|)`` instead of ``x`` (the
transformation SDV 1 used for the same rule), so every sampled value maps back to the right sign, and
``is_valid`` lets SDV reject any row that would not. It goes first in SDV's chain, and a column that another
constraint also uses (an inequality, a range) is left as it is and only checked by ``is_valid`` (SDV's
reject sampling): the other constraint must see the values themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sanitas.core.privacy.synthetic.offline import load_sdv

load_sdv()
from sdv.cag import SingleTableProgrammableConstraint  # noqa: E402


class SignConstraint(SingleTableProgrammableConstraint):  # type: ignore[misc]
    """Values of ``positive`` columns are >= 0 and of ``negative`` columns <= 0 (nulls allowed)."""

    def __init__(self, positive: list[str], negative: list[str], untransformed: list[str] | None = None) -> None:
        self.positive = list(positive)
        self.negative = list(negative)
        self.untransformed = list(untransformed or [])

    def _signs(self) -> list[tuple[str, float]]:
        return [(c, 1.0) for c in self.positive] + [(c, -1.0) for c in self.negative]

    def _transformed(self) -> list[tuple[str, float]]:
        return [(c, s) for c, s in self._signs() if c not in self.untransformed]

    def validate(self, metadata: Any) -> None:
        table = metadata.tables[metadata._get_single_table_name()]
        for column, _ in self._signs():
            sdtype = table.columns.get(column, {}).get("sdtype")
            if sdtype != "numerical":
                raise ValueError(f"Column '{column}' must be numerical to be constrained positive or negative "
                                 f"(its sdtype is {sdtype}).")

    def validate_input_data(self, data: pd.DataFrame) -> None:
        for column, sign in self._signs():
            wrong = int((pd.to_numeric(data[column], errors="coerce") * sign < 0).sum())
            if wrong:
                word = "positive" if sign > 0 else "negative"
                raise ValueError(f"Column '{column}' is declared {word} but {wrong:,} of its training rows "
                                 f"are not; remove it from constraints.{word} or clean the data.")

    def get_updated_metadata(self, metadata: Any) -> Any:
        table = metadata.tables[metadata._get_single_table_name()]
        for column, _ in self._transformed():
            table.columns[column] = {"sdtype": "numerical"}  # the learned ranges are of x, not log1p(|x|)
        return metadata

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        data = data.copy()
        for column, sign in self._transformed():
            data[column] = np.log1p(np.clip(pd.to_numeric(data[column]) * sign, 0, None))
        return data

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        for column, sign in self._transformed():
            data[column] = sign * np.expm1(np.clip(pd.to_numeric(data[column]), 0, None))
        return data

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        valid = pd.Series(True, index=synthetic_data.index)
        for column, sign in self._signs():
            values = pd.to_numeric(synthetic_data[column], errors="coerce")
            valid &= values.isna() | (values * sign >= 0)
        return valid
