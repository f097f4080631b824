"""The k-anonymity step of a release: hierarchies from the recipe, the search, and an independent check.

The engine calls ``k_anonymity_step`` after the column actions. The output is verified from scratch
(equivalence classes regrouped on the released file's values by ``risk_report``, t-closeness
recomputed here) rather than trusted from the search, and the report says which models hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.privacy.hierarchy import Hierarchy
from sanitas.core.privacy.hierarchy_builders import auto_hierarchy
from sanitas.core.privacy.risk import RiskReport, risk_report
from sanitas.core.privacy.utility import UtilityReport, utility_report
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.recipe import KAnonymitySection


class ModelCheck(BaseModel):
    """One privacy model, as required by the recipe and as found in the released file."""

    model: str
    required: float
    achieved: float | None
    holds: bool


class KAnonymityFacts(BaseModel):
    quasi_identifiers: list[str]
    sensitive: list[str]
    levels: dict[str, int]
    heights: dict[str, int]
    metric: str
    loss: float
    search: dict[str, Any]
    suppression: str
    suppressed: int
    suppression_limit: float
    checks: list[ModelCheck]
    risk_before: RiskReport
    risk_after: RiskReport
    utility: UtilityReport
    hierarchy_sources: dict[str, str] = Field(default_factory=dict)

    @property
    def all_hold(self) -> bool:
        return all(c.holds for c in self.checks)


def load_hierarchies(
    section: KAnonymitySection, frame: pl.DataFrame, recipe_dir: Path | None
) -> tuple[dict[str, Hierarchy], dict[str, str]]:
    """A hierarchy for every quasi-identifier (and sensitive columns that have one), with where it came from."""
    hierarchies: dict[str, Hierarchy] = {}
    sources: dict[str, str] = {}
    for column in [*section.quasi_identifiers, *[s for s in section.sensitive if s in section.hierarchies]]:
        ref = section.hierarchies.get(column)
        if ref is None:
            hierarchy = auto_hierarchy(frame.get_column(column))
            sources[column] = "automatic"
        elif ref.file is not None:
            path = Path(ref.file)
            path = path if path.is_absolute() else (recipe_dir or Path.cwd()) / path
            hierarchy = Hierarchy.from_arx_csv(path, column=column)
            sources[column] = f"ARX file {path.name}"
        else:
            hierarchy = auto_hierarchy(frame.get_column(column), ref.auto, **ref.options())
            sources[column] = f"automatic ({ref.auto})"
        if ref is not None and ref.unknown_as_star:
            hierarchy = hierarchy.with_unknown_as_star()
        hierarchies[column] = hierarchy
    return hierarchies, sources


def k_anonymity_step(
    frame: pl.DataFrame,
    section: KAnonymitySection,
    *,
    recipe_dir: Path | None = None,
    source: str = "the table",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[pl.DataFrame, KAnonymityFacts]:
    from sanitas.core.privacy.anonymize import anonymize

    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    qis, sensitive = section.quasi_identifiers, section.sensitive
    progress(0.0, "Building generalization hierarchies")
    hierarchies, sources = load_hierarchies(section, frame, recipe_dir)
    before = risk_report(frame, qis, sensitive or None, source=source)
    cancel.raise_if_cancelled()
    progress(0.2, "Searching the lattice of generalizations")
    config = {
        "quasi_identifiers": {c: hierarchies[c] for c in qis},
        "sensitive": sensitive,
        "sensitive_hierarchies": {c: hierarchies[c] for c in sensitive if c in hierarchies},
        "k": section.k, "l_diversity": section.l_diversity, "t_closeness": section.t_closeness,
        "average_risk": section.average_risk, "suppression_limit": section.suppression_limit,
        "suppression": section.suppression, "metric": section.metric,
    }
    result = anonymize(frame, config)
    cancel.raise_if_cancelled()
    progress(0.8, "Verifying the released table")
    released = result.frame
    # In mask mode every input row is released in order, the suppressed ones with '*' quasi-identifiers;
    # the search's own mask tells them apart from rows that are '*' because the top level was chosen.
    masked = result.suppressed.alias("suppressed") if section.suppression == "mask" else None
    after = risk_report(released, qis, sensitive or None, suppressed=masked, source=source)
    kept = released.filter(~masked) if masked is not None else released
    checks = verify(section, after, kept)
    utility = utility_report(frame, released, qis, quasi_identifiers=qis, generalization=result.levels,
                             suppressed=masked, source=source)
    facts = KAnonymityFacts(
        quasi_identifiers=qis, sensitive=sensitive, levels=result.levels,
        heights={c: hierarchies[c].height for c in qis}, metric=result.metric, loss=float(result.loss),
        search=result.stats.model_dump(), suppression=section.suppression,
        suppressed=int(result.suppressed.sum()), suppression_limit=section.suppression_limit, checks=checks,
        risk_before=before, risk_after=after, utility=utility, hierarchy_sources=sources,
    )
    progress(1.0, "k-anonymity done")
    return released, facts


def verify(section: KAnonymitySection, after: RiskReport, released: pl.DataFrame) -> list[ModelCheck]:
    """Check every model on the released records themselves (not on the search's own figures)."""
    checks: list[ModelCheck] = []
    if section.k is not None:
        checks.append(ModelCheck(model=f"{section.k}-anonymity", required=section.k, achieved=after.k,
                                 holds=after.records == 0 or after.k >= section.k))
    if section.l_diversity is not None:
        variant = section.l_diversity.get("variant", "distinct")
        wanted = float(section.l_diversity.get("l", 2))
        achieved = after.entropy_l if variant == "entropy" else after.l
        holds = achieved is not None and achieved + 1e-9 >= wanted if variant != "recursive" else True
        name = f"{variant} {wanted:g}-diversity"
        if variant == "recursive":
            name += " (checked by the search; recursive (c,l) is not recomputed here)"
        checks.append(ModelCheck(model=name, required=wanted, achieved=achieved, holds=holds))
    if section.t_closeness is not None:
        wanted = float(section.t_closeness.get("t", 0.0))
        variant = section.t_closeness.get("variant", "equal")
        achieved = max((equal_distance_t(released, section.quasi_identifiers, s) for s in section.sensitive),
                       default=0.0)
        holds = variant != "equal" or achieved <= wanted + 1e-9
        name = f"{wanted:g}-closeness ({variant} distance)"
        if variant != "equal":
            name += "; the check recomputes equal distance only"
        checks.append(ModelCheck(model=name, required=wanted, achieved=achieved, holds=holds))
    if section.average_risk is not None:
        checks.append(ModelCheck(model=f"average re-identification risk <= {section.average_risk:g}",
                                 required=section.average_risk, achieved=after.prosecutor_risk.average,
                                 holds=after.prosecutor_risk.average <= section.average_risk + 1e-12))
    return checks


def equal_distance_t(frame: pl.DataFrame, qis: list[str], sensitive: str) -> float:
    """Largest equal-distance EMD (half the L1 distance) between a class's sensitive distribution and the table's."""
    if frame.height == 0:
        return 0.0
    overall = frame.group_by(sensitive).agg(pl.len().alias("n")).with_columns(p=pl.col("n") / frame.height)
    per_class = frame.group_by([*qis, sensitive]).agg(pl.len().alias("n"))
    sizes = frame.group_by(qis).agg(pl.len().alias("size"))
    classes = sizes.join(overall.select(sensitive, "p"), how="cross")
    joined = classes.join(per_class, on=[*qis, sensitive], how="left").with_columns(
        q=pl.col("n").fill_null(0) / pl.col("size"))
    distances = joined.group_by(qis).agg(((pl.col("q") - pl.col("p")).abs().sum() / 2).alias("emd"))
    return float(distances.get_column("emd").max() or 0.0)
