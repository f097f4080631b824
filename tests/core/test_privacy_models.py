"""Privacy models and loss metrics: known answers, the closed forms against their textbook definitions,
pyCANON, and the monotonicity the pruned search relies on (with a table for each model where it fails)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest

from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy
from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationConfig, anonymize, prepare
from sanitas.core.privacy.k_anonymity.evaluation import Evaluator
from sanitas.core.privacy.k_anonymity.loss import METRICS
from sanitas.core.privacy.k_anonymity.models import (
    LDiversity,
    PrivacyModels,
    TCloseness,
    distinct_values,
    emd,
    enforce_average_risk,
    entropy,
    failing_classes,
    recursive_parts,
    tree_height,
)
from sanitas.core.privacy.k_anonymity.rollup import Pairs, bottom_classes, code_flat, code_with_hierarchy

DISEASES = Hierarchy.from_rows("disease", [
    ["flu", "respiratory", "infection", "*"], ["cold", "respiratory", "infection", "*"],
    ["cholera", "digestive", "infection", "*"], ["ulcer", "stomach", "chronic", "*"],
    ["cancer", "tumour", "chronic", "*"], ["diabetes", "metabolic", "chronic", "*"],
])
TWO_TOPS = Hierarchy.from_rows("disease", [[d, g] for d, g in [("flu", "a"), ("cold", "a"), ("ulcer", "b")]])


def pairs_of(classes: list[list[str]], column: pl.Series) -> tuple[Pairs, np.ndarray]:
    """Pairs and sizes for classes given as lists of sensitive values (coded like ``column``)."""
    values = column.unique(maintain_order=True).to_list()
    cls, value = [], []
    for c, members in enumerate(classes):
        for v in sorted(set(members), key=values.index):
            cls.append(c)
            value.append(values.index(v))
    count = [sum(1 for m in classes[c] if values[v] == m) for c, v in zip(cls, value, strict=True)]
    return Pairs(np.array(cls), np.array(value), np.array(count)), np.array([len(m) for m in classes])


# per-class statistics -------------------------------------------------------------------------------
def test_class_statistics_known_answers() -> None:
    classes = [["a", "a", "b", "b"], ["a", "a", "a", "b"], ["a", "b", "c", "a", "a", "b", "d"], ["c"]]
    pairs, sizes = pairs_of(classes, pl.Series(["a", "b", "c", "d"]))
    assert distinct_values(pairs, 4).tolist() == [2, 2, 4, 1]
    h = entropy(pairs, sizes)
    assert h[0] == pytest.approx(math.log(2)) and h[3] == pytest.approx(0.0)
    assert h[1] == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    top, tail = recursive_parts(pairs, 4, 2)
    assert top.tolist() == [2, 3, 3, 1] and tail.tolist() == [2, 1, 4, 0]
    top, tail = recursive_parts(pairs, 4, 3)
    assert tail.tolist() == [0, 0, 2, 0]


def test_equal_distance_emd_matches_pycanon() -> None:
    anonymity = pytest.importorskip("pycanon.anonymity")
    rng = np.random.default_rng(2)
    frame = pl.DataFrame({"g": rng.integers(0, 12, 400).astype(str),
                          "s": rng.choice(["p", "q", "r", "s"], 400, p=[.4, .3, .2, .1])})
    qi, sens = code_flat(frame["g"]), code_flat(frame["s"])
    classes, _ = bottom_classes([qi], [sens], with_pairs=True)
    ours = emd(classes.pairs[0], classes.sizes, sens, hierarchical=False)
    assert ours.max() == pytest.approx(anonymity.t_closeness(frame.to_pandas(), ["g"], ["s"]))


def li_emd(p: dict[str, float], q: dict[str, float], hierarchy: Hierarchy) -> float:
    """Li et al.'s definition: sum over inner nodes of level/H * min(positive extra, negative extra)."""
    rows = hierarchy.rows()
    top = hierarchy.height - 1
    height = top if len({r[top] for r in rows}) == 1 else top + 1
    extra = {r[0]: p.get(r[0], 0.0) - q.get(r[0], 0.0) for r in rows}
    cost = 0.0
    for level in range(1, height + 1):
        groups: dict[str, dict[str, float]] = {}
        for r in rows:
            parent = r[level] if level <= top else "<root>"
            groups.setdefault(parent, {})[r[level - 1]] = extra[r[level - 1]]
        extra = {}
        for parent, children in groups.items():
            pos = sum(v for v in children.values() if v > 0)
            neg = -sum(v for v in children.values() if v < 0)
            cost += level / height * min(pos, neg)
            extra[parent] = sum(children.values())
    return cost


