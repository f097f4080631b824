"""The independent check (verify.py): every model recomputed from the released records, on tables whose
answers are worked out by hand, failing where they should; and its figures equal the search's own on real runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sanitas.core.privacy.hierarchies.builders import auto_hierarchy
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy
from sanitas.core.privacy.k_anonymity.anonymize import anonymize
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.privacy.k_anonymity.verify import (
    equal_distance_emd,
    hierarchical_emd,
    largest_recursive_ratio,
    released_figures,
    tree_height,
    verify,
)

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"

# Class x holds sensitive values 1,1,1,2 (counts 3,1); class y holds 3,4 (counts 1,1).
SMALL = pl.DataFrame({"a": ["x", "x", "x", "x", "y", "y"], "s": [1, 1, 2, 1, 3, 4]})
# Four values under two groups: a, b under X; c, d under Y; '*' above (H = 2).
TREE = Hierarchy.from_rows("s", [["a", "X", "*"], ["b", "X", "*"], ["c", "Y", "*"], ["d", "Y", "*"]])
UNIFORM = pl.DataFrame({"g": [0, 0, 0, 0], "s": ["a", "b", "c", "d"]})


def section(**models: object) -> KAnonymitySection:
    return KAnonymitySection(quasi_identifiers=["a"], sensitive=["s"], **models)


def only(checks: list) -> tuple[float | None, bool]:
    (check,) = checks
    return check.achieved, check.holds


def test_k_is_the_smallest_class() -> None:
    assert only(verify(section(k=2), SMALL)) == (2, True)
    assert only(verify(section(k=3), SMALL)) == (2, False)


def test_distinct_l_counts_values_per_class() -> None:
    assert only(verify(section(l_diversity={"variant": "distinct", "l": 2}), SMALL)) == (2, True)
    assert only(verify(section(l_diversity={"variant": "distinct", "l": 3}), SMALL)) == (2, False)


def test_entropy_l_is_exp_of_the_lowest_class_entropy() -> None:
    # class x: -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.5623, exp 1.7548; class y: ln 2, exp 2
    expected = math.exp(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    achieved, holds = only(verify(section(l_diversity={"variant": "entropy", "l": 2}), SMALL))
    assert achieved == pytest.approx(expected) and not holds
    equal = pl.DataFrame({"a": ["x", "x", "y", "y"], "s": [1, 2, 3, 4]})  # entropy exactly ln 2: holds at the bound
    assert only(verify(section(l_diversity={"variant": "entropy", "l": 2}), equal)) == (pytest.approx(2.0), True)


def test_recursive_cl_compares_r1_with_the_tail_of_sorted_counts() -> None:
    # class x: r1 = 3, r2 = 1 -> ratio 3; class y: 1 / 1. (c,l) holds when r1 < c * tail, so c = 3 fails.
    assert only(verify(section(l_diversity={"variant": "recursive", "l": 2, "c": 3.0}), SMALL)) == (3.0, False)
    assert only(verify(section(l_diversity={"variant": "recursive", "l": 2, "c": 3.5}), SMALL)) == (3.0, True)
    # counts 5, 3, 2, 1 given out of order: l = 3 sums r3 + r4 = 3, so the ratio is 5/3
    counts = pl.DataFrame({"a": ["x"] * 4, "s": [2, 4, 1, 3], "__v_n__": [3, 1, 5, 2]})
    assert largest_recursive_ratio(counts, ["a"], 3) == pytest.approx(5 / 3)
    shuffled = pl.DataFrame({"a": ["x"] * 11, "s": [1, 2, 1, 3, 4, 1, 2, 1, 3, 2, 1]})
    assert only(verify(section(l_diversity={"variant": "recursive", "l": 3, "c": 2.0}), shuffled)) == (
        pytest.approx(5 / 3), True)
    assert not only(verify(section(l_diversity={"variant": "recursive", "l": 3, "c": 1.5}), shuffled))[1]


def test_recursive_cl_fails_a_class_with_fewer_than_l_values() -> None:
    achieved, holds = only(verify(section(l_diversity={"variant": "recursive", "l": 3, "c": 100.0}), SMALL))
    assert achieved == math.inf and not holds


def test_equal_distance_emd_against_the_reference_table() -> None:
    # Q = (1/2, 1/2); class x holds only 1: 0.5 (|1 - 1/2| + |0 - 1/2|) = 0.5
    released = pl.DataFrame({"a": ["x", "x", "y", "y"], "s": [1, 1, 2, 2]})
    assert only(verify(section(t_closeness={"t": 0.5}), released)) == (0.5, True)
    assert only(verify(section(t_closeness={"t": 0.4}), released)) == (0.5, False)
    # A suppressed record with value 3 stays in Q = (1/3, 1/3, 1/3): 0.5 (2/3 + 1/3 + 1/3) = 2/3
    reference = pl.DataFrame({"a": ["x", "x", "y", "y", "z", "z"], "s": [1, 1, 2, 2, 3, 3]})
    assert equal_distance_emd(released, reference, ["a"], "s") == pytest.approx(2 / 3)


def test_hierarchical_emd_by_hand() -> None:
    # Class {a, a} against uniform Q: moving 1/4 to b costs 1/2 (they meet at level 1 of H = 2) and 1/2 to
    # c, d costs 1: 0.625. By levels: (|P - Q| at level 0 = 1.5, at level 1 = 1.0) / (2 H) = 0.625 as well.
    # Class {a, c}: 1/4 a -> b and 1/4 c -> d at cost 1/2 each: 0.25.
    released = pl.DataFrame({"g": [1, 1, 2, 2], "s": ["a", "a", "a", "c"]})
    assert tree_height(TREE, UNIFORM["s"]) == 2
    assert hierarchical_emd(released, UNIFORM, ["g"], "s", TREE) == pytest.approx(0.625)
    assert hierarchical_emd(released.filter(pl.col("g") == 2), UNIFORM, ["g"], "s", TREE) == pytest.approx(0.25)
    assert equal_distance_emd(released, UNIFORM, ["g"], "s") == pytest.approx(0.75)  # every move costs 1
    check = KAnonymitySection(quasi_identifiers=["g"], sensitive=["s"],
                              t_closeness={"variant": "hierarchical", "t": 0.625})
    assert only(verify(check, released, reference=UNIFORM, hierarchies={"s": TREE})) == (pytest.approx(0.625), True)
    tighter = check.model_copy(update={"t_closeness": {"variant": "hierarchical", "t": 0.6}})
    assert only(verify(tighter, released, reference=UNIFORM, hierarchies={"s": TREE}))[1] is False


def test_hierarchical_emd_with_a_virtual_root() -> None:
    # Without the '*' level the two groups meet at a virtual root: the same tree, the same distances.
    two_level = Hierarchy.from_rows("s", [["a", "X"], ["b", "X"], ["c", "Y"], ["d", "Y"]])
    released = pl.DataFrame({"g": [1, 1], "s": ["a", "a"]})
    assert tree_height(two_level, UNIFORM["s"]) == 2
    assert hierarchical_emd(released, UNIFORM, ["g"], "s", two_level) == pytest.approx(0.625)


def test_hierarchical_emd_on_arx_t_closeness_case() -> None:
    """The release of ARX's testTClosenessHierarchicalWithoutOutliers (Li et al.'s table 5), with ARX's disease
    hierarchy. By hand, over the 9 patients: the class {gastritis, flu, bronchitis} is the farthest; its
    |P - Q| sums are 8/9 (values), 4/9 (level 1) and 4/9 (level 2), H = 3, so EMD = (16/9) / 6 = 16/54."""
    resp, digest, top = "respiratory infection", "digestive system disease", "respiratory&digestive system disease"
    disease = Hierarchy.from_rows("disease", [
        ["flu", resp, "vascular lung disease", top], ["pneumonia", resp, "vascular lung disease", top],
        ["bronchitis", resp, "vascular lung disease", top],
        ["gastric ulcer", "stomach disease", digest, top], ["stomach cancer", "stomach disease", digest, top],
        ["gastritis", "stomach disease", digest, top]])
    released = pl.DataFrame({
        "zipcode": ["4767*", "4760*", "4767*", "4790*", "4790*", "4790*", "4760*", "4767*", "4760*"],
        "age": ["<=40", "<=40", "<=40", ">40", ">40", ">40", "<=40", "<=40", "<=40"],
        "disease": ["gastric ulcer", "gastritis", "stomach cancer", "gastritis", "flu", "bronchitis", "bronchitis",
                    "pneumonia", "stomach cancer"],
    })
    assert tree_height(disease, released["disease"]) == 3
    t = hierarchical_emd(released, released, ["zipcode", "age"], "disease", disease)
    assert t == pytest.approx(16 / 54)


def test_nulls_are_a_sensitive_value_of_their_own() -> None:
    released = pl.DataFrame({"a": ["x", "x", "y", "y"], "s": [None, None, "a", "b"]})
    figures = released_figures(released, ["a"], ["s"], hierarchies={"s": TREE}, hierarchical_t=True)
    assert figures.distinct_l == 1 and figures.k == 2
    # Q = (null 1/2, a 1/4, b 1/4): class x is all null, 0.5 off at level 0 and level 1 alike (null is a leaf
    # under the root): (1.0 + 1.0) / 4 = 0.5
    assert figures.t == pytest.approx(0.5)


def test_empty_release_holds_every_model() -> None:
    checks = verify(section(k=5, l_diversity={"variant": "recursive", "l": 2, "c": 2.0}, t_closeness={"t": 0.1}),
                    SMALL.clear())
    assert all(c.holds for c in checks)


def test_hierarchical_t_without_a_hierarchy_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a hierarchy for sensitive column 's'"):
        verify(section(t_closeness={"variant": "hierarchical", "t": 0.3}), SMALL)


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    return pl.read_csv(SAMPLES / "customers.csv", schema_overrides={"zip": pl.String}, n_rows=3000)


@pytest.mark.parametrize(("l_diversity", "t_closeness"), [
    ({"variant": "recursive", "l": 2, "c": 4.0}, {"variant": "hierarchical", "t": 0.3}),
    ({"variant": "entropy", "l": 2}, {"variant": "equal", "t": 0.5}),
    ({"variant": "recursive", "l": 3, "c": 2.0}, {"variant": "equal", "t": 0.5}),
])
def test_figures_equal_the_searchs_on_a_real_run(customers: pl.DataFrame, l_diversity: dict[str, object],
                                                 t_closeness: dict[str, object]) -> None:
    qis = ["age", "sex", "zip", "city"]
    diagnoses = customers["diagnosis"].drop_nulls().unique().sort().to_list()
    by_letter = Hierarchy.from_rows("diagnosis", [[d, d[0], "*"] for d in diagnoses])
    hierarchies = {"age": auto_hierarchy(customers["age"], "number", first_width=5, factor=2),
                   "zip": auto_hierarchy(customers["zip"], "postal"), "sex": auto_hierarchy(customers["sex"]),
                   "city": auto_hierarchy(customers["city"])}
    result = anonymize(customers, {"quasi_identifiers": qis, "hierarchies": hierarchies, "sensitive": ["diagnosis"],
                                   "sensitive_hierarchies": {"diagnosis": by_letter}, "k": 5,
                                   "l_diversity": l_diversity, "t_closeness": t_closeness, "suppression_limit": 0.05})
    hierarchical = t_closeness["variant"] == "hierarchical"
    figures = released_figures(result.frame, qis, ["diagnosis"], reference=customers,
                               hierarchies={"diagnosis": by_letter}, hierarchical_t=hierarchical,
                               recursive_l=int(l_diversity["l"]) if l_diversity["variant"] == "recursive" else None)
    facts = result.facts
    assert result.suppressed.any()  # Q must come from the input, suppressed rows included, for t to agree
    assert (figures.records, figures.classes, figures.k, figures.distinct_l) == (
        facts.records, facts.classes, facts.k, facts.distinct_l)
    assert figures.entropy_l == pytest.approx(facts.entropy_l, rel=1e-12)
    assert figures.t == pytest.approx(facts.t, rel=1e-12)
    if l_diversity["variant"] == "recursive":
        assert figures.recursive_c == pytest.approx(facts.recursive_c, rel=1e-12)
    assert verify(KAnonymitySection(quasi_identifiers=qis, sensitive=["diagnosis"], k=5, l_diversity=l_diversity,
                                    t_closeness=t_closeness), result.frame, reference=customers,
                  hierarchies={"diagnosis": by_letter})


def test_figures_equal_the_searchs_with_null_sensitive_values() -> None:
    rng = np.random.default_rng(5)
    frame = pl.DataFrame({"q": rng.integers(0, 6, 400), "s": rng.choice(["a", "b", "c", "d"], 400)}).with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0).then(None).otherwise(pl.col("s")).alias("s"))
    hierarchy = Hierarchy.from_rows("q", [[str(v), "low" if v < 3 else "high", "*"] for v in range(6)])
    result = anonymize(frame, {"quasi_identifiers": {"q": hierarchy}, "sensitive": ["s"],
                               "sensitive_hierarchies": {"s": TREE}, "k": 2,
                               "t_closeness": {"variant": "hierarchical", "t": 1.0}, "suppression_limit": 0.0})
    figures = released_figures(result.frame, ["q"], ["s"], reference=frame, hierarchies={"s": TREE},
                               hierarchical_t=True)
    assert figures.t == pytest.approx(result.facts.t, rel=1e-12) and figures.t > 0
    assert figures.distinct_l == result.facts.distinct_l
