"""Loading: formats, encodings, dialects, type inference, and every bad-input message."""

from __future__ import annotations

import codecs
import gc
import json
import stat
from pathlib import Path

import polars as pl
import pytest
from faker import Faker

from sanitas.core.dataset import ROW_INDEX
from sanitas.core.errors import LoadError
from sanitas.core.io import open_dataset, write_table


@pytest.fixture
def people() -> pl.DataFrame:
    """Fake customers with the column kinds that trip loaders: leading zeros, long digit IDs, text."""
    fake = Faker("en_US")
    fake.seed_instance(1234)
    n = 300
    return pl.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "name": [fake.name() for _ in range(n)],
            "email": [fake.email() for _ in range(n)],
            "zip": [f"{fake.random_int(0, 9999):05d}" for _ in range(n)],
            "card": [fake.numerify("4###############") for _ in range(n)],
            "phone": [fake.numerify("###-###-####") for _ in range(n)],
            "amount": [round(fake.pyfloat(min_value=0, max_value=1000), 2) for _ in range(n)],
        }
    )


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_lines(rows: int, *, start: int = 0) -> list[str]:
    return [f"{i},name {i},{i * 3}" for i in range(start, start + rows)]


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".xlsx", ".json", ".ndjson", ".jsonl"])
def test_round_trip_each_format(tmp_path: Path, people: pl.DataFrame, suffix: str) -> None:
    path = write_table(people, tmp_path / f"people{suffix}")
    dataset = open_dataset(path)
    back = dataset.collect()
    assert back.columns == people.columns
    assert back["zip"].dtype == pl.String and back["card"].dtype == pl.String
    assert back.equals(people.with_columns(back.select("amount")))  # floats: compared below
    assert back["amount"].round(2).equals(people["amount"])
    assert dataset.row_count() == people.height
    assert dataset.head(5).height == 5
    assert dataset.source == path


def test_sample_rows_spread_and_deterministic(tmp_path: Path, people: pl.DataFrame) -> None:
    dataset = open_dataset(write_table(people, tmp_path / "people.csv"))
    first = dataset.sample_rows(30)
    assert first.height == 30 and first[ROW_INDEX].to_list() == list(range(0, 300, 10))
    assert first.equals(dataset.sample_rows(30))


def test_head_on_a_large_csv_reads_only_the_start(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("id,name,value\n" + "\n".join(csv_lines(200_000)) + "\n")
    dataset = open_dataset(path)
    assert dataset.head(10)["id"].to_list() == list(range(10))
    assert dataset.row_count() == 200_000


# --- encodings ----------------------------------------------------------------------------------


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "id,name\n1,Zoë\n2,Jürgen\n".encode())
    dataset = open_dataset(path)
    assert dataset.columns == ["id", "name"]
    assert dataset.collect()["name"].to_list() == ["Zoë", "Jürgen"]
    assert dataset.options["transcoded"] is False


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("cp1252", "id,city,price\n1,Málaga,€5\n2,Nîmes,€7\n", "cp1252"),
        ("latin-1", "id,city,code\n1,Zoë,\x81x\n2,Ångström,y\n", "latin-1"),
    ],
)
def test_non_utf8_is_detected_and_transcoded(tmp_path: Path, encoding: str, text: str, expected: str) -> None:
    path = write_text(tmp_path / "legacy.csv", text, encoding)
    dataset = open_dataset(path)
    assert dataset.options["encoding"] == expected and dataset.options["transcoded"] is True
    assert dataset.collect().row(0)[1] == text.splitlines()[1].split(",")[1]
    assert not any(p.name != "legacy.csv" for p in tmp_path.iterdir()), "nothing written next to the input"


def test_explicit_encoding_wins_over_the_guess(tmp_path: Path) -> None:
    path = write_text(tmp_path / "names.csv", "id,name\n1,Zoë\n", "latin-1")
    assert open_dataset(path, encoding="latin-1").collect()["name"][0] == "Zoë"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write_text(tmp_path / "u16.csv", "id,name\n1,Zoë\n", "utf-16")
    assert open_dataset(path).collect()["name"][0] == "Zoë"


def test_transcoded_copy_is_private_and_dies_with_the_dataset(tmp_path: Path) -> None:
    path = write_text(tmp_path / "legacy.csv", "id,name\n1,Zoë\n", "cp1252")
    dataset = open_dataset(path)
    folder = dataset.backing.source.temp.path  # type: ignore[union-attr]
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert tmp_path not in folder.parents
    del dataset
    gc.collect()
    assert not folder.exists()


