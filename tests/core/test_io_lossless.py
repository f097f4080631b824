"""Kept values are written as they were read: no 1e400 -> inf, no -0 -> -0.0 in CSV, and no big integer
rounded by Excel (such columns go to XLSX as text, and the report says so)."""

from __future__ import annotations

import json
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from sanitas.cli.main import main
from sanitas.core.io import open_dataset, write_table

KEEP = "version: 1\nunlisted_columns: keep\n"
LOSSY = {
    "overflow": ["1e400", "2.5", "-1E+999"],
    "underflow": ["1e-400", "0.5", "3"],
    "neg_zero_int": ["-0", "4", "5"],
    "neg_zero_float": ["-0.0", "1.25", "2"],
    "long_float": ["12345678901234567890.123", "1.5", "2"],
}


def _csv(path: Path, columns: dict[str, list[str]], filler: int = 0) -> None:
    names = list(columns)
    rows = [",".join(["1"] * len(names))] * filler  # plain numbers first: the lossy ones come after inference
    rows += [",".join(columns[n][i] for n in names) for i in range(3)]
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("filler", [0, 12_000], ids=["in-inferred-rows", "after-10000-rows"])
def test_csv_keeps_numbers_a_float_would_change(tmp_path: Path, filler: int) -> None:
    source = tmp_path / "n.csv"
    _csv(source, {**LOSSY, "big_int": ["18446744073709551615", "-9223372036854775809", "7"],
                  "plain": ["1.5", "2.25", "3"]}, filler)
    recipe = tmp_path / "keep.yaml"
    recipe.write_text(KEEP)
    out = tmp_path / "out.csv"
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(out), "-q", "--model", "none"]) == 0
    written = pl.read_csv(out, infer_schema=False).tail(3)
    for name, values in LOSSY.items():
        assert written.get_column(name).to_list() == values, name
    assert written.get_column("big_int").to_list() == ["18446744073709551615", "-9223372036854775809", "7"]
    if not filler:
        schema = open_dataset(source).schema
        assert schema["big_int"] == pl.Int128, "exact integers stay numbers"
        assert schema["plain"] == pl.Float64, "numbers a float holds exactly stay numbers"


def test_xlsx_writes_integers_past_2_53_as_text_and_says_so(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "u64": pl.Series([18446744073709551615, 1], dtype=pl.UInt64),
        "i64": pl.Series([2**53 + 1, -(2**53) - 3], dtype=pl.Int64),
        "small": pl.Series([2**53, -5], dtype=pl.Int64),
        "dec": pl.Series(["1234567890.1234567", "1.5"], dtype=pl.Decimal(20, 7)),
    })
    notes: dict[str, str] = {}
    out = write_table(frame, tmp_path / "big.xlsx", notes=notes)
    back = fastexcel.read_excel(out).load_sheet(0, dtypes="string").to_polars()
    assert back.get_column("u64").to_list() == ["18446744073709551615", "1"]
    assert back.get_column("i64").to_list() == [str(2**53 + 1), str(-(2**53) - 3)]
    assert back.get_column("dec").to_list() == ["1234567890.1234567", "1.5000000"]
    assert set(notes) == {"u64", "i64", "dec"}, "an integer a double holds exactly stays a number"
    assert "written as text in the XLSX" in notes["u64"] and "2^53" in notes["u64"]
    numbers = fastexcel.read_excel(out).load_sheet(0).to_polars()
    assert numbers.get_column("small").to_list() == [2**53, -5]


def test_apply_to_xlsx_reports_the_columns_written_as_text(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ids.parquet"
    pl.DataFrame({"id": pl.Series([18446744073709551615, 3], dtype=pl.UInt64), "n": [1, 2]}).write_parquet(source)
    recipe = tmp_path / "keep.yaml"
    recipe.write_text(KEEP)
    out = tmp_path / "ids.xlsx"
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(out), "-q", "--model", "none"]) == 0
    assert "note: column 'id' is written as text in the XLSX" in capsys.readouterr().out
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert "column 'id' is written as text in the XLSX" in report["status_reason"]
    assert "written as text" in next(c for c in report["columns"] if c["name"] == "id")["note"]
    assert "column &#39;id&#39; is written as text" in Path(f"{out}.report.html").read_text()
    back = fastexcel.read_excel(out).load_sheet(0, dtypes="string").to_polars()
    assert back.get_column("id").to_list() == ["18446744073709551615", "3"]
