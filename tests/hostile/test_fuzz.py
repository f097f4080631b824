"""Hypothesis fuzzes the recipe loader and the readers: any bytes give a recipe/dataset or a SanitasError."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanitas.core.errors import SanitasError
from sanitas.core.io import open_dataset
from sanitas.core.recipe import load_recipe

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["version", "columns", "action", "params", "k_anonymity", "keys", "seed", "x"]) | st.text(
        max_size=8), inner, max_size=4), max_leaves=30)


def _try(read: Callable[[Path], object], data: bytes, suffix: str) -> None:
    """Write ``data`` to a file in a temp folder (removed after) and read it: a result or a SanitasError."""
    with tempfile.TemporaryDirectory(prefix="sanitas-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(SanitasError):
            read(path)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([".yaml", ".json"]))
def test_recipe_loader_on_any_bytes(data: bytes, suffix: str) -> None:
    _try(load_recipe, data, suffix)


@FUZZ
@given(trees)
def test_recipe_loader_on_any_yaml_shape(tree: object) -> None:
    _try(load_recipe, yaml.safe_dump({"version": 1, "columns": tree}).encode(), ".yaml")


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".csv", ".tsv", ".json", ".ndjson", ".xlsx", ".parquet"]))
def test_readers_on_any_bytes(data: bytes, suffix: str) -> None:
    _try(lambda path: open_dataset(path).collect(), data, suffix)


@FUZZ
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6), min_size=1,
                         max_size=4), min_size=1, max_size=6), st.sampled_from([",", ";", "\t", "|"]))
def test_csv_reader_on_any_table(rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    _try(lambda path: open_dataset(path).collect(), text.encode("utf-8"), ".csv")
