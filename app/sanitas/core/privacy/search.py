"""The search over the generalization lattice for the node with the least information loss.

**Exact** (lattices up to ``node_limit`` nodes): nodes are visited in order of their loss lower
bound (then level sum, then lexicographic order, the tie-break of the result). A node whose bound
cannot beat the best node found is never evaluated, and once the bounds pass the best loss the
search stops: this is exact because the bound never exceeds the loss. Two strategies:

- ``pruned``, when every model is monotonic under the settings (models.py): a satisfying node
  tags every generalization of it as satisfying, a failing node every specialization as failing,
  as in ARX's Flash/OLA. With a limit of 0 the loss is monotonic too, so a tagged-satisfying node
  is dominated by the node that tagged it and is skipped; with a positive limit a node tagged
  satisfying is still evaluated for its loss, unless the node that tagged it suppressed nothing
  (then neither does it, and its loss is its bound).
- ``exhaustive`` otherwise: no node is assumed to satisfy. The only tagging left is exact whatever
  the models: when k-anonymity and distinct l-diversity alone already suppress more than the limit,
  so do they at every specialization, which is tagged failing.

**Heuristic** (larger lattices): a greedy climb from the bottom to a satisfying node, then greedy
descent (and moves sideways up) to lower loss, from it and from the top. Labelled ``exact=False``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from sanitas.core.privacy.lattice import Lattice, Node
from sanitas.core.privacy.loss import LossFunction
from sanitas.core.privacy.models import PrivacyModels, enforce_average_risk, failing_classes
from sanitas.core.privacy.rollup import ClassCache, ClassSet, CodedColumn, roll_up

Strategy = Literal["exhaustive", "pruned", "heuristic"]
TOLERANCE = 1e-9  # relative: losses this close are a tie, broken by level sum then lexicographic order
_UNKNOWN, _SATISFIED, _FAILED = 0, 1, -1


class SearchStats(BaseModel):
    nodes_total: int
    nodes_evaluated: int = Field(description="nodes whose classes were computed")
    pruned: int = Field(description="nodes decided without computing their classes (tags or loss bounds)")
    exact: bool = Field(description="the result is the optimum over the whole lattice")
    strategy: Strategy
    seconds: float


@dataclass(frozen=True)
class Problem:
    """What the search needs: the coded columns, the models, the metric, the suppression budget."""

    lattice: Lattice
    qis: Sequence[CodedColumn]
    sensitive: Sequence[CodedColumn]
    models: PrivacyModels
    loss: LossFunction
    budget: int  # records that may be suppressed
    bottom: ClassSet


@dataclass(frozen=True)
class NodeResult:
    node: Node
    satisfied: bool
    suppressed_records: int
    loss: float | None = None
    classes: ClassSet | None = field(default=None, repr=False)
    suppressed: np.ndarray | None = field(default=None, repr=False)  # per class of ``classes``
    monotone_suppressed: int = 0  # by k / distinct l alone: every specialization suppresses at least these


class Evaluator:
    """Evaluates nodes: roll-up from the finest cached node, the models, suppression, the loss."""

    def __init__(self, problem: Problem, cache_budget: int = 8_000_000) -> None:
        self.problem = problem
        self.cache = ClassCache(problem.bottom, cache_budget)
        self.evaluated = 0

    def classes(self, node: Node) -> tuple[ClassSet, np.ndarray]:
        """The node's classes rolled up from the bottom, and each bottom class's class (for the release)."""
        classes, grouping = roll_up(self.problem.bottom, node, self.problem.qis, self.problem.sensitive)
        return classes, grouping.inverse

    def evaluate(self, node: Node, classes: ClassSet | None = None) -> NodeResult:
        p = self.problem
        if classes is None:
            classes, _ = roll_up(self.cache.source_for(node), node, p.qis, p.sensitive)
            self.evaluated += 1
            self.cache.put(classes)
        fail, monotone = failing_classes(p.models, classes, p.sensitive)
        suppressed = int(classes.sizes[fail].sum())
        forced = int(classes.sizes[monotone].sum())
        if suppressed > p.budget:
            return NodeResult(node, False, suppressed, monotone_suppressed=forced)
        if p.models.average_risk is not None:
            enforced = enforce_average_risk(p.models.average_risk, classes.sizes, fail, p.budget)
            if enforced is None:
                return NodeResult(node, False, suppressed, monotone_suppressed=forced)
            fail = enforced
            suppressed = int(classes.sizes[fail].sum())
        return NodeResult(node, True, suppressed, p.loss.value(classes, fail), classes, fail, forced)


def better(loss: float, level_sum: int, index: int, best: tuple[float, int, int] | None) -> bool:
    """Lower loss wins; losses within TOLERANCE tie and the lower level sum, then earlier node, wins."""
    if best is None:
        return True
    gap = loss - best[0]
    if abs(gap) > TOLERANCE * max(1.0, abs(loss), abs(best[0])):
        return gap < 0
    return (level_sum, index) < best[1:]


class _ExactSearch:
    """Bookkeeping over the node array: tags, suppression lower bounds, the best node so far."""

    def __init__(self, evaluator: Evaluator, monotone: bool) -> None:
        p = self.problem = evaluator.problem
        self.evaluator, self.monotone = evaluator, monotone
        self.nodes = p.lattice.nodes()
        total = self.nodes.shape[0]
        self.sums = self.nodes.sum(axis=1, dtype=np.int64)
        self.bounds = p.loss.lower_bounds(self.nodes, p.bottom.count, p.models.min_class_size)
        self.base, self.per = p.loss.suppression_costs(self.nodes, p.models.min_class_size)
        self.status = np.zeros(total, dtype=np.int8)
        self.done = np.zeros(total, dtype=bool)
        self.known = np.zeros(total, dtype=np.int8)  # what evaluating the node found
        self.suppresses_nothing = np.zeros(total, dtype=bool)
        self.at_least = np.zeros(total, dtype=np.int64)  # records the node suppresses, at least
        self.loss_monotone = monotone and p.budget == 0
        # per quasi-identifier and level, the nodes at or below / at or above it: tags are ANDs of these
        columns = [self.nodes[:, i] for i in range(p.lattice.width)]
        self._le = [[c <= v for v in range(h)] for c, h in zip(columns, p.lattice.heights, strict=True)]
        self._ge = [[c >= v for v in range(h)] for c, h in zip(columns, p.lattice.heights, strict=True)]
        self.best: tuple[float, int, int] | None = None
        self.result: NodeResult | None = None

    def _mask(self, tables: list[list[np.ndarray]], index: int) -> np.ndarray:
        levels = self.nodes[index]
        mask = tables[0][levels[0]].copy()
        for table, level in zip(tables[1:], levels[1:], strict=True):
            mask &= table[level]
        return mask

    def hopeless(self, index: int) -> bool:
        """True when the node cannot be the result: it fails, is dominated, or cannot beat the best."""
        if self.status[index] == _FAILED or self.at_least[index] > self.problem.budget:
            return True
        if self.status[index] == _SATISFIED and self.loss_monotone:
            return True  # loss is monotonic: the satisfying node that tagged it is at least as good
        bound = max(float(self.bounds[index]), float(self.base[index] + self.at_least[index] * self.per[index]))
        return self.best is not None and not better(bound, int(self.sums[index]), index, self.best)

    def visit(self, index: int) -> NodeResult | None:
        """Evaluate the node (unless tags decide it) and propagate what it teaches; None when skipped."""
        if self.done[index] or self.hopeless(index):
            return None
        self.done[index] = True
        node = tuple(int(x) for x in self.nodes[index])
        if self.status[index] == _SATISFIED and self.suppresses_nothing[index] and \
                self.problem.loss.exact_without_suppression:
            outcome = NodeResult(node, True, 0, float(self.bounds[index]))
        else:
            outcome = self.evaluator.evaluate(node)
        self.known[index] = _SATISFIED if outcome.satisfied else _FAILED
        if outcome.monotone_suppressed:
            below = self._mask(self._le, index)
            np.maximum(self.at_least, np.where(below, outcome.monotone_suppressed, 0), out=self.at_least)
        if not outcome.satisfied:
            if self.monotone:
                below = self._mask(self._le, index)
                self.status[below & (self.status == _UNKNOWN)] = _FAILED
            return outcome
        if self.monotone:
            above = self._mask(self._ge, index)
            self.status[above & (self.status == _UNKNOWN)] = _SATISFIED
            if outcome.suppressed_records == 0:
                self.suppresses_nothing |= above
        assert outcome.loss is not None
        if better(outcome.loss, int(self.sums[index]), index, self.best):
            self.best, self.result = (outcome.loss, int(self.sums[index]), index), outcome
        return outcome

    def satisfied(self, index: int) -> bool:
        """Whether the node satisfies, as far as is known (a node skipped as hopeless counts as failing)."""
        self.visit(index)
        return bool(self.known[index] == _SATISFIED or self.status[index] == _SATISFIED)

    def climb(self) -> None:
        """A first good node: binary search for the lowest satisfying node on the chain that climbs from the
        bottom by the cheapest step, then greedy descent from it. The sweep is exact whatever this finds;
        a good first node only makes the sweep's bounds bite sooner."""
        lattice, node = self.problem.lattice, self.problem.lattice.bottom
        chain = [lattice.index(node)]
        while node != lattice.top:
            node = min(lattice.successors(node), key=lambda n: (self.bounds[lattice.index(n)], lattice.index(n)))
            chain.append(lattice.index(node))
        low, high = 0, len(chain) - 1
        if not self.satisfied(chain[high]):
            return
        while low < high:
            middle = (low + high) // 2
            if self.satisfied(chain[middle]):
                high = middle
            else:
                low = middle + 1
        while self.best is not None:
            here = self.best
            for n in lattice.predecessors(tuple(int(x) for x in self.nodes[here[2]])):
                self.visit(lattice.index(n))
            if self.best == here:
                return

    def sweep(self) -> None:
        """Every node that could still beat the best, most general first: a failing node then tags the
        nodes below it before they are reached, and its suppression raises their loss bounds."""
        hope = np.ones(self.nodes.shape[0], dtype=bool)
        if self.best is not None:
            gap = TOLERANCE * max(1.0, abs(self.best[0]))
            hope = self.bounds <= self.best[0] + gap
        candidates = np.flatnonzero(hope & ~self.done)
        order = np.lexsort((candidates, self.bounds[candidates], -self.sums[candidates]))
        for index in candidates[order].tolist():
            self.visit(index)


