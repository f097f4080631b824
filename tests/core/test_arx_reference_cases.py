"""ARX's own answers on ARX's own test inputs, reproduced.

The inputs (tiny tables and their hierarchies) and the expected outputs are those of ARX's JUnit
tests (github arx-deidentifier/arx, ``src/test/org/deidentifier/arx/test/``: ``DataProvider.java``,
``TestAnonymization.java``, ``TestRiskMetrics.java``; Apache-2.0). They are facts about ARX's
behaviour, copied as data: for each case we run our search and compare the released table cell by
cell with what ARX releases, and our risk figures with ARX's ``RiskEstimator``.

ARX's tests use its default metric (the loss metric) and no record suppression (``setMaxOutliers(0)``).
ARX's d-presence case is left out: Sanitas does not offer d-presence.
"""

from __future__ import annotations

import polars as pl
import pytest

from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy
from sanitas.core.privacy.k_anonymity.anonymize import anonymize
from sanitas.core.privacy.metrics.risk import risk_report

# DataProvider.java: the "standard data definition".
PEOPLE = pl.DataFrame({
    "age": ["34", "45", "66", "70", "34", "70", "45"],
    "gender": ["male", "female", "male", "female", "female", "male", "male"],
    "zipcode": ["81667", "81675", "81925", "81931", "81931", "81931", "81931"],
})
PEOPLE_HIERARCHIES = {
    "age": Hierarchy.from_rows("age", [["34", "<50", "*"], ["45", "<50", "*"], ["66", ">=50", "*"],
                                       ["70", ">=50", "*"]]),
    "gender": Hierarchy.from_rows("gender", [["male", "*"], ["female", "*"]]),
    "zipcode": Hierarchy.from_rows("zipcode", [
        ["81667", "8166*", "816**", "81***", "8****", "*****"],
        ["81675", "8167*", "816**", "81***", "8****", "*****"],
        ["81925", "8192*", "819**", "81***", "8****", "*****"],
        ["81931", "8193*", "819**", "81***", "8****", "*****"],
    ]),
}

# TestAnonymization.testTClosenessEqualWithoutOutliers / ...HierarchicalWithoutOutliers.
PATIENTS = pl.DataFrame({
    "zipcode": ["47677", "47602", "47678", "47905", "47909", "47906", "47605", "47673", "47607"],
    "age": ["29", "22", "27", "43", "52", "47", "30", "36", "32"],
    "disease": ["gastric ulcer", "gastritis", "stomach cancer", "gastritis", "flu", "bronchitis", "bronchitis",
                "pneumonia", "stomach cancer"],
})
_AGE_40 = {"29": "<=40", "22": "<=40", "27": "<=40", "43": ">40", "52": ">40", "47": ">40", "30": "<=40",
           "36": "<=40", "32": "<=40"}
PATIENT_HIERARCHIES = {
    "age": Hierarchy.from_rows("age", [[a, g, "*"] for a, g in _AGE_40.items()]),
    "zipcode": Hierarchy.from_rows("zipcode", [[z, z[:4] + "*", z[:3] + "**", z[:2] + "***", z[:1] + "****", "*****"]
                                               for z in PATIENTS["zipcode"]]),
}
_RESP, _DIGEST, _TOP = "respiratory infection", "digestive system disease", "respiratory&digestive system disease"
DISEASE_HIERARCHY = Hierarchy.from_rows("disease", [
    ["flu", _RESP, "vascular lung disease", _TOP],
    ["pneumonia", _RESP, "vascular lung disease", _TOP],
    ["bronchitis", _RESP, "vascular lung disease", _TOP],
    ["pulmonary edema", "vascular lung disease", "vascular lung disease", _TOP],
    ["pulmonary embolism", "vascular lung disease", "vascular lung disease", _TOP],
    ["gastric ulcer", "stomach disease", _DIGEST, _TOP],
    ["stomach cancer", "stomach disease", _DIGEST, _TOP],
    ["gastritis", "stomach disease", _DIGEST, _TOP],
    ["colitis", "colon disease", _DIGEST, _TOP],
    ["colon cancer", "colon disease", _DIGEST, _TOP],
])

K2_EXPECTED = [["<50", "*", "816**"], ["<50", "*", "816**"], [">=50", "*", "819**"], [">=50", "*", "819**"],
               ["<50", "*", "819**"], [">=50", "*", "819**"], ["<50", "*", "819**"]]
