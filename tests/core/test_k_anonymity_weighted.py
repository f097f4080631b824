"""k-anonymity on counted combinations (``weight=``) gives the facts and release of the records themselves.

What the Spark engine relies on: it counts every distinct combination of the section's columns with one
aggregation and hands the driver that table with a count per row, never the rows. The step, the search,
the independent check, risk and utility must then read exactly as on the rows; the released combinations,
repeated by their counts, must be the released records.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from figures_close import figures_close
from sanitas.core.privacy.k_anonymity.release import k_anonymity_step
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.privacy.metrics.risk import risk_report
from sanitas.core.privacy.metrics.utility import utility_report

WEIGHT = "__count"
ROWS = 20_000


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    ages = rng.integers(20, 45, ROWS).astype(float)
    ages[rng.random(ROWS) < 0.01] = np.nan  # a few nulls: a value of their own
    return pl.DataFrame({
        "age": pl.Series(ages, dtype=pl.Float64).fill_nan(None).cast(pl.Int64),
        "zip": rng.choice([f"{z:05d}" for z in rng.integers(10_000, 99_999, 10)], ROWS).tolist(),
        "sex": rng.choice(["F", "M"], ROWS).tolist(),
        "diagnosis": rng.choice(["flu", "asthma", "diabetes", "none", "rare"], ROWS,
                                p=[0.3, 0.2, 0.2, 0.29, 0.01]).tolist(),
        "plan": rng.choice(["a", "b", "c"], ROWS).tolist(),
    })


def _counted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by(frame.columns).agg(pl.len().cast(pl.Int64).alias(WEIGHT)).sort(frame.columns,
                                                                                          nulls_last=True)


def _expanded(frame: pl.DataFrame) -> pl.DataFrame:
    index = np.repeat(np.arange(frame.height), frame.get_column(WEIGHT).to_numpy())
    return frame.drop(WEIGHT)[index]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


SECTIONS = {
    "k, distinct l, remove": {"k": 5, "l_diversity": {"l": 2}, "suppression_limit": 0.1},
    "k, mask": {"k": 8, "suppression_limit": 0.1, "suppression": "mask"},
    "entropy l": {"k": 3, "l_diversity": {"variant": "entropy", "l": 2}, "suppression_limit": 0.2},
    "recursive l": {"k": 3, "l_diversity": {"variant": "recursive", "l": 2, "c": 3}, "suppression_limit": 0.2},
    "equal t": {"k": 3, "t_closeness": {"t": 0.4}, "suppression_limit": 0.2},
    "hierarchical t": {"k": 3, "t_closeness": {"t": 0.3, "variant": "hierarchical"}, "suppression_limit": 0.2,
                       "hierarchies": {"diagnosis": {"auto": "category"}}},
    "average risk, population": {"average_risk": 0.2, "suppression_limit": 0.1, "population": 40_000},
    "discernibility": {"k": 4, "metric": "discernibility", "suppression_limit": 0.05},
    "non-uniform entropy": {"k": 4, "metric": "non_uniform_entropy", "suppression_limit": 0.05},
}


@pytest.mark.parametrize("name", list(SECTIONS))
def test_counted_combinations_give_the_records_release(records: pl.DataFrame, name: str) -> None:
    section = KAnonymitySection.model_validate({"quasi_identifiers": ["age", "zip", "sex"], "sensitive": ["diagnosis"],
                                                **SECTIONS[name]})
    released, facts = k_anonymity_step(records, section, unchanged_quasi_identifiers=["plan"])
    counted = _counted(records)
    assert counted.height < records.height / 2, "the test must count fewer combinations than records"
    classes, weighted = k_anonymity_step(counted, section, unchanged_quasi_identifiers=["plan"], weight=WEIGHT)
    assert facts.all_hold
    if "remove" in name or "mask" in name:
        assert facts.suppressed > 0, "the test must suppress some records"
    local, counted_facts = facts.model_dump(), weighted.model_dump()
    for each in (local, counted_facts):
        each["search"].pop("seconds", None)
    assert figures_close(counted_facts, local)
    assert classes.height <= counted.height
    assert _sorted(_expanded(classes)).equals(_sorted(released))


def test_weighted_risk_and_utility_equal_the_rows(records: pl.DataFrame) -> None:
    counted = _counted(records)
    qis = ["age", "zip", "sex"]
    mask = records.get_column("age").is_null() | (records.get_column("sex") == "F")
    counted_mask = counted.get_column("age").is_null() | (counted.get_column("sex") == "F")
    rows = risk_report(records, qis, ["diagnosis"], sampling_fraction=0.1, suppressed=mask)
    weighted = risk_report(counted, qis, ["diagnosis"], sampling_fraction=0.1, suppressed=counted_mask, weight=WEIGHT)
    assert figures_close(weighted.model_dump(), rows.model_dump())
    after = records.with_columns(pl.col("age") // 10)
    counted_after = counted.with_columns(pl.col("age") // 10)
    expected = utility_report(records, after, qis, quasi_identifiers=qis)
    got = utility_report(counted, counted_after, qis, quasi_identifiers=qis, weight=WEIGHT)
    assert figures_close(got.model_dump(), expected.model_dump())


def test_mondrian_is_refused_on_counted_combinations(records: pl.DataFrame) -> None:
    from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationError

    section = KAnonymitySection.model_validate({"quasi_identifiers": ["age", "sex"], "k": 5, "method": "mondrian"})
    with pytest.raises(AnonymizationError, match="Mondrian"):
        k_anonymity_step(_counted(records.drop_nulls()), section, weight=WEIGHT)
