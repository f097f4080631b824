"""Equivalence classes of a lattice node, rolled up from a finer node instead of regrouping the rows.

The rows are grouped once, at the bottom node, into *bottom classes*: the level-0 codes of every
quasi-identifier, the number of rows, and per sensitive column the (class, value, count) pairs.
Any node's classes are then the bottom classes (or those of any already evaluated finer node)
with each quasi-identifier's codes mapped up to the node's level and re-aggregated. Coarser nodes
have far fewer classes than the data has rows, so evaluating the whole lattice costs little more
than grouping the rows once.

Classes always come out in lexicographic order of their codes (quasi-identifiers in the
configured order), whatever node they were rolled up from: the search breaks ties between classes
of equal size by that order, so every route to a node must give the same class numbers.
A null quasi-identifier value is a value of its own (one extra code at every level), as in risk.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, level_name
from sanitas.core.privacy.k_anonymity.lattice import Node

_MAX_KEY = 1 << 62


@dataclass(frozen=True, eq=False)
class CodedColumn:
    """One column as integer codes at every level of its hierarchy, with maps between levels.

    ``to_level[l][v]`` is the level-l code of level-0 code ``v``; ``sizes[l]`` counts level-l codes
    (the null code included when the column has nulls); ``counts0`` counts the rows per level-0 code.
    """

    name: str
    rows: np.ndarray  # level-0 code per row (int64)
    to_level: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]
    domain: int  # values the hierarchy knows (level-0 codes, the null code excluded)
    counts0: np.ndarray
    labels: tuple[tuple[str, ...], ...] | None = field(default=None, repr=False)  # per level, in code order
    _maps: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def height(self) -> int:
        return len(self.to_level)

    def between(self, low: int, high: int) -> np.ndarray:
        """Map from level-``low`` codes to level-``high`` codes (a coarsening, so it is a function)."""
        if (low, high) not in self._maps:
            mapping = np.zeros(self.sizes[low], dtype=np.int64)
            mapping[self.to_level[low]] = self.to_level[high]
            self._maps[(low, high)] = mapping
        return self._maps[(low, high)]

    def labels_at(self, level: int, rows: np.ndarray | None = None) -> pl.Series:
        """Every row's label at ``level`` (null rows stay null), gathered from the codes: the release is
        written from the codes the search used, without matching the column's strings again. ``rows``:
        only these rows (a streamed release writes a batch at a time)."""
        assert self.labels is not None, "a column coded without a hierarchy has no labels"
        names = list(self.labels[level]) + [None] * (self.sizes[level] - len(self.labels[level]))
        codes = self.rows if rows is None else self.rows[rows]
        return pl.Series(self.name, names, dtype=pl.String).gather(self.to_level[level][codes])

    def counts(self, level: int) -> np.ndarray:
        """Rows per level-``level`` code."""
        return np.bincount(self.to_level[level], weights=self.counts0, minlength=self.sizes[level]).astype(np.int64)


def code_with_hierarchy(column: pl.Series, hierarchy: Hierarchy) -> CodedColumn:
    """Codes from the hierarchy's encoding; nulls get one extra code at every level."""
    encoding = hierarchy.encode(column, rows_at=(0,))
    return coded_column(column.name, encoding.codes[level_name(0)], encoding.table, encoding.label_sets)


def coded_column(name: str, rows: pl.Series, table: pl.DataFrame,
                 label_sets: tuple[tuple[str, ...], ...]) -> CodedColumn:
    """A CodedColumn from a hierarchy encoding's per-value table and the rows' level-0 codes (null: null),
    which a streamed release gathers batch by batch (the table does not depend on the rows)."""
    height = len(label_sets)
    table = table.sort(level_name(0))
    to_level = [table[level_name(i)].to_numpy().astype(np.int64) for i in range(height)]
    sizes = [len(label_sets[i]) for i in range(height)]
    domain = sizes[0]
    if rows.null_count():
        to_level = [np.append(m, s) for m, s in zip(to_level, sizes, strict=True)]
        sizes = [s + 1 for s in sizes]
    values = rows.fill_null(domain).to_numpy().astype(np.int64)
    counts0 = np.bincount(values, minlength=sizes[0]).astype(np.int64)
    return CodedColumn(name, values, tuple(to_level), tuple(sizes), domain, counts0, label_sets)


def code_flat(column: pl.Series) -> CodedColumn:
    """Codes of a column without a hierarchy (a sensitive column): one level, null a value of its own
    (the last code, as with a hierarchy)."""
    domain = column.drop_nulls().n_unique() if column.len() else 0
    ranks = column.to_frame().select((pl.col(column.name).rank("dense") - 1).fill_null(domain)).to_series()
    values = ranks.to_numpy().astype(np.int64)
    size = domain + (1 if column.null_count() else 0)
    counts0 = np.bincount(values, minlength=size).astype(np.int64)
    return CodedColumn(column.name, values, (np.arange(size, dtype=np.int64),), (size,), domain, counts0)