AGE_SENSITIVE_EXPECTED = [["34", "male", "81***"], ["45", "female", "81***"], ["66", "male", "81***"],
                          ["70", "female", "81***"], ["34", "female", "81***"], ["70", "male", "81***"],
                          ["45", "male", "81***"]]
T_CLOSENESS_EXPECTED = [["4767*", "<=40", "gastric ulcer"], ["4760*", "<=40", "gastritis"],
                        ["4767*", "<=40", "stomach cancer"], ["4790*", ">40", "gastritis"], ["4790*", ">40", "flu"],
                        ["4790*", ">40", "bronchitis"], ["4760*", "<=40", "bronchitis"],
                        ["4767*", "<=40", "pneumonia"], ["4760*", "<=40", "stomach cancer"]]


def released_rows(frame: pl.DataFrame, **config: object) -> list[list[str]]:
    result = anonymize(frame, {"suppression_limit": 0.0, "suppression": "mask", **config})
    assert not result.suppressed.any()
    return [[str(v) for v in row] for row in result.frame.rows()]


def test_k2_anonymity_matches_arx() -> None:
    """TestAnonymization.testKAnonymizationWithoutOutliers."""
    assert released_rows(PEOPLE, quasi_identifiers=["age", "gender", "zipcode"], hierarchies=PEOPLE_HIERARCHIES,
                         k=2) == K2_EXPECTED


def test_k3_anonymity_matches_arx() -> None:
    """TestAnonymization.testMultipleUsesOfDataDefinition, the k = 3 run."""
    rows = released_rows(PEOPLE, quasi_identifiers=["age", "gender", "zipcode"], hierarchies=PEOPLE_HIERARCHIES, k=3)
    assert rows == [["*", g, "81***"] for g in PEOPLE["gender"]]


@pytest.mark.parametrize("l_diversity", [
    {"variant": "distinct", "l": 2},  # testLDiversityDistinctWithoutOutliers
    {"variant": "entropy", "l": 2},  # testLDiversityEntropyWithoutOutliers
    {"variant": "recursive", "l": 2, "c": 3.0},  # testLDiversityWithoutOutliers (RecursiveCLDiversity(3.0, 2))
])
def test_l_diversity_on_age_matches_arx(l_diversity: dict[str, object]) -> None:
    hierarchies = {c: PEOPLE_HIERARCHIES[c] for c in ("gender", "zipcode")}
    rows = released_rows(PEOPLE, quasi_identifiers=["gender", "zipcode"], hierarchies=hierarchies,
                         sensitive=["age"], l_diversity=l_diversity)
    assert rows == AGE_SENSITIVE_EXPECTED


def test_equal_distance_t_closeness_matches_arx() -> None:
    """testTClosenessEqualWithoutOutliers: 2-anonymity and equal-distance 0.6-closeness on disease."""
    rows = released_rows(PATIENTS, quasi_identifiers=["zipcode", "age"], hierarchies=PATIENT_HIERARCHIES,
                         sensitive=["disease"], k=2, t_closeness={"variant": "equal", "t": 0.6})
    assert rows == T_CLOSENESS_EXPECTED


def test_hierarchical_t_closeness_matches_arx() -> None:
    """testTClosenessHierarchicalWithoutOutliers: 2-anonymity and hierarchical 0.4-closeness on disease."""
    rows = released_rows(PATIENTS, quasi_identifiers=["zipcode", "age"], hierarchies=PATIENT_HIERARCHIES,
                         sensitive=["disease"], sensitive_hierarchies={"disease": DISEASE_HIERARCHY}, k=2,
                         t_closeness={"variant": "hierarchical", "t": 0.4})
    assert rows == T_CLOSENESS_EXPECTED


def test_risk_before_and_after_matches_arx_risk_estimator() -> None:
    """TestRiskMetrics: highest individual risk 1.0 → 0.5, equivalence-class risk 1.0 → 3/7 after 2-anonymity."""
    qis = ["age", "gender", "zipcode"]
    before = risk_report(PEOPLE, qis)
    assert before.prosecutor_risk.highest == 1.0
    assert before.classes / before.records == 1.0
    released = anonymize(PEOPLE, {"quasi_identifiers": qis, "hierarchies": PEOPLE_HIERARCHIES, "k": 2,
                                  "suppression_limit": 0.0}).frame
    after = risk_report(released, qis)
    assert after.prosecutor_risk.highest == 0.5
    assert after.prosecutor_risk.average == pytest.approx(0.42857142857142855)
