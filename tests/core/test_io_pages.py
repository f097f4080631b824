"""PagedRows: rows by position from a lazily read file, without the table in memory (core/io/pages.py)."""

from __future__ import annotations

import random
import stat
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.errors import LoadError
from sanitas.core.io import open_dataset
from sanitas.core.io.pages import PagedRows


def _table(rows: int, seed: int = 11) -> pl.DataFrame:
    rng = random.Random(seed)
    return pl.DataFrame({
        "id": list(range(rows)),
        "zip": [f"{rng.randrange(0, 3000):05d}" for _ in range(rows)],  # zero-led codes: must stay text
        "age": [rng.randrange(18, 90) for _ in range(rows)],
        "note": [None if i % 97 == 0 else f"note {rng.random():.6f}" for i in range(rows)],
    })


@pytest.fixture
def csv_file(tmp_path: Path) -> tuple[Path, pl.DataFrame]:
    frame = _table(25_000)
    path = tmp_path / "people.csv"
    frame.write_csv(path)
    return path, frame


def test_pages_anywhere_equal_the_file(csv_file: tuple[Path, pl.DataFrame]) -> None:
    path, frame = csv_file
    rows = PagedRows.from_dataset(open_dataset(path), row_group=1_000, sample_rows=300)
    assert (rows.height, rows.columns) == (25_000, ["id", "zip", "age", "note"])
    assert rows.schema["zip"] == pl.String  # leading zeros kept, as the reader reads them
    for offset in (0, 999, 12_345, 24_900):
        page = rows.page(offset, 200)
        assert page.equals(frame.slice(offset, 200))
    assert rows.page(24_990, 500).height == 10  # fewer at the end
    assert rows.page(100, 5, ["note"]).columns == ["note"]
    rows.close()


def test_sample_is_bounded_and_spread(csv_file: tuple[Path, pl.DataFrame]) -> None:
    path, _ = csv_file
    rows = PagedRows.from_dataset(open_dataset(path), sample_rows=300)
    ids = rows.sample.get_column("id").to_list()
    assert len(ids) == 300 and ids[0] == 0 and ids[-1] > 20_000  # not only the first rows
    rows.close()


def test_distinct_values_of_a_column(csv_file: tuple[Path, pl.DataFrame]) -> None:
    path, frame = csv_file
    rows = PagedRows.from_dataset(open_dataset(path))
    distinct = rows.distinct("note")
    assert distinct.len() == frame.get_column("note").n_unique() and distinct[-1] is None  # nulls last
    assert rows.distinct("zip").to_list() == sorted(frame.get_column("zip").unique().to_list())
    rows.close()


def test_the_copy_is_private_and_removed(csv_file: tuple[Path, pl.DataFrame]) -> None:
    path, _ = csv_file
    rows = PagedRows.from_dataset(open_dataset(path))
    copy = rows.path
    assert copy is not None and copy.is_file()
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    rows.close()
    assert not copy.parent.exists()


def test_in_memory_rows_are_paged_from_the_frame() -> None:
    frame = _table(1_000)
    rows = PagedRows.from_frame(frame, sample_rows=100)
    assert rows.in_memory and rows.path is None and rows.height == 1_000
    assert rows.page(990, 50).equals(frame.slice(990, 10)) and rows.sample.height == 100


def test_a_bad_row_far_down_names_the_file_and_line(tmp_path: Path) -> None:
    lines = ["a,b"] + [f"{i},{i}" for i in range(5_000)] + ["1"]  # too few fields on the last line
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoadError, match=r"ragged\.csv"):
        PagedRows.from_dataset(open_dataset(path))
