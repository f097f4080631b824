"""The contract every registered column action keeps, checked in one parametrized test per property."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pytest
from faker import Faker
from polars.testing import assert_series_equal

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TRANSFORMS, TransformContext, get_transform, make_transform, transform_names

KEY = bytes(range(32))
ROWS = 40


def _faker(seed: int) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def _with_nulls(values: list[Any]) -> list[Any]:
    return [None if i % 7 == 3 else v for i, v in enumerate(values)]


def names() -> pl.Series:
    f = _faker(1)
    return pl.Series("name", _with_nulls([f.name() for _ in range(ROWS)]), dtype=pl.String)


def emails() -> pl.Series:
    f = _faker(2)
    return pl.Series("email", _with_nulls([f.email() for _ in range(ROWS)]), dtype=pl.String)


def ssns() -> pl.Series:
    f = _faker(3)
    return pl.Series("ssn", _with_nulls([f.ssn() for _ in range(ROWS)]), dtype=pl.String)


def ages() -> pl.Series:
    f = _faker(4)
    return pl.Series("age", _with_nulls([f.random_int(0, 105) for _ in range(ROWS)]), dtype=pl.Int64)


def ids() -> pl.Series:
    f = _faker(5)
    return pl.Series("customer_id", _with_nulls([f.random_int(10_000, 99_999) for _ in range(ROWS)]), dtype=pl.Int64)


def births() -> pl.Series:
    f = _faker(6)
    return pl.Series("dob", _with_nulls([f.date_of_birth() for _ in range(ROWS)]), dtype=pl.Date)


def zips() -> pl.Series:
    f = _faker(7)
    return pl.Series("zip", _with_nulls([f.postcode() for _ in range(ROWS)]), dtype=pl.String)


def notes() -> pl.Series:
    f = _faker(8)
    values = [f"Please call {f.name()} at {f.numerify('415-###-####')} or {f.email()}." for _ in range(12)]
    return pl.Series("notes", _with_nulls(values), dtype=pl.String)


@dataclass(frozen=True)
class Case:
    name: str
    params: dict[str, Any]
    column: Callable[[], pl.Series]
    bad_params: dict[str, Any]
    bad_field: str
    entity: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        label = self.params.get("method") or self.params.get("format") or self.params.get("mechanism") or ""
        return f"{self.name}-{self.column.__name__}{'-' + label if label else ''}"


CASES = [
    Case("keep", {}, names, {"mode": "x"}, "mode"),
    Case("drop", {}, ages, {"bogus": 1}, "bogus"),
    Case("redact", {}, emails, {"redact_nulls": "maybe"}, "redact_nulls", entity="EMAIL_ADDRESS"),
    Case("redact", {"replacement": "[gone]", "redact_nulls": True}, ages, {"replacement": 3}, "replacement"),
    Case("mask", {}, ssns, {"mask_char": "**"}, "mask_char"),
    Case("mask", {"style": "email"}, emails, {"style": "fancy"}, "style"),
    Case("mask", {}, ids, {"keep_last": -1}, "keep_last"),
    Case("pseudonymize", {}, emails, {"length": 2}, "length", entity="EMAIL_ADDRESS"),
    Case("pseudonymize", {"format": "digits"}, ssns, {"format": "roman"}, "format"),
    Case("pseudonymize", {"format": "email"}, emails, {"email_domain": "drop"}, "email_domain"),
    Case("pseudonymize", {"format": "integer"}, ids, {"on_collision": "ignore"}, "on_collision"),
    Case("fake", {"entity": "PERSON"}, names, {"unique": "often"}, "unique"),
    Case("fake", {}, emails, {"locale": 5}, "locale", entity="EMAIL_ADDRESS"),
    Case("fake", {"entity": "DATE_OF_BIRTH"}, births, {"avoid_real": []}, "avoid_real"),
    Case("generalize", {"method": "bins", "width": 10}, ages, {"method": "bins", "width": 0}, "width"),
    Case(
        "generalize", {"method": "age_band", "output": "value"}, ages, {"method": "age_band", "output": "x"}, "output"
    ),
    Case("generalize", {"method": "top_bottom", "top": 90}, ages, {"method": "top_bottom"}, "top"),
    Case(
        "generalize",
        {"method": "date", "to": "month"},
        births,
        {"method": "date", "to": "week"},
        "to",
    ),
    Case("generalize", {"method": "postal"}, zips, {"method": "postal", "keep": 99}, "keep"),
    Case("scrub", {}, notes, {"score_threshold": 2}, "score_threshold"),
    Case("dp_noise", {"epsilon": 1.0, "lower": 0, "upper": 105}, ages,
         {"epsilon": 1.0, "lower": 9, "upper": 1}, "lower"),
    Case("dp_noise", {"mechanism": "gaussian", "epsilon": 1.0, "delta": 1e-6, "lower": 0, "upper": 105}, ages,
         {"mechanism": "gaussian", "epsilon": 1.0, "lower": 0, "upper": 105}, "delta"),
    Case("dp_noise", {"mechanism": "randomized_response", "epsilon": 0.5, "domain": ["a", "b", "c"]}, zips,
         {"mechanism": "randomized_response", "epsilon": 0.5}, "domain"),
]


def _context(case: Case, column: pl.Series) -> TransformContext:
    return TransformContext(column=column.name, entity=case.entity, seed=7, keys=lambda name: KEY, shared={})


def _variants(column: pl.Series) -> dict[str, pl.Series]:
    return {
        "full": column,
        "empty": column.head(0),
        "all-null": pl.Series(column.name, [None, None, None], dtype=column.dtype),
        "one-row": column.drop_nulls().head(1),
        "null-dtype": pl.Series(column.name, [None, None]),
    }


def test_every_registered_transform_has_a_case() -> None:
    assert {c.name for c in CASES} == set(TRANSFORMS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_params_validate_and_bad_params_name_the_field(case: Case) -> None:
    transform = make_transform(case.name, case.params)
    assert transform.params == type(transform).Params.model_validate(case.params)
    with pytest.raises(TransformError) as info:
        make_transform(case.name, case.bad_params)
    assert case.bad_field in str(info.value)
    assert case.name in str(info.value)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_apply_keeps_the_contract(case: Case) -> None:
    for variant, column in _variants(case.column()).items():
        transform = make_transform(case.name, case.params)
        assert transform.check(column.dtype) == [], variant
        before = column.clone()
        out = transform.fit(column, _context(case, column)).apply(column)
        assert_series_equal(column, before)  # input not mutated
        assert isinstance(out, pl.Series), variant
        assert out.name == column.name, variant
        assert out.len() == column.len(), variant
        assert out.dtype == transform.output_dtype(column.dtype), variant
        facts = transform.facts()
        assert isinstance(facts, dict), variant
        if variant == "full" and case.name not in ("keep", "drop"):
            assert not out.equals(column), f"{case.id}: output equals input"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_facts_hold_no_data_values(case: Case) -> None:
    column = case.column()
    transform = make_transform(case.name, case.params)
    transform.fit(column, _context(case, column)).apply(column)
    text = repr(transform.facts())
    for value in column.drop_nulls().cast(pl.String).to_list():
        assert value not in text or len(value) < 4  # short numbers (ages) may coincide with counts


def test_registry_lookup_and_errors() -> None:
    assert transform_names()[:2] == ["keep", "drop"]
    assert get_transform("mask") is TRANSFORMS["mask"]
    with pytest.raises(TransformError) as info:
        get_transform("shred")
    assert "shred" in str(info.value) and "pseudonymize" in str(info.value)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_class_metadata_and_form_schema(name: str) -> None:
    cls = get_transform(name)
    assert cls.name == name and cls.label and cls.description.endswith(".")
    schema = cls.Params.model_json_schema()
    for field_name, prop in schema.get("properties", {}).items():
        assert prop.get("description"), f"{name}.{field_name} has no description"
        assert "default" in prop, f"{name}.{field_name} has no default"
    assert isinstance(cls.generates_values, bool) and isinstance(cls.removes_column, bool)


def test_drop_removes_and_keep_passes_through() -> None:
    col = ages()
    assert get_transform("drop").removes_column and not get_transform("keep").removes_column
    assert not get_transform("keep").generates_values
    out = make_transform("keep").fit(col, TransformContext(column="age")).apply(col)
    assert_series_equal(out, col)


def test_check_rejects_unsuitable_dtypes() -> None:
    assert make_transform("scrub").check(pl.Int64)
    assert make_transform("generalize", {"method": "date"}).check(pl.Int64)
    assert make_transform("generalize", {"method": "bins", "width": 5}).check(pl.Date)
    assert make_transform("pseudonymize", {"format": "integer"}).check(pl.String)
    assert make_transform("mask").check(pl.List(pl.String))
    assert make_transform("fake", {"entity": "PERSON"}).check(pl.Date)
    with pytest.raises(TransformError, match="column 'when'"):
        column = pl.Series("when", [dt.date(2020, 1, 1)])
        make_transform("scrub").fit(column, TransformContext(column="when"))


@pytest.mark.parametrize("dtype", [pl.String, pl.Int64, pl.UInt8, pl.Date])
def test_broadcast_matches_replace_strict(dtype: pl.DataType) -> None:
    from sanitas.core.transforms.base import _positions, broadcast

    raw = [None if i % 9 == 4 else (i * 7) % 23 for i in range(300)]
    column = (
        pl.Series("c", [None if v is None else f"v{v}" for v in raw])
        if dtype == pl.String
        else pl.Series("c", raw).cast(dtype)
    )
    distinct = column.drop_nulls().unique().sort().slice(2)  # two values left unmapped
    mapped = pl.Series([None if i == 3 else f"out{i}" for i in range(distinct.len())], dtype=pl.String)
    expected = column.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)
    assert_series_equal(broadcast(column, distinct, mapped, pl.String), expected)
    assert_series_equal(broadcast(column, distinct, mapped.to_list(), pl.String), expected)
    assert (_positions(column, distinct) is None) == (dtype == pl.Date)  # dates take replace_strict
    empty = broadcast(column, distinct.clear(), [], pl.Int64)
    assert empty.dtype == pl.Int64 and empty.null_count() == column.len() and empty.name == "c"


def test_map_distinct_in_blocks_calls_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanitas.core.transforms import base

    monkeypatch.setattr(base, "MAP_BLOCK", 7)
    column = pl.Series("c", [None if i % 5 == 0 else f"x{i % 23}" for i in range(200)])
    seen: list[str] = []
    steps: list[float] = []
    out = base.map_distinct(column, lambda v: seen.append(v) or v.upper(), progress=lambda f, _: steps.append(f))
    assert out.name == "c" and out.to_list() == [None if v is None else v.upper() for v in column.to_list()]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 23 and steps == [0.0]