@pytest.mark.parametrize("hierarchy", [DISEASES, TWO_TOPS], ids=["single-top", "virtual-root"])
def test_hierarchical_emd_closed_form_equals_li_et_al(hierarchy: Hierarchy) -> None:
    rng = np.random.default_rng(5)
    values = hierarchy.values
    column = pl.Series("disease", rng.choice(values, 500))
    coded = code_with_hierarchy(column, hierarchy)
    reference = {v: c / 500 for v, c in zip(*np.unique(column.to_numpy(), return_counts=True), strict=True)}
    classes = [list(rng.choice(values, int(rng.integers(1, 30)))) for _ in range(40)]
    order = hierarchy.labels(0)
    cls = [c for c, m in enumerate(classes) for v in sorted(set(m), key=order.index)]
    value = [order.index(v) for m in classes for v in sorted(set(m), key=order.index)]
    count = [classes[c].count(order[v]) for c, v in zip(cls, value, strict=True)]
    ours = emd(Pairs(np.array(cls), np.array(value), np.array(count)), np.array([len(m) for m in classes]),
               coded, hierarchical=True)
    for c, members in enumerate(classes):
        shares = {v: members.count(v) / len(members) for v in set(members)}
        assert ours[c] == pytest.approx(li_emd(shares, reference, hierarchy), abs=1e-12)
    assert tree_height(coded) == (3 if hierarchy is DISEASES else 2)


def test_failing_classes_and_their_monotone_part() -> None:
    classes = [["a", "a", "b", "b"], ["a", "a", "a", "b"], ["a", "b", "c", "a", "a", "b", "d"], ["c", "c"]]
    frame = pl.DataFrame({"g": [str(c) for c, m in enumerate(classes) for _ in m],
                          "s": [v for m in classes for v in m]})
    qi, sens = code_flat(frame["g"]), code_flat(frame["s"])
    bottom, _ = bottom_classes([qi], [sens], with_pairs=True)
    cases = [
        (PrivacyModels(k=3), [False, False, False, True], [False, False, False, True]),
        (PrivacyModels(l_diversity=LDiversity(l=2)), [False, False, False, True], [False, False, False, True]),
        (PrivacyModels(l_diversity=LDiversity(variant="entropy", l=2)), [False, True, False, True], [False] * 4),
        (PrivacyModels(l_diversity=LDiversity(variant="recursive", l=2, c=2)), [False, True, False, True], [False] * 4),
        (PrivacyModels(k=3, t_closeness=TCloseness(t=0.3)), [False, False, False, True], [False, False, False, True]),
    ]
    for models, fail, monotone in cases:
        got, mono = failing_classes(models, bottom, [sens])
        assert got.tolist() == fail and mono.tolist() == monotone, models


def test_a_null_sensitive_value_is_a_value_of_its_own() -> None:
    frame = pl.DataFrame({"g": ["a", "a", "b", "b", "b"], "s": ["x", None, "x", "x", None]})
    qi, sens = code_flat(frame["g"]), code_flat(frame["s"])
    assert sens.sizes == (2,) and sens.domain == 1 and sens.rows.tolist() == [0, 1, 0, 0, 1]
    bottom, _ = bottom_classes([qi], [sens], with_pairs=True)
    assert distinct_values(bottom.pairs[0], 2).tolist() == [2, 2]
    hierarchy = Hierarchy.from_rows("g", [["a", "*"], ["b", "*"]])
    result = anonymize(frame, {"quasi_identifiers": {"g": hierarchy}, "sensitive": ["s"], "l_diversity": {"l": 2},
                               "suppression_limit": 0})
    assert result.levels == {"g": 0} and result.facts.distinct_l == 2


