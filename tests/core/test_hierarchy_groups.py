"""Category group editing rules (core/privacy/hierarchies/groups.py), checked against the real builder."""

from __future__ import annotations

import random

import polars as pl
import pytest

from sanitas.core.privacy.hierarchies import groups
from sanitas.core.privacy.hierarchies.hierarchy import HierarchyError
from sanitas.core.privacy.hierarchies.values import categories

CITIES = ["Boston", "New York", "Seattle", "Portland", "Austin", "Dallas"]


@pytest.fixture
def cities() -> pl.Series:
    rng = random.Random(7)
    return pl.Series("city", [rng.choice(CITIES) for _ in range(200)])


def build(series: pl.Series, levels: groups.Groupings):
    return categories(series, groups.to_option(levels), other="Other")


def test_grouping_moves_a_label_out_of_its_old_group_and_the_builder_accepts_it(cities: pl.Series) -> None:
    levels = groups.add_group([], 1, "East", ["Boston", "New York"])
    levels = groups.add_group(levels, 1, "West", ["Seattle", "Portland", "Boston"])
    assert levels == [{"East": ["New York"], "West": ["Seattle", "Portland", "Boston"]}]
    hierarchy = build(cities, levels)
    rows = {row[0]: row[1:] for row in hierarchy.rows()}
    assert rows["Boston"][0] == "West" and rows["New York"][0] == "East" and rows["Austin"][0] == "Other"


def test_a_group_emptied_by_a_move_disappears() -> None:
    levels = groups.add_group([], 1, "East", ["Boston"])
    assert groups.add_group(levels, 1, "West", ["Boston"]) == [{"West": ["Boston"]}]


def test_groups_of_groups_need_the_level_below_first(cities: pl.Series) -> None:
    with pytest.raises(HierarchyError, match="Group level 1 first"):
        groups.add_group([], 2, "Coasts", ["East"])
    levels = groups.add_group([], 1, "East", ["Boston", "New York"])
    levels = groups.add_group(levels, 1, "West", ["Seattle", "Portland"])
    levels = groups.add_group(levels, 2, "Coasts", ["East", "West"])
    hierarchy = build(cities, levels)
    assert {tuple(row) for row in hierarchy.rows() if row[0] == "Seattle"} == {("Seattle", "West", "Coasts", "*")}


def test_functions_never_change_their_argument() -> None:
    before = [{"East": ["Boston", "New York"]}]
    groups.add_group(before, 1, "West", ["Boston"])
    groups.ungroup(before, 0, ["Boston"])
    assert before == [{"East": ["Boston", "New York"]}]


def test_ungrouping_values_and_dissolving_groups() -> None:
    levels = [{"East": ["Boston", "New York"], "West": ["Seattle"]}, {"Coasts": ["East", "West"]}]
    assert groups.ungroup(levels, 0, ["Seattle"]) == [{"East": ["Boston", "New York"]}, {"Coasts": ["East", "West"]}]
    # dissolving a level 1 group takes it out of the level 2 group above too
    assert groups.ungroup(levels, 1, ["East"]) == [{"West": ["Seattle"]}, {"Coasts": ["West"]}]
    # dissolving every level 1 group leaves nothing for level 2 to gather
    assert groups.ungroup(levels, 1, ["East", "West"]) == []
    assert groups.ungroup([], 0, ["Boston"]) == []


def test_option_round_trip_keeps_the_recipe_shape() -> None:
    single = {"East": ["Boston"]}
    assert groups.to_option(groups.from_option(single)) == single
    nested = [{"East": ["Boston"]}, {"All": ["East"]}]
    assert groups.to_option(groups.from_option(nested)) == nested
    assert groups.from_option({1: [2, 3]}) == [{"1": ["2", "3"]}]
    assert groups.from_option(None) == [] and groups.to_option([]) is None


def test_selection_problems_in_words() -> None:
    assert groups.group_problem(0, 3, by_category=False) is None
    assert "one column" in groups.group_problem(None, 3, by_category=True)
    assert "category builder" in groups.group_problem(1, 4, by_category=False)
    assert "top" in groups.group_problem(2, 3, by_category=True)
    assert groups.ungroup_problem(1, 4, by_category=True) is None
    assert "Rebuild" in groups.ungroup_problem(0, 3, by_category=False)
    assert "Select values" in groups.ungroup_problem(2, 3, by_category=True)


def test_description_names_every_level() -> None:
    text = groups.describe([{"East": ["Boston"]}, {"All": ["East"]}])
    assert text.splitlines() == ["Level 1: East (Boston)", "Level 2: All (East)"]
    assert groups.describe([]).startswith("No groups")
