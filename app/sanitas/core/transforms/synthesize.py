"""synthesize: replace one column with values drawn from a model of it (SDV's Gaussian copula), seeded.

``marginal`` (the default) draws from the column's own distribution: numbers, dates and categories keep
their shape, nulls their share, but the link to the other columns is gone. ``conditional``
(``conditioned_on: [age, sex]``) fits the copula on the column together with the named columns and draws
each row's value given that row's values of them (SDV's ``sample_remaining_columns``), so the pair
correlations with those columns survive. SDV samples once per distinct combination of condition values,
so numeric conditions are cut into ``bins`` quantile bins (each row conditioned on its bin's median) and
categorical ones ordered by the mean of the column being replaced (and a categorical column being replaced
has its categories ordered by the first condition's mean): a copula only sees monotone links.

A categorical column's synthetic values are its own categories (redrawn, not linked to the row): a column
of mostly unique text (names, notes) should be faked or scrubbed instead.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from sanitas.core.transforms._text import is_null_dtype, is_numeric, is_temporal, is_text
from sanitas.core.transforms.base import Transform, TransformContext, TransformParams

if TYPE_CHECKING:  # pandas (and SDV) load only when a column is synthesized: the release imports this module
    import pandas as pd

MIN_VALUES = 5  # below this many values a model is meaningless: values are redrawn from the column itself
TABLE = "column"


class SynthesizeParams(TransformParams):
    mode: Literal["marginal", "conditional"] = Field(
        default="marginal",
        description="marginal: draw from the column's own distribution; conditional: draw given each row's "
        "values of the conditioned_on columns, so correlations with them survive.",
    )
    conditioned_on: list[str] = Field(
        default=[], description="Columns the values are drawn conditionally on (implies conditional)."
    )
    bins: int = Field(
        default=10, ge=2, le=100,
        description="Quantile bins each numeric conditioning column is cut into (more: closer, slower).",
    )

    @model_validator(mode="before")
    @classmethod
    def _conditional_by_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("conditioned_on") and "mode" not in data:
            return {**data, "mode": "conditional"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> SynthesizeParams:
        if self.mode == "conditional" and not self.conditioned_on:
            raise ValueError("mode conditional needs the columns to condition on in conditioned_on")
        if self.mode == "marginal" and self.conditioned_on:
            raise ValueError("conditioned_on is only used with mode conditional")
        return self


def _seed(seed: int, column: str) -> int:
    digest = hashlib.sha256(f"{seed}\x1fsynthesize\x1f{column}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _sdtype(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "numerical"
    return "categorical"


class Synthesize(Transform):
    """Synthetic values for one column from SDV's Gaussian copula, marginal or conditional."""

    name: ClassVar[str] = "synthesize"
    reads_table: ClassVar[bool] = True  # fitted on the whole column and its conditioning columns
    label: ClassVar[str] = "Synthesize"
    description: ClassVar[str] = (
        "Replace the values with synthetic ones drawn from a model of the column, alone or given other columns."
    )
    Params: ClassVar[type[TransformParams]] = SynthesizeParams
    # A model of the whole column: the preview's sample fits another model than the release's rows, so the
    # preview is a labelled draw. Categories are redrawn from the column's own values: no identity removed.
    per: ClassVar[Literal["value", "row", "column"]] = "column"
    randomized: ClassVar[bool] = True

    params: SynthesizeParams

    def check(self, dtype: pl.DataType) -> list[str]:
        if is_text(dtype) or is_numeric(dtype) or is_null_dtype(dtype) or dtype == pl.Boolean \
                or dtype == pl.Date or isinstance(dtype, pl.Datetime):
            return []
        if is_temporal(dtype):
            return [f"cannot synthesize a {dtype} column; synthesize works on numbers, text, booleans and dates"]
        return [f"cannot synthesize a {dtype} column; synthesize works on numbers, text, booleans and dates"]

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return dtype

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        super().fit(column, context)
        self.ensure_fits(column)
        if self.params.mode == "conditional":
            source = context.source
            missing = [c for c in self.params.conditioned_on if source is None or c not in source.columns]
            if missing:
                raise self.error(f"conditioned_on names columns not in the table: {', '.join(missing)}")
            if column.name in self.params.conditioned_on:
                raise self.error("a column cannot be conditioned on itself; remove it from conditioned_on")
            if source is not None and source.height != column.len():
                raise self.error("the conditioning columns and the column have different lengths")
        return self

    def apply(self, column: pl.Series) -> pl.Series:
        ctx = self.ctx
        seed = _seed(ctx.seed, column.name)
        present = column.len() - column.null_count()
        self._facts = {"mode": self.params.mode, "rows": column.len(), "model": "gaussian copula (SDV)"}
        if self.params.mode == "conditional":
            self._facts["conditioned_on"] = list(self.params.conditioned_on)
        if present == 0 or is_null_dtype(column.dtype):
            return column.clone()
        if present < MIN_VALUES:
            self._facts["model"] = "too few values for a model: values redrawn from the column"
            return _redraw(column, seed)
        ctx.cancel.raise_if_cancelled()
        ctx.progress(0.0, "fitting a model of the column")
        from sanitas.core.privacy.synthetic.frames import from_pandas, to_pandas

        target = to_pandas(column.to_frame())
        conditions = self._conditions(target[column.name]) if self.params.mode == "conditional" else None
        sampled = self._sample(target, conditions, seed)
        ctx.progress(1.0, "synthetic values drawn")
        return from_pandas(sampled, pl.Schema({column.name: column.dtype})).get_column(column.name)

    def _conditions(self, target: pd.Series) -> pd.DataFrame:
        import pandas as pd

        """The conditioning columns as the copula sees them: numbers binned, categories ordered by the target."""
        from sanitas.core.privacy.synthetic.frames import to_pandas

        assert self.ctx.source is not None
        raw = to_pandas(self.ctx.source.select(self.params.conditioned_on))
        numeric_target = pd.to_numeric(target, errors="coerce") if _sdtype(target) != "categorical" else None
        out = pd.DataFrame(index=raw.index)
        for name in raw.columns:
            col = raw[name]
            key = f"__cond_{len(out.columns)}"
            if _sdtype(col) in ("numerical", "datetime"):
                values = pd.to_numeric(col.astype("datetime64[ns]").astype("int64"), errors="coerce") \
                    .where(col.notna()) if _sdtype(col) == "datetime" else pd.to_numeric(col, errors="coerce")
                bins = pd.qcut(values, q=self.params.bins, labels=False, duplicates="drop")
                out[key] = values.groupby(bins).transform("median").astype(float)
            else:
                text = col.astype("object").where(col.notna(), "\x00missing").astype(str)
                if numeric_target is not None:
                    order = numeric_target.groupby(text).mean().sort_values().index
                else:
                    order = text.value_counts().index
                rank = {v: i for i, v in enumerate(order)}
                out[key] = text.map(rank).astype(float)
        return out

    def _sample(self, target: pd.DataFrame, conditions: pd.DataFrame | None, seed: int) -> pd.DataFrame:
        import pandas as pd

        from sanitas.core.privacy.synthetic.offline import load_sdv, quiet_sampling

        load_sdv()
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        name = target.columns[0]
        data = target if conditions is None else pd.concat([target, conditions], axis=1)
        columns = {c: {"sdtype": _sdtype(data[c])} for c in data.columns}
        metadata = Metadata.load_from_dict({"tables": {TABLE: {"columns": columns}}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synth = GaussianCopulaSynthesizer(metadata, default_distribution="truncnorm")
            if conditions is not None and columns[name]["sdtype"] == "categorical":
                # A copula links columns monotonically: order the categories by the first condition's mean
                # (SDV's documented auto_assign -> update_transformers -> fit flow, with RDT's ordered encoder).
                from rdt.transformers import OrderedUniformEncoder

                order = conditions.iloc[:, 0].groupby(data[name]).mean().sort_values().index.tolist()
                synth.auto_assign_transformers({TABLE: data})
                synth.update_transformers({name: OrderedUniformEncoder(order=order)})
            state = np.random.get_state()
            np.random.seed(seed)
            try:
                synth.fit({TABLE: data})
            finally:
                np.random.set_state(state)
            self.ctx.cancel.raise_if_cancelled()
            synth._set_random_state(seed)  # SDV's only way to seed sampling (see privacy/synthetic/train.py)
            with quiet_sampling():
                if conditions is None:
                    return synth.sample(num_rows=len(data))[TABLE][[name]]
                known = conditions.fillna(conditions.median())  # SDV cannot condition on a missing value
                return synth.sample_remaining_columns(known_columns=known)[TABLE][[name]].reset_index(drop=True)


def _redraw(column: pl.Series, seed: int) -> pl.Series:
    """Values drawn with replacement from the column's own values (nulls keep their rows)."""
    values = column.drop_nulls()
    rng = np.random.default_rng(seed)
    picks = values.gather(rng.integers(0, values.len(), column.len()))
    return pl.select(pl.when(column.is_null()).then(None).otherwise(picks)).to_series().alias(column.name) \
        .cast(column.dtype)
