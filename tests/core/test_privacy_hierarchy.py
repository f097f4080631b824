"""Generalization hierarchies: ARX's CSV format, validation, builders, and the integer encoding the search uses."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.hierarchies import builders as hb
from sanitas.core.privacy.hierarchies.arx_format import column_from_filename, read_arx_csv, write_arx_csv
from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, HierarchyError, value_text

ARX_DIR = Path(os.environ.get("SANITAS_ARX_HIERARCHIES",
                              Path(__file__).resolve().parents[1] / "support" / "arx-hierarchies" / "adult"))
ARX_FILES = sorted(ARX_DIR.glob("*.csv")) if ARX_DIR.is_dir() else []
AGE_FILE = ARX_DIR / "adult_hierarchy_age.csv"
needs_arx = pytest.mark.skipif(not ARX_FILES, reason=f"ARX reference hierarchies not found in {ARX_DIR}")


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def ages(n: int = 500, seed: int = 4) -> pl.Series:
    rng = random.Random(seed)
    return pl.Series("age", [rng.randrange(100) for _ in range(n)] + [0, 99, None])


def zips(n: int = 300, seed: int = 5) -> pl.Series:
    rng = random.Random(seed)
    return pl.Series("zip", [f"{rng.randrange(100_000):05d}" for _ in range(n)] + ["02139", "00501", None])


def birth_dates(n: int = 300, seed: int = 6) -> pl.Series:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return pl.Series("born", [fake.date_between("-80y", "today") for _ in range(n)] + [None])


def jobs(n: int = 200, seed: int = 7) -> pl.Series:
    rng = random.Random(seed)
    return pl.Series("job", [rng.choice(["nurse", "teacher", "pilot", "clerk", "chef"]) for _ in range(n)] + [None])


# ARX's own files -------------------------------------------------------------------------------
@needs_arx
@pytest.mark.parametrize("path", ARX_FILES, ids=lambda p: p.name)
def test_every_arx_adult_file_loads_and_round_trips(path: Path, tmp_path: Path) -> None:
    lines = path.read_text().splitlines()
    hierarchy = read_arx_csv(path)
    assert hierarchy.column == column_from_filename(path) == path.stem.split("_hierarchy_")[1]
    assert hierarchy.height == len(lines[0].split(";"))
    assert hierarchy.levels.height == len(lines)
    assert hierarchy.values == [line.split(";")[0] for line in lines]
    assert hierarchy.suppresses_at_top and hierarchy.labels(hierarchy.height - 1) == [STAR]
    copy = tmp_path / path.name
    write_arx_csv(hierarchy, copy)
    assert read_arx_csv(copy) == hierarchy
    assert copy.read_text() == "\n".join(lines) + "\n"  # byte for byte what ARX wrote (plus a final newline)


@needs_arx
def test_arx_age_levels_follow_the_file() -> None:
    age = read_arx_csv(AGE_FILE)
    assert age.height == 5
    row = dict(zip(age.values, age.rows(), strict=True))
    assert row["1"] == ["1", "0-4", "0-9", "0-19", "*"]
    assert row["37"] == ["37", "35-39", "30-39", "20-39", "*"]
    assert row["100"] == ["100", "95-99", "90-99", "80-99", "*"]  # ARX's own file puts 100 there
    column = pl.Series("age", [1, 37, 37, 100, None])
    assert age.generalize(column, 1).to_list() == ["0-4", "35-39", "35-39", "95-99", None]
    assert age.generalize(column, 3).to_list() == ["0-19", "20-39", "20-39", "80-99", None]
    assert age.generalize(column, 0) is column


@needs_arx
def test_arx_categorical_file_generalizes() -> None:
    education = read_arx_csv(ARX_DIR / "adult_hierarchy_education.csv", column="edu")
    assert education.column == "edu" and education.height == 4
    column = pl.Series("edu", ["Bachelors", "Preschool"])
    assert education.generalize(column, 1).to_list() == ["Undergraduate", "Primary School"]
    assert education.generalize(column, 2).to_list() == ["Higher education", "Primary education"]


# reading and writing the format ----------------------------------------------------------------
def test_bom_crlf_and_quoted_separators_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", b'\xef\xbb\xbfa;"x;y";*\r\nb;"say ""hi""";*\r\n\r\n')
    hierarchy = read_arx_csv(path, column="c")
    assert hierarchy.rows() == [["a", "x;y", "*"], ["b", 'say "hi"', "*"]]
    write_arx_csv(hierarchy, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == 'a;"x;y";*\nb;"say ""hi""";*\n'
    assert read_arx_csv(tmp_path / "out.csv", column="c") == hierarchy


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a;1;*\nb;1\nc;2;*\nd\n", "h.csv, line 2: 2 fields, expected 3 as on line 1 (2 lines differ)"),
        ("a;1;*\n\nb;1;*\n", "h.csv, line 2: empty line"),
        ("a;1;*\nb;;*\n", "(h.csv), line 2: empty label at level 1"),
        ('a;"1\n2";*\n', "h.csv, line 1: a label spans several lines"),
        ("", "h.csv: the file is empty"),
        ("a,1,*\nb,1,*\n", "single field holding commas"),
        (b"a;1;*\nb\xe9;1;*\n", "h.csv, line 2: not UTF-8 text"),
        ("a;1;*\nb;2;*\na;3;*\n", "1 values appear more than once: 'a' ('a' on line 1 and line 3)"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, content: str | bytes, expected: str) -> None:
    with pytest.raises(HierarchyError) as caught:
        read_arx_csv(write(tmp_path / "h.csv", content), column="c")
    assert expected in str(caught.value)
    assert isinstance(caught.value, SanitasError)


def test_missing_file_is_a_hierarchy_error(tmp_path: Path) -> None:
    with pytest.raises(HierarchyError, match=r"nope\.csv: cannot read"):
        read_arx_csv(tmp_path / "nope.csv")


def test_a_level_that_splits_a_group_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "adult_hierarchy_age.csv", "1;0-4;0-9;*\n2;0-4;0-9;*\n7;5-9;0-9;*\n3;0-4;0-19;*\n")
    with pytest.raises(HierarchyError) as caught:
        read_arx_csv(path)
    message = str(caught.value)
    assert "Hierarchy for 'age' (adult_hierarchy_age.csv): level 2 is not a coarsening of level 1" in message
    assert "'0-4' (first on line 1) becomes 2 labels at level 2 ('0-9', '0-19')" in message
    rows = [["a", "x", "p"], ["b", "y", "p"], ["c", "y", "q"]]
    with pytest.raises(HierarchyError, match=r"level 2 is not a coarsening of level 1: 'y' \(first on row 2\)"):
        Hierarchy.from_rows("c", rows)


