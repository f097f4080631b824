"""The generalization lattice: every vector of levels, one level per quasi-identifier.

A node ``(2, 0, 1)`` generalizes the first quasi-identifier to level 2 of its hierarchy, keeps the
second as it is and raises the third one level. A node's *successors* raise one quasi-identifier by
one level, its *predecessors* lower one; ``a <= b`` component-wise means ``b`` generalizes ``a``.
The search works on the whole lattice at once as a ``(nodes, quasi-identifiers)`` array in
lexicographic order, so tagging "everything above this node" is one vectorized comparison rather
than a walk; ``index`` maps a node back to its row of that array (mixed radix over the heights).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sanitas.core.errors import SanitasError

Node = tuple[int, ...]


class LatticeError(SanitasError):
    """The lattice cannot be built or listed (no quasi-identifiers, a node outside it, too many nodes)."""


@dataclass(frozen=True)
class Lattice:
    """Levels ``0 .. heights[i] - 1`` for quasi-identifier ``i`` (``names`` are for messages)."""

    heights: tuple[int, ...]
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.heights:
            raise LatticeError("The lattice needs at least one quasi-identifier.")
        if any(h < 1 for h in self.heights):
            raise LatticeError(f"Every hierarchy needs at least one level; got heights {list(self.heights)}.")
        if self.names and len(self.names) != len(self.heights):
            raise LatticeError("The lattice needs one name per quasi-identifier.")

    @property
    def width(self) -> int:
        """Number of quasi-identifiers."""
        return len(self.heights)

    @property
    def size(self) -> int:
        """Number of nodes, without listing them (the heuristic's lattices may be too big to list)."""
        return math.prod(self.heights)

    @property
    def bottom(self) -> Node:
        return (0,) * self.width

    @property
    def top(self) -> Node:
        return tuple(h - 1 for h in self.heights)

    @property
    def max_level_sum(self) -> int:
        return sum(self.top)

    def contains(self, node: Sequence[int]) -> bool:
        return len(node) == self.width and all(0 <= x < h for x, h in zip(node, self.heights, strict=True))

    def check(self, node: Sequence[int]) -> Node:
        """The node as a tuple, or an error naming the quasi-identifier whose level is out of range."""
        if len(node) != self.width:
            raise LatticeError(f"A node has one level per quasi-identifier ({self.width}); got {len(node)}.")
        for i, (level, height) in enumerate(zip(node, self.heights, strict=True)):
            if not 0 <= level < height:
                name = self.names[i] if self.names else f"#{i + 1}"
                raise LatticeError(f"Quasi-identifier '{name}': level {level} does not exist; "
                                   f"levels are 0 to {height - 1}.")
        return tuple(int(x) for x in node)

    def successors(self, node: Sequence[int]) -> list[Node]:
        """Nodes one step more general: one quasi-identifier raised by one level."""
        return [(*node[:i], node[i] + 1, *node[i + 1:]) for i in range(self.width) if node[i] + 1 < self.heights[i]]

    def predecessors(self, node: Sequence[int]) -> list[Node]:
        """Nodes one step more specific: one quasi-identifier lowered by one level."""
        return [(*node[:i], node[i] - 1, *node[i + 1:]) for i in range(self.width) if node[i] > 0]

    def index(self, node: Sequence[int]) -> int:
        """Row of ``node`` in ``nodes()``."""
        position = 0
        for level, height in zip(node, self.heights, strict=True):
            position = position * height + int(level)
        return position

    def nodes(self, limit: int | None = None) -> np.ndarray:
        """Every node as a row of levels (int16), lexicographic; refused above ``limit`` nodes."""
        if limit is not None and self.size > limit:
            raise LatticeError(f"The lattice has {self.size:,} nodes, more than the limit of {limit:,}.")
        return self._nodes

    def __iter__(self) -> Iterator[Node]:
        for row in self.nodes():
            yield tuple(int(x) for x in row)

    @cached_property
    def _nodes(self) -> np.ndarray:
        grids = np.meshgrid(*[np.arange(h, dtype=np.int16) for h in self.heights], indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1)

    def above(self, nodes: np.ndarray, node: Sequence[int]) -> np.ndarray:
        """Mask of ``nodes`` that generalize ``node`` (itself included): its successors, transitively."""
        return (nodes >= np.asarray(node, dtype=nodes.dtype)).all(axis=1)

    def below(self, nodes: np.ndarray, node: Sequence[int]) -> np.ndarray:
        """Mask of ``nodes`` that ``node`` generalizes (itself included)."""
        return (nodes <= np.asarray(node, dtype=nodes.dtype)).all(axis=1)
