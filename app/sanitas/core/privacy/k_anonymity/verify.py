"""An independent check of a release against the recipe's privacy models, from the released records alone.

Why a module of its own: the report must not say a model holds because the search said so. Nothing
here comes from the search's code (models.py, rollup.py, evaluation.py): the released file's values
are regrouped with polars and every model is recomputed from its definition.

- **k**: the smallest class (records sharing every quasi-identifier value; a null is a value).
- **distinct l**: the fewest distinct sensitive values in a class (a null is a value).
- **entropy l**: exp of the lowest class entropy -sum p ln p (natural log).
- **recursive (c,l)**: in every class, with the value counts sorted descending,
  r_1 < c (r_l + r_{l+1} + ... + r_m). The figure shown is the largest r_1 / (r_l + ... + r_m), so
  the model holds for any c above it (infinite when a class has fewer than l values).
- **t-closeness**: the largest earth mover's distance between a class's sensitive distribution P and
  the reference distribution Q, which is the whole input table's (suppressed records included, as
  ARX defines it), so the caller passes the input as ``reference``.
  *Equal distance*: half the L1 distance, 0.5 sum_v |P(v) - Q(v)|.
  *Hierarchical* (Li et al. 2007, as ARX computes it): the ground distance of two values is the level
  of their lowest common ancestor in the sensitive column's hierarchy over the tree height H. Moving
  mass up to a node of level j and back down costs j/H, and the cheapest flow moves at each level
  only what the groups of the level below cannot settle among themselves, which gives
  EMD = 1/(2H) sum_{j=0}^{H-1} sum_{labels g of level j} |P(g) - Q(g)|. H is the number of levels
  above the values, plus one when the top level has several labels (they meet at a virtual root).
- **average risk**: classes / released records (the mean prosecutor risk).

The distances use the values present only: sum_v |P - Q| = sum_{v in the class} |P - Q| + (the
reference mass on values the class lacks), so a class costs its own distinct values, never the
whole domain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from pydantic import BaseModel

from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, level_name
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection

TOLERANCE = 1e-9  # floats at exactly the bound (entropy = ln l, EMD = t) hold
_N, _SIZE, _LABEL, _P, _Q, _D = "__v_n__", "__v_size__", "__v_label__", "__v_p__", "__v_q__", "__v_d__"


class ModelCheck(BaseModel):
    """One privacy model, as required by the recipe and as found in the released file."""

    model: str
    required: float
    achieved: float | None
    holds: bool


@dataclass(frozen=True)
class Figures:
    """What the released records reach, worst over the sensitive columns (``None``: not computed)."""

    records: int
    classes: int
    k: int
    distinct_l: int | None = None
    entropy_l: float | None = None
    recursive_c: float | None = None
    t: float | None = None


def verify(section: KAnonymitySection, released: pl.DataFrame, *, reference: pl.DataFrame | None = None,
           hierarchies: Mapping[str, Hierarchy] | None = None, weight: str | None = None) -> list[ModelCheck]:
    """Check every model of ``section`` on ``released`` (the released records only, suppressed ones left out).

    ``reference`` is the input table t-closeness compares with (default: ``released``); ``hierarchies``
    holds the sensitive columns' hierarchies for hierarchical t-closeness. ``weight``: a column of both
    tables saying how many records each row stands for (distinct combinations with their counts).
    """
    ell = section.l_diversity or {}
    close = section.t_closeness or {}
    figures = released_figures(
        released, section.quasi_identifiers, section.sensitive, reference=reference, hierarchies=hierarchies,
        recursive_l=int(ell.get("l", 2)) if ell.get("variant") == "recursive" else None,
        hierarchical_t=close.get("variant") == "hierarchical" if section.t_closeness is not None else None,
        weight=weight,
    )
    empty = figures.records == 0
    checks: list[ModelCheck] = []
    if section.k is not None:
        checks.append(ModelCheck(model=f"{section.k}-anonymity", required=section.k, achieved=figures.k,
                                 holds=empty or figures.k >= section.k))
    if section.l_diversity is not None:
        checks.append(_l_check(ell, figures, empty))
    if section.t_closeness is not None:
        wanted = float(close.get("t", 0.0))
        variant = "hierarchical" if close.get("variant") == "hierarchical" else "equal"
        achieved = figures.t or 0.0
        checks.append(ModelCheck(model=f"{wanted:g}-closeness ({variant} distance)", required=wanted,
                                 achieved=achieved, holds=achieved <= wanted + TOLERANCE))
    if section.average_risk is not None:
        average = figures.classes / figures.records if figures.records else 0.0
        checks.append(ModelCheck(model=f"average re-identification risk <= {section.average_risk:g}",
                                 required=section.average_risk, achieved=average,
                                 holds=average <= section.average_risk + 1e-12))
    return checks


def _l_check(ell: dict, figures: Figures, empty: bool) -> ModelCheck:
    variant = ell.get("variant", "distinct")
    wanted = int(ell.get("l", 2))
    if variant == "recursive":
        c = float(ell.get("c") or 0.0)
        ratio = figures.recursive_c
        holds = empty or (ratio is not None and ratio < c)
        return ModelCheck(model=f"recursive ({c:g},{wanted})-diversity (largest r1 / (r{wanted}+...+rm) below c)",
                          required=c, achieved=ratio, holds=holds)
    if variant == "entropy":
        achieved = figures.entropy_l
        holds = empty or (achieved is not None and math.log(achieved) >= math.log(wanted) - TOLERANCE)
    else:
        achieved = figures.distinct_l
        holds = empty or (achieved is not None and achieved >= wanted)
    return ModelCheck(model=f"{variant} {wanted}-diversity", required=wanted, achieved=achieved, holds=holds)


def released_figures(released: pl.DataFrame, quasi_identifiers: list[str], sensitive: list[str], *,
                     reference: pl.DataFrame | None = None, hierarchies: Mapping[str, Hierarchy] | None = None,
                     recursive_l: int | None = None, hierarchical_t: bool | None = False,
                     weight: str | None = None) -> Figures:
    """k, l, (c,l) and t of ``released``; ``hierarchical_t=None`` skips t, ``recursive_l=None`` skips (c,l).
    ``weight``: each row stands for that many records."""
    qis = list(quasi_identifiers)
    sizes = released.lazy().group_by(qis).agg(_records(weight).alias(_SIZE)).collect(engine="streaming")
    sizes = sizes.get_column(_SIZE)
    records = released.height if weight is None else int(released.get_column(weight).sum())
    classes = sizes.len()
    figures = Figures(records=records, classes=classes, k=int(sizes.min() or 0))
    if not sensitive or not records:
        return figures
    reference = released if reference is None else reference
    distinct, entropies, ratios, distances = [], [], [], []
    for column in sensitive:
        counts = released.lazy().group_by([*qis, column]).agg(_records(weight).alias(_N)).collect(engine="streaming")
        distinct.append(int(counts.group_by(qis).agg(pl.len().alias(_SIZE)).get_column(_SIZE).min()))
        entropies.append(lowest_entropy(counts, qis))
        if recursive_l is not None:
            ratios.append(largest_recursive_ratio(counts, qis, recursive_l))
        if hierarchical_t is not None:
            hierarchy = (hierarchies or {}).get(column) if hierarchical_t else None
            if hierarchical_t and hierarchy is None:
                raise ValueError(f"hierarchical t-closeness needs a hierarchy for sensitive column '{column}'")
            distances.append(hierarchical_emd(released, reference, qis, column, hierarchy, weight)
                             if hierarchy is not None else equal_distance_emd(released, reference, qis, column, weight))
    return Figures(records=records, classes=classes, k=figures.k, distinct_l=min(distinct),
                   entropy_l=math.exp(max(min(entropies), 0.0)),
                   recursive_c=max(ratios) if ratios else None, t=max(distances) if distances else None)


def lowest_entropy(counts: pl.DataFrame, qis: list[str]) -> float:
    """The lowest class entropy -sum p ln p, from (class, value, count) rows."""
    n = pl.col(_N).cast(pl.Float64)
    per_class = counts.group_by(qis).agg((-(n / n.sum()) * (n / n.sum()).log()).sum().alias(_D))
    return float(per_class.get_column(_D).min())


def largest_recursive_ratio(counts: pl.DataFrame, qis: list[str], ell: int) -> float:
    """The largest r_1 / (r_l + ... + r_m) over classes, counts sorted descending (inf: fewer than l values)."""
    ordered = pl.col(_N).sort(descending=True)
    per_class = counts.group_by(qis).agg(ordered.first().alias(_P), ordered.slice(ell - 1).sum().alias(_Q))
    ratio = per_class.select(pl.when(pl.col(_Q) > 0).then(pl.col(_P) / pl.col(_Q))
                             .otherwise(float("inf")).max()).item()
    return float(ratio)


def equal_distance_emd(released: pl.DataFrame, reference: pl.DataFrame, qis: list[str], column: str,
                       weight: str | None = None) -> float:
    """The largest 0.5 sum_v |P(v) - Q(v)| over the classes of ``released``."""
    return float((_l1_per_class(released, reference, qis, column, weight).get_column(_D) / 2).max() or 0.0)


def hierarchical_emd(released: pl.DataFrame, reference: pl.DataFrame, qis: list[str], column: str,
                     hierarchy: Hierarchy, weight: str | None = None) -> float:
    """The largest hierarchical EMD over the classes (see the module docstring)."""
    height = tree_height(hierarchy, reference.get_column(column))
    if height == 0:
        return 0.0
    per_level = [_l1_per_class(released.with_columns(_label(released, column, hierarchy, j)),
                               reference.with_columns(_label(reference, column, hierarchy, j)), qis, _LABEL, weight)
                 for j in range(height)]
    total = pl.concat(per_level).group_by(qis).agg(pl.col(_D).sum())
    return float((total.get_column(_D) / (2 * height)).max() or 0.0)


def tree_height(hierarchy: Hierarchy, values: pl.Series) -> int:
    """H: levels above the values, plus a virtual root when the top level has several labels.

    Values the hierarchy lacks (let through as '*') add a '*' label at the top when it has none.
    """
    top = hierarchy.height - 1
    labels = set(hierarchy.levels.get_column(level_name(top)).to_list())
    if top > 0 and hierarchy.missing_values(values):
        labels.add(STAR)
    return top if len(labels) <= 1 else top + 1


def _label(frame: pl.DataFrame, column: str, hierarchy: Hierarchy, level: int) -> pl.Series:
    """The sensitive column at ``level`` as text labels (nulls stay null: a leaf of their own)."""
    labels = hierarchy.generalize(frame.get_column(column), level)
    return labels.cast(pl.String).alias(_LABEL)


def _records(weight: str | None) -> pl.Expr:
    """Records in a group: its rows, or the sum of their weights."""
    return pl.len() if weight is None else pl.col(weight).sum()


def _l1_per_class(released: pl.DataFrame, reference: pl.DataFrame, qis: list[str], column: str,
                  weight: str | None = None) -> pl.DataFrame:
    """sum_v |P(v) - Q(v)| per class of ``released`` (column ``_D``), Q the shares of ``reference``."""
    rows = reference.height if weight is None else int(reference.get_column(weight).sum())
    total, mass = max(rows, 1), 1.0 if rows else 0.0
    shares = reference.group_by(column).agg((_records(weight) / total).alias(_Q))
    counts = released.group_by([*qis, column]).agg(_records(weight).alias(_N))
    counts = counts.with_columns((pl.col(_N) / pl.col(_N).sum().over(qis)).alias(_P))
    joined = counts.join(shares, on=column, how="left", nulls_equal=True).with_columns(pl.col(_Q).fill_null(0.0))
    lacking = mass - pl.col(_Q).sum()  # the reference's mass on values the class does not hold
    return joined.group_by(qis).agg(((pl.col(_P) - pl.col(_Q)).abs().sum() + lacking).alias(_D))