def test_level_columns_must_be_named_in_order_and_rows_be_whole() -> None:
    with pytest.raises(HierarchyError, match="level0, level1"):
        Hierarchy("c", pl.DataFrame({"level0": ["a"], "level2": ["*"]}))
    with pytest.raises(HierarchyError, match="row 2 has 2 labels, not 3"):
        Hierarchy.from_rows("c", [["a", "x", "*"], ["b", "*"]])


# missing values ----------------------------------------------------------------------------------
def test_missing_values_are_listed_unless_mapped_to_star() -> None:
    hierarchy = hb.numeric_intervals(pl.Series("age", range(10)), widths=[5])
    column = pl.Series("age", [1, 12, 10, 11, 13, 14, 15, 12, None])
    assert hierarchy.missing_values(column) == ["12", "10", "11", "13", "14", "15"]
    for use in (hierarchy.encode, lambda c: hierarchy.generalize(c, 1)):
        with pytest.raises(HierarchyError) as caught:
            use(column)
        assert "Hierarchy for 'age': 6 values of the column are not in the hierarchy" in str(caught.value)
        assert "'12', '10', '11', '13', '14' and 1 more" in str(caught.value)
        assert "'15'" not in str(caught.value)
    lenient = hierarchy.with_unknown_as_star()
    assert lenient.unknown_as_star and lenient != hierarchy
    assert lenient.missing_values(column) == hierarchy.missing_values(column)
    assert lenient.generalize(column, 1).to_list() == ["0-4", "*", "*", "*", "*", "*", "*", "*", None]
    encoding = lenient.encode(column)
    assert encoding.labels(0)[-6:] == ["12", "10", "11", "13", "14", "15"]
    assert encoding.labels(1) == ["0-4", "5-9", STAR]
    level1 = encoding.codes["level1"].to_list()
    assert level1[1:8] == [2] * 7 and level1[0] == 0 and level1[8] is None
    assert encoding.codes["level0"].n_unique() == 8  # 7 distinct values and the null
    assert encoding.decode(2, encoding.codes["level2"]).to_list() == ["*"] * 8 + [None]


