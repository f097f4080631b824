"""redact: tags from the entity, constants, nulls."""

from __future__ import annotations

import polars as pl

from sanitas.core.transforms import TransformContext, make_transform


def run(column: pl.Series, params: dict[str, object] | None = None, entity: str | None = None) -> list[object]:
    transform = make_transform("redact", params or {})
    return transform.fit(column, TransformContext(column=column.name, entity=entity)).apply(column).to_list()


def test_tag_comes_from_params_then_context_then_default() -> None:
    column = pl.Series("c", ["a@b.co", None])
    assert run(column, {"entity": "PERSON"}, entity="EMAIL_ADDRESS") == ["<PERSON>", None]
    assert run(column, entity="EMAIL_ADDRESS") == ["<EMAIL_ADDRESS>", None]
    assert run(column) == ["<REDACTED>", None]


def test_constant_and_redacted_nulls() -> None:
    column = pl.Series("n", [1, None, 3])
    assert run(column, {"replacement": "", "redact_nulls": True}) == ["", "", ""]
    assert run(column, {"replacement": "x"}) == ["x", None, "x"]


def test_facts_count_replaced_cells() -> None:
    column = pl.Series("c", ["a", None, "b"])
    transform = make_transform("redact")
    transform.fit(column, TransformContext(column="c")).apply(column)
    assert transform.facts() == {"rows": 3, "cells_replaced": 2}
