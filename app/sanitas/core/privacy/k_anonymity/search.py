"""The search over the generalization lattice for the node with the least information loss.

**Exact** (lattices up to ``node_limit`` nodes; the result is the optimum over the whole lattice,
ties broken by lower level sum, then lexicographic order):

1. *climb*: binary search for the lowest satisfying node on a chain from the bottom to the top, then
   greedy descent from it. This only finds a good first node, so that the bounds below bite early.
2. *sweep*: every node whose loss lower bound (loss.py) could still beat the best node, the most
   general first. A node is skipped, never evaluated, when tags or bounds decide it: it is tagged
   failing; it must suppress more than the limit; or its bound cannot beat the best. The bound is the
   loss of generalizing every row plus, per record the node must suppress, the cheapest cost of '*'.
   "Must suppress" comes from k-anonymity and distinct l-diversity: the records they suppress at a
   node are suppressed at every specialization of it too, whatever the other models. Going from
   general to specific means a failing node tags the nodes below it before they are reached.

Tags depend on the strategy:

- ``pruned``, when every model is monotonic under the settings (models.py): a satisfying node tags
  every generalization of it as satisfying, a failing node every specialization as failing (ARX's
  Flash/OLA). With a limit of 0 the loss is monotonic too, so a node tagged satisfying is dominated
  by the node that tagged it; with a positive limit it is still evaluated for its loss, unless the
  node that tagged it suppressed nothing (then neither does it, and its loss is its bound).
- ``exhaustive`` otherwise: nothing is assumed of the combined models; only the k / distinct-l
  suppression above tags nodes.

Evaluating a node means rolling up its classes from the finest cached node (rollup.py), so even an
exhaustive sweep does not regroup the rows. ``SearchStats`` says which search ran and how many
nodes were evaluated.

**Heuristic** (larger lattices): a greedy climb from the bottom to a satisfying node, then local
moves (down, or sideways up) to lower loss, from it and from the top. Labelled ``exact=False``.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from sanitas.core.privacy.k_anonymity.evaluation import Evaluator, NodeResult, Problem
from sanitas.core.privacy.k_anonymity.lattice import Node
from sanitas.core.progress import CancelToken, Progress, no_progress

Strategy = Literal["exhaustive", "pruned", "heuristic"]
TOLERANCE = 1e-9  # relative: losses this close are a tie, broken by level sum then lexicographic order
_UNKNOWN, _SATISFIED, _FAILED = 0, 1, -1


class SearchStats(BaseModel):
    nodes_total: int
    nodes_evaluated: int = Field(description="nodes whose classes were computed and models checked")
    pruned: int = Field(description="nodes decided without being evaluated (tags or loss bounds)")
    exact: bool = Field(description="the result is the optimum over the whole lattice")
    strategy: Strategy
    seconds: float


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
        self.keep = True

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
            outcome = self.evaluator.evaluate(node, keep=self.keep)
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

    def sweep(self, progress: Progress) -> None:
        """Every node that could still beat the best, most general first: a failing node then tags the
        nodes below it before they are reached, and its suppression raises their loss bounds."""
        hope = np.ones(self.nodes.shape[0], dtype=bool)
        if self.best is not None:
            gap = TOLERANCE * max(1.0, abs(self.best[0]))
            hope = self.bounds <= self.best[0] + gap
        candidates = np.flatnonzero(hope & ~self.done)
        order = np.lexsort((candidates, self.bounds[candidates], -self.sums[candidates]))
        self.keep = False
        for done, index in enumerate(candidates[order].tolist()):
            if done % 256 == 0:
                progress(done / candidates.size, f"Searching the lattice: {done:,} of {candidates.size:,} nodes left")
            self.visit(index)


def exact_search(evaluator: Evaluator, monotone: bool,
                 progress: Progress = no_progress) -> tuple[NodeResult | None, SearchStats]:
    start = time.perf_counter()
    state = _ExactSearch(evaluator, monotone)
    state.climb()
    state.sweep(progress)
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
           strategy: Literal["auto", "exhaustive", "heuristic"] = "auto", progress: Progress | None = None,
           cancel: CancelToken | None = None) -> tuple[NodeResult | None, SearchStats]:
    """The best node and how it was found; ``None`` when no node satisfies the models within the limit.

    ``auto`` searches exactly up to ``node_limit`` nodes (pruned when the models are monotonic under
    the budget, else exhaustive) and heuristically above; ``exhaustive`` and ``heuristic`` force one.
    """
    evaluator = Evaluator(problem, cancel)
    if strategy == "heuristic" or (strategy == "auto" and problem.lattice.size > node_limit):
        return heuristic_search(evaluator)
    monotone = strategy == "auto" and problem.models.monotonic(0.0 if problem.budget == 0 else 1.0)
    return exact_search(evaluator, monotone, progress or no_progress)
