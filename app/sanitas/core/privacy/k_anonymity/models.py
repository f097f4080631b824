"""Privacy models: which equivalence classes of a node may be released.

Class-level models decide for each class on its own; a node's failing classes are suppressed,
and the node satisfies the configuration when they hold at most the suppression limit's records.
Suppressed records form no class, so k, l and t are checked on the released classes only (ARX).

- **k-anonymity**: size >= k.
- **distinct l-diversity**: at least l distinct sensitive values in the class.
- **entropy l-diversity**: -sum p_i ln p_i >= ln l over the class's sensitive shares p_i.
- **recursive (c,l)-diversity**: r_1 < c (r_l + ... + r_m), r the class's value counts, largest first.
- **t-closeness**, earth mover's distance between the class's sensitive distribution P and the
  distribution Q of the whole input table (suppressed rows included, as ARX does):
  *equal distance*: 0.5 sum_i |p_i - q_i|;
  *hierarchical* (Li et al. 2007, ARX's hierarchical ground distance): the distance of two values
  is the level of their lowest common ancestor over the tree height H. Li et al. give
  EMD = sum over inner nodes N of level(N)/H * min(pos_extra(N), neg_extra(N)). Because
  pos - neg is N's own excess and pos + neg the children's absolute excesses, this telescopes to
  EMD = 1/(2H) * sum_{l=0}^{H-1} sum_{labels g at level l} |P(g) - Q(g)|, the mean over the
  levels below the root of the equal-distance EMD at that level. H counts the hierarchy's levels
  above level 0, plus one when its top level has several labels (they then meet at a virtual root).
- **average re-identification risk** (dataset level): classes / released records <= threshold,
  the mean prosecutor risk over released records. When it is above, the smallest released classes
  are suppressed first (ties: in class order), within the limit, until it holds (as ARX does).

Monotonicity (a node satisfying implies every generalization of it satisfies), which the pruned
search relies on: with a suppression limit of 0 every model here is monotonic (a merged class of
k-anonymous, l-diverse or t-close classes is one too: entropy is concave, (c,l) sums are
sub-additive, EMD is convex; merging classes lowers classes/records). With suppression,
k-anonymity and distinct l-diversity stay monotonic: a merged class that contains one passing class
passes, so a coarser node never suppresses more. So does the average risk (ARX declares it monotonic
with suppression too): suppressing at the coarser node the merged classes made only of classes
suppressed at the finer one leaves no more classes and no fewer records, and for any number of
classes suppressed, the smallest ones leave the most records. Entropy and recursive l-diversity and
t-closeness do not: a merged class of a passing and a failing class can fail, and be too big to
suppress (tests/core/test_privacy_models.py has a table for each).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sanitas.core.privacy.k_anonymity.rollup import ClassSet, CodedColumn, Pairs, regroup_pairs

EPS = 1e-9  # slack for comparisons of floats (entropy at exactly ln l, EMD at exactly t)


class LDiversity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: Literal["distinct", "entropy", "recursive"] = "distinct"
    l: int = Field(2, ge=1, description="distinct values (distinct), exp(entropy) (entropy), or l of (c,l)")  # noqa: E741
    c: float | None = Field(None, gt=0, description="c of recursive (c,l)-diversity")

    @model_validator(mode="after")
    def _c_for_recursive(self) -> LDiversity:
        if self.variant == "recursive" and self.c is None:
            raise ValueError("recursive (c,l)-diversity needs c")
        return self

    def describe(self) -> str:
        if self.variant == "recursive":
            return f"recursive ({self.c:g},{self.l})-diversity"
        return f"{self.variant} {self.l}-diversity"


class TCloseness(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: Literal["equal", "hierarchical"] = "equal"
    t: float = Field(ge=0, le=1, description="largest earth mover's distance allowed")

    def describe(self) -> str:
        return f"{self.t:g}-closeness ({'hierarchical' if self.variant == 'hierarchical' else 'equal'} distance)"


@dataclass(frozen=True)
class PrivacyModels:
    """The combination to satisfy; ``None`` leaves a model out."""

    k: int | None = None
    l_diversity: LDiversity | None = None
    t_closeness: TCloseness | None = None
    average_risk: float | None = None

    @property
    def any(self) -> bool:
        return any(m is not None for m in (self.k, self.l_diversity, self.t_closeness, self.average_risk))

    @property
    def needs_sensitive(self) -> bool:
        return self.l_diversity is not None or self.t_closeness is not None

    @property
    def min_class_size(self) -> int:
        """Smallest size a released class can have under these models."""
        return max(self.k or 1, self.l_diversity.l if self.l_diversity else 1)

    def monotonic(self, suppression_limit: float) -> bool:
        """True when pruning by monotonicity is exact (see the module docstring)."""
        if suppression_limit == 0:
            return True
        distinct = self.l_diversity is None or self.l_diversity.variant == "distinct"
        return distinct and self.t_closeness is None

    def describe(self) -> list[str]:
        names = [f"{self.k}-anonymity"] if self.k is not None else []
        names += [self.l_diversity.describe()] if self.l_diversity else []
        names += [self.t_closeness.describe()] if self.t_closeness else []
        names += [f"average re-identification risk <= {self.average_risk:g}"] if self.average_risk is not None else []
        return names


# per-class statistics ----------------------------------------------------------------------------
def distinct_values(pairs: Pairs, classes: int) -> np.ndarray:
    return np.bincount(pairs.cls, minlength=classes)


def entropy(pairs: Pairs, sizes: np.ndarray) -> np.ndarray:
    """Natural-log entropy per class: ln m - sum(c ln c) / m."""
    count = pairs.count.astype(np.float64)
    clogc = np.bincount(pairs.cls, weights=count * np.log(count), minlength=sizes.size)
    m = np.maximum(sizes, 1).astype(np.float64)
    return np.log(m) - clogc / m


def recursive_parts(pairs: Pairs, classes: int, ell: int) -> tuple[np.ndarray, np.ndarray]:
    """Per class: r_1 (largest count) and r_l + ... + r_m (counts from the l-th largest on)."""
    order = np.lexsort((-pairs.count, pairs.cls))
    cls, count = pairs.cls[order], pairs.count[order]
    starts = np.searchsorted(cls, np.arange(classes))
    rank = np.arange(cls.size) - starts[cls]
    top = np.zeros(classes, dtype=np.int64)
    top[cls[rank == 0]] = count[rank == 0]
    tail = np.bincount(cls, weights=np.where(rank >= ell - 1, count, 0), minlength=classes).astype(np.int64)
    return top, tail


def _distance(pairs: Pairs, sizes: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """sum_i |p_i - q_i| per class, from the values present: sum_present(|p - q| - q) + 1."""
    q = reference[pairs.value]
    p = pairs.count / np.maximum(sizes[pairs.cls], 1)
    return np.bincount(pairs.cls, weights=np.abs(p - q) - q, minlength=sizes.size) + 1.0


def emd(pairs: Pairs, sizes: np.ndarray, column: CodedColumn, hierarchical: bool) -> np.ndarray:
    """Earth mover's distance of each class to the whole table (see the module docstring)."""
    total = max(int(column.counts0.sum()), 1)
    if not hierarchical:
        return 0.5 * _distance(pairs, sizes, column.counts0 / total)
    height = tree_height(column)
    result = np.zeros(sizes.size)
    for level in range(height):
        at_level = pairs if level == 0 else regroup_pairs(
            pairs, np.arange(sizes.size, dtype=np.int64), sizes.size, column.to_level[level], column.sizes[level])
        result += _distance(at_level, sizes, column.counts(level) / total)
    return result / (2 * max(height, 1))