def test_average_risk_suppresses_the_smallest_classes_first() -> None:
    none = np.zeros(4, dtype=bool)
    sizes = np.array([2, 1, 1, 6])
    assert enforce_average_risk(0.5, sizes, none, 0).tolist() == [False] * 4  # 4 / 10 already
    assert enforce_average_risk(0.3, sizes, none, 2).tolist() == [False, True, True, False]  # 2 / 8
    assert enforce_average_risk(0.3, sizes, none, 1) is None  # 3 / 9 is still above
    assert enforce_average_risk(0.2, sizes, none, 4).tolist() == [True, True, True, False]  # 1 / 6
    already = np.array([False, True, False, False])
    assert enforce_average_risk(0.3, sizes, already, 2).tolist() == [False, True, True, False]


def test_declared_monotonicity() -> None:
    entropy_l, recursive = LDiversity(variant="entropy", l=2), LDiversity(variant="recursive", l=2, c=3)
    assert PrivacyModels(k=5).monotonic(0.05) and PrivacyModels(k=2, l_diversity=LDiversity(l=2)).monotonic(0.1)
    assert PrivacyModels(k=2, average_risk=0.1).monotonic(0.05)
    for models in (PrivacyModels(l_diversity=entropy_l), PrivacyModels(l_diversity=recursive),
                   PrivacyModels(k=2, t_closeness=TCloseness(t=0.2))):
        assert models.monotonic(0) and not models.monotonic(0.05)
    assert PrivacyModels(k=3).min_class_size == 3 and PrivacyModels(k=2, l_diversity=entropy_l).min_class_size == 2


# monotonicity, checked on every node of a random lattice --------------------------------------------
def random_table(n: int = 400, seed: int = 3) -> tuple[pl.DataFrame, dict[str, Hierarchy]]:
    rng = np.random.default_rng(seed)
    ages = [[str(a), f"{a // 5 * 5}s", f"{a // 10 * 10}s", "*"] for a in range(20, 40)]
    towns = [[t, t[0], "*"] for t in ["ab", "ac", "ba", "bb", "bc", "ca"]]
    frame = pl.DataFrame({
        "age": rng.integers(20, 40, n).astype(str), "town": rng.choice([t[0] for t in towns], n),
        "sex": rng.choice(["F", "M"], n), "disease": rng.choice(DISEASES.values, n, p=[.3, .25, .2, .1, .1, .05]),
    })
    hierarchies = {"age": Hierarchy.from_rows("age", ages), "town": Hierarchy.from_rows("town", towns),
                   "sex": Hierarchy.from_rows("sex", [["F", "*"], ["M", "*"]])}
    return frame, hierarchies


MONOTONE = [
    ({"k": 4}, 0.05), ({"k": 2, "l_diversity": {"l": 2}}, 0.05), ({"average_risk": 0.15}, 0.1),
    ({"k": 2, "average_risk": 0.1}, 0.05), ({"l_diversity": {"variant": "entropy", "l": 2}}, 0.0),
    ({"l_diversity": {"variant": "recursive", "l": 2, "c": 3}}, 0.0), ({"t_closeness": {"t": 0.15}}, 0.0),
    ({"t_closeness": {"variant": "hierarchical", "t": 0.1}}, 0.0),
]


@pytest.mark.parametrize(("models", "limit"), MONOTONE, ids=[str(m) for m, _ in MONOTONE])
def test_models_declared_monotonic_are_monotonic_on_every_node(models: dict, limit: float) -> None:
    frame, hierarchies = random_table()
    config = AnonymizationConfig.parse({"quasi_identifiers": hierarchies, "sensitive": ["disease"],
                                        "sensitive_hierarchies": {"disease": DISEASES}, "suppression_limit": limit,
                                        **models})
    assert config.models.monotonic(limit)
    problem, _ = prepare(frame, config)
    evaluator = Evaluator(problem)
    results = {node: evaluator.evaluate(node) for node in problem.lattice}
    assert 0 < sum(r.satisfied for r in results.values()) < len(results)
    for node, result in results.items():
        for successor in problem.lattice.successors(node):
            if result.satisfied:
                assert results[successor].satisfied, (node, successor)
                assert results[successor].suppressed_records <= result.suppressed_records
            assert results[successor].monotone_suppressed <= result.monotone_suppressed


def two_level(values: list[str]) -> Hierarchy:
    return Hierarchy.from_rows("a", [[v, "*"] for v in values])


