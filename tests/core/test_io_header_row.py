"""The header row option: exports with a title line or two above the column names (issue 13, item 8).

CSV/TSV skip the lines above the header (in any encoding), Excel the sheet rows above it; messages
still name the line of the analyst's file; a row past the end is refused naming the file and row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from sanitas.core.errors import LoadError
from sanitas.core.io import open_dataset

TITLED = "Customer export\nGenerated 2026-12-06 by CRM, 2 rows\nname,zip,age\nAnn Lee,02139,34\nBo Chan,10001,51\n"


def test_csv_with_two_title_lines_reads_from_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(TITLED)
    dataset = open_dataset(path, header_row=3)
    frame = dataset.collect()
    assert frame.columns == ["name", "zip", "age"]
    assert frame.get_column("zip").to_list() == ["02139", "10001"]  # zero-led codes still read as text
    assert frame.get_column("age").dtype.is_integer()
    assert dataset.options["header_row"] == 3
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n")
    assert "header_row" not in open_dataset(plain, header_row=1).options  # row 1: read in place, as before


def test_without_the_option_the_message_points_to_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(TITLED)
    with pytest.raises(LoadError) as caught:
        open_dataset(path)
    message = caught.value.message
    assert message.startswith("export.csv, line 2: 2 fields, expected 1.")  # the title line with a comma
    assert "column names are on line 3, under a title, pass --header-row" in message  # the usual width starts there


def test_non_utf8_file_with_a_title_is_transcoded_once_and_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Clients – été\nnom;ville\nRené;Orléans\nZoë;Saint-Étienne\n".encode("cp1252"))
    frame = open_dataset(path, header_row=2, encoding="cp1252").collect()
    assert frame.columns == ["nom", "ville"]
    assert frame.get_column("ville").to_list() == ["Orléans", "Saint-Étienne"]


def test_messages_name_the_line_of_the_original_file(tmp_path: Path) -> None:
    sample = tmp_path / "ragged.csv"
    sample.write_text("Title\n\nname,age\nAnn,3\nBo\n")
    with pytest.raises(LoadError) as caught:
        open_dataset(sample, header_row=3)
    assert "ragged.csv, line 5" in caught.value.message  # the sample check
    deep = tmp_path / "deep.csv"
    rows = "".join(f"p{i},{i}\n" for i in range(30_000))  # past the 64 KB sample: the full-file pass finds it
    deep.write_text("Title\nname,age\n" + rows + "late,1,extra\n")
    with pytest.raises(LoadError) as caught:
        open_dataset(deep, header_row=2).collect()
    assert f"deep.csv, line {30_000 + 3:,}" in caught.value.message


def test_csv_header_row_past_the_end_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(TITLED)
    for row in (6, 40):
        with pytest.raises(LoadError) as caught:
            open_dataset(path, header_row=row)
        message = caught.value.message
        assert message.startswith("short.csv: header row") and f"row {row}" in message and "past the end" in message
        assert caught.value.option == "header_row"
        lines = TITLED.count("\n")
        said = "nothing follows line" if row == lines + 1 else f"it has {lines:,} lines"
        assert said in message  # the file's real length, not the row asked for minus one
    for bad in (0, -2, "3", True):
        with pytest.raises(LoadError, match="header row must be a whole number from 1"):
            open_dataset(path, header_row=bad)  # type: ignore[arg-type]


def test_xlsx_with_a_title_row(tmp_path: Path) -> None:
    book = tmp_path / "report.xlsx"
    with xlsxwriter.Workbook(book) as workbook:
        sheet = workbook.add_worksheet("Export")
        sheet.write(0, 0, "Quarterly customer export")
        sheet.write_row(1, 0, ["name", "email", "age"])
        sheet.write_row(2, 0, ["Ann Lee", "ann@example.org", 34])
        sheet.write_row(3, 0, ["Bo Chan", "bo@example.net", 51])
    dataset = open_dataset(book, header_row=2)
    frame = dataset.collect()
    assert frame.columns == ["name", "email", "age"]
    assert frame.height == 2 and frame.get_column("age").to_list() == [34, 51]
    assert dataset.options["header_row"] == 2
    with pytest.raises(LoadError) as caught:
        open_dataset(book, header_row=9)
    assert "report.xlsx, sheet 'Export': header row 9" in caught.value.message
    assert caught.value.option == "header_row"


def test_header_row_is_refused_for_formats_without_one(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(path)
    with pytest.raises(LoadError, match="--header-row does not apply to parquet"):
        open_dataset(path, header_row=2)
