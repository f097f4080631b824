"""generalize: make values coarser so fewer people share each one's exact value.

One flat Params model with a ``method`` (easier for the GUI's form than a union): numeric ``bins``
('30-39'), ``top_bottom`` coding (extremes, which single people out, become '>=90' / '<18'), ``date``
truncation to month, year or decade, ``postal`` truncation (keep the first characters), and
``age_band`` (bins of 5 or 10 years, top-coded at 90 as HIPAA's safe harbour asks). Everything is a
polars expression. ``output: value`` keeps a number or date (the class's lower bound, or the clipped
value) instead of a text label.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self

import polars as pl
from pydantic import Field, model_validator

from sanitas.core.transforms._text import as_text, is_integer, is_null_dtype, is_numeric, is_temporal, is_text
from sanitas.core.transforms.base import Transform, TransformContext, TransformParams

NUMERIC_METHODS = ("bins", "top_bottom", "age_band")
EXACT_LIMIT = 2**53  # integers a float (and so a bin edge) holds exactly
DATE_FORMATS = {"month": "%Y-%m", "year": "%Y"}
_V = "v"


class GeneralizeParams(TransformParams):
    method: Literal["bins", "top_bottom", "date", "postal", "age_band"] = Field(
        default="bins",
        description="bins: numeric ranges; top_bottom: code extreme values; date: truncate dates; "
        "postal: keep the first characters of a postal code; age_band: 5 or 10 year bands.",
    )
    width: float | None = Field(
        default=None, gt=0, description="bins: width of each range (required). age_band: years per band (default 10)."
    )
    origin: float = Field(default=0, description="bins: where the ranges start, e.g. 5 gives 5-14, 15-24.")
    top: float | None = Field(
        default=None, description="Values at or above this become '>=top' (bins, top_bottom; age_band defaults to 90)."
    )
    bottom: float | None = Field(
        default=None, description="Values below this become '<bottom' (bins, top_bottom, age_band)."
    )
    output: Literal["label", "value"] = Field(
        default="label",
        description="label: text such as '30-39' or '2024-03'; value: keep a number or date (the lower "
        "bound, the first day of the period, or the clipped value).",
    )
    to: Literal["month", "year", "decade"] = Field(default="year", description="date: the period kept.")
    date_format: str | None = Field(
        default=None, description="date: strftime format of text dates, e.g. %d/%m/%Y; empty infers it."
    )
    keep: int = Field(default=3, ge=0, le=10, description="postal: characters kept from the start, e.g. 3 of a ZIP.")
    fill: str = Field(default="*", max_length=1, description="postal: character written over the rest; empty drops it.")

    @model_validator(mode="after")
    def _method_needs(self) -> Self:
        missing: list[str] = []
        if self.method == "bins" and self.width is None:
            missing.append("width")
        if self.method == "top_bottom" and self.top is None and self.bottom is None:
            missing.append("top or bottom")
        if missing:
            raise ValueError(f"method '{self.method}' needs: {', '.join(missing)}")
        if self.top is not None and self.bottom is not None and self.bottom >= self.top:
            raise ValueError("bottom must be below top")
        if self.method == "age_band" and self.width is not None and self.width != int(self.width):
            raise ValueError("width: age bands need a whole number of years")
        return self


def _whole(x: float | None) -> bool:
    return x is None or float(x).is_integer()


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _decimals(*numbers: float) -> int:
    """Decimals needed to write the bin edges, so 0.1-wide bins print 1.7, not 1.7000000000000002."""
    places = [len(t.split(".")[1]) if "." in (t := f"{x:.10g}") else 0 for x in numbers]
    return min(max(places, default=0), 10)


def _expr_text(e: pl.Expr) -> pl.Expr:
    """Numbers as text, whole ones without a trailing '.0'."""
    e = e.cast(pl.Float64)
    return pl.when(e == e.floor()).then(e.cast(pl.Int64).cast(pl.String)).otherwise(e.cast(pl.String))


class Generalize(Transform):
    """Bins, top/bottom coding, date and postal truncation, age bands."""

    name: ClassVar[str] = "generalize"
    label: ClassVar[str] = "Generalize"
    description: ClassVar[str] = (
        "Make values coarser: number ranges, top/bottom coding, dates to month/year/decade, short ZIPs, age bands."
    )
    Params: ClassVar[type[TransformParams]] = GeneralizeParams
    # Coarsened real values ('021**', '1987'), not values made up by the release: scan them again.
    generates_values: ClassVar[bool] = False

    params: GeneralizeParams

    def check(self, dtype: pl.DataType) -> list[str]:
        method = self.params.method
        if is_null_dtype(dtype):
            return []
        if method in NUMERIC_METHODS and not (is_numeric(dtype) or dtype == pl.String):
            return [f"method '{method}' needs numbers (or text holding numbers), not {dtype}"]
        if method == "date" and not (is_temporal(dtype) or dtype == pl.String):
            return [f"method 'date' needs a date, datetime or text column, not {dtype}"]
        if method == "postal" and not (is_text(dtype) or is_integer(dtype)):
            return [f"method 'postal' needs a text or integer column, not {dtype}"]
        return []

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        p = self.params
        if p.output == "label" or p.method == "postal" or is_null_dtype(dtype):
            return pl.String
        if p.method == "date":
            return dtype if is_temporal(dtype) else pl.String
        if p.method == "age_band":
            return pl.Int64
        if p.method == "top_bottom":
            keeps_dtype = is_numeric(dtype) and (dtype.is_float() or (_whole(p.top) and _whole(p.bottom)))
            return dtype if keeps_dtype else pl.Float64
        whole = _whole(p.width) and _whole(p.origin) and _whole(p.top) and _whole(p.bottom)
        return pl.Int64 if is_integer(dtype) and whole else pl.Float64

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        super().fit(column, context)
        self.ensure_fits(column)
        if self.params.method in NUMERIC_METHODS and not is_null_dtype(column.dtype):
            self._check_range(self._numbers(column))  # raises early when the text does not hold numbers
        if self.params.method == "date" and column.dtype == pl.String:
            self._dates(column)
        return self

    def _numbers(self, column: pl.Series) -> pl.Series:
        if is_numeric(column.dtype):
            return column
        parsed = column.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        bad = parsed.null_count() - column.null_count()
        if bad:
            raise self.error(f"{bad} values are not numbers; clean them first or choose another method")
        return parsed

    def _check_range(self, numbers: pl.Series) -> None:
        """Bins are computed in floating point: exact up to 2^53, and only for finite numbers. Larger
        integers (an Int128 id, 2^70) would get wrong or failing labels, so they are refused."""
        values = numbers.drop_nulls()
        if values.len() == 0:
            return
        as_float = values.cast(pl.Float64)
        if not as_float.is_finite().all():
            raise self.error("the column holds infinite or NaN values, which fall in no range; clean them first "
                             "or choose another action")
        if self.params.method == "top_bottom":
            return  # compares with top and bottom only: no ranges to compute
        outside = (values > EXACT_LIMIT) | (values < -EXACT_LIMIT) if values.dtype.is_integer() else (
            as_float.abs() > EXACT_LIMIT)
        if outside.any():
            raise self.error(f"{int(outside.sum()):,} values are beyond ±2^53 ({EXACT_LIMIT:,}), too large to put "
                             "in ranges exactly; use top_bottom with a 'top' below them, mask, or drop the column")

    def _dates(self, column: pl.Series) -> pl.Series:
        if is_temporal(column.dtype):
            return column
        text = column.cast(pl.String).str.strip_chars()
        fmt = self.params.date_format
        parsed = text.str.to_date(fmt, strict=False)
        if fmt is None and parsed.null_count() > column.null_count():
            as_datetime = text.str.to_datetime(strict=False).dt.date()
            if as_datetime.null_count() < parsed.null_count():
                parsed = as_datetime
        bad = parsed.null_count() - column.null_count()
        if bad:
            hint = "check date_format" if fmt else "set date_format (e.g. %d/%m/%Y)"
            raise self.error(f"{bad} values do not read as dates; {hint}")
        return parsed

    def apply(self, column: pl.Series) -> pl.Series:
        method = self.params.method
        out_dtype = self.output_dtype(column.dtype)
        if is_null_dtype(column.dtype) or column.null_count() == column.len():
            self._facts = {"method": method, "cells_generalized": 0}
            return pl.Series(column.name, [None] * column.len(), dtype=out_dtype)
        if method == "postal":
            source, expr = self._postal_text(column), self._postal(pl.col(_V))
        elif method == "date":
            source, expr = self._dates(column), self._date(pl.col(_V), column.dtype)
        else:
            source = self._numbers(column)
            expr = self._top_bottom(pl.col(_V)) if method == "top_bottom" else self._bins(pl.col(_V), source)
        frame = source.alias(_V).to_frame()
        out = frame.select(expr.cast(out_dtype).alias(column.name)).get_column(column.name)
        self._facts = {
            "method": method,
            "cells_generalized": column.len() - column.null_count(),
            "distinct_before": column.n_unique(),
            "distinct_after": out.n_unique(),
        }
        if method in NUMERIC_METHODS:
            top, bottom = self._thresholds()
            self._facts["top_coded"] = int((source >= top).sum()) if top is not None else 0
            self._facts["bottom_coded"] = int((source < bottom).sum()) if bottom is not None else 0
        return out

    def _thresholds(self) -> tuple[float | None, float | None]:
        p = self.params
        top = p.top if p.top is not None or p.method != "age_band" else 90.0
        return top, p.bottom

    def _coded(self, x: pl.Expr, otherwise_label: pl.Expr, otherwise_value: pl.Expr) -> pl.Expr:
        """Top and bottom coding around the method's own label or value."""
        top, bottom = self._thresholds()
        label = self.params.output == "label"
        expr: pl.Expr = otherwise_label if label else otherwise_value
        if bottom is not None:
            coded = pl.lit(f"<{_num_text(bottom)}") if label else pl.lit(bottom)
            expr = pl.when(x < bottom).then(coded).otherwise(expr)
        if top is not None:
            coded = pl.lit(f">={_num_text(top)}") if label else pl.lit(top)
            expr = pl.when(x >= top).then(coded).otherwise(expr)
        return expr

    def _top_bottom(self, x: pl.Expr) -> pl.Expr:
        return self._coded(x, _expr_text(x), x)

    def _bins(self, x: pl.Expr, values: pl.Series) -> pl.Expr:
        p = self.params
        if p.method == "age_band":
            width, origin = float(p.width or 10), 0.0
            x = x.floor()
        else:
            width, origin = float(p.width or 1), float(p.origin)
        places = _decimals(width, origin)
        # The nudge keeps 1.7 in [1.7, 1.8) although 1.7 / 0.1 is 16.999... in binary floating point.
        lo = (((x.cast(pl.Float64) - origin) / width + 1e-9).floor() * width + origin).round(places)
        whole_values = (
            values.dtype.is_integer()
            or p.method == "age_band"
            or bool((values.drop_nulls() == values.drop_nulls().floor()).all())
        )
        if whole_values and _whole(width) and _whole(origin):
            upper = lo + width - 1
            label = _expr_text(lo) if width == 1 else pl.concat_str([_expr_text(lo), pl.lit("-"), _expr_text(upper)])
        else:
            label = pl.concat_str(
                [pl.lit("["), _expr_text(lo), pl.lit(", "), _expr_text((lo + width).round(places)), pl.lit(")")]
            )
        return self._coded(x, label, lo)

    def _date(self, d: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        unit = self.params.to
        if unit == "decade":
            year = d.dt.year()
            start = pl.date(year - year % 10, 1, 1)
            label = pl.concat_str([(year - year % 10).cast(pl.String), pl.lit("s")])
            truncated = start.cast(dtype) if isinstance(dtype, pl.Datetime) else start
        else:
            truncated = d.dt.truncate("1mo" if unit == "month" else "1y")
            label = d.dt.strftime(DATE_FORMATS[unit])
        if self.params.output == "label":
            return label
        return truncated if is_temporal(dtype) else truncated.cast(pl.Date).dt.strftime("%Y-%m-%d")

    @staticmethod
    def _postal_text(column: pl.Series) -> pl.Series:
        """Postal codes as text. A CSV reader turns ZIP 02139 into the number 2139: integer columns get
        their leading zeros back by padding to the longest code in the column."""
        text = as_text(column)
        if is_integer(column.dtype) and column.null_count() < column.len():
            width = int(text.str.len_chars().max() or 0)
            text = text.str.zfill(width)
        return text

    def _postal(self, t: pl.Expr) -> pl.Expr:
        t = t.str.strip_chars()
        head = t.str.slice(0, self.params.keep)
        return head.str.pad_end(t.str.len_chars(), self.params.fill) if self.params.fill else head
