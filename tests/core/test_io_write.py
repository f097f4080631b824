"""Writing: atomic replace, refusing the input, the formula guard, fingerprints and temp folders."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import ExportError
from sanitas.core.io import (
    check_destination,
    fingerprint_file,
    folders_to_create,
    guard_formulas,
    open_dataset,
    private_tempdir,
    report_paths,
    write_table,
)
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.io.writers import count_formula_cells
from sanitas.core.progress import Cancelled, CancelToken


@pytest.fixture
def people() -> pl.DataFrame:
    fake = Faker("en_US")
    fake.seed_instance(99)
    n = 50
    return pl.DataFrame(
        {
            "id": list(range(n)),
            "name": [fake.name() for _ in range(n)],
            "city": [fake.city() for _ in range(n)],
            "balance": [fake.pyfloat(min_value=-500, max_value=500) for _ in range(n)],
        }
    )


@pytest.fixture
def hostile() -> pl.DataFrame:
    """Cells an attacker could plant in a source file to run formulas in the analyst's spreadsheet."""
    return pl.DataFrame(
        {
            "note": ['=HYPERLINK("http://x")', "+1+2", "-3+cmd", "@SUM(A1)", "\tTAB", "\rCR", "plain", None],
            "amount": [-1, 2, -3, 4, 5, 6, 7, 8],
            "=cmd": ["a", "b", "c", "d", "e", "f", "g", "h"],
        }
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- atomic writes ------------------------------------------------------------------------------


def test_failed_write_leaves_the_old_destination_and_no_temp_file(tmp_path: Path, people: pl.DataFrame) -> None:
    destination = write_table(people, tmp_path / "out.parquet")
    before = destination.read_bytes()
    broken = pl.DataFrame({"a": [1, 2], "o": [object(), object()]}, schema={"a": pl.Int64, "o": pl.Object})
    with pytest.raises(ExportError, match=r"out\.parquet: could not be written as parquet.*nothing was changed"):
        write_table(broken, destination)
    assert destination.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_cancel_during_the_write_leaves_the_old_destination(tmp_path: Path, people: pl.DataFrame) -> None:
    destination = write_table(people, tmp_path / "out.csv")
    before = destination.read_bytes()
    seen: list[str] = []

    def cancel_at_save(fraction: float, message: str) -> None:
        seen.extend(leftovers(tmp_path))  # the temp file exists, fully written, at this point
        if fraction >= 0.9:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_table(people.head(3), destination, progress=cancel_at_save)
    assert any(name.startswith(".out.csv.") and name.endswith(".tmp") for name in seen)
    assert destination.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_cancelled_token_writes_nothing(tmp_path: Path, people: pl.DataFrame) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_table(people, tmp_path / "out.json", cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_new_file_gets_normal_permissions_and_replacing_keeps_them(tmp_path: Path, people: pl.DataFrame) -> None:
    old = os.umask(0o022)
    try:
        path = write_table(people, tmp_path / "out.ndjson")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # as a plain open() would, not mkstemp's 0600
    path.chmod(0o640)
    write_table(people.head(2), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert pl.read_ndjson(path).height == 2


# --- refusals -----------------------------------------------------------------------------------


def test_refuses_to_write_over_the_input(tmp_path: Path, people: pl.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_table(people, tmp_path / "in.csv")
    before = source.read_bytes()
    (tmp_path / "link.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    monkeypatch.chdir(tmp_path)
    for target in (source, tmp_path / "link.csv", tmp_path / "hard.csv", Path("in.csv"), tmp_path / "sub/../in.csv"):
        with pytest.raises(ExportError, match="is the input file"):
            write_table(people.head(1), target, input_path=source)
    assert source.read_bytes() == before


def test_unknown_extension_lists_the_supported_ones(tmp_path: Path, people: pl.DataFrame) -> None:
    with pytest.raises(ExportError, match=r"out\.xls: unknown output format '\.xls'.*\.csv, \.tsv, \.parquet, \.xlsx"):
        write_table(people, tmp_path / "out.xls")


def test_folder_problems(tmp_path: Path, people: pl.DataFrame) -> None:
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_table(people, tmp_path / "dir.csv")
    with pytest.raises(ExportError, match="does not exist"):
        write_table(people, tmp_path / "missing" / "out.csv")


def test_release_destination_refuses_a_report_over_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OUT.report.json (or .html) being the input would replace it after the data file is written."""
    source = tmp_path / "o.csv.report.json"
    source.write_text('{"id": "a1", "age": 30}\n')
    (tmp_path / "link.json").symlink_to(source)
    monkeypatch.chdir(tmp_path)
    for given in (source, tmp_path / "link.json", Path("o.csv.report.json")):
        for out in (tmp_path / "o.csv", Path("o.csv"), tmp_path / "sub" / ".." / "o.csv"):
            with pytest.raises(ExportError, match=r"o\.csv\.report\.json: is the input file.*report of o\.csv"):
                check_destination(out, given, create_folders=True)
    html = tmp_path / "t.parquet.report.html"
    html.write_text("<p>input</p>")
    with pytest.raises(ExportError, match="is the input file"):
        check_destination(tmp_path / "t.parquet", html)
    assert report_paths(tmp_path / "a.csv") == (tmp_path / "a.csv.report.html", tmp_path / "a.csv.report.json")
    assert check_destination(tmp_path / "other.csv", source) == "csv"


def test_release_destination_refuses_the_files_the_run_reads(tmp_path: Path) -> None:
    recipe, hierarchy, key = tmp_path / "r.yaml", tmp_path / "hier" / "sex.csv", tmp_path / "k.json"
    reads = {recipe: "the recipe", hierarchy: "the hierarchy file of column 'sex'",
             key: "the key file of key 'default'"}
    source = tmp_path / "in.csv"
    for out, what in ((hierarchy, "the hierarchy file of column 'sex'"), (tmp_path / "hier/../hier/sex.csv",
                      "the hierarchy file"), (key, "the key file of key 'default'")):
        with pytest.raises(ExportError, match=f"is {what}.*writing the output there"):
            check_destination(out, source, reads=reads)
    odd = tmp_path / "h.csv.report.html"  # a hierarchy file that happens to be named like a report
    with pytest.raises(ExportError, match=r"h\.csv\.report\.html: is the hierarchy file of column 'age'.*the report "
                                          r"of h\.csv"):
        check_destination(tmp_path / "h.csv", source, reads={odd: "the hierarchy file of column 'age'"})
    existing = tmp_path / "old.csv"
    existing.write_text("a\n1\n")
    assert check_destination(existing, source, reads=reads) == "csv", "an unrelated existing output may be replaced"


def test_release_destination_folders(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "o.csv"
    with pytest.raises(ExportError, match="does not exist"):
        check_destination(out)
    assert check_destination(out, create_folders=True) == "csv"
    assert folders_to_create(out) == [tmp_path / "a", tmp_path / "a" / "b"]
    assert not (tmp_path / "a").exists(), "checking creates nothing"
    (tmp_path / "s.csv").write_text("a\n1\n")
    for bad in (tmp_path / "s.csv" / "o.csv", tmp_path / "s.csv" / "x" / "o.csv"):
        with pytest.raises(ExportError, match=f"{bad}: cannot create the folder {tmp_path / 's.csv'}, because .* is a "
                                              "file, not a folder"):
            check_destination(bad, create_folders=True)
    (tmp_path / "r.csv.report.html").mkdir()
    with pytest.raises(ExportError, match=r"r\.csv\.report\.html: is a folder, where the report of r\.csv goes"):
        check_destination(tmp_path / "r.csv")


def test_nested_columns_are_refused_for_flat_formats(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1], "tags": [["a", "b"]]})
    with pytest.raises(ExportError, match=r"out\.csv: column 'tags' holds List values.*Parquet or JSON"):
        write_table(frame, tmp_path / "out.csv")
    assert pl.read_parquet(write_table(frame, tmp_path / "out.parquet"))["tags"].to_list() == [["a", "b"]]


# --- formula guard ------------------------------------------------------------------------------


def test_guard_formulas_prefixes_text_only(hostile: pl.DataFrame) -> None:
    guarded = guard_formulas(hostile)
    assert guarded["note"].to_list() == [
        "'=HYPERLINK(\"http://x\")", "'+1+2", "'-3+cmd", "'@SUM(A1)", "'\tTAB", "'\rCR", "plain", None,
    ]  # fmt: skip
    assert guarded["amount"].to_list() == hostile["amount"].to_list()
    assert guarded.columns == ["note", "amount", "'=cmd"]
    assert hostile["note"][0].startswith("=")  # the input is not mutated
    assert count_formula_cells(hostile) == {"note": 6}


def test_guard_catches_blanks_and_fullwidth_signs_but_leaves_plain_numbers() -> None:
    cells = [" =1+1", "\u3000=A1", "\uff1dSUM(A1)", "\uff0b1", "-5", "+2.5", "-1E+999", "-0", "\n=x"]
    frame = pl.DataFrame({"t": cells})
    assert guard_formulas(frame)["t"].to_list() == [
        "' =1+1", "'\u3000=A1", "'\uff1dSUM(A1)", "'\uff0b1", "-5", "+2.5", "-1E+999", "-0", "'\n=x"]


def test_guarded_column_name_already_taken() -> None:
    frame = pl.DataFrame({"=a": [1], "'=a": [2], "'=a (2)": [3], "＝b": [4]})
    assert guard_formulas(frame).columns == ["'=a (3)", "'=a", "'=a (2)", "'＝b"]


def test_guard_on_csv_read_back(tmp_path: Path, hostile: pl.DataFrame) -> None:
    back = pl.read_csv(write_table(hostile, tmp_path / "out.csv"))
    assert back["note"].to_list()[:4] == ['\'=HYPERLINK("http://x")', "'+1+2", "'-3+cmd", "'@SUM(A1)"]
    assert back["amount"].to_list() == hostile["amount"].to_list()


def test_guard_on_xlsx_read_back_and_no_formula_cells(tmp_path: Path, hostile: pl.DataFrame) -> None:
    path = write_table(hostile, tmp_path / "out.xlsx")
    back = pl.read_excel(path)
    assert back["note"].to_list()[:4] == ['\'=HYPERLINK("http://x")', "'+1+2", "'-3+cmd", "'@SUM(A1)"]
    assert back["amount"].to_list() == hostile["amount"].to_list()
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_xlsx_keeps_formula_like_text_as_text_even_unguarded(tmp_path: Path) -> None:
    """Parquet output is not guarded; XLSX output never stores a string as a formula either way."""
    path = write_table(pl.DataFrame({"url": ["http://example.com/a"]}), tmp_path / "u.xlsx")
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "hyperlink" not in sheet.lower()


# --- round trip through the loader and fingerprints ---------------------------------------------


def test_tsv_and_json_written_then_loaded(tmp_path: Path, people: pl.DataFrame) -> None:
    for suffix in (".tsv", ".json"):
        back = open_dataset(write_table(people, tmp_path / f"p{suffix}")).collect()
        assert back.select("id", "name", "city").equals(people.select("id", "name", "city"))


def test_fingerprint_matches_sha256_over_several_chunks(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert fingerprint_file(path) == hashlib.sha256(data).hexdigest()
    assert fingerprint_file(str(path)) == hashlib.sha256(data).hexdigest()


# --- private temp folders -----------------------------------------------------------------------


def test_private_tempdir_is_0700_and_removed(tmp_path: Path) -> None:
    with private_tempdir() as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (folder / "copy.csv").write_text("secret")
    assert not folder.exists()


def test_private_tempdir_removed_on_error() -> None:
    with pytest.raises(RuntimeError), private_tempdir() as folder:
        assert folder.name.startswith(f"sanitas-{os.getpid()}-"), "recognisably ours, with the owning pid"
        raise RuntimeError("boom")
    assert not folder.exists()


def test_private_tempdir_is_private_even_under_a_loose_umask() -> None:
    old = os.umask(0o000)
    try:
        folder = TempFolder()
        assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
        folder.cleanup()
        assert not folder.path.exists() and not folder.alive
    finally:
        os.umask(old)


def test_formula_count_prefilter_misses_no_first_character() -> None:
    """count_formula_cells runs the regexes only on cells whose first character may start a formula:
    every code point, alone, before a formula, before a blank and a formula, counts as ``risky`` says."""
    from sanitas.core.io.formula_guard import count_formula_cells, risky

    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    cells = [*points, *(p + "=1" for p in points), *(p + " @x" for p in points), *(p + "-5" for p in points)]
    frame = pl.DataFrame({"a": cells})
    exact = int(frame.select(risky(pl.col("a")).sum()).item())
    assert exact > 0
    assert count_formula_cells(frame) == {"a": exact}
