"""dp_noise: local differential privacy on one column (laplace, gaussian, geometric, randomized
response, exponential), drawn for the whole column at once by ``sanitas.core.privacy.dp``.

The budget share is checked against ``differential_privacy.epsilon`` by the DP step, which also applies
this noise after k-anonymity and synthesis (``stage = "after_steps"``); the transform itself serves the
recipe's validation, the workbench's form and preview. Its randomness never comes from the recipe's
seed: ``context.shared[DP_RNG]`` may hold a test's generator, otherwise the OS's secure randomness.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import polars as pl

from sanitas.core.privacy.dp.column_noise import dtype_problems, noise_series, output_dtype
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.transforms.base import Transform, TransformParams

DP_RNG = "dp_rng"  # key in TransformContext.shared for a test's numpy Generator


class DpNoiseActionParams(DpNoiseParams, TransformParams):
    """DpNoiseParams as a column action's Params (the DP step accepts either)."""


class DpNoise(Transform):
    """Add calibrated DP noise to each value of the column, within declared bounds or domain."""

    name: ClassVar[str] = "dp_noise"
    label: ClassVar[str] = "DP noise"
    description: ClassVar[str] = (
        "Perturb each value with differential-privacy noise within declared bounds or categories."
    )
    Params: ClassVar[type[TransformParams]] = DpNoiseActionParams
    # Noisy real values, still the column's kind of data: scan them again.
    generates_values: ClassVar[bool] = False
    # The engine applies dp_noise after the dataset-level steps (ARCHITECTURE: order of a run).
    stage: ClassVar[Literal["before_steps", "after_steps"]] = "after_steps"
    randomized: ClassVar[bool] = True

    params: DpNoiseActionParams

    def check(self, dtype: pl.DataType) -> list[str]:
        return dtype_problems(self.params, dtype)

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return output_dtype(self.params, dtype)

    def apply(self, column: pl.Series) -> pl.Series:
        self.ensure_fits(column)
        rng = (self.context.rng or self.context.shared.get(DP_RNG)) if self.context else None
        out, facts = noise_series(column, self.params, rng)
        self._facts = facts.model_dump(exclude_none=True, exclude={"column", "by", "notes", "domain"})
        return out
