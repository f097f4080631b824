"""A recipe's automatic hierarchy rules: options checked at load against each builder's options model,
run-time type problems as messages, dates never read the wrong way round, unambiguous negative labels,
and l-diversity parameters that mean something."""

from __future__ import annotations

import datetime as dt
import inspect

import polars as pl
import pytest
import yaml
from pydantic import ValidationError

from sanitas.core.dataset import Dataset
from sanitas.core.engine import run
from sanitas.core.errors import RecipeError
from sanitas.core.privacy.hierarchies import builders as hb
from sanitas.core.privacy.hierarchies.hierarchy import HierarchyError
from sanitas.core.privacy.k_anonymity.mondrian import mondrian
from sanitas.core.privacy.k_anonymity.release import load_hierarchies
from sanitas.core.privacy.k_anonymity.section import HierarchyRef, KAnonymitySection
from sanitas.core.recipe import dump_recipe, parse_recipe


def recipe(hierarchy: dict, **section: object) -> dict:
    return {"k_anonymity": {"quasi_identifiers": ["c"], "k": 2, "hierarchies": {"c": hierarchy}, **section}}


def problems(data: dict) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(data)
    return caught.value.problems


# options checked at load -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hierarchy", "where", "expected"),
    [
        ({"auto": "number", "first_widht": 5}, "c.first_widht",
         "unknown option for 'auto: number' (did you mean 'first_width'?); the options are widths, first_width, "
         "factor, edges, origin, style: rename it, or remove it"),
        ({"auto": "date", "first_width": 5}, "c.first_width",
         "unknown option for 'auto: date'; the options are levels, date_format"),
        ({"auto": "number", "first_width": "five"}, "c.first_width",
         "must be a positive number, the width of the level 1 intervals, e.g. 5"),
        ({"auto": "number", "first_width": True}, "c.first_width", "got True"),
        ({"auto": "number", "first_width": -5}, "c.first_width", "must be a positive number"),
        ({"auto": "number", "factor": 1.5}, "c.factor", "must be a whole number of 2 or more"),
        ({"auto": "number", "edges": []}, "c.edges", "must be a list of cut-point lists, one per level"),
        ({"auto": "number", "edges": [[]]}, "c.edges", "got [[]]"),
        ({"auto": "number", "edges": [0, "forty"]}, "c.edges", "(a single level may be written [18, 30, 45, 65]); "
         "got [0, 'forty']"),
        ({"auto": "number", "edges": [[18, 30], [40]]}, "c.edges", "level 2 cuts at '40', which level 1 does not"),
        ({"auto": "number", "widths": [10, 15]}, "c.widths", "width 15 is not a multiple (2x or more) of 10"),
        ({"auto": "number", "widths": [5], "first_width": 5}, "c",
         "give widths, first_width or edges, not several (got widths, first_width)"),
        ({"auto": "number", "style": "bogus"}, "c.style", "must be one of auto, range (30-34) or interval ([30, 35[)"),
        ({"auto": "postal", "strip": 2}, "c.strip",
         "must be a list of how many trailing characters each level redacts, increasing, e.g. [1, 2, 3] (a single "
         "level: [2]); got 2"),
        ({"auto": "postal", "strip": [3, 1]}, "c.strip", "got [3, 1]"),
        ({"auto": "category", "groups": ["Boston", "Seattle"]}, "c.groups",
         "groups[0] must map each group to the list of its values, e.g. {East: [Boston, New York]}; got 'Boston'"),
        ({"auto": "category", "groups": {"East": "Boston"}}, "c.groups",
         "groups.East must be a list of values, e.g. East: [Boston]; got 'Boston'"),
        ({"auto": "category", "groups": [{"East": ["Boston"]}, {"All": "East"}]}, "c.groups",
         "groups[1].All must be a list of values"),
        ({"auto": "category", "groups": {}}, "c.groups", "groups must map each group to the list of its values"),
        ({"auto": "category", "groups": []}, "c.groups", "must be a mapping of each group to the list of its values"),
        ({"auto": "category", "groups": {"East": []}}, "c.groups", "groups.East lists no values"),
        ({"auto": "category", "groups": {"East": [None]}}, "c.groups", "got None in it"),
        ({"auto": "category", "other": ""}, "c.other", "must be text, the group for values in no group"),
        ({"auto": "date", "levels": "year"}, "c.levels",
         "must be a list of date levels, some of day, month, year, decade in that order, e.g. [month, year, decade]; "
         "got 'year'"),
        ({"auto": "date", "levels": []}, "c.levels", "got []"),
        ({"auto": "date", "levels": ["week"]}, "c.levels", "got ['week']"),
        ({"auto": "date", "levels": ["year", "month"]}, "c.levels", "(finest first, each once)"),
        ({"auto": "date", "date_format": "dd/mm/yyyy"}, "c.date_format",
         "must be a strftime format of the column's text dates, e.g. '%d/%m/%Y' or '%m/%d/%Y'"),
    ],
)
def test_malformed_auto_options_are_recipe_errors(hierarchy: dict, where: str, expected: str) -> None:
    found = problems(recipe(hierarchy))
    assert len(found) == 1 and found[0].startswith(f"field 'k_anonymity.hierarchies.{where}': "), found
    assert expected in found[0]


