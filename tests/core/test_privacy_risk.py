"""Equivalence classes, re-identification risk and utility: known answers, pyCANON and pandas as references."""

from __future__ import annotations

import math
import time

import numpy as np
import polars as pl
import pytest

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.metrics.risk import RiskInputError, risk_report
from sanitas.core.privacy.metrics.utility import discernibility, entropy_bits, utility_report

QIS = ["age", "sex", "zip"]


@pytest.fixture
def sized() -> pl.DataFrame:
    """Five classes of sizes 1, 2, 3, 4 and 10 (20 records); 'diag' is known per class."""
    sizes = [1, 2, 3, 4, 10]
    rows = [(30 + i, "F" if i % 2 else "M", f"1000{i}") for i, size in enumerate(sizes) for _ in range(size)]
    diag = ["a"] + ["a", "b"] + ["a", "a", "b"] + ["a", "b", "c", "d"] + ["a", "b"] * 5
    return pl.DataFrame(rows, schema=QIS, orient="row").with_columns(diag=pl.Series(diag))


def generated(n: int, seed: int, ages: int = 8, zips: int = 6) -> pl.DataFrame:
    """Random records with a few hundred classes of varied sizes, and two sensitive columns."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "age": rng.integers(20, 20 + ages, n), "sex": rng.choice(["F", "M"], n),
        "zip": rng.integers(0, zips, n).astype(str),
        "diag": rng.choice(list("abcdef"), n, p=[.5, .2, .1, .1, .05, .05]), "income": rng.integers(0, 4, n),
    })


def test_known_answers_when_the_dataset_is_the_population(sized: pl.DataFrame) -> None:
    r = risk_report(sized, QIS, "diag")
    assert (r.records, r.classes, r.k, r.sample_uniques, r.suppressed) == (20, 5, 1, 1, 0)
    assert r.sample_uniqueness == pytest.approx(0.05) and r.average_class_size == pytest.approx(4.0)
    assert r.prosecutor_risk.highest == 1.0
    assert r.prosecutor_risk.average == pytest.approx(5 / 20)  # mean over records = classes / records
    assert (r.prosecutor_risk.records_at_risk, r.prosecutor_risk.share_at_risk) == (10, 0.5)  # classes smaller than 5
    assert r.journalist_risk == r.prosecutor_risk
    assert r.marketer_risk.average == pytest.approx(5 / 20) and r.marketer_risk.expected_reidentified == 5
    assert r.population_model == "the dataset is the population" and r.sampling_fraction == 1
    assert r.l == 1 and r.entropy_l == pytest.approx(1.0)
    assert {b.label: (b.classes, b.records) for b in r.histogram} == {
        "1": (1, 1), "2": (1, 2), "3-4": (2, 7), "5-9": (0, 0), "10-19": (1, 10), "20-49": (0, 0), "50+": (0, 0)}
    assert [(c.size, c.classes) for c in r.class_sizes] == [(1, 1), (2, 1), (3, 1), (4, 1), (10, 1)]


def test_threshold_is_strictly_above(sized: pl.DataFrame) -> None:
    assert risk_report(sized, QIS, threshold=0.25).prosecutor_risk.records_at_risk == 6  # 1/4 is not above 0.25
    assert risk_report(sized, QIS, threshold=0.09).prosecutor_risk.records_at_risk == 20
    assert risk_report(sized, QIS, threshold=1.0).prosecutor_risk.records_at_risk == 0


def test_population_model_scales_classes_by_the_sampling_fraction(sized: pl.DataFrame) -> None:
    by_fraction = risk_report(sized, QIS, sampling_fraction=0.5)
    by_population = risk_report(sized, QIS, population=40)
    assert by_population.sampling_fraction == 0.5 and by_population.population == 40
    for r in (by_fraction, by_population):
        assert r.population_model.startswith("simple estimator")
        assert r.prosecutor_risk.highest == 1.0  # the prosecutor ignores the population
        assert r.journalist_risk.highest == pytest.approx(0.5)  # F = 2 for the sample unique
        assert r.journalist_risk.average == pytest.approx(5 * 0.5 / 20)  # each class: f_j / F_j = 0.5
        assert r.journalist_risk.records_at_risk == 3  # F = 2 and F = 4 are smaller than 5
        assert r.marketer_risk.average == pytest.approx(0.125)
        assert r.marketer_risk.expected_reidentified == pytest.approx(2.5)
        assert r.marketer_risk.average <= r.journalist_risk.highest


def test_suppressed_records_form_no_class(sized: pl.DataFrame) -> None:
    mask = pl.Series([True] + [False] * 19)  # the sample unique
    r = risk_report(sized, QIS, "diag", suppressed=mask)
    assert (r.records, r.suppressed, r.classes, r.k, r.sample_uniques) == (19, 1, 4, 2, 0)
    assert r.l == 2 and r.prosecutor_risk.highest == 0.5
    assert r.prosecutor_risk.average == pytest.approx(4 / 19)
    everything = risk_report(sized, QIS, suppressed=pl.Series([True] * 20))
    assert (everything.records, everything.classes, everything.k, everything.prosecutor_risk.highest) == (0, 0, 0, 0)


def test_nulls_are_a_value_and_lazy_frames_work() -> None:
    frame = pl.DataFrame({"a": [None, None, 1, 1, 2], "b": ["x", "x", None, None, "y"], "s": [1, None, 1, 1, 2]})
    r = risk_report(frame.lazy(), ["a", "b"], "s")
    assert (r.classes, r.k, r.sample_uniques) == (3, 1, 1)
    assert [d.distinct_l for d in r.diversity] == [1]  # the (1, null) class holds only 1s
    two = risk_report(frame.head(4), ["a", "b"], "s")
    assert two.k == 2 and two.l == 1  # null and 1 are two values, {1, 1} is one


def test_entropy_l_and_several_sensitive_columns(sized: pl.DataFrame) -> None:
    plain = sized.filter(pl.col("age") >= 33)  # classes: a,b,c,d (4) and a,b x5 (10)
    r = risk_report(plain, QIS, ["diag"])
    assert r.l == 2 and r.entropy_l == pytest.approx(2.0)  # the 50/50 class: exp(ln 2)
    skewed = plain.with_columns(other=pl.Series(["x", "x", "x", "y"] + ["x"] * 9 + ["y"]))
    both = risk_report(skewed, QIS, ["diag", "other"])
    entropy = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert [d.column for d in both.diversity] == ["diag", "other"]
    assert both.diversity[1].entropy_l == pytest.approx(math.exp(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1))))
    assert both.l == 2 and both.entropy_l == pytest.approx(min(math.exp(entropy), both.diversity[1].entropy_l))
    assert "l" not in risk_report(plain, QIS).json_dict() and "l" in r.json_dict()


def test_against_a_pandas_groupby() -> None:
    frame = generated(20_000, seed=7)
    r = risk_report(frame, QIS, "diag", sampling_fraction=0.1)
    sizes = frame.to_pandas().groupby(QIS).size()
    record_sizes = np.repeat(sizes.to_numpy(), sizes.to_numpy())
    assert r.classes == len(sizes) and r.k == sizes.min() and r.sample_uniques == int((sizes == 1).sum())
    assert r.prosecutor_risk.average == pytest.approx(np.mean(1 / record_sizes))
    assert r.prosecutor_risk.records_at_risk == int((1 / record_sizes > 0.2).sum())
    population = np.maximum(record_sizes, record_sizes / 0.1)
    assert r.journalist_risk.average == pytest.approx(np.mean(1 / population))
    assert r.journalist_risk.highest == pytest.approx(np.max(1 / population))
    counts = sizes.value_counts().sort_index()
    assert [(c.size, c.classes) for c in r.class_sizes] == list(zip(counts.index, counts.to_numpy(), strict=True))
    distinct = frame.to_pandas().groupby(QIS)["diag"].nunique()
    assert r.l == distinct.min()


def _truncated(entropy_l: float | None) -> int:
    """pyCANON truncates exp(entropy) to an int; allow for the last bit when it is a whole number."""
    assert entropy_l is not None
    return math.floor(entropy_l + 1e-9)


@pytest.mark.parametrize("smallest", [1, 12])
@pytest.mark.parametrize("seed", [1, 2])
def test_k_l_and_entropy_l_agree_with_pycanon(seed: int, smallest: int) -> None:
    """pyCANON 1.3.6 (installed with --no-deps: its pins clash with ours) as an independent implementation."""
    anonymity = pytest.importorskip("pycanon.anonymity")
    metrics = pytest.importorskip("pycanon.metrics")
    rng = np.random.default_rng(seed)
    frame = generated(1_500, seed=seed, zips=5).with_columns(  # skewed ages: classes of 1 to ~100 records
        age=pl.Series(20 + rng.geometric(0.25, 1_500)))
    frame = frame.filter(pl.len().over(QIS) >= smallest)  # 12: only classes big enough for l > 1
    data, sensitive = frame.to_pandas(), ["diag", "income"]
    r = risk_report(frame, QIS, sensitive)
    assert r.k >= smallest and (r.l > 1) == (smallest > 1)
    assert r.k == anonymity.k_anonymity(data, QIS)
    assert r.l == anonymity.l_diversity(data, QIS, sensitive)
    assert _truncated(r.entropy_l) == anonymity.entropy_l_diversity(data, QIS, sensitive)
    for d in r.diversity:  # each sensitive column alone
        assert d.distinct_l == anonymity.l_diversity(data, QIS, [d.column])
        assert _truncated(d.entropy_l) == anonymity.entropy_l_diversity(data, QIS, [d.column])
    assert r.prosecutor_risk.highest == pytest.approx(metrics.max_rir(data, QIS))
    stats = metrics.sizes_ec(data, QIS)
    assert (r.classes, r.k, r.average_class_size) == (stats["n_ec"], stats["min_ec"], pytest.approx(stats["mean_ec"]))
    released = frame.filter(pl.len().over(QIS) >= 5)  # suppress the classes smaller than 5
    u = utility_report(frame, released, quasi_identifiers=QIS)
    assert u.suppressed == frame.height - released.height
    assert u.discernibility_after == metrics.discernability_metric(data, released.to_pandas(), QIS)
    assert u.normalized_average_class_size_after == pytest.approx(
        metrics.average_ecsize(data, released.to_pandas(), QIS))


def test_pycanon_counts_the_same_classes_per_sensitive_value() -> None:
    """With one sensitive column per class of {x, x, y}, pyCANON and we both give l = 2, entropy-l = 1."""
    anonymity = pytest.importorskip("pycanon.anonymity")
    frame = pl.DataFrame({"q": [1, 1, 1, 2, 2, 2], "s": ["x", "x", "y", "y", "y", "x"]})
    r = risk_report(frame, ["q"], "s")
    assert r.l == anonymity.l_diversity(frame.to_pandas(), ["q"], ["s"]) == 2
    assert int(r.entropy_l) == anonymity.entropy_l_diversity(frame.to_pandas(), ["q"], ["s"]) == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"quasi_identifiers": ["age", "postcode"]}, "no column 'postcode'. Available columns: age, sex, zip, diag"),
    ({"quasi_identifiers": []}, "at least one quasi-identifier"),
    ({"quasi_identifiers": QIS, "sensitive": "zip"}, "'zip' cannot be both"),
    ({"quasi_identifiers": ["age", "age"]}, "'age' is named twice"),
    ({"quasi_identifiers": QIS, "population": 10}, "population (10) cannot be smaller than the 20 rows"),
    ({"quasi_identifiers": QIS, "sampling_fraction": 0}, "sampling fraction must be above 0"),
    ({"quasi_identifiers": QIS, "sampling_fraction": 0.5, "population": 50}, "not both"),
    ({"quasi_identifiers": QIS, "threshold": 0}, "threshold must be above 0"),
    ({"quasi_identifiers": QIS, "suppressed": pl.Series([True])}, "mask has 1 entries for 20 rows"),
])
def test_bad_input_names_the_table_and_the_column(sized: pl.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(RiskInputError) as caught:
        risk_report(sized, source="people.csv", **kwargs)
    assert isinstance(caught.value, SanitasError)
    assert caught.value.message.startswith("people.csv: ") and message in caught.value.message


def test_column_utility_known_answers() -> None:
    before = pl.DataFrame({"age": [21, 22, 33, 34] * 5, "sex": ["F", "F", "M", "M"] * 5,
                           "name": [f"p{i}" for i in range(20)]})
    after = before.select(pl.when(pl.col("age") < 30).then(pl.lit("20-29")).otherwise(pl.lit("30-39")).alias("age"),
                          "sex")
    u = utility_report(before, after, quasi_identifiers=["age", "sex"], generalization={"age": 1})
    age, sex, name = u.columns
    assert (age.distinct_before, age.distinct_after, age.distinct_kept) == (4, 2, 0.5)
    assert (age.entropy_before, age.entropy_after, age.entropy_lost) == (2.0, 1.0, 1.0)
    assert age.entropy_lost_share == 0.5 and age.generalization_level == 1
    assert (sex.entropy_lost, sex.distinct_kept, sex.generalization_level) == (0.0, 1.0, None)
    assert name.dropped and name.distinct_after == 0 and name.entropy_lost == pytest.approx(math.log2(20))
    assert u.discernibility_before == 4 * 5**2 and u.discernibility_after == 2 * 10**2
    assert (u.average_class_size_before, u.average_class_size_after) == (5.0, 10.0)


def test_utility_counts_suppression_either_way() -> None:
    before = pl.DataFrame({"q": [1, 1, 2, 2, 2, 3]})
    masked = utility_report(before, before, quasi_identifiers=["q"], suppressed=pl.Series([0, 0, 0, 0, 0, 1]))
    removed = utility_report(before, before.head(5), quasi_identifiers=["q"])
    for u in (masked, removed):
        assert (u.records_after, u.suppressed) == (5, 1)
        assert u.discernibility_after == 2**2 + 3**2 + 1 * 6  # each suppressed record costs the row count
        assert u.normalized_average_class_size_after == pytest.approx(5 / (2 * 2))
    assert entropy_bits(pl.Series([], dtype=pl.Int64)) == 0.0 and entropy_bits(pl.Series([None, None])) == 0.0
    assert discernibility(pl.Series([3, 1])) == 10
    with pytest.raises(RiskInputError, match="not in the release"):
        utility_report(before, before.rename({"q": "r"}), quasi_identifiers=["q"])


def test_a_million_rows_with_six_quasi_identifiers_take_seconds() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    frame = pl.DataFrame({
        "age": rng.integers(18, 90, n), "sex": rng.choice(["F", "M"], n), "zip": rng.integers(0, 999, n).astype(str),
        "education": rng.integers(0, 8, n), "marital": rng.choice(["s", "m", "d", "w"], n),
        "race": rng.integers(0, 5, n), "diagnosis": rng.integers(0, 20, n),
    })
    qis = ["age", "sex", "zip", "education", "marital", "race"]
    started = time.perf_counter()
    r = risk_report(frame, qis, "diagnosis", population=5_000_000)
    assert time.perf_counter() - started < 10
    assert r.records == n and r.sample_uniques > 0.9 * n and r.k == 1
    assert r.prosecutor_risk.average == pytest.approx(r.classes / n)



@pytest.mark.parametrize("name", ["m", "distinct", "clogc", "size", "n", "p", "q", "emd", "classes"])
def test_any_column_name_works_as_quasi_identifier_or_sensitive(name: str) -> None:
    """Working columns never collide with the analyst's names (a QI called 'm' once crashed the l figure)."""
    frame = pl.DataFrame({name: [1, 1, 2, 2], "sex": ["F", "F", "M", "M"], "dx": ["A", "B", "A", "B"]})
    report = risk_report(frame, [name, "sex"], "dx")
    assert (report.k, report.l) == (2, 2)
    other = frame.rename({"dx": f"{name}_x"}).rename({name: "qi", f"{name}_x": name})
    assert risk_report(other, ["qi", "sex"], name).l == 2


def test_reserved_working_names_are_refused() -> None:
    frame = pl.DataFrame({"__sanitas_class_size__": [1, 2], "sex": ["F", "M"]})
    with pytest.raises(RiskInputError, match="reserved for Sanitas's own working columns"):
        risk_report(frame, ["__sanitas_class_size__", "sex"], source="t.csv")
