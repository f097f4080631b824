"""Information loss of a lattice node: what the search minimises. Lower is better for every metric.

Suppressed records count as fully generalized ('*' in every quasi-identifier). Each metric but
discernibility is a sum over cells, so a node's loss is the loss of generalizing every row
(a closed form from per-level totals, no grouping) plus, for each suppressed record, the extra cost
of '*' over its generalized value. The first part alone is a lower bound that the search computes
for every node at once, to skip nodes that cannot beat the best one found.

- ``loss``: Iyengar's loss metric (LM, 2002), ARX's "Loss": a cell generalized to a label that
  covers M_g of the hierarchy's M values loses (M_g - 1) / (M - 1); the mean over cells, in [0, 1].
  ARX's generalization-intensity variant (level / top level) is ``precision`` below.
- ``precision``: 1 - Sweeney's Prec (2002): the mean over cells of level / (height - 1), in [0, 1].
- ``discernibility``: Bayardo & Agrawal's DM (as ARX and utility.py): the sum of squared class sizes,
  plus the row count for each suppressed record.
- ``non_uniform_entropy``: Gionis & Tassa's (2009), as in ARX: the sum over cells of
  -log2 P(original value | generalized value), P from the input table's frequencies (bits).

A null is a value of its own that no level generalizes: it loses nothing until it is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from sanitas.core.privacy.k_anonymity.rollup import ClassSet, CodedColumn

Metric = Literal["loss", "precision", "discernibility", "non_uniform_entropy"]
METRICS: tuple[Metric, ...] = ("loss", "precision", "discernibility", "non_uniform_entropy")


class LossFunction:
    """One metric over the quasi-identifiers of one table.

    ``totals[i][l]`` is the loss of generalizing every row's quasi-identifier i to level l;
    ``penalties[i][l][g]`` the extra loss of suppressing a record whose level-l label is g.
    """

    def __init__(self, metric: Metric, qis: Sequence[CodedColumn], rows: int) -> None:
        self.metric = metric
        self.rows = rows
        self.totals: list[np.ndarray] = []
        self.penalties: list[list[np.ndarray]] = []
        self._rows = [[qi.counts(level) for level in range(qi.height)] for qi in qis]
        for qi in qis:
            cells = [self._cells(qi, level) for level in range(qi.height)]
            self.totals.append(np.array([float((qi.counts(level) * cell).sum())
                                         for level, (cell, _) in enumerate(cells)]))
            self.penalties.append([penalty for _, penalty in cells])
        cells_total = rows * len(qis)
        self.scale = 1.0 / cells_total if metric in ("loss", "precision") and cells_total else 1.0

    @property
    def exact_without_suppression(self) -> bool:
        """True when the lower bound is the loss itself for a node that suppresses nothing."""
        return self.metric != "discernibility"

    def _cells(self, qi: CodedColumn, level: int) -> tuple[np.ndarray, np.ndarray]:
        """Per level-``level`` label: the loss of one cell carrying it, and the extra loss of '*'."""
        size = qi.sizes[level]
        has_null = qi.sizes[0] > qi.domain
        counts = qi.counts(level).astype(np.float64)
        if self.metric == "loss":
            covered = np.bincount(qi.to_level[level][: qi.domain], minlength=size).astype(np.float64)
            cell = (covered - 1) / (qi.domain - 1) if qi.domain > 1 else np.zeros(size)
            if has_null:
                cell[-1] = 0.0
            return cell, 1.0 - cell
        if self.metric == "precision":
            share = level / (qi.height - 1) if qi.height > 1 else 0.0
            return np.full(size, share), np.full(size, 1.0 - share)
        if self.metric == "non_uniform_entropy":
            # per cell -log2(count0(v) / count_l(g)); as a per-label total it is sum_v count0(v) log2 count_l(g)
            # minus the level-0 part, which is kept in the totals by weighting below.
            with np.errstate(divide="ignore"):
                label_bits = np.where(counts > 0, np.log2(np.maximum(counts, 1)), 0.0)
            penalty = np.where(counts > 0, np.log2(max(self.rows, 1)) - label_bits, 0.0)
            return label_bits - self._own_bits(qi, level), penalty
        return np.zeros(size), np.zeros(size)  # discernibility: not a sum over cells

    def _own_bits(self, qi: CodedColumn, level: int) -> np.ndarray:
        """sum over the label's rows of log2 count0(v), divided by the label's rows (so that totals come out)."""
        counts0 = qi.counts0.astype(np.float64)
        own = np.where(counts0 > 0, counts0 * np.log2(np.maximum(counts0, 1)), 0.0)
        per_label = np.bincount(qi.to_level[level], weights=own, minlength=qi.sizes[level])
        rows = qi.counts(level).astype(np.float64)
        return np.divide(per_label, rows, out=np.zeros_like(per_label), where=rows > 0)

    def lower_bounds(self, nodes: np.ndarray, bottom_classes: int, min_class_size: int) -> np.ndarray:
        """A lower bound of every node's loss (its loss when nothing is suppressed, for cell metrics).

        Discernibility: at least n^2 / classes (Cauchy-Schwarz, classes <= labels and <= bottom classes)
        and at least n * min_class_size (released classes are that big; a suppressed record costs n).
        """
        if self.metric != "discernibility":
            bound = np.zeros(nodes.shape[0])
            for i, totals in enumerate(self.totals):
                bound += totals[nodes[:, i]]
            return bound * self.scale
        n = float(self.rows)
        labels = np.ones(nodes.shape[0])
        for i, penalties in enumerate(self.penalties):
            labels *= np.array([p.size for p in penalties], dtype=np.float64)[nodes[:, i]]
        classes = np.minimum(np.minimum(labels, max(bottom_classes, 1)), max(n, 1))
        return np.maximum(n * n / classes, n * min(min_class_size, n))

    def suppression_costs(self, nodes: np.ndarray, min_class_size: int) -> tuple[np.ndarray, np.ndarray]:
        """``(base, per)``: a node suppressing at least S records loses at least ``base + S * per``.

        Cell metrics: the unsuppressed loss plus, per suppressed record, the cheapest '*' over a label
        the node can give. Discernibility: released classes of at least ``min_class_size`` records
        and n per suppressed record give n * m + S * (n - m).
        """
        if self.metric == "discernibility":
            m = float(min(min_class_size, self.rows))
            return np.full(nodes.shape[0], self.rows * m), np.full(nodes.shape[0], self.rows - m)
        per = np.zeros(nodes.shape[0])
        for i, penalties in enumerate(self.penalties):
            cheapest = np.array([float(p[r > 0].min()) if (r := self._rows[i][level]).any() else 0.0
                                 for level, p in enumerate(penalties)])
            per += cheapest[nodes[:, i]]
        return self.lower_bounds(nodes, 1, 1), per * self.scale

    def value(self, classes: ClassSet, suppressed: np.ndarray) -> float:
        """The loss of the node whose classes are ``classes`` with the ``suppressed`` classes withheld."""
        sizes = classes.sizes
        if self.metric == "discernibility":
            released = sizes[~suppressed].astype(np.float64)
            return float((released * released).sum() + float(sizes[suppressed].sum()) * self.rows)
        total = sum(float(t[level]) for t, level in zip(self.totals, classes.node, strict=True))
        if suppressed.any():
            withheld = sizes[suppressed].astype(np.float64)
            for penalties, codes, level in zip(self.penalties, classes.codes, classes.node, strict=True):
                total += float((withheld * penalties[level][codes[suppressed]]).sum())
        return total * self.scale