def test_every_problem_is_listed_each_at_its_option() -> None:
    found = problems(recipe({"auto": "number", "first_widht": 5, "style": "bogus", "origin": "zero"}))
    assert [p.split("'")[1] for p in found] == [f"k_anonymity.hierarchies.c.{o}" for o in ("origin", "style",
                                                                                          "first_widht")]


def test_hierarchy_ref_itself_raises_a_located_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        HierarchyRef(auto="number", first_width="five")  # type: ignore[arg-type]
    assert [e["loc"] for e in caught.value.errors()] == [("first_width",)]


@pytest.mark.parametrize(
    "hierarchy",
    [
        {"auto": "number", "first_width": 5, "factor": 2},
        {"auto": "number", "first_width": 0.5, "style": "interval", "origin": -10},
        {"auto": "number", "widths": [5, 10, 20]},
        {"auto": "number", "edges": [[0, 18, 30, 65], [0, 65]], "style": "range"},
        {"auto": "date", "levels": ["day", "year"], "date_format": "%m/%d/%Y"},
        {"auto": "postal", "strip": [2, 4]},
        {"auto": "postal"},
        {"auto": "category", "groups": {"East": ["Boston", "New York"], "West": ["Seattle"]}, "other": "Elsewhere"},
        {"auto": "category", "groups": [{"low": [1, 2], "high": [3, True, 2.5]}, {"all": ["low", "high"]}]},
        {"auto": "category", "unknown_as_star": True},
    ],
)
def test_valid_options_round_trip_unchanged(hierarchy: dict) -> None:
    ref = parse_recipe(recipe(hierarchy)).k_anonymity.hierarchies["c"]
    assert ref.options() == {k: v for k, v in hierarchy.items() if k not in ("auto", "unknown_as_star")}
    again = parse_recipe(yaml.safe_load(dump_recipe(parse_recipe(recipe(hierarchy)))))
    assert again.k_anonymity.hierarchies["c"] == ref
    assert again.k_anonymity.dump()["hierarchies"]["c"] == {"unknown_as_star": False, **hierarchy}


def test_a_flat_edges_list_is_its_one_level() -> None:
    ref = parse_recipe(recipe({"auto": "number", "edges": [0, 40]})).k_anonymity.hierarchies["c"]
    assert ref.options() == {"edges": [[0, 40]]}
    dumped = yaml.safe_load(dump_recipe(parse_recipe(recipe({"auto": "number", "edges": [0, 40]}))))
    assert dumped["k_anonymity"]["hierarchies"]["c"]["edges"] == [[0, 40]]
    built = hb.auto_hierarchy(pl.Series("c", [10, 50]), "number", edges=[0, 40])
    assert built.labels(1) == ["0-39", ">=40"]


@pytest.mark.parametrize(("kind", "builder"), [("number", hb.numeric_intervals), ("date", hb.dates),
                                               ("postal", hb.postal_codes), ("category", hb.categories)])
def test_options_models_mirror_the_builders_keywords(kind: str, builder: object) -> None:
    parameters = inspect.signature(builder).parameters  # type: ignore[arg-type]
    assert list(hb.OPTIONS[kind].model_fields) == [p for p in parameters if p not in ("values", "column")]
    assert hb.BUILDERS[kind] is builder


def test_auto_hierarchy_checks_the_options_too() -> None:
    with pytest.raises(HierarchyError, match=r"Column 'age', 'auto: number' options: first_widht: unknown option"):
        hb.auto_hierarchy(pl.Series("age", [30, 40]), "number", first_widht=5)
    with pytest.raises(HierarchyError, match=r"groups.East must be a list of values"):
        hb.categories(pl.Series("city", ["Boston"]), {"East": "Boston"})  # type: ignore[dict-item]