def exact_search(evaluator: Evaluator, monotone: bool) -> tuple[NodeResult | None, SearchStats]:
    start = time.perf_counter()
    state = _ExactSearch(evaluator, monotone)
    state.climb()
    state.sweep()
    total = state.nodes.shape[0]
    stats = SearchStats(nodes_total=total, nodes_evaluated=evaluator.evaluated, pruned=total - evaluator.evaluated,
                        exact=True, strategy="pruned" if monotone else "exhaustive",
                        seconds=time.perf_counter() - start)
    return state.result, stats


def heuristic_search(evaluator: Evaluator) -> tuple[NodeResult | None, SearchStats]:
    """Greedy climb to a satisfying node, then local descent; not guaranteed optimal."""
    start = time.perf_counter()
    lattice = evaluator.problem.lattice
    seen: dict[Node, NodeResult] = {}

    def visit(node: Node) -> NodeResult:
        if node not in seen:
            seen[node] = evaluator.evaluate(node)
        return seen[node]

    def key(r: NodeResult) -> tuple[float, int, Node]:
        return (r.loss if r.loss is not None else float("inf"), sum(r.node), r.node)

    def bound(node: Node) -> float:
        nodes = np.asarray([node], dtype=np.int16)
        return float(evaluator.problem.loss.lower_bounds(nodes, evaluator.problem.bottom.count, 1)[0])

    node = lattice.bottom
    while not visit(node).satisfied and node != lattice.top:
        node = min(lattice.successors(node), key=lambda n: (bound(n), n))
    starts = [r for r in (visit(node), visit(lattice.top)) if r.satisfied]
    best: NodeResult | None = None
    for current in starts:
        improved = True
        while improved:
            improved = False
            around = [visit(n) for n in lattice.predecessors(current.node) + lattice.successors(current.node)]
            candidates = [r for r in around if r.satisfied and key(r) < key(current)]
            if candidates:
                current, improved = min(candidates, key=key), True
        if best is None or key(current) < key(best):
            best = current
    stats = SearchStats(nodes_total=lattice.size, nodes_evaluated=evaluator.evaluated,
                        pruned=lattice.size - evaluator.evaluated, exact=False, strategy="heuristic",
                        seconds=time.perf_counter() - start)
    return best, stats


def search(problem: Problem, *, node_limit: int = 50_000,
           strategy: Literal["auto", "exhaustive", "heuristic"] = "auto") -> tuple[NodeResult | None, SearchStats]:
    """The best node and how it was found; ``None`` when no node satisfies the models within the limit.

    ``auto`` searches exactly up to ``node_limit`` nodes (pruned when the models are monotonic under
    the budget, else exhaustive) and heuristically above; ``exhaustive`` and ``heuristic`` force one.
    """
    evaluator = Evaluator(problem)
    if strategy == "heuristic" or (strategy == "auto" and problem.lattice.size > node_limit):
        return heuristic_search(evaluator)
    monotone = strategy == "auto" and problem.models.monotonic(0.0 if problem.budget == 0 else 1.0)
    return exact_search(evaluator, monotone)