@dataclass(frozen=True, eq=False)
class Pairs:
    """Sparse class x sensitive-value counts, sorted by class then value."""

    cls: np.ndarray
    value: np.ndarray
    count: np.ndarray


@dataclass(frozen=True, eq=False)
class ClassSet:
    """The equivalence classes of one node: codes per quasi-identifier, sizes, sensitive value counts.

    ``codes`` is computed on first use from the source's mapped codes and one source class per class
    (``first``): a node that fails is never asked for its codes, and gathering them is a third of a
    roll-up's cost."""

    node: Node
    mapped: tuple[np.ndarray, ...] = field(repr=False)
    first: np.ndarray | None = field(repr=False)
    sizes: np.ndarray
    pairs: tuple[Pairs, ...] = field(repr=False)  # per sensitive column
    levels: tuple[tuple[np.ndarray, ...], ...] | None = field(default=None, repr=False)  # bottom: codes per level

    @cached_property
    def codes(self) -> tuple[np.ndarray, ...]:
        return self.mapped if self.first is None else tuple(c[self.first] for c in self.mapped)

    def at_level(self, i: int, qi: CodedColumn, level: int) -> np.ndarray:
        """Quasi-identifier ``i``'s code per class, mapped up to ``level``."""
        if self.levels is not None:
            return self.levels[i][level]
        low = self.node[i]
        return self.codes[i] if low == level else qi.between(low, level)[self.codes[i]]

    @property
    def count(self) -> int:
        return int(self.sizes.size)

    @property
    def footprint(self) -> int:
        """Array entries held, for the cache's budget."""
        return self.sizes.size * (len(self.codes) + 1) + sum(3 * p.cls.size for p in self.pairs)


def _keys(codes: Sequence[np.ndarray], radices: Sequence[int]) -> tuple[np.ndarray, int]:
    """Mixed-radix keys (lexicographic order of the codes), densified when they would overflow."""
    key = codes[0].astype(np.int64, copy=True)
    space = max(int(radices[0]), 1)
    for column, radix in zip(codes[1:], radices[1:], strict=True):
        if space * radix >= _MAX_KEY:
            uniques, key = np.unique(key, return_inverse=True)
            space = max(uniques.size, 1)
        key *= radix
        key += column
        space *= max(int(radix), 1)
    return key, space


class Grouping:
    """Equal keys grouped: distinct keys in order, one element of each (``first``), weight sums, and
    each element's group (``inverse``, computed only when asked: failing nodes never need it)."""

    def __init__(self, keys: np.ndarray, order: np.ndarray, starts: np.ndarray, heads: np.ndarray,
                 sums: np.ndarray) -> None:
        self.keys, self.first, self.sums = keys, order[heads], sums
        self.order, self.heads, self._starts = order, heads, starts

    @cached_property
    def inverse(self) -> np.ndarray:
        inverse = np.empty(self.order.size, dtype=np.int64)
        inverse[self.order] = np.cumsum(self._starts) - 1
        return inverse


_POSITIONS: dict[int, np.ndarray] = {}


def _positions(n: int) -> np.ndarray:
    if n not in _POSITIONS:
        if len(_POSITIONS) > 8:
            _POSITIONS.clear()
        _POSITIONS[n] = np.arange(n, dtype=np.int64)
    return _POSITIONS[n]


def forget_positions() -> None:
    """Drop the cached position arrays (8 bytes a row) once the search is over."""
    _POSITIONS.clear()


def group(key: np.ndarray, space: int, weights: np.ndarray) -> Grouping:
    """Group equal keys. The argsort is a plain sort of ``key << bits | position`` when that fits in
    63 bits: sorting integers is about three times faster than numpy's argsort, and the search groups
    once per evaluated node."""
    n = key.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Grouping(empty, empty, np.zeros(0, dtype=bool), empty, empty)
    bits = max(int(n - 1).bit_length(), 1)
    if space < 1 << (62 - bits):
        packed = key << bits
        packed |= _positions(n)
        packed.sort()
        order = packed & ((1 << bits) - 1)
        ordered = packed >> bits
    else:
        order = np.argsort(key)
        ordered = key[order]
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    heads = np.flatnonzero(starts)
    return Grouping(ordered[heads], order, starts, heads, segment_sums(weights[order], heads))