# run-time type problems as messages ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "options", "expected"),
    [
        (pl.Series("age", [31, 45]), {}, "Column 'age' holds numbers (Int64), not dates: choose another kind"),
        (pl.Series("ok", [True, False]), {}, "Column 'ok' holds Boolean values, not dates"),
        (pl.Series("city", ["Boston", "Seattle"]), {}, "Column 'city': 2 distinct values do not read as dates; give "
         "date_format"),
        (pl.Series("d", ["2021-03-04"]), {"date_format": "%d.%m.%Y"}, "1 distinct values do not read as dates; check "
         "date_format"),
    ],
)
def test_a_column_that_is_not_dates_is_a_message(column: pl.Series, options: dict, expected: str) -> None:
    with pytest.raises(HierarchyError) as caught:
        hb.auto_hierarchy(column, "date", **options)
    assert expected in caught.value.message


def test_dates_written_as_digits_read_with_a_format() -> None:
    built = hb.auto_hierarchy(pl.Series("d", [20210304, 19991231]), "date", date_format="%Y%m%d", levels=["year"])
    assert built.labels(1) == ["1999", "2021"]


def test_group_members_compare_as_text_with_the_column() -> None:
    numbers = hb.auto_hierarchy(pl.Series("n", [1, 2, 3]), "category", groups={"low": [1, "2"], "high": [3]})
    assert numbers.generalize(pl.Series("n", [1, 2, 3]), 1).to_list() == ["low", "low", "high"]
    flags = hb.auto_hierarchy(pl.Series("f", [True, False]), "category", groups={"yes": [True], "no": [False]})
    assert flags.generalize(pl.Series("f", [True, False]), 1).to_list() == ["yes", "no"]
    whole = hb.auto_hierarchy(pl.Series("x", [1.0, 2.5]), "category", groups={"a": [1], "b": [2.5]})
    assert whole.generalize(pl.Series("x", [1.0, 2.5]), 1).to_list() == ["a", "b"]


def test_a_column_without_text_form_is_a_message() -> None:
    with pytest.raises(HierarchyError, match=r"Column 'wait' holds Duration.* values, which a hierarchy cannot key by"):
        hb.auto_hierarchy(pl.Series("wait", [dt.timedelta(days=1)]))


def test_a_release_with_a_wrong_kind_fails_with_the_column_named() -> None:
    frame = pl.DataFrame({"c": ["Boston", "Seattle"] * 5})
    with pytest.raises(HierarchyError, match="Column 'c': 2 distinct values do not read as dates"):
        run(Dataset.from_frame(frame), parse_recipe({"unlisted_columns": "keep", **recipe({"auto": "date"})}))


# dates: day or month first ------------------------------------------------------------------------
def test_ambiguous_slash_dates_are_refused_with_the_formats_to_give() -> None:
    with pytest.raises(HierarchyError) as caught:
        hb.dates(pl.Series("visit", ["03/04/2021", "05/06/2021", "12/11/2020"]))
    message = caught.value.message
    assert message.startswith("Column 'visit': its dates are written with '/' and no value has a first or second "
                              "field above 12")
    assert "date_format: '%m/%d/%Y' (month first) or '%d/%m/%Y' (day first)" in message
    assert "03/04" not in message  # the data's own values stay out of messages
    with pytest.raises(HierarchyError, match=r"'%m\.%d\.%y' \(month first\) or '%d\.%m\.%y' \(day first\)"):
        hb.dates(pl.Series("visit", ["03.04.21"]))


@pytest.mark.parametrize(
    ("values", "months"),
    [
        (["03/04/2021", "13/05/2021"], ["2021-04", "2021-05"]),  # 13 can only be a day: day first
        (["03/04/2021", "05/13/2021"], ["2021-03", "2021-05"]),  # 13 second: month first (US)
        (["3/4/2021 10:30", "12/25/2020 8:00 PM"], ["2020-12", "2021-03"]),  # times ignored
        (["03.04.2021", "25.12.2020"], ["2020-12", "2021-04"]),
        (["03-04-21", "25-12-99"], ["1999-12", "2021-04"]),
        (["2021-03-04", "2020-12-25"], ["2020-12", "2021-03"]),  # ISO as before
    ],
)
def test_the_values_tell_day_or_month_first(values: list[str], months: list[str]) -> None:
    assert sorted(set(hb.dates(pl.Series("d", values), levels=["month"]).labels(1))) == months
    assert hb.guess_kind(pl.Series("d", values)) == "date"


