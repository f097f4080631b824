"""mask: shapes kept, separators kept, emails masked as emails, short values fully hidden."""

from __future__ import annotations

import re

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TransformContext, make_transform


def mask(values: list[object], dtype: pl.DataType = pl.String, **params: object) -> list[str | None]:
    column = pl.Series("c", values, dtype=dtype)
    transform = make_transform("mask", dict(params))
    return transform.fit(column, TransformContext(column="c")).apply(column).to_list()


def test_ssn_and_card_keep_separators_and_last_four() -> None:
    assert mask(["123-45-6789", "4111 1111 1111 1234"]) == ["***-**-6789", "**** **** **** 1234"]


def test_faker_ssns_keep_shape_and_last_four() -> None:
    fake = Faker("en_US")
    fake.seed_instance(21)
    ssns = [fake.ssn() for _ in range(200)]
    for real, masked in zip(ssns, mask(ssns), strict=True):
        assert re.fullmatch(r"\*{3}-\*{2}-\d{4}", masked)
        assert masked[-4:] == real[-4:]


def test_email_keeps_first_letter_and_domain() -> None:
    assert mask(["jane.doe@example.com"]) == ["j***@example.com"]
    assert mask(["jane.doe@example.com"], mask_domain=True) == ["j***@***.com"]
    assert mask(["x@example.com"]) == ["***@example.com"]  # never the whole local part
    assert mask(["jane.doe@example.com"], style="email", keep_first=2, keep_last=1) == ["ja***e@example.com"]


def test_email_mask_hides_local_part_length() -> None:
    out = mask(["al@example.com", "alexandra.longname@example.com"])
    assert out == ["a***@example.com", "a***@example.com"]


def test_characters_style_masks_emails_character_by_character() -> None:
    assert mask(["ab@cd.ef"], style="characters", keep_last=2) == ["**@**.ef"]


def test_without_separators_every_character_counts() -> None:
    assert mask(["123-45-6789"], keep_separators=False) == ["*******6789"]
    assert mask(["123-45-6789"], keep_separators=False, keep_first=3, keep_last=0) == ["123********"]


def test_keep_first_and_last_count_letters_and_digits() -> None:
    assert mask(["AB-1234-CD"], keep_first=2, keep_last=2) == ["AB-****-CD"]
    assert mask(["4111 1111 1111 1234"], keep_first=6, keep_last=4) == ["4111 11** **** 1234"]


def test_short_values_are_masked_entirely() -> None:
    assert mask(["12", "1234", "12345"]) == ["**", "****", "*2345"]


def test_integer_column_is_masked_as_text() -> None:
    assert mask([123456789, -42, None], dtype=pl.Int64) == ["*****6789", "-**", None]


def test_mask_char_and_nulls_and_empty() -> None:
    assert mask(["123-45-6789", None, ""], mask_char="#") == ["###-##-6789", None, ""]
    assert mask(["9876-5432"], mask_char="$") == ["$$$$-5432"]


def test_unicode_letters_count() -> None:
    assert mask(["Ünïcødé-1234"]) == ["*******-1234"]


def test_bad_mask_char_names_field() -> None:
    with pytest.raises(TransformError, match="mask_char"):
        make_transform("mask", {"mask_char": ""})


def test_facts_count_cells() -> None:
    column = pl.Series("c", ["a@b.co", "123-45-6789", None])
    transform = make_transform("mask")
    transform.fit(column, TransformContext(column="c")).apply(column)
    assert transform.facts() == {"cells_masked": 2, "emails_masked": 1}