def test_star_in_a_middle_level_must_stay_star_to_accept_unknowns() -> None:
    hierarchy = Hierarchy.from_rows("c", [["a", "*", "g"], ["b", "x", "g"]])
    with pytest.raises(HierarchyError, match="'\\*' at level 1 becomes another label at level 2"):
        hierarchy.with_unknown_as_star()


# builders ------------------------------------------------------------------------------------------
def test_numeric_intervals_of_growing_width() -> None:
    column = ages()
    hierarchy = hb.numeric_intervals(column, first_width=5, factor=2)
    assert hierarchy.height == 7  # original, widths 5 10 20 40 80, '*'
    assert hierarchy.generalize(pl.Series("age", [0, 34, 99]), 1).to_list() == ["0-4", "30-34", "95-99"]
    assert hierarchy.generalize(pl.Series("age", [0, 34, 99]), 3).to_list() == ["0-19", "20-39", "80-99"]
    explicit = hb.numeric_intervals(column, widths=[10, 50], style="interval")
    assert explicit.height == 4
    assert explicit.generalize(pl.Series("age", [34, 99]), 2).to_list() == ["[0, 50[", "[50, 100["]
    auto = hb.numeric_intervals(column)
    assert auto.labels(1)[:2] == ["0-4", "5-9"] and auto.values[:3] == ["0", "1", "2"]
    assert auto.suppresses_at_top


def test_numeric_intervals_for_fractions_and_text_numbers() -> None:
    hierarchy = hb.numeric_intervals(pl.Series("bmi", [17.0, 18.5, 24.9, 30.25]), widths=[0.5, 1.5])
    assert hierarchy.values == ["17", "18.5", "24.9", "30.25"]
    assert hierarchy.labels(1) == ["[17, 17.5[", "[18.5, 19[", "[24.5, 25[", "[30, 30.5["]
    assert hierarchy.generalize(pl.Series("bmi", [18.5]), 2).to_list() == ["[18, 19.5["]
    text = hb.numeric_intervals(pl.Series("age", ["030", "41", None]), widths=[10])
    assert text.values == ["030", "41"] and text.labels(1) == ["30-39", "40-49"]
    with pytest.raises(HierarchyError, match="1 distinct values are not finite numbers"):
        hb.numeric_intervals(pl.Series("age", ["30", "thirty"]), widths=[10])


def test_numeric_intervals_nest_for_negative_and_fractional_values() -> None:
    rng = random.Random(8)
    income = pl.Series("income", [rng.gauss(50_000, 20_000) for _ in range(2_000)])
    hierarchy = hb.numeric_intervals(income)  # starts below the smallest value, so the levels end in one interval
    assert hierarchy.labels(1)[0].startswith("[-") and len(hierarchy.labels(hierarchy.height - 2)) == 2
    crossing = hb.numeric_intervals(income, origin=0)  # never one interval: the growth stops anyway
    assert crossing.height < 30
    tenths = hb.numeric_intervals(pl.Series("x", [round(i / 10, 1) for i in range(31)]), first_width=0.1)
    assert tenths.generalize(pl.Series("x", [0.3, 0.7, 1.7, 2.9]), 1).to_list() == [
        "[0.3, 0.4[",
        "[0.7, 0.8[",
        "[1.7, 1.8[",
        "[2.9, 3[",
    ]
    assert tenths.generalize(pl.Series("x", [1.7]), 2).item() == "[1.6, 1.8["


def test_numeric_intervals_with_explicit_edges_and_open_ends() -> None:
    hierarchy = hb.numeric_intervals(ages(), edges=[[18, 30, 45, 65], [18, 65]])
    column = pl.Series("age", [3, 18, 29, 50, 65, 99])
    assert hierarchy.generalize(column, 1).to_list() == ["<18", "18-29", "18-29", "45-64", ">=65", ">=65"]
    assert hierarchy.generalize(column, 2).to_list() == ["<18", "18-64", "18-64", "18-64", ">=65", ">=65"]
    with pytest.raises(HierarchyError, match="level 2 cuts at '40'"):
        hb.numeric_intervals(ages(), edges=[[18, 30, 65], [40]])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"widths": [10, 15]}, "width 15 is not a multiple"),
        ({"widths": [10, 10]}, "width 10 is not a multiple"),
        ({"widths": [0]}, "must be positive"),
        ({"first_width": -1}, "must be positive"),
        ({"first_width": 5, "factor": 1}, "factor must be a whole number of 2 or more"),
        ({"widths": [5], "first_width": 5}, "not several"),
        ({"widths": [2.5], "style": "range"}, "'range' labels need whole numbers"),
    ],
)
def test_numeric_interval_options_are_checked(options: dict, expected: str) -> None:
    with pytest.raises(HierarchyError, match=expected):
        hb.numeric_intervals(ages(), **options)


