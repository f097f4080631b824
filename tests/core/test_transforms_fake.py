"""fake: realistic values, consistent across columns, deterministic for a seed, never a real value."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms._fake_entities import supported_entities


def real(kind: str, n: int, seed: int = 9) -> list[Any]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [getattr(fake, kind)() for _ in range(n)]


def run(
    column: pl.Series,
    params: dict[str, Any] | None = None,
    *,
    seed: int = 1,
    shared: dict[str, Any] | None = None,
    entity: str | None = None,
    locale: str = "en_US",
):
    transform = make_transform("fake", params or {})
    context = TransformContext(
        column=column.name, entity=entity, seed=seed, locale=locale, shared={} if shared is None else shared
    )
    return transform.fit(column, context).apply(column), transform.facts()


def test_names_are_replaced_consistently_and_never_by_a_real_name() -> None:
    names = real("name", 400)
    column = pl.Series("name", names + names[:50])
    out, facts = run(column, {"entity": "PERSON"})
    mapping = dict(zip(column.to_list(), out.to_list(), strict=True))
    assert all(out[i] == mapping[v] for i, v in enumerate(column.to_list()))
    assert not set(out.to_list()) & set(names)
    assert facts["distinct_inputs"] == len(set(names)) and facts["equal_to_real"] == 0
    assert out.n_unique() == len(set(names))  # unique: distinct people stay distinct


def test_same_person_same_fake_across_columns() -> None:
    emails = real("email", 100)
    shared: dict[str, Any] = {}
    a, _ = run(pl.Series("email", emails), {"entity": "EMAIL_ADDRESS"}, shared=shared)
    b, facts = run(
        pl.Series("backup_email", [e.upper() for e in emails[50:]] + ["new@example.org"]),
        {"entity": "EMAIL_ADDRESS"},
        shared=shared,
    )
    assert b.to_list()[:50] == a.to_list()[50:]  # emails compare case-insensitively
    assert facts["reused"] == 50 and facts["generated"] == 1
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", v) for v in a.to_list())


def test_deterministic_for_a_seed_and_independent_of_row_order() -> None:
    names = real("name", 200)
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    a, _ = run(pl.Series("n", names), {"entity": "PERSON"}, seed=42)
    b, _ = run(pl.Series("n", shuffled), {"entity": "PERSON"}, seed=42)
    assert dict(zip(names, a.to_list(), strict=True)) == dict(zip(shuffled, b.to_list(), strict=True))
    c, _ = run(pl.Series("n", names), {"entity": "PERSON"}, seed=43)
    assert a.to_list() != c.to_list()


def test_entity_from_context_and_locale() -> None:
    column = pl.Series("city", real("city", 30))
    out, facts = run(column, entity="LOCATION")
    assert facts["entity"] == "LOCATION" and out.null_count() == 0
    german, facts = run(column, {"locale": "de_DE"}, entity="CITY")
    assert facts["locale"] == "de_DE" and german.to_list() != out.to_list()


def test_weighted_draws_are_deterministic_too() -> None:
    column = pl.Series("n", real("name", 50))
    a, facts = run(column, {"entity": "person", "weighted": True}, seed=5)
    b, _ = run(column, {"entity": "PERSON", "weighted": True}, seed=5)
    c, _ = run(column, {"entity": "PERSON"}, seed=5)
    assert a.to_list() == b.to_list() != c.to_list() and facts["entity"] == "PERSON"


def test_id_shape_is_kept() -> None:
    column = pl.Series("pid", ["CUST-00123", "CUST-98765", "ab-12"])
    out, _ = run(column, {"entity": "PERSON_ID"})
    assert re.fullmatch(r"[A-Z]{4}-\d{5}", out[0]) and re.fullmatch(r"[a-z]{2}-[1-9]\d", out[2])
    ints, _ = run(pl.Series("pid", [40312, 77001], dtype=pl.Int64), {"entity": "PERSON_ID"})
    assert ints.dtype == pl.String and all(re.fullmatch(r"[1-9]\d{4}", v) for v in ints.to_list())


def test_dates_of_birth_stay_dates() -> None:
    column = pl.Series("dob", [*real("date_of_birth", 20), None], dtype=pl.Date)
    out, _ = run(column, {"entity": "DATE_OF_BIRTH"})
    assert out.dtype == pl.Date and out[-1] is None and out.null_count() == 1
    assert all(isinstance(v, dt.date) for v in out.drop_nulls().to_list())
    with pytest.raises(TransformError, match="date entity"):
        run(column, {"entity": "PERSON"})


@pytest.mark.parametrize("entity", supported_entities())
def test_every_supported_entity_generates_text(entity: str) -> None:
    column = pl.Series("c", ["A-1234", "192.168.0.1", "b-22", None])
    out, facts = run(column, {"entity": entity})
    assert out.dtype == pl.String and out.null_count() == 1
    assert all(isinstance(v, str) and v for v in out.drop_nulls().to_list())
    assert facts["generated"] == 3


def test_unknown_or_missing_entity_and_bad_locale() -> None:
    column = pl.Series("c", ["x"])
    with pytest.raises(TransformError, match=r"supported: .*PERSON"):
        run(column, {"entity": "STAR_SIGN"})
    with pytest.raises(TransformError, match="no entity"):
        run(column)
    with pytest.raises(TransformError, match="locale"):
        run(column, {"entity": "PERSON", "locale": "xx_YY"})
