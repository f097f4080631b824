"""mask's fast ASCII path gives exactly what the general expression gives, on tricky values."""

from __future__ import annotations

import random
import string
from typing import Any

import polars as pl
import pytest
from faker import Faker

from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms.mask import _V, Mask

TRICKY = [
    None, "", "1", "12", "1234", "12345", "-", "--", "a-", "-a", "123-45-6789", "4111 1111 1111 1234",
    "(555) 010-9999 x12", "+1.555.010.9999", "AB-1234-CD", "   ", "x", "ab@cd.ef", "@@", "a@b", "...1",
    "Ünïcødé-1234", "e\u0301te\u0301-12345", "\u65e5\u672c-0123-4567", "\u0661\u0662\u0663\u0664\u0665",
    "emoji\U0001f600-9876", "tab\t1234\n5678", "$100.00", "50%-off", "\x1c1234\x1f",
]


def general(values: list[Any], params: dict[str, Any]) -> list[Any]:
    """The general expression alone (every row through _mask_characters / _mask_email)."""
    transform = Mask(params)
    column = pl.Series(_V, values, dtype=pl.String)
    c = pl.col(_V)
    from sanitas.core.transforms.mask import EMAIL_SHAPE

    expr = transform._mask_characters(c)
    if transform.params.style != "characters":
        expr = pl.when(c.str.contains(EMAIL_SHAPE)).then(transform._mask_email(c)).otherwise(expr)
    return column.to_frame().select(expr).to_series().to_list()


def applied(values: list[Any], params: dict[str, Any]) -> list[Any]:
    column = pl.Series("c", values, dtype=pl.String)
    transform = make_transform("mask", params)
    return transform.fit(column, TransformContext(column="c")).apply(column).to_list()


PARAMS = [
    {}, {"keep_last": 0}, {"keep_first": 2, "keep_last": 2}, {"keep_first": 6, "keep_last": 4},
    {"keep_first": 1, "keep_last": 0}, {"mask_char": "$"}, {"mask_char": "#", "keep_last": 7},
    {"mask_char": "\u2022"}, {"style": "characters", "keep_last": 2}, {"keep_separators": False},
    {"keep_separators": False, "keep_first": 3},
]


@pytest.mark.parametrize("params", PARAMS)
def test_fast_path_equals_the_general_expression(params: dict[str, Any]) -> None:
    rnd = random.Random(11)
    alphabet = string.ascii_letters + string.digits + " -.()/+_@#$"
    values: list[Any] = [*TRICKY]
    values += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24))) for _ in range(600)]
    fake = Faker("en_US")
    fake.seed_instance(2)
    values += [fake.phone_number() for _ in range(100)] + [fake.credit_card_number() for _ in range(100)]
    values += [fake.ssn() for _ in range(50)] + [fake.email() for _ in range(50)]
    assert applied(values, params) == general(values, params)
    ascii_only = [v for v in values if v is None or v.isascii()]
    assert applied(ascii_only, params) == general(ascii_only, params)
    others = [v for v in values if v is None or not v.isascii()]
    assert applied(others, params) == general(others, params)


def test_blocks_of_rows_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanitas.core.transforms import _mask_bytes

    values = [f"{i:04d}-{i * 7919 % 10000:04d}" if i % 5 else None for i in range(100)]
    whole = applied(values, {"keep_first": 1})
    monkeypatch.setattr(_mask_bytes, "BLOCK_ROWS", 7)
    assert applied(values, {"keep_first": 1}) == whole == general(values, {"keep_first": 1})


def test_all_null_and_empty_columns() -> None:
    assert applied([None, None], {}) == [None, None]
    assert applied([], {}) == []
