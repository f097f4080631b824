"""polars <-> pandas at SDV's door: SDV takes and returns pandas; Sanitas keeps each column's dtype."""

from __future__ import annotations

import pandas as pd
import polars as pl

from sanitas.core.privacy.synthetic.supported import SUPPORTED, unsupported

__all__ = ["SUPPORTED", "from_pandas", "to_pandas", "unsupported"]


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """SDV-friendly pandas: categories as text, dates as nanosecond datetimes, time zones dropped (UTC)."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Categorical | pl.Enum) or dtype in (pl.Time, pl.Null):
            exprs.append(col.cast(pl.String))
        elif dtype == pl.Date:
            exprs.append(col.cast(pl.Datetime("ns")))
        elif isinstance(dtype, pl.Datetime):
            expr = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else col
            exprs.append(expr.cast(pl.Datetime("ns")))
        elif isinstance(dtype, pl.Duration):
            exprs.append(col.dt.total_seconds(fractional=True))
        else:
            exprs.append(col)
    return frame.select(exprs).to_pandas()


def from_pandas(frame: pd.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """Back to the input's dtypes (integers rounded, dates truncated to days)."""
    columns = []
    for name, dtype in schema.items():
        col = frame[name]
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum) or dtype in (pl.Time, pl.Null):
            values = [None if _missing(v) else str(v) for v in col.tolist()]
            series = pl.Series(name, values, dtype=pl.String)
            if dtype != pl.String and dtype != pl.Null:
                series = series.cast(dtype, strict=False)
        else:
            try:
                series = pl.from_pandas(col, nan_to_null=True).alias(name)
            except (TypeError, ValueError, pl.exceptions.PolarsError):
                series = pl.Series(name, [None if _missing(v) else v for v in col.tolist()], strict=False)
            if dtype.is_integer() and series.dtype.is_float():
                series = series.round(0)
            if isinstance(dtype, pl.Datetime) and dtype.time_zone:
                series = series.cast(pl.Datetime(dtype.time_unit or "us")).dt.replace_time_zone("UTC") \
                    .dt.convert_time_zone(dtype.time_zone)
            elif isinstance(dtype, pl.Duration):
                series = (series.cast(pl.Float64) * 1_000_000).cast(pl.Int64).cast(pl.Duration("us"))
            series = series.cast(dtype, strict=False)
        columns.append(series)
    return pl.DataFrame(columns)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
