"""The aggregates table: its layout, declared and thresholded group keys, and honest 95% intervals."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.dp.aggregates import COLUMNS, key_threshold, release_aggregates
from sanitas.core.privacy.dp.budget import aggregate_deltas
from sanitas.core.privacy.dp.section import DifferentialPrivacySection

RACES = ["Asian", "Black", "White", "Other"]


def people(n: int = 4000, seed: int = 7) -> pl.DataFrame:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rows = [{"race": fake.random_element(RACES), "sex": fake.random_element(["F", "M"]),
             "age": None if i % 13 == 0 else fake.random_int(17, 95), "income": fake.pyfloat(min_value=0,
             max_value=200_000)} for i in range(n)]
    return pl.DataFrame(rows, schema={"race": pl.String, "sex": pl.String, "age": pl.Int64, "income": pl.Float64})


def release(frame: pl.DataFrame, section: dict[str, object], seed: int) -> pl.DataFrame:
    s = DifferentialPrivacySection.model_validate({"output": "aggregates", **section})
    table, _ = release_aggregates(frame, s, aggregate_deltas(s, {}), np.random.default_rng(seed))
    return table


def test_the_table_has_exactly_the_issue_layout() -> None:
    frame = people()
    table = release(frame, {"epsilon": 5.0, "aggregates": [
        {"statistic": "count", "by": ["race", "sex"], "epsilon": 1, "domains": {"race": RACES, "sex": ["F", "M"]}},
        {"statistic": "histogram", "column": "age", "epsilon": 1, "lower": 17, "upper": 97, "bins": 4},
        {"statistic": "quantile", "column": "age", "epsilon": 1, "lower": 17, "upper": 97, "quantile": [0.5, 0.9]},
        {"statistic": "median", "column": "income", "by": ["sex"], "domains": {"sex": ["F", "M"]}, "epsilon": 1,
         "lower": 0, "upper": 200_000},
        {"statistic": "sum", "column": "income", "epsilon": 1, "lower": 0, "upper": 200_000},
    ]}, seed=1)
    assert table.columns == COLUMNS
    assert table.schema == pl.Schema({"statistic": pl.String, "column": pl.String, "group": pl.String,
                                      "value": pl.Float64, "noise_scale": pl.Float64, "ci95_low": pl.Float64,
                                      "ci95_high": pl.Float64})
    counts = table.filter(pl.col("statistic") == "count")
    assert counts["group"].to_list()[:3] == ["race=Asian; sex=F", "race=Asian; sex=M", "race=Black; sex=F"]
    assert counts.height == 8 and counts["column"].null_count() == 8
    bins = table.filter(pl.col("statistic") == "histogram")["group"].to_list()
    assert bins == ["age=[17, 37)", "age=[37, 57)", "age=[57, 77)", "age=[77, 97]"]
    quantiles = table.filter(pl.col("statistic").str.starts_with("quantile"))
    assert quantiles["statistic"].to_list() == ["quantile_0.5", "quantile_0.9"]
    assert quantiles["group"].to_list() == ["", ""]
    assert quantiles["ci95_low"].null_count() == 2  # no honest closed form: left empty
    medians = table.filter(pl.col("statistic") == "median")
    assert medians["group"].to_list() == ["sex=F", "sex=M"]
    assert medians["value"].is_between(0, 200_000).all()
    assert table.filter(pl.col("statistic") == "sum")["value"].item() >= 0


def test_a_histogram_by_group_puts_the_bin_after_the_group() -> None:
    table = release(people(), {"epsilon": 1.0, "aggregates": [
        {"statistic": "histogram", "column": "age", "by": ["sex"], "domains": {"sex": ["F", "M"]}, "epsilon": 1,
         "lower": 17, "upper": 97, "bins": [17, 30, 97]}]}, seed=2)
    assert table["group"].to_list() == ["sex=F; age=[17, 30)", "sex=F; age=[30, 97]",
                                        "sex=M; age=[17, 30)", "sex=M; age=[30, 97]"]
    assert (table["value"] >= 0).all()


def test_declared_groups_are_all_released_even_empty_and_no_other() -> None:
    frame = people(500)
    table = release(frame, {"epsilon": 1.0, "aggregates": [
        {"statistic": "count", "by": ["race"], "epsilon": 1, "domains": {"race": ["Asian", "Martian"]}}]}, seed=3)
    assert table["group"].to_list() == ["race=Asian", "race=Martian"]
    assert table["value"][1] < 15  # the empty group's count is noise around 0


def test_undeclared_keys_are_released_only_above_the_noisy_threshold() -> None:
    frame = pl.concat([people(3000), pl.DataFrame({"race": ["Lonely"], "sex": ["F"], "age": [40],
                                                   "income": [1.0]})])
    assert key_threshold(1.0, 5e-7) == 16
    for seed in range(20):
        table = release(frame, {"epsilon": 2.0, "delta": 1e-6, "aggregates": [
            {"statistic": "count", "by": ["race", "sex"], "epsilon": 1.0},
            {"statistic": "mean", "column": "age", "by": ["race"], "epsilon": 1.0, "lower": 17, "upper": 95}]},
            seed=seed)
        groups = table["group"].to_list()
        assert not any("Lonely" in g for g in groups)
        assert len([g for g in groups if g.startswith("race=") and "; sex=" in g]) == 8
        assert table.filter(pl.col("statistic") == "mean").height == 4


def test_missing_columns_are_named() -> None:
    with pytest.raises(SanitasError, match=r"aggregates\[0\].*'weight'"):
        release(people(50), {"epsilon": 1.0, "aggregates": [
            {"statistic": "sum", "column": "weight", "epsilon": 1, "lower": 0, "upper": 1}]}, seed=4)


def _coverage(frame: pl.DataFrame, section: dict[str, object], truth: dict[str, float], runs: int) -> float:
    hits = total = 0
    for seed in range(runs):
        table = release(frame, section, seed)
        for group, low, high in table.select("group", "ci95_low", "ci95_high").iter_rows():
            hits += low <= truth[group] <= high
            total += 1
    return hits / total


def test_count_and_histogram_intervals_hold_the_truth_about_95_percent_of_the_time() -> None:
    frame = people(1500)
    truth = {f"race={r}": float((frame["race"] == r).sum()) for r in RACES}
    section = {"epsilon": 0.1, "aggregates": [
        {"statistic": "count", "by": ["race"], "epsilon": 0.1, "domains": {"race": RACES}}]}
    assert 0.93 <= _coverage(frame, section, truth, 300) <= 0.975
    ages = frame["age"].drop_nulls()
    edges = [17, 40, 60, 96]
    truth = {f"age=[{a}, {b}{']' if b == 96 else ')'}": float(((ages >= a) & ((ages < b) | (b == 96) & (ages <= b)))
             .sum()) for a, b in itertools.pairwise(edges)}
    section = {"epsilon": 0.1, "aggregates": [
        {"statistic": "histogram", "column": "age", "epsilon": 0.1, "lower": 17, "upper": 96, "bins": edges}]}
    assert 0.93 <= _coverage(frame, section, truth, 300) <= 0.975


def test_sum_and_mean_intervals_are_honest() -> None:
    frame = people(1500)
    incomes = {s: frame.filter(pl.col("sex") == s)["income"] for s in ("F", "M")}
    section = {"epsilon": 0.01, "aggregates": [
        {"statistic": "sum", "column": "income", "by": ["sex"], "domains": {"sex": ["F", "M"]}, "epsilon": 0.01,
         "lower": 0, "upper": 200_000}]}
    sums = {f"sex={s}": float(v.sum()) for s, v in incomes.items()}
    assert 0.93 <= _coverage(frame, section, sums, 400) <= 0.97
    ages = {s: frame.filter(pl.col("sex") == s)["age"].drop_nulls() for s in ("F", "M")}
    means = {f"sex={s}": float(v.mean()) for s, v in ages.items()}  # type: ignore[arg-type]
    section = {"epsilon": 0.05, "aggregates": [
        {"statistic": "mean", "column": "age", "by": ["sex"], "domains": {"sex": ["F", "M"]}, "epsilon": 0.05,
         "lower": 17, "upper": 95}]}
    coverage = _coverage(frame, section, means, 300)
    assert 0.95 <= coverage <= 1.0  # conservative by construction (a union bound over sum and count)
    table = release(frame, section, 0)
    assert ((table["ci95_low"] <= table["value"]) & (table["value"] <= table["ci95_high"])).all()
