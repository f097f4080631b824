"""The streamed release's pieces against what they stand for: the hash lookup against the binary search,
hashes gathered in runs against one sort, and a pseudonymized column's figures from its parts against
the whole column's."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from sanitas.core.errors import TransformError
from sanitas.core.residual import _distinct, _member
from sanitas.core.residual_stream import HashLookup, _Hashes
from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms.pseudonymize import PAIRS_KEY, pseudonym_pairs

KEY = bytes(range(32))


@pytest.mark.parametrize("size", [0, 1, 5, 3_000, 200_000])
def test_hash_lookup_is_the_binary_search(size: int) -> None:
    rng = np.random.default_rng(size)
    originals = _distinct(rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True))
    edges = np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64)
    queries = np.concatenate([rng.integers(0, 2**64 - 1, 50_000, dtype=np.uint64, endpoint=True), edges,
                              originals[rng.integers(0, max(size, 1), 500)] if size else edges])
    lookup = HashLookup(originals)
    assert np.array_equal(lookup.member(queries), _member(queries, originals))
    if size:
        assert lookup.member(originals).all()
    with_edges = _distinct(np.concatenate([originals, edges]))
    assert np.array_equal(HashLookup(with_edges).member(queries), _member(queries, with_edges))


def test_hashes_gathered_in_runs_are_one_sorted_distinct_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import sanitas.core.residual_stream as stream

    monkeypatch.setattr(stream, "COMPACT_EVERY", 1_000)
    rng = np.random.default_rng(3)
    parts = [rng.integers(0, 5_000, rng.integers(0, 700), dtype=np.uint64) for _ in range(40)]
    gathered = _Hashes()
    for part in parts:
        gathered.add(part)
        assert gathered.pending <= 1_000 + 700
    assert np.array_equal(gathered.done(), _distinct(np.concatenate(parts)))
    assert _Hashes().done().size == 0


def _context(column: str, shared: dict[str, Any]) -> TransformContext:
    return TransformContext(column=column, keys=lambda _name: KEY, shared=shared)


def _whole(column: pl.Series, params: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    transform = make_transform("pseudonymize", params)
    transform.fit(column, _context(column.name, shared)).apply(column)
    return transform.facts()


def _from_parts(column: pl.Series, params: dict[str, Any], shared: dict[str, Any], size: int) -> dict[str, Any]:
    pairs, values = [], []
    for start in range(0, column.len(), size):
        part = column.slice(start, size)
        batch: dict[str, Any] = {PAIRS_KEY: {}}
        make_transform("pseudonymize", params).fit(part, _context(column.name, batch)).apply(part)
        pairs.append(pseudonym_pairs(batch, column.name))
        values.append(part.drop_nulls())
    transform = make_transform("pseudonymize", params)
    distinct = pl.concat(values).unique()
    transform.fit(distinct, _context(column.name, shared))
    return transform.facts_of_whole(column.dtype, distinct, pl.concat(pairs))


@pytest.mark.parametrize(("values", "params"), [
    ([f"{i:04d}" for i in range(3000)] + [None, " 0007 "] * 40, {"format": "digits"}),
    ([f"a{i}@Example.org" for i in range(900)] * 2 + ["not an email", "A1@example.org"], {"format": "email"}),
    ([str(i) for i in range(10, 99)] * 3, {"format": "token", "length": 6}),
])
def test_pseudonym_figures_from_parts_are_the_whole_columns(values: list[str | None], params: dict[str, Any]) -> None:
    column = pl.Series("c", values)
    whole = _whole(column, params, {})
    for size in (1, 37, 1_000, 10_000):
        assert _from_parts(column, params, {}, size) == whole
    # across columns with the same key and format, as the release's shared state counts them
    earlier = pl.Series("e", [f"{i:04d}" for i in range(5000, 7000)])
    shared_whole: dict[str, Any] = {}
    _whole(earlier, params, shared_whole)
    shared_parts: dict[str, Any] = {}
    _whole(earlier, params, shared_parts)
    assert _from_parts(column, params, shared_parts, 37) == _whole(column, params, shared_whole)


def test_collisions_across_parts_are_refused_like_the_whole_columns() -> None:
    integers = pl.Series("n", list(range(10, 100)))  # two-digit integers: some share a pseudonym
    params = {"format": "integer", "on_collision": "error"}
    with pytest.raises(TransformError, match="on_collision"):
        _whole(integers, params, {})
    collided = _whole(integers, {"format": "integer"}, {})["collisions"]
    assert collided > 0
    with pytest.raises(TransformError, match="on_collision"):
        _from_parts(integers, params, {}, 1)  # no part has a collision of its own


def test_batch_writer_writes_in_order_and_raises_a_failed_write(tmp_path: Any) -> None:
    from sanitas.core.errors import ExportError
    from sanitas.core.io.batch_writer import BatchWriter
    from sanitas.core.io.staging import StagedFiles

    frames = [pl.DataFrame({"a": list(range(i, i + 1000)), "b": ["=1+1", "x"] * 500}) for i in range(0, 5000, 1000)]
    with StagedFiles() as staged:
        writer = BatchWriter(staged, tmp_path / "out.csv")
        for frame in frames:
            writer.write(frame)
        path = writer.close()
        whole = tmp_path / "whole.csv"
        BatchWriter(staged, whole).close()
        from sanitas.core.io.formula_guard import guard_formulas

        guard_formulas(pl.concat(frames)).write_csv(whole)
        assert path.read_bytes() == whole.read_bytes()
    with StagedFiles() as staged:
        writer = BatchWriter(staged, tmp_path / "bad.csv")
        writer.write(pl.DataFrame({"a": [[1, 2]]}))  # a list column: CSV cannot hold it
        with pytest.raises(ExportError, match="cannot store"):
            writer.write(frames[0])
        writer.abort()
        writer = BatchWriter(staged, tmp_path / "bad2.csv")
        writer.write(pl.DataFrame({"a": [[1, 2]]}))
        with pytest.raises(ExportError):
            writer.close()


def test_batch_writer_remembers_the_fingerprint_of_what_it_wrote(tmp_path: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    import sanitas.core.io.fingerprint as fingerprint
    from sanitas.core.io.batch_writer import BatchWriter
    from sanitas.core.io.staging import StagedFiles

    with StagedFiles() as staged:
        writer = BatchWriter(staged, tmp_path / "out.csv")
        for start in range(0, 3000, 1000):
            writer.write(pl.DataFrame({"a": list(range(start, start + 1000)), "b": ["x,y", "é"] * 500}))
        path = writer.close()
        expected = hashlib.sha256(path.read_bytes()).hexdigest()

        def unread(_path: Any) -> str:
            raise AssertionError("read again")

        monkeypatch.setattr(fingerprint, "_digest", unread)
        assert fingerprint.fingerprint_file(path) == expected  # remembered from the bytes written