NOT_MONOTONE = {
    # bottom: {x, y} passes, {x} fails and is suppressed (1 row); top: {x, x, y} fails and is too big
    "entropy": ({"l_diversity": {"variant": "entropy", "l": 2}}, ["a1", "a1", "a2"], ["x", "y", "x"],
                two_level(["a1", "a2"])),
    "recursive": ({"l_diversity": {"variant": "recursive", "l": 2, "c": 2}}, ["a1", "a1", "a2"], ["x", "y", "x"],
                  two_level(["a1", "a2"])),
    # t: the top always passes (P = Q), so the failing node is the middle one that merges a1 and a2
    "t-closeness": ({"t_closeness": {"t": 0.2}}, ["a1", "a1", "a2", "a3", "a3", "a3", "a3"],
                    ["x", "y", "x", "x", "y", "y", "y"],
                    Hierarchy.from_rows("a", [["a1", "g1", "*"], ["a2", "g1", "*"], ["a3", "g2", "*"]])),
}


@pytest.mark.parametrize("name", list(NOT_MONOTONE))
def test_models_not_monotonic_with_suppression_still_give_the_optimum(name: str) -> None:
    models, a, s, hierarchy = NOT_MONOTONE[name]
    frame = pl.DataFrame({"a": a, "s": s})
    config = AnonymizationConfig.parse({"quasi_identifiers": {"a": hierarchy}, "sensitive": ["s"],
                                        "suppression_limit": 1.5 / len(a), **models})
    problem, _ = prepare(frame, config)
    evaluator = Evaluator(problem)
    assert evaluator.evaluate((0,)).satisfied and not evaluator.evaluate((1,)).satisfied
    result = anonymize(frame, config)
    assert result.levels == {"a": 0} and result.stats.strategy == "exhaustive"
    assert result.facts.suppressed == 1 and result.frame["a"].to_list() == ["a1", "a1", *a[3:]]


# loss ----------------------------------------------------------------------------------------------
def test_loss_metrics_known_answers() -> None:
    """a1 a1 a2 a3; level 1 groups {a1, a2} (g1) apart from a3 (g2); k=2 suppresses g2's single row."""
    hierarchy = Hierarchy.from_rows("a", [["a1", "g1", "*"], ["a2", "g1", "*"], ["a3", "g2", "*"]])
    frame = pl.DataFrame({"a": ["a1", "a1", "a2", "a3"]})
    expected = {"loss": (0.625, 1.0), "precision": (0.625, 1.0), "discernibility": (13.0, 16.0),
                "non_uniform_entropy": (2 * -math.log2(2 / 3) + -math.log2(1 / 3) + 2.0, 6.0)}
    for metric, (at_one, at_top) in expected.items():
        config = AnonymizationConfig(quasi_identifiers={"a": hierarchy}, k=2, suppression_limit=0.25, metric=metric)
        problem, _ = prepare(frame, config)
        evaluator = Evaluator(problem)
        assert not evaluator.evaluate((0,)).satisfied
        assert evaluator.evaluate((1,)).loss == pytest.approx(at_one)
        assert evaluator.evaluate((2,)).loss == pytest.approx(at_top)
        result = anonymize(frame, config)
        assert result.levels == {"a": 1} and result.loss == pytest.approx(at_one) and result.facts.suppressed == 1


@pytest.mark.parametrize("metric", METRICS)
def test_loss_bounds_never_exceed_the_loss(metric: str) -> None:
    frame, hierarchies = random_table(600, seed=8)
    config = AnonymizationConfig(quasi_identifiers=hierarchies, k=3, suppression_limit=0.1, metric=metric)
    problem, _ = prepare(frame, config)
    nodes = problem.lattice.nodes()
    bounds = problem.loss.lower_bounds(nodes, problem.bottom.count, 3)
    base, per = problem.loss.suppression_costs(nodes, 3)
    evaluator = Evaluator(problem)
    checked = 0
    for index, node in enumerate(itertools.islice(problem.lattice, None)):
        result = evaluator.evaluate(node)
        if result.satisfied:
            assert result.loss is not None
            slack = 1e-9 * max(1.0, result.loss)
            assert bounds[index] <= result.loss + slack
            assert base[index] + result.monotone_suppressed * per[index] <= result.loss + slack
            checked += 1
            if result.suppressed_records == 0 and problem.loss.exact_without_suppression:
                assert bounds[index] == pytest.approx(result.loss)
    assert checked > 10