# --- dialects -----------------------------------------------------------------------------------


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    path = write_text(tmp_path / "eu.csv", "name;price;city\nAda;1,50;Lyon\nBob;2,75;Metz\n")
    dataset = open_dataset(path)
    assert dataset.options["delimiter"] == ";"
    assert dataset.collect()["price"].to_list() == ["1,50", "2,75"]


@pytest.mark.parametrize("name", ["data.tsv", "data.txt", "data"])
def test_tab_delimited_by_content(tmp_path: Path, name: str) -> None:
    path = write_text(tmp_path / name, "id\tnote\n1\ta, b\n2\tc; d\n")
    dataset = open_dataset(path)
    assert dataset.options["delimiter"] == "\t"
    assert dataset.collect()["note"].to_list() == ["a, b", "c; d"]


def test_quoted_fields_with_delimiters_quotes_and_newlines(tmp_path: Path) -> None:
    text = 'id,note,city\n1,"Smith, John","Paris"\n2,"He said ""hi""\nthen left",Rome\n3,plain,Oslo\n'
    dataset = open_dataset(write_text(tmp_path / "q.csv", text))
    frame = dataset.collect()
    assert frame["note"].to_list() == ["Smith, John", 'He said "hi"\nthen left', "plain"]
    assert dataset.sample_rows(10).height == 3  # the full-file check copes with multi-line records


def test_quoted_header_names_lose_their_doubled_quotes_and_survive_round_trips(tmp_path: Path) -> None:
    # polars alone reads the quoted header field below with its quotes still doubled; RFC 4180 says size "XL".
    path = tmp_path / "qh.csv"
    path.write_text('id,"size ""XL""",sex,"a,b"\n1,a,F,x\n2,b,M,y\n')
    names = ["id", 'size "XL"', "sex", "a,b"]
    dataset = open_dataset(path)
    assert dataset.columns == names
    assert dataset.collect()['size "XL"'].to_list() == ["a", "b"]
    for round_trip in range(2):  # written back quoted once, and read back the same: no doubling
        out = write_table(open_dataset(path).collect(), tmp_path / f"rt{round_trip}.csv")
        assert out.read_text().splitlines()[0] == 'id,"size ""XL""",sex,"a,b"'
        assert open_dataset(out).columns == names
        path = out
    tsv = write_table(open_dataset(path).collect(), tmp_path / "rt.tsv")
    assert open_dataset(tsv).columns == names
    semi = tmp_path / "semi.csv"
    semi.write_bytes('\ufeffnr;"nom ""é"""\n1;é\n'.encode("utf-8"))
    assert open_dataset(semi).columns == ["nr", 'nom "é"']
    latin = tmp_path / "latin.csv"
    latin.write_bytes('nr,"nom ""é"""\n1,ü\n2,à\n'.encode("latin-1"))
    assert open_dataset(latin).collect().columns == ["nr", 'nom "é"']