def tree_height(column: CodedColumn) -> int:
    """H of the hierarchical distance: levels above 0, plus a virtual root over a top with several labels."""
    top = column.height - 1
    null_codes = column.sizes[0] - column.domain  # 1 when the column has nulls: a leaf under the root
    top_labels = column.sizes[top] - null_codes
    return top if top_labels <= 1 else top + 1


# node checks ------------------------------------------------------------------------------------
def failing_classes(models: PrivacyModels, classes: ClassSet,
                    sensitive: Sequence[CodedColumn]) -> tuple[np.ndarray, np.ndarray]:
    """Classes to suppress: (by every class-level model, by the monotonic ones alone: k, distinct l)."""
    count = classes.count
    monotone = np.zeros(count, dtype=bool)
    if models.k is not None:
        monotone |= classes.sizes < models.k
    fail = monotone.copy()
    ell, close = models.l_diversity, models.t_closeness
    for pairs, column in zip(classes.pairs, sensitive, strict=False):
        if ell is not None and ell.variant == "distinct":
            monotone |= distinct_values(pairs, count) < ell.l
            fail |= monotone
        elif ell is not None and ell.variant == "entropy":
            fail |= entropy(pairs, classes.sizes) < math.log(ell.l) - EPS
        elif ell is not None:
            top, tail = recursive_parts(pairs, count, ell.l)
            fail |= ~(top < (ell.c or 0.0) * tail)
        if close is not None:
            fail |= emd(pairs, classes.sizes, column, close.variant == "hierarchical") > close.t + EPS
    return fail, monotone


def enforce_average_risk(threshold: float, sizes: np.ndarray, suppressed: np.ndarray, budget: int) -> np.ndarray | None:
    """The suppressed-class mask after suppressing the smallest classes until classes / records <= threshold.

    For any number j of classes suppressed, the j smallest leave the most records, so trying them in
    that order finds a way whenever one exists within ``budget`` records. ``None`` when none does.
    """
    released = np.flatnonzero(~suppressed)
    classes, records = released.size, int(sizes[released].sum())
    if classes <= threshold * records + EPS:
        return suppressed
    order = released[np.argsort(sizes[released], kind="stable")]
    removed = np.cumsum(sizes[order])
    left = budget - int(sizes[suppressed].sum())
    j = np.arange(1, order.size + 1)
    ok = (removed <= left) & (classes - j <= threshold * (records - removed) + EPS)
    if not ok.any():
        return None
    result = suppressed.copy()
    result[order[: int(np.argmax(ok)) + 1]] = True
    return result
