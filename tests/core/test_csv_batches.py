"""CSV blocks parsed on demand give the rows the lazy scan gives, quoted line breaks across blocks included."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanitas.core.io import open_dataset
from sanitas.core.io.csv_batches import csv_batches


def test_blocks_equal_the_scan(tmp_path: Path) -> None:
    rows = [{"id": i, "note": f'line {i}\nsecond "quoted" part' if i % 7 == 0 else f"plain {i}", "zip": f"0{i:04d}"}
            for i in range(500)]
    path = tmp_path / "t.csv"
    pl.DataFrame(rows).write_csv(path)
    dataset = open_dataset(path)
    whole = dataset.collect()
    blocks = csv_batches(dataset.backing, dataset.frame.collect_schema(), block_bytes=300)
    assert blocks is not None
    parts = list(blocks)
    assert len(parts) > 10
    assert pl.concat(parts).equals(whole)
    picked = csv_batches(dataset.backing, dataset.frame.collect_schema(), ["zip", "id"], block_bytes=300)
    assert picked is not None
    assert pl.concat(list(picked)).equals(whole.select("zip", "id"))


def test_no_csv_backing_gives_none() -> None:
    from sanitas.core.dataset import Dataset

    dataset = Dataset.from_frame(pl.DataFrame({"a": [1]}), "t")
    assert csv_batches(dataset.backing, dataset.frame.collect_schema()) is None