def test_quoted_header_name_with_a_type_break_after_the_inference_rows(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text('id,"zip ""home"""\n' + "1,91234\n" * 10_050 + "2,02139\n3,x\n")
    dataset = open_dataset(path)
    frame = dataset.collect()
    assert frame.columns == ["id", 'zip "home"'] and frame['zip "home"'][-2:].to_list() == ["02139", "x"]
    assert 'zip "home"' in dataset.options["text_columns"]


def test_pipe_and_explicit_delimiter(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.txt", "a|b\n1|x,y\n")
    assert open_dataset(path).collect()["b"][0] == "x,y"
    assert open_dataset(path, delimiter="|").options["delimiter"] == "|"


# --- types --------------------------------------------------------------------------------------


def test_leading_zeros_and_long_ids_stay_text(tmp_path: Path) -> None:
    text = (
        "zip,emp_id,card,phone,age\n"
        "02139,007,4111111111111111,+12125550143,41\n"
        "94103,120,4012888888881881,+442071838750,35\n"
    )
    schema = open_dataset(write_text(tmp_path / "codes.csv", text)).schema
    assert schema == {"zip": pl.String, "emp_id": pl.String, "card": pl.String, "phone": pl.String, "age": pl.Int64}
    frame = open_dataset(tmp_path / "codes.csv").collect()
    assert frame["zip"][0] == "02139" and frame["emp_id"][0] == "007"


def test_zero_led_code_after_the_inference_rows_keeps_its_zero(tmp_path: Path) -> None:
    """10,000+ rows of 9xxxx ZIPs, then 02139: the column is re-read as text on the first full pass."""
    rows = [f"{i},{94000 + i % 900},{i % 90}" for i in range(12_000)]
    rows[11_500] = "11500,02139,-07"
    path = tmp_path / "zips.csv"
    path.write_text("id,zip,score\n" + "\n".join(rows) + "\n")
    dataset = open_dataset(path)
    assert dataset.schema["zip"] == pl.Int64  # what the first rows say
    frame = dataset.collect()
    assert frame.schema["zip"] == pl.String and frame["zip"][11_500] == "02139" and frame["zip"][0] == "94000"
    assert frame.schema["score"] == pl.String and frame["score"][11_500] == "-07"
    assert frame.schema["id"] == pl.Int64  # untouched
    assert dataset.options["widened_columns"] == ["score", "zip"]
    sample = open_dataset(path).sample_rows(100)  # the scan path runs the same check
    assert sample.schema["zip"] == pl.String


def test_value_breaking_an_inferred_type_widens_the_column(tmp_path: Path) -> None:
    rows = csv_lines(15_000)
    rows[12_000] = "12000,name,not-a-number"
    path = tmp_path / "late.csv"
    path.write_text("id,name,value\n" + "\n".join(rows) + "\n")
    dataset = open_dataset(path)
    assert dataset.schema["value"] == pl.Int64
    sample = dataset.sample_rows(100)
    assert sample.height == 100
    assert dataset.schema["value"] == pl.String
    assert dataset.options["widened_columns"] == ["value"]
    assert dataset.collect()["value"][12_000] == "not-a-number"


# --- content detection --------------------------------------------------------------------------


def test_json_extension_holding_ndjson(tmp_path: Path) -> None:
    path = write_text(tmp_path / "records.json", '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    dataset = open_dataset(path)
    assert dataset.format == "ndjson" and dataset.collect()["a"].to_list() == [1, 2]


def test_csv_extension_holding_parquet(tmp_path: Path, people: pl.DataFrame) -> None:
    people.write_parquet(tmp_path / "mislabelled.csv")
    assert open_dataset(tmp_path / "mislabelled.csv").format == "parquet"


def test_explicit_format_overrides_detection(tmp_path: Path) -> None:
    path = write_text(tmp_path / "really-text.xlsx", "a\tb\n1\t2\n")
    dataset = open_dataset(path, format="tsv")
    assert dataset.format == "csv" and dataset.options["delimiter"] == "\t"
    assert dataset.collect().row(0) == (1, 2)
    with pytest.raises(LoadError, match="Unknown format 'sqlite'"):
        open_dataset(path, format="sqlite")


def test_crlf_line_ends_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes(b'a,b,c\r\n1,"x,\r\ny",3\r\n\r\n4,5,6\r\n')
    frame = open_dataset(path).sample_rows(10)
    assert frame["b"].to_list() == ["x,\r\ny", None, "5"]  # polars keeps a blank line as an empty row


def test_excel_sheet_choice(tmp_path: Path, people: pl.DataFrame) -> None:
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    with xlsxwriter.Workbook(path) as book:
        people.head(3).write_excel(workbook=book, worksheet="first")
        people.tail(2).write_excel(workbook=book, worksheet="second")
    assert open_dataset(path).options["sheet"] == "first"
    assert open_dataset(path, sheet="second").row_count() == 2
    assert open_dataset(path, sheet="2").options["sheet"] == "second"
    with pytest.raises(LoadError, match=r"book\.xlsx: no sheet named 'third'.*'first', 'second'"):
        open_dataset(path, sheet="third")


# --- bad input ----------------------------------------------------------------------------------


def test_missing_file_folder_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope\.csv: no such file"):
        open_dataset(tmp_path / "nope.csv")
    with pytest.raises(LoadError, match="is a folder"):
        open_dataset(tmp_path)
    (tmp_path / "empty.csv").touch()
    with pytest.raises(LoadError, match=r"empty\.csv: the file is empty"):
        open_dataset(tmp_path / "empty.csv")


def test_header_only_file_has_zero_rows(tmp_path: Path) -> None:
    dataset = open_dataset(write_text(tmp_path / "h.csv", "id,name,email\n"))
    assert dataset.columns == ["id", "name", "email"]
    assert dataset.row_count() == 0 and dataset.collect().height == 0 and dataset.sample_rows(10).height == 0


def test_ragged_row_in_the_sample_names_its_line(tmp_path: Path) -> None:
    rows = csv_lines(2000)
    rows[1202] = "1202,only two"
    path = tmp_path / "customers.csv"
    path.write_text("id,name,value\n" + "\n".join(rows) + "\n")
    with pytest.raises(LoadError, match=r"customers\.csv, line 1,204: 2 fields, expected 3"):
        open_dataset(path)


@pytest.mark.parametrize(("index", "row", "fields"), [(4998, "x,short,pad", 3), (14_998, "x,y,z,too,long,pad", 6)])
def test_ragged_row_far_in_the_file_fails_on_collect(tmp_path: Path, index: int, row: str, fields: int) -> None:
    rows = [f"{line},padding-to-push-the-row-past-the-64-KB-sample" for line in csv_lines(20_000)]
    rows[index] = row  # the header is line 1
    path = tmp_path / "customers.csv"
    path.write_text("id,name,value,pad\n" + "\n".join(rows) + "\n")
    dataset = open_dataset(path)  # the row lies beyond the 64 KB sniffed (and the 10,000 rows inferred)
    message = rf"customers\.csv, line {index + 2:,}: {fields} fields, expected 4"
    with pytest.raises(LoadError, match=message):
        dataset.collect()
    with pytest.raises(LoadError, match=message):
        dataset.sample_rows(50)


def test_long_row_within_the_inferred_rows_fails_at_open(tmp_path: Path) -> None:
    rows = [f"{line},padding-to-push-the-row-past-the-64-KB-sample" for line in csv_lines(8000)]
    rows[4998] = "1,2,3,4,5"
    path = tmp_path / "customers.csv"
    path.write_text("id,name,value,pad\n" + "\n".join(rows) + "\n")
    with pytest.raises(LoadError, match=r"customers\.csv, line 5,000: 5 fields, expected 4"):
        open_dataset(path)


def test_duplicate_and_blank_headers(tmp_path: Path) -> None:
    path = write_text(tmp_path / "h.csv", "id,email,,email\n1,a,b,c\n")
    with pytest.raises(LoadError) as caught:
        open_dataset(path)
    message = str(caught.value)
    assert "h.csv, line 1" in message and "blank column name in column 3" in message
    assert "duplicate column name 'email' in columns 2, 4" in message and "Rename" in message


def test_excel_duplicate_headers(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "dup.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("S")
        sheet.write_row(0, 0, ["name", "name", "age"])
        sheet.write_row(1, 0, ["a", "b", 3])
    with pytest.raises(LoadError, match=r"dup\.xlsx, sheet 'S', row 1: duplicate column name 'name'"):
        open_dataset(path)


def test_undecodable_bytes_with_explicit_utf8(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_bytes(b"id,name\n1,Ann\n2,Zo\xeb\n")
    with pytest.raises(
        LoadError, match=r"names\.csv, line 3: the byte at offset 18 is not valid utf-8.*--encoding cp1252"
    ):
        open_dataset(path, encoding="utf-8")


def test_invalid_utf8_beyond_the_probe_fails_on_collect_with_line(tmp_path: Path) -> None:
    rows = [f"{i},name-{i:07d}-padding-padding-padding" for i in range(150_000)]  # about 5 MB of ASCII
    path = tmp_path / "late.csv"
    path.write_bytes(("id,name\n" + "\n".join(rows) + "\n").encode() + b"150000,Zo\xeb\n")
    dataset = open_dataset(path)
    assert dataset.options["encoding"] == "utf-8"
    with pytest.raises(
        LoadError, match=r"late\.csv, line 150,002: the byte at offset [\d,]+ is not valid UTF-8.*--encoding"
    ):
        dataset.collect()


def test_unknown_encoding_and_misplaced_options(tmp_path: Path, people: pl.DataFrame) -> None:
    path = write_text(tmp_path / "a.csv", "a,b\n1,2\n")
    with pytest.raises(LoadError, match="unknown encoding 'klingon'"):
        open_dataset(path, encoding="klingon")
    parquet = write_table(people, tmp_path / "p.parquet")
    with pytest.raises(LoadError, match=r"p\.parquet: --delimiter does not apply to parquet"):
        open_dataset(parquet, delimiter=";")


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = write_text(tmp_path / "report.xlsx", "a,b\n1,2\n")
    with pytest.raises(LoadError, match=r"report\.xlsx: is not an Excel workbook.*--format csv"):
        open_dataset(path)
    (tmp_path / "zip.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(LoadError, match=r"zip\.xlsx: could not be opened as an Excel workbook"):
        open_dataset(tmp_path / "zip.xlsx")


def test_truncated_and_corrupt_parquet(tmp_path: Path, people: pl.DataFrame) -> None:
    whole = write_table(people, tmp_path / "whole.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(LoadError, match=r"cut\.parquet: the Parquet file is truncated or damaged"):
        open_dataset(tmp_path / "cut.parquet")
    middle = len(whole) // 2
    (tmp_path / "bad.parquet").write_bytes(whole[:8] + b"\xff" * (middle - 8) + whole[middle:])
    with pytest.raises(LoadError, match=r"bad\.parquet"):
        open_dataset(tmp_path / "bad.parquet").collect()


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write_text(tmp_path / "bad.json", '[\n  {"a": 1},\n  {"a": 2,}\n]\n')
    with pytest.raises(LoadError, match=r"bad\.json, line 3, column 11: invalid JSON"):
        open_dataset(path)
    shaped = write_text(tmp_path / "obj.json", '{\n "a": [1, 2]\n}\n')
    with pytest.raises(LoadError, match=r"obj\.json: expected an array of records"):
        open_dataset(shaped)
    items = write_text(tmp_path / "items.json", '[{"a": 1}, 2]')
    with pytest.raises(LoadError, match=r"items\.json: item 2 of the array is not a record"):
        open_dataset(items)


def test_invalid_ndjson_early_and_late(tmp_path: Path) -> None:
    early = write_text(tmp_path / "early.ndjson", '{"a": 1}\n{"a": 2\n')
    with pytest.raises(LoadError, match=r"early\.ndjson, line 2, column 8: invalid JSON"):
        open_dataset(early)
    lines = [json.dumps({"id": i, "name": f"person {i}"}) for i in range(20_000)]
    lines[14_999] = '{"id": 1, "name": }'
    late = write_text(tmp_path / "late.ndjson", "\n".join(lines) + "\n")
    dataset = open_dataset(late)
    with pytest.raises(LoadError, match=r"late\.ndjson, line 15,000, column 19: invalid JSON"):
        dataset.collect()


def test_ndjson_type_break_widens_the_column(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "score": i}) for i in range(12_000)]
    lines[11_000] = json.dumps({"id": "X-11000", "score": 2.5})
    dataset = open_dataset(write_text(tmp_path / "t.jsonl", "\n".join(lines) + "\n"))
    frame = dataset.collect()
    assert frame.schema == {"id": pl.String, "score": pl.Float64}
    assert frame["id"][11_000] == "X-11000" and frame["score"][11_000] == 2.5


def test_ragged_row_check_in_small_blocks_matches_one_block(tmp_path: Path) -> None:
    from sanitas.core.io.csv_check import RaggedRow, find_ragged_row

    good = ['1,"a, b",x', "2,plain,y", "", '3,"say ""hi""",z', "4,5'10\",w"]
    cases = {
        "clean": good,
        "short": [*good, "5,only two", *good],
        "long": [*good, "\r", "6,a,b,c", "7,only"],
        "multiline": [*good, '8,"two', 'lines",v', "9,x"],
    }
    for name, rows in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(("id,note,tag\r\n" + "\r\n".join(rows * 3) + "\r\n").encode())
        whole = find_ragged_row(path, ",", '"', 3, block_bytes=1 << 20)
        for size in (1, 5, 16, 64):
            assert find_ragged_row(path, ",", '"', 3, block_bytes=size) == whole, (name, size)
    assert find_ragged_row(tmp_path / "short.csv", ",", '"', 3) == RaggedRow(line=7, fields=2)
    assert find_ragged_row(tmp_path / "long.csv", ",", '"', 3) == RaggedRow(line=8, fields=4)
    assert find_ragged_row(tmp_path / "multiline.csv", ",", '"', 3) == RaggedRow(line=9, fields=2)  # csv module