def test_dates_from_dates_datetimes_and_iso_text() -> None:
    column = birth_dates()
    sample = pl.Series("born", [dt.date(1987, 6, 5)])
    hierarchy = hb.dates(pl.concat([column, sample]))
    assert hierarchy.height == 5
    assert [hierarchy.generalize(sample, i).item() for i in range(1, 5)] == ["1987-06", "1987", "1980s", "*"]
    stamps = pl.Series("seen", [dt.datetime(2021, 3, 4, 10, 30), dt.datetime(2021, 3, 4, 18, 0, 0, 500_000)])
    full = hb.auto_hierarchy(stamps)
    assert full.height == 6 and full.values == ["2021-03-04T10:30:00", "2021-03-04T18:00:00.500"]
    assert full.generalize(stamps, 1).to_list() == ["2021-03-04", "2021-03-04"]
    text = hb.dates(pl.Series("d", ["2020-02-29", "1999-12-31T23:59:00"]), levels=("year", "decade"))
    assert text.values == ["1999-12-31T23:59:00", "2020-02-29"]  # sorted by date
    assert text.labels(1) == ["1999", "2020"] and text.labels(2) == ["1990s", "2020s"]
    european = hb.dates(pl.Series("d", ["29/02/2020"]), levels=["month"], date_format="%d/%m/%Y")
    assert european.labels(1) == ["2020-02"]
    with pytest.raises(HierarchyError, match="1 distinct values do not read as dates"):
        hb.dates(pl.Series("d", ["2020-02-29", "someday"]))
    with pytest.raises(HierarchyError, match="in that order"):
        hb.dates(column, levels=("year", "month"))


def test_postal_codes_redact_trailing_characters() -> None:
    column = zips()
    hierarchy = hb.postal_codes(column)
    assert hierarchy.height == 6
    sample = pl.Series("zip", ["02139"])
    expected = ["02139", "0213*", "021**", "02***", "0****", "*"]
    assert [hierarchy.generalize(sample, i).item() for i in range(6)] == expected
    as_numbers = hb.postal_codes(pl.Series("zip", [2139, 501, 10001]), strip=[2, 4])
    assert as_numbers.values == ["501", "2139", "10001"]  # what encode finds in the integer column
    assert as_numbers.labels(1) == ["005**", "021**", "100**"] and as_numbers.labels(2) == ["0****", "1****"]
    with pytest.raises(HierarchyError, match="strip must be increasing"):
        hb.postal_codes(column, strip=[3, 1])


def test_categories_suppress_or_group() -> None:
    column = jobs()
    suppressed = hb.categories(column)
    assert suppressed.height == 2 and suppressed.labels(1) == [STAR]
    grouping = {"health": ["nurse"], "education": ["teacher"], "service": ["chef", "clerk", "pilot", "guard"]}
    grouped = hb.categories(column, grouping)
    assert grouped.height == 3 and "guard" in grouped.values  # members not in the data are kept
    assert grouped.generalize(pl.Series("job", ["nurse", "chef"]), 1).to_list() == ["health", "service"]
    nested = hb.categories(column, [grouping, {"public": ["health", "education"], "private": ["service"]}])
    assert nested.height == 4 and nested.generalize(pl.Series("job", ["teacher"]), 2).item() == "public"
    with pytest.raises(HierarchyError, match="2 labels are in no group at level 1: 'clerk', 'pilot'"):
        hb.categories(column, {"health": ["nurse"], "education": ["teacher"], "x": ["chef"]})
    other = hb.categories(column, {"health": ["nurse"]}, other="other")
    assert set(other.labels(1)) == {"health", "other"}
    with pytest.raises(HierarchyError, match="'nurse' is in two groups at level 1"):
        hb.categories(column, {"a": ["nurse"], "b": ["nurse"]}, other="o")


