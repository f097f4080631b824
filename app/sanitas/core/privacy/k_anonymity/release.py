"""The k-anonymity step of a release: global recoding or Mondrian, then an independent check.

The engine calls ``k_anonymity_step`` after the column actions. ``method: global`` loads the
hierarchies and searches the lattice (anonymize.py); ``method: mondrian`` partitions the records
(mondrian.py). Either way the output is verified from scratch on the released records (verify.py:
classes regrouped, every model recomputed from its definition) rather than trusted from the method,
and the report says which method ran and which models hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.io.recipe_paths import recipe_file
from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
from sanitas.core.privacy.hierarchies.builders import auto_hierarchy, guess_kind
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy
from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationError
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.privacy.k_anonymity.verify import ModelCheck, verify
from sanitas.core.privacy.metrics.risk import RiskReport, risk_report
from sanitas.core.privacy.metrics.utility import UtilityReport, utility_report
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress

__all__ = ["KAnonymityFacts", "ModelCheck", "k_anonymity_step", "load_hierarchies", "verify"]

MONDRIAN_LABEL = "Mondrian multidimensional partitioning (local recoding, heuristic)"


class KAnonymityFacts(BaseModel):
    """What the k-anonymity step did and what the released records reach.

    ``levels``/``heights`` (the lattice position), ``metric`` and ``loss`` exist for global recoding
    only; ``partitions`` for Mondrian only. ``method_label`` says in words which method and search ran.
    """

    quasi_identifiers: list[str]
    sensitive: list[str]
    method: Literal["global", "mondrian"] = "global"
    method_label: str = ""
    levels: dict[str, int] = Field(default_factory=dict)
    heights: dict[str, int] = Field(default_factory=dict)
    partitions: int | None = None
    metric: str | None = None
    loss: float | None = None
    search: dict[str, Any] = Field(default_factory=dict)
    suppression: str
    suppressed: int
    suppression_limit: float
    checks: list[ModelCheck]
    risk_before: RiskReport
    risk_after: RiskReport
    utility: UtilityReport
    hierarchy_sources: dict[str, str] = Field(default_factory=dict)
    unchanged_quasi_identifiers: list[str] = Field(
        default_factory=list, description="columns detected as quasi-identifiers, released unchanged and outside "
        "the section: the models above do not cover them")
    risk_with_unchanged: RiskReport | None = Field(
        default=None, description="risk of the released file over the section's quasi-identifiers and those")

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
            kind = guess_kind(frame.get_column(column))
            hierarchy = auto_hierarchy(frame.get_column(column), kind)
            sources[column] = f"automatic ({kind}, guessed from the values)"
        elif ref.file is not None:
            path = recipe_file(ref.file, recipe_dir)
            hierarchy = read_arx_csv(path, column=column)
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
    unchanged_quasi_identifiers: Sequence[str] = (),
    weight: str | None = None,
    threshold: float | None = None,
) -> tuple[pl.DataFrame, KAnonymityFacts]:
    """The released table and its facts, by the section's method, verified on the released records.

    ``threshold``: the record risk above which the risk figures count a record at risk (the release's
    effective risk_threshold; risk.py's default when None).

    ``unchanged_quasi_identifiers``: other columns the detection calls quasi-identifiers that the
    release keeps as they are. The models do not cover them; the facts say how much risk they add back.
    ``weight`` (global recoding only): a column of record counts. ``frame`` is then one row per distinct
    combination of the section's columns with how many records share it, and the released table one row
    per released (or masked) combination with its count: the facts are those of the records, without the
    records themselves (what the Spark engine counts by an aggregation and brings to the driver).
    """
    released, facts = _k_anonymity_step(frame, section, recipe_dir, source, progress, cancel, weight, threshold)
    extra = [c for c in unchanged_quasi_identifiers if c in released.columns and c not in section.quasi_identifiers]
    if extra:
        facts.unchanged_quasi_identifiers = extra
        facts.risk_with_unchanged = risk_report(released, [*section.quasi_identifiers, *extra], source=source,
                                                sampling_fraction=facts.risk_before.sampling_fraction, weight=weight,
                                                threshold=facts.risk_before.threshold)
    return released, facts


def _k_anonymity_step(frame: pl.DataFrame, section: KAnonymitySection, recipe_dir: Path | None, source: str,
                      progress: Progress | None, cancel: CancelToken | None,
                      weight: str | None = None,
                      threshold: float | None = None) -> tuple[pl.DataFrame, KAnonymityFacts]:
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    qis, sensitive = section.quasi_identifiers, section.sensitive
    if frame.height == 0:
        raise AnonymizationError(f"{source}: the table has no records, so there is nothing to anonymize.")
    if weight is not None and section.method == "mondrian":
        raise AnonymizationError(f"{source}: Mondrian splits records, not counted combinations; run it on the rows.")
    population = {"population": section.population, "sampling_fraction": section.sampling_fraction,
                  **({"threshold": threshold} if threshold is not None else {})}
    before = risk_report(frame, qis, sensitive or None, source=source, weight=weight, **population)
    cancel.raise_if_cancelled()
    if section.method == "mondrian":
        return _mondrian_step(frame, section, before, source, progress, cancel)
    return _global_step(frame, section, before, recipe_dir, source, progress, cancel, weight)


def _global_step(frame: pl.DataFrame, section: KAnonymitySection, before: RiskReport, recipe_dir: Path | None,
                 source: str, progress: Progress, cancel: CancelToken,
                 weight: str | None = None) -> tuple[pl.DataFrame, KAnonymityFacts]:
    from sanitas.core.privacy.k_anonymity.anonymize import anonymize

    qis, sensitive = section.quasi_identifiers, section.sensitive
    progress(0.0, "Building generalization hierarchies")
    hierarchies, sources = load_hierarchies(section, frame, recipe_dir)
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
    result = anonymize(frame, config, progress=sub_progress(progress, 0.2, 0.8), cancel=cancel, weight=weight)
    cancel.raise_if_cancelled()
    progress(0.8, "Verifying the released table")
    released = result.frame
    # In mask mode every input row is released in order, the suppressed ones with '*' quasi-identifiers;
    # the search's own mask tells them apart from rows that are '*' because the top level was chosen.
    masked = result.suppressed.alias("suppressed") if section.suppression == "mask" else None
    after = _risk_after(released, section, before, masked, source, weight)
    kept = released.filter(~masked) if masked is not None else released
    if kept.height == 0:
        raise AnonymizationError(
            f"{source}: every one of the {before.records:,} records would be suppressed, so nothing would be "
            f"released. Lower the models (k is {section.k}), use coarser hierarchies, or lower suppression_limit "
            "so that no solution that suppresses everything is accepted.")
    checks = verify(section, kept, reference=frame, hierarchies=hierarchies, weight=weight)
    utility = utility_report(frame, released, qis, quasi_identifiers=qis, generalization=result.levels,
                             suppressed=masked, source=source, weight=weight)
    stats = result.stats
    counts = frame.get_column(weight) if weight is not None else None
    withheld = int(result.suppressed.sum() if counts is None else counts.filter(result.suppressed).sum())
    facts = KAnonymityFacts(
        quasi_identifiers=qis, sensitive=sensitive, method="global", method_label=global_label(stats.exact,
                                                                                               stats.strategy),
        levels=result.levels, heights={c: hierarchies[c].height for c in qis}, metric=result.metric,
        loss=float(result.loss), search=stats.model_dump(), suppression=section.suppression,
        suppressed=withheld, suppression_limit=section.suppression_limit, checks=checks,
        risk_before=before, risk_after=after, utility=utility, hierarchy_sources=sources,
    )
    progress(1.0, "k-anonymity done")
    return released, facts


def _mondrian_step(frame: pl.DataFrame, section: KAnonymitySection, before: RiskReport, source: str,
                   progress: Progress, cancel: CancelToken) -> tuple[pl.DataFrame, KAnonymityFacts]:
    """Strict Mondrian: k (1 when only l is asked) and distinct l; no hierarchy, no suppression, no metric."""
    from sanitas.core.privacy.k_anonymity.mondrian import mondrian

    qis, sensitive = section.quasi_identifiers, section.sensitive
    ell = int(section.l_diversity.get("l", 2)) if section.l_diversity is not None else None
    progress(0.0, "Partitioning the records (Mondrian)")
    result = mondrian(frame, qis, section.k or 1, sensitive=sensitive, l=ell,
                      progress=sub_progress(progress, 0.0, 0.8), cancel=cancel)
    cancel.raise_if_cancelled()
    progress(0.8, "Verifying the released table")
    released = result.frame
    after = _risk_after(released, section, before, None, source)
    checks = verify(section, released, reference=frame)
    utility = utility_report(frame, released, qis, quasi_identifiers=qis, source=source)
    for column in utility.columns:
        column.certainty_penalty = result.certainty_penalty.get(column.column)
    facts = KAnonymityFacts(
        quasi_identifiers=qis, sensitive=sensitive, method="mondrian", method_label=MONDRIAN_LABEL,
        partitions=result.partitions,
        search={"strategy": "mondrian", "exact": False, "partitions": result.partitions,
                "smallest_partition": result.smallest, "seconds": result.seconds},
        suppression="none", suppressed=0, suppression_limit=0.0, checks=checks, risk_before=before,
        risk_after=after, utility=utility,
    )
    progress(1.0, "k-anonymity done")
    return released, facts


def global_label(exact: bool, strategy: str) -> str:
    """The global search in words, as SearchStats says it ran."""
    if not exact:
        return "Global recoding, heuristic search (lattice above the node limit: not guaranteed optimal)"
    how = "monotonicity pruning" if strategy == "pruned" else "every node evaluated or bounded"
    return f"Global recoding, exact optimum over the lattice ({how})"


def _risk_after(released: pl.DataFrame, section: KAnonymitySection, before: RiskReport, masked: pl.Series | None,
                source: str, weight: str | None = None) -> RiskReport:
    """Risk of the released records with the input's sampling fraction.

    Removing suppressed records does not remove their people from the population, so the release keeps
    the input's f = rows / population (risk.py) rather than one recomputed from fewer rows.
    """
    if section.population is None:
        return risk_report(released, section.quasi_identifiers, section.sensitive or None, suppressed=masked,
                           sampling_fraction=section.sampling_fraction, source=source, weight=weight,
                           threshold=before.threshold)
    after = risk_report(released, section.quasi_identifiers, section.sensitive or None, suppressed=masked,
                        sampling_fraction=before.sampling_fraction, source=source, weight=weight,
                        threshold=before.threshold)
    return after.model_copy(update={"population": section.population})