def segment_sums(ordered: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Sums of the runs of ``ordered`` that start at ``heads``: a cumulative sum read at the run ends,
    faster than ``np.add.reduceat``."""
    total = np.cumsum(ordered, dtype=np.int64)[np.append(heads[1:], ordered.size) - 1]
    total[1:] -= total[:-1].copy()
    return total


def regroup_pairs(pairs: Pairs, inverse: np.ndarray, classes: int, value_map: np.ndarray | None,
                  values: int) -> Pairs:
    """Pairs after mapping classes through ``inverse`` and values through ``value_map``."""
    value = pairs.value if value_map is None else value_map[pairs.value]
    if pairs.cls.size == 0:
        return Pairs(pairs.cls, value, pairs.count)
    grouped = group(inverse[pairs.cls] * values + value, classes * values, pairs.count)
    return Pairs(grouped.keys // values, grouped.keys % values, grouped.sums)


def bottom_classes(qis: Sequence[CodedColumn], sensitive: Sequence[CodedColumn],
                   with_pairs: bool, weights: np.ndarray | None = None) -> tuple[ClassSet, np.ndarray]:
    """Group the rows once: the bottom node's classes, and each row's class. ``weights``: the records each
    row stands for (rows that are distinct combinations with their counts); one each by default."""
    rows = qis[0].rows.size
    bottom = tuple(0 for _ in qis)
    key, space = _keys([q.rows for q in qis], [q.sizes[0] for q in qis])
    ones = np.ones(rows, dtype=np.int64) if weights is None else weights.astype(np.int64)
    grouped = group(key, space, ones)
    count = grouped.keys.size
    pairs: tuple[Pairs, ...] = ()
    if with_pairs:
        pairs = tuple(regroup_pairs(Pairs(np.arange(rows, dtype=np.int64), s.rows, ones), grouped.inverse, count,
                                    None, s.sizes[0]) for s in sensitive)
    codes = tuple(q.rows[grouped.first] for q in qis)
    levels = tuple(tuple(c if level == 0 else q.to_level[level][c] for level in range(q.height))
                   for c, q in zip(codes, qis, strict=True))
    return ClassSet(bottom, codes, None, grouped.sums, pairs, levels), grouped.inverse


def roll_up(source: ClassSet, node: Node, qis: Sequence[CodedColumn],
            sensitive: Sequence[CodedColumn]) -> tuple[ClassSet, Grouping]:
    """The classes of ``node`` from those of a finer ``source``; the grouping maps source classes to them."""
    codes = [source.at_level(i, q, level) for i, (q, level) in enumerate(zip(qis, node, strict=True))]
    key, space = _keys(codes, [q.sizes[level] for q, level in zip(qis, node, strict=True)])
    grouped = group(key, space, source.sizes)
    count = grouped.keys.size
    pairs = tuple(regroup_pairs(p, grouped.inverse, count, None, s.sizes[0])
                  for p, s in zip(source.pairs, sensitive, strict=False))
    return ClassSet(node, tuple(codes), grouped.first, grouped.sums, pairs), grouped


class ClassCache:
    """Evaluated nodes' classes within a budget of array entries; the bottom node is always kept.

    ``source_for`` picks the cached node with the fewest classes among those the node generalizes,
    so a roll-up starts from as few classes as possible. The cached nodes sit in one array so that
    this choice is a vectorized comparison, not a loop over the cache.
    """

    def __init__(self, bottom: ClassSet, budget: int = 8_000_000) -> None:
        self.bottom = bottom
        self.budget = budget
        self._sets: list[ClassSet | None] = []
        self._nodes = np.zeros((0, len(bottom.node)), dtype=np.int16)
        self._counts = np.zeros(0, dtype=np.int64)
        self._used = 0
        self._oldest = 0

    def source_for(self, node: Node) -> ClassSet:
        if not self._sets:
            return self.bottom
        finer = (self._nodes <= np.asarray(node, dtype=np.int16)).all(axis=1)
        counts = np.where(finer, self._counts, np.iinfo(np.int64).max)
        slot = int(np.argmin(counts))
        held = self._sets[slot]
        return held if held is not None and counts[slot] < self.bottom.count else self.bottom

    def put(self, classes: ClassSet) -> None:
        if classes.count * 4 > self.bottom.count * 3 + 16:
            return  # nearly as many classes as the bottom: no cheaper to roll up from
        slot = len(self._sets)
        if slot == self._counts.size:  # grow by doubling: put is called once per evaluated node
            grow = max(slot, 64)
            self._nodes = np.vstack([self._nodes, np.zeros((grow, self._nodes.shape[1]), dtype=np.int16)])
            self._counts = np.append(self._counts, np.full(grow, np.iinfo(np.int64).max))
        classes = ClassSet(classes.node, classes.codes, None, classes.sizes, classes.pairs)  # drop the source's arrays
        self._sets.append(classes)
        self._nodes[slot] = classes.node
        self._counts[slot] = classes.count
        self._used += classes.footprint
        while self._used > self.budget and self._oldest < len(self._sets):
            dropped = self._sets[self._oldest]
            if dropped is not None:
                self._used -= dropped.footprint
                self._sets[self._oldest] = None
                self._counts[self._oldest] = np.iinfo(np.int64).max
            self._oldest += 1
