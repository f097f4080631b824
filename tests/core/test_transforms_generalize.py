"""generalize: bins, top/bottom coding, dates, postal codes, age bands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TransformContext, make_transform

AGES = [3, 17, 34, 39, 40, 89, 90, 101, None]


def run(values: list[Any] | pl.Series, params: dict[str, Any], dtype: pl.DataType | None = None):
    column = values if isinstance(values, pl.Series) else pl.Series("c", values, dtype=dtype)
    transform = make_transform("generalize", params)
    out = transform.fit(column, TransformContext(column=column.name)).apply(column)
    assert out.dtype == transform.output_dtype(column.dtype)
    return out.to_list(), transform.facts()


def test_bins_labels_and_lower_bounds() -> None:
    labels, facts = run(AGES, {"method": "bins", "width": 10})
    assert labels == ["0-9", "10-19", "30-39", "30-39", "40-49", "80-89", "90-99", "100-109", None]
    assert facts["distinct_after"] < facts["distinct_before"]
    values, _ = run(AGES, {"method": "bins", "width": 10, "output": "value"})
    assert values == [0, 10, 30, 30, 40, 80, 90, 100, None]
    shifted, _ = run([4, 5, 14, 15], {"method": "bins", "width": 10, "origin": 5})
    assert shifted == ["-5-4", "5-14", "5-14", "15-24"]


def test_bins_with_top_and_bottom_coding() -> None:
    labels, facts = run(AGES, {"method": "bins", "width": 20, "top": 80, "bottom": 18})
    assert labels == ["<18", "<18", "20-39", "20-39", "40-59", ">=80", ">=80", ">=80", None]
    assert facts["top_coded"] == 3 and facts["bottom_coded"] == 2


def test_bins_on_decimals_and_numeric_text() -> None:
    labels, _ = run([1.62, 1.7, 1.99], {"method": "bins", "width": 0.1})
    assert labels == ["[1.6, 1.7)", "[1.7, 1.8)", "[1.9, 2)"]
    text, _ = run(["34", " 45", None], {"method": "bins", "width": 10})
    assert text == ["30-39", "40-49", None]
    with pytest.raises(TransformError, match="2 values are not numbers"):
        run(["34", "n/a", "unknown"], {"method": "bins", "width": 10})


def test_top_bottom_labels_and_clipping() -> None:
    labels, _ = run(AGES, {"method": "top_bottom", "top": 90, "bottom": 18})
    assert labels == ["<18", "<18", "34", "39", "40", "89", ">=90", ">=90", None]
    clipped, _ = run(AGES, {"method": "top_bottom", "top": 90, "output": "value"}, dtype=pl.Int64)
    assert clipped == [3, 17, 34, 39, 40, 89, 90, 90, None]
    salary, _ = run([12_000.5, 450_000.0], {"method": "top_bottom", "top": 200_000, "output": "value"})
    assert salary == [12_000.5, 200_000.0]


def test_age_bands_top_coded_at_90() -> None:
    labels, facts = run(AGES, {"method": "age_band"})
    assert labels == ["0-9", "10-19", "30-39", "30-39", "40-49", "80-89", ">=90", ">=90", None]
    assert facts["top_coded"] == 2
    fives, _ = run([34.9, 35, 92], {"method": "age_band", "width": 5, "output": "value"})
    assert fives == [30, 35, 90]
    with pytest.raises(TransformError, match="whole number"):
        make_transform("generalize", {"method": "age_band", "width": 2.5})


def test_dates_truncate_to_month_year_decade() -> None:
    d = [dt.date(1987, 5, 17), dt.date(2003, 12, 1), None]
    assert run(d, {"method": "date", "to": "month"})[0] == ["1987-05", "2003-12", None]
    assert run(d, {"method": "date", "to": "year"})[0] == ["1987", "2003", None]
    assert run(d, {"method": "date", "to": "decade"})[0] == ["1980s", "2000s", None]
    kept, _ = run(d, {"method": "date", "to": "decade", "output": "value"})
    assert kept == [dt.date(1980, 1, 1), dt.date(2000, 1, 1), None]
    stamps = pl.Series("t", [dt.datetime(1987, 5, 17, 13, 5)])
    assert run(stamps, {"method": "date", "to": "month", "output": "value"})[0] == [dt.datetime(1987, 5, 1)]


def test_text_dates_with_given_or_inferred_format() -> None:
    fake = Faker("en_US")
    fake.seed_instance(4)
    births = [fake.date_of_birth() for _ in range(50)]
    iso = [b.isoformat() for b in births]
    assert run(iso, {"method": "date", "to": "year"})[0] == [str(b.year) for b in births]
    european = [b.strftime("%d/%m/%Y") for b in births]
    months, _ = run(european, {"method": "date", "to": "month", "date_format": "%d/%m/%Y"})
    assert months == [b.strftime("%Y-%m") for b in births]
    first_days, _ = run(iso, {"method": "date", "to": "month", "output": "value"})
    assert first_days == [b.replace(day=1).isoformat() for b in births]
    with pytest.raises(TransformError, match="date_format"):
        run(["2020-01-05", "not a date"], {"method": "date"})


def test_postal_codes_keep_first_characters() -> None:
    assert run(["02139", " 10001-1234", None], {"method": "postal"})[0] == ["021**", "100*******", None]
    assert run(["02139", "SW1A 1AA"], {"method": "postal", "fill": "", "keep": 2})[0] == ["02", "SW"]
    assert run([90210, 2139, None], {"method": "postal"}, dtype=pl.Int64)[0] == ["902**", "021**", None]


def test_missing_fields_are_listed_per_method() -> None:
    with pytest.raises(TransformError, match="method 'bins' needs: width"):
        make_transform("generalize", {"method": "bins"})
    with pytest.raises(TransformError, match="top or bottom"):
        make_transform("generalize", {"method": "top_bottom"})
    with pytest.raises(TransformError, match="bottom must be below top"):
        make_transform("generalize", {"method": "top_bottom", "top": 10, "bottom": 20})


def test_check_explains_dtype_mismatch() -> None:
    assert "needs numbers" in make_transform("generalize", {"method": "bins", "width": 5}).check(pl.Boolean)[0]
    assert make_transform("generalize", {"method": "postal"}).check(pl.Float64)
    assert make_transform("generalize", {"method": "date"}).check(pl.Date) == []
