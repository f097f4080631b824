"""The residual check's exact comparison (sorted hashes) and what it reports having covered."""

from __future__ import annotations

import polars as pl

from sanitas.core import residual
from sanitas.core.dataset import Dataset
from sanitas.core.engine import run
from sanitas.core.recipe import parse_recipe


def test_value_of_two_identifier_columns_is_found_for_both() -> None:
    source = pl.DataFrame({"a": ["shared-id", "alpha-1", None], "b": ["beta-2", " shared-id", "gamma-3"]})
    originals = residual.original_values(source, ["a", "b"])
    assert originals.count == 4  # distinct values of 4+ characters over both columns
    hits = residual.exact_hits(pl.Series("out", ["x", None, "shared-id ", "gamma-3"]), originals)
    assert sorted((h.source_column, h.rows) for h in hits) == [("a", [3]), ("b", [3, 4])]
    assert residual.exact_hits(pl.Series("out", [None, None], dtype=pl.String), originals) == []


def test_report_says_what_the_check_covered() -> None:
    frame = pl.DataFrame({
        "email": [f"user{i}@example.org" for i in range(50)],
        "score": list(range(50)),
        "note": ["fine"] * 49 + ["user7@example.org"],
    })
    recipe = parse_recipe({"columns": {
        "email": {"action": "redact", "kind": "identifier", "entity": "EMAIL_ADDRESS"},
        "score": {"action": "keep"}, "note": {"action": "keep"}}})
    check = run(Dataset.from_frame(frame), recipe).residual
    assert check.rows_checked == 50 and check.columns_checked == ["email", "note"]  # score holds numbers
    assert check.cells_checked == 100 and check.original_values == 50
    assert [(h.column, h.source_column, h.rows) for h in check.value_hits] == [("note", "email", [50])]


def test_columns_released_as_read_reuse_the_scan_findings() -> None:
    frame = pl.DataFrame({
        "email": [f"user{i}@example.org" for i in range(60)],
        "city": ["Springfield", "Portland", "Austin"] * 20,
        "code": [f"K{i:03d}" for i in range(60)],
    })
    recipe = parse_recipe({"columns": {
        "email": {"action": "redact", "kind": "identifier", "entity": "EMAIL_ADDRESS"},
        "city": {"action": "keep"}, "code": {"action": "keep"}}})
    check = run(Dataset.from_frame(frame), recipe).residual
    assert check.rescanned == ["city", "code"] and check.rescan_reused == ["city", "code"]