def test_date_format_settles_ambiguous_dates() -> None:
    column = pl.Series("d", ["03/04/2021"])
    assert hb.dates(column, ["day"], date_format="%m/%d/%Y").labels(1) == ["2021-03-04"]
    assert hb.dates(column, ["day"], date_format="%d/%m/%Y").labels(1) == ["2021-04-03"]


def test_dates_written_both_ways_or_with_mixed_years_are_refused() -> None:
    with pytest.raises(HierarchyError, match=r"first field above 12 \(day first\) and others a second"):
        hb.dates(pl.Series("d", ["13/04/2021", "04/13/2021"]))
    with pytest.raises(HierarchyError, match="year with 2 digits in some values and 4 in others"):
        hb.dates(pl.Series("d", ["13/04/2021", "14/04/21"]))


def test_a_guessed_ambiguous_date_column_is_refused_not_read_day_first() -> None:
    column = pl.Series("visit", ["03/04/2021", "05/06/2021"])
    assert hb.guess_kind(column) == "date"
    with pytest.raises(HierarchyError, match="Say which with date_format"):
        hb.auto_hierarchy(column)


# where the hierarchy came from --------------------------------------------------------------------
def test_guessed_kind_is_recorded_as_the_source() -> None:
    frame = pl.DataFrame({"city": ["Boston", "Seattle"], "age": [31, 45], "zip": ["02139", "10001"]})
    section = KAnonymitySection(quasi_identifiers=["city", "age", "zip"], k=2,
                                hierarchies={"zip": HierarchyRef(auto="postal")})
    _, sources = load_hierarchies(section, frame, None)
    assert sources == {"city": "automatic (category, guessed from the values)",
                       "age": "automatic (number, guessed from the values)", "zip": "automatic (postal)"}


# unambiguous labels for negative ranges ----------------------------------------------------------
def test_negative_ranges_are_spelled_out() -> None:
    built = hb.numeric_intervals(pl.Series("t", [-50, -47, -3, 0, 4, 12]), first_width=5)
    assert built.labels(1) == ["-50 to -46", "-5 to -1", "0-4", "10-14"]
    explicit = hb.numeric_intervals(pl.Series("t", [-50, -47, -3, 0, 4, 12]), widths=[5, 10], origin=-50)
    assert explicit.labels(2) == ["-50 to -41", "-10 to -1", "0-9", "10-19"]
    edges = hb.numeric_intervals(pl.Series("t", [-50, -3, 4, 12]), edges=[[-10, 0, 10]])
    assert edges.labels(1) == ["<-10", "-10 to -1", "0-9", ">=10"]
    assert hb.numeric_intervals(pl.Series("t", [-3, 4]), widths=[10], origin=-5).labels(1) == ["-5 to 4"]


def test_mondrian_negative_ranges_are_spelled_out() -> None:
    result = mondrian(pl.DataFrame({"t": [-50, -47, -40, -3, 0, 4, 12, 20]}), ["t"], 2)
    assert result.frame["t"].to_list() == ["-50 to -47"] * 2 + ["-40 to -3"] * 2 + ["0-4"] * 2 + ["12-20"] * 2


# l-diversity parameters -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("l_diversity", "expected"),
    [
        ({"variant": "distinct", "l": 1}, "l_diversity.l: must be 2 or more; l = 1 holds for every class"),
        ({"variant": "entropy", "l": 0}, "l_diversity.l: must be 2 or more; l = 0 holds"),
        ({"variant": "distinct", "l": 2, "c": 3}, "l_diversity.c: c applies to recursive (c,l)-diversity only, not to "
         "variant 'distinct'; remove c, or use variant: recursive"),
        ({"l": 3, "c": 2.0}, "c applies to recursive (c,l)-diversity only"),
    ],
)
def test_l_diversity_that_protects_nothing_or_ignores_c_is_refused(l_diversity: dict, expected: str) -> None:
    found = problems({"k_anonymity": {"quasi_identifiers": ["a"], "sensitive": ["s"], "l_diversity": l_diversity}})
    assert len(found) == 1 and expected in found[0], found


def test_meaningful_l_diversity_is_accepted() -> None:
    for l_diversity in ({"l": 2}, {"variant": "entropy", "l": 3}, {"variant": "recursive", "l": 2, "c": 3}):
        section = KAnonymitySection(quasi_identifiers=["a"], sensitive=["s"], l_diversity=l_diversity)
        assert section.l_diversity == l_diversity
