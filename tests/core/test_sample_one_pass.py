"""The CSV sample drawn in the checks' read of the file equals the one a streaming query draws."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from faker import Faker

from sanitas.core.dataset import ROW_INDEX
from sanitas.core.errors import LoadError
from sanitas.core.io import open_dataset


def write(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def rows(n: int) -> list[str]:
    fake = Faker("en_US")
    fake.seed_instance(6)
    out = ["id,name,address,zip,amount,note"]
    for i in range(n):
        address = fake.address().replace("\n", ", ")
        note = '"said ""hi"", left"' if i % 7 == 0 else ("" if i % 5 == 0 else fake.word())
        out.append(f'{i},{fake.name()},"{address}",{fake.zipcode()},{i * 1.25:.2f},{note}')
    return out


def both(path: Path, n: int) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, pl.DataType]]:
    one_pass = open_dataset(path)
    sample = one_pass.sample_rows(n)
    query = open_dataset(path)
    query.backing.check_with_sample = lambda *_: None  # type: ignore[union-attr]
    return sample, query.sample_rows(n), one_pass.schema


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_one_pass_sample_equals_the_query_sample(tmp_path: Path, newline: str) -> None:
    lines = rows(12_500)
    lines[9_000] = ""  # a blank line is a row of nulls for polars, in both ways
    lines[12_001] = lines[12_001].replace(",", ",0", 3).replace(",0", ",", 2)  # zip 0-led after inference rows
    path = write(tmp_path / "c.csv", lines, newline)
    sample, reference, _ = both(path, 300)
    assert sample.height == 300 and sample[ROW_INDEX].to_list() == list(range(0, 300 * 41, 41))
    assert sample.equals(reference)


def test_zero_led_code_far_down_is_widened_by_the_one_pass(tmp_path: Path) -> None:
    body = [f"{i},{94000 + i % 900},{i % 90}" for i in range(12_000)]
    body[11_500] = "11500,02139,-07"
    path = write(tmp_path / "zips.csv", ["id,zip,score", *body])
    sample, reference, schema = both(path, 100)
    assert schema["zip"] == pl.String and schema["score"] == pl.String and schema["id"] == pl.Int64
    assert sample.equals(reference)


def test_type_break_and_multiline_fall_back_to_the_query(tmp_path: Path) -> None:
    body = [f"{i},n{i},{i}" for i in range(12_000)]
    body[11_999] = "11999,late,not-a-number"
    path = write(tmp_path / "late.csv", ["id,name,value", *body])
    sample, reference, schema = both(path, 100)
    assert sample.equals(reference) and schema["value"] == pl.String
    multi = write(tmp_path / "multi.csv", ["id,text", *(f'{i},"line one\nline two"' for i in range(500))])
    sample, reference, _ = both(multi, 50)
    assert sample.equals(reference) and sample.height == 50


def test_ragged_row_still_names_its_line(tmp_path: Path) -> None:
    lines = rows(3_000)
    lines[2_500] = "2499,only,three"
    path = write(tmp_path / "ragged.csv", lines)
    with pytest.raises(LoadError, match="2,501"):
        open_dataset(path).sample_rows(100)