@pytest.mark.parametrize(
    ("column", "kind", "height"),
    [
        (ages(), "number", 7),
        (ages().cast(pl.Float64), "number", 7),
        (birth_dates(), "date", 5),
        (zips(), "postal", 6),
        (zips().rename("code"), "postal", 6),  # leading zeros give it away without the name
        (pl.Series("plz", [10115, 80331]), "postal", 6),
        (pl.Series("d", ["2020-01-02", "2021-03-04"]), "date", 5),
        (pl.Series("n", ["1", "2.5"]), "number", None),
        (jobs(), "category", 2),
        (pl.Series("flag", [True, False]), "category", 2),
        (pl.Series("empty", [None, None]), "category", 2),
    ],
)
def test_auto_hierarchy_chooses_by_dtype_and_values(column: pl.Series, kind: str, height: int | None) -> None:
    assert hb.guess_kind(column) == kind
    hierarchy = hb.auto_hierarchy(column)
    assert hierarchy.column == column.name and hierarchy.suppresses_at_top
    assert height is None or hierarchy.height == height
    assert hierarchy.missing_values(column) == []


def test_auto_hierarchy_kind_overrides_the_guess() -> None:
    hierarchy = hb.auto_hierarchy(pl.Series("zip", ["02139", "10001"]), "category")
    assert hierarchy.height == 2
    with pytest.raises(HierarchyError, match="Unknown hierarchy kind"):
        hb.auto_hierarchy(pl.Series("x", [1]), "shape")  # type: ignore[arg-type]


# encoding for the search ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "build"),
    [
        (ages(), lambda c: hb.numeric_intervals(c, first_width=5)),
        (birth_dates(), hb.dates),
        (zips(), hb.postal_codes),
        (jobs(), lambda c: hb.categories(c, {"care": ["nurse", "teacher"], "other": ["pilot", "clerk", "chef"]})),
    ],
    ids=["ages", "dates", "zips", "jobs"],
)
def test_encode_gives_consistent_codes(column: pl.Series, build) -> None:
    hierarchy = build(column)
    encoding = hierarchy.encode(column)
    assert encoding.height == hierarchy.height and encoding.codes.height == column.len()
    assert all(dtype == pl.UInt32 for dtype in encoding.codes.dtypes)
    frame = encoding.codes.with_columns(value=value_text(column))
    per_value = frame.drop_nulls("value").group_by("value").agg(pl.all().n_unique())
    assert (per_value.drop("value") == 1).to_numpy().all()  # same value, same code at every level
    assert frame.filter(pl.col("value").is_null()).drop("value").null_count().row(0) == (1,) * hierarchy.height
    distinct = [encoding.codes[f"level{i}"].drop_nulls().n_unique() for i in range(hierarchy.height)]
    assert distinct == sorted(distinct, reverse=True) and distinct[0] == column.drop_nulls().n_unique()
    assert distinct[-1] == 1
    for level in range(hierarchy.height):
        codes = encoding.codes[f"level{level}"]
        assert int(codes.max()) < len(hierarchy.labels(level)) == len(encoding.labels(level))  # type: ignore[arg-type]
        generalized = hierarchy.generalize(column, level)
        expected = value_text(generalized) if level == 0 else generalized
        assert encoding.decode(level, codes).to_list() == expected.to_list()
    joined = value_text(column).alias("value").to_frame().join(encoding.table, on="value", how="left")
    assert joined.drop("value").equals(encoding.codes)


def test_whole_floats_find_integer_keys() -> None:
    hierarchy = hb.numeric_intervals(pl.Series("age", [30, 31]), widths=[10])
    floats = pl.Series("age", [30.0, 31.0, None])
    assert hierarchy.missing_values(floats) == []
    assert hierarchy.generalize(floats, 1).to_list() == ["30-39", "30-39", None]
    with pytest.raises(HierarchyError, match="level 3 does not exist; levels are 0 to 2"):
        hierarchy.generalize(floats, 3)


def test_empty_and_all_null_columns() -> None:
    hierarchy = hb.categories(pl.Series("c", [None, None], dtype=pl.String))
    assert hierarchy.levels.height == 0 and hierarchy.height == 2
    encoding = hierarchy.encode(pl.Series("c", [None], dtype=pl.String))
    assert encoding.codes.null_count().row(0) == (1, 1)
    assert hierarchy.generalize(pl.Series("c", [], dtype=pl.String), 1).to_list() == []


def test_an_empty_text_value_can_be_generalized_but_not_an_empty_label() -> None:
    """'' is a cell's value like any other; only labels above the values must say something."""
    hierarchy = Hierarchy.from_rows("when", [["", "unknown", "*"], ["2021", "2020s", "*"]])
    assert hierarchy.generalize(pl.Series("when", ["", "2021"]), 1).to_list() == ["unknown", "2020s"]
    with pytest.raises(HierarchyError, match="empty label at level 1"):
        Hierarchy.from_rows("when", [["a", "", "*"], ["b", "x", "*"]])
