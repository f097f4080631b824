"""Column types between Spark, Arrow and polars, so the recipe check and the transforms see what the
in-process engine sees (a Spark long is a polars Int64, a Spark string a polars String)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from pyspark.sql import types as T

from sanitas.core.errors import LoadError

_TO_POLARS: list[tuple[type[T.DataType], pl.DataType]] = [
    (T.StringType, pl.String), (T.LongType, pl.Int64), (T.IntegerType, pl.Int32), (T.ShortType, pl.Int16),
    (T.ByteType, pl.Int8), (T.DoubleType, pl.Float64), (T.FloatType, pl.Float32), (T.BooleanType, pl.Boolean),
    (T.DateType, pl.Date), (T.TimestampType, pl.Datetime("us", "UTC")), (T.TimestampNTZType, pl.Datetime("us")),
    (T.BinaryType, pl.Binary),
]


def polars_dtype(spark_type: T.DataType, column: str, source: str) -> pl.DataType:
    if isinstance(spark_type, T.DecimalType):
        return pl.Decimal(spark_type.precision, spark_type.scale)
    for spark_cls, dtype in _TO_POLARS:
        if isinstance(spark_type, spark_cls):
            return dtype
    raise LoadError(f"{source}: column '{column}' has Spark type {spark_type.simpleString()}, which Sanitas does not "
                    "read; cast it to text, a number or a date first.")


def polars_schema(schema: T.StructType, source: str) -> dict[str, pl.DataType]:
    return {f.name: polars_dtype(f.dataType, f.name, source) for f in schema.fields}


def spark_type(dtype: pl.DataType) -> T.DataType:
    """The Spark type that holds a transform's polars output (the inverse of ``polars_dtype``)."""
    if isinstance(dtype, pl.Decimal):
        return T.DecimalType(dtype.precision or 38, dtype.scale or 0)
    if isinstance(dtype, pl.Datetime):
        return T.TimestampType() if dtype.time_zone else T.TimestampNTZType()
    if isinstance(dtype, (pl.Categorical, pl.Enum)) or dtype == pl.Null:
        return T.StringType()
    widened = {pl.UInt8: T.ShortType(), pl.UInt16: T.IntegerType(), pl.UInt32: T.LongType()}
    for polars_cls, spark in widened.items():
        if dtype == polars_cls:
            return spark
    for spark_cls, polars_dtype_ in _TO_POLARS:
        if dtype == polars_dtype_:
            return spark_cls()
    raise LoadError(f"A column action writes polars type {dtype}, which has no Spark type here.")


def spark_schema(schema: Mapping[str, pl.DataType]) -> T.StructType:
    return T.StructType([T.StructField(name, spark_type(dtype), True) for name, dtype in schema.items()])
