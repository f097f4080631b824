"""Global recoding inside a streamed release: the input and the released table are never whole in memory.

The search needs the quasi-identifiers' level-0 codes only, and the release is a per-row function of the
chosen levels and of the suppressed rows. So (``streamed_step``): one pass over the quasi-identifier
columns codes them batch by batch (the hierarchy's codes do not depend on the rows), the lattice is
searched on the codes, and then each batch of the streamed release is filtered and generalized as it
goes by (``StreamedKAnonymity.apply``): the same cells as ``anonymize._release``. The released batches'
classes are counted on their values, and the facts are computed from those counts once every batch is
written: the independent check (verify.py) still regroups the released values, not the search's codes.
An automatic hierarchy is built from its column read whole (that column alone), as the in-memory path does.

Only what this covers is streamed (``why_not_streamed``); anything else runs in memory as before.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from sanitas.core.errors import VerificationError
from sanitas.core.memory import give_back_memory
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, level_name
from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationConfig, AnonymizationError, Solution, solve
from sanitas.core.privacy.k_anonymity.release import (
    KAnonymityFacts,
    global_label,
    load_hierarchies,
)
from sanitas.core.privacy.k_anonymity.rollup import CodedColumn, coded_column, forget_positions
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.privacy.k_anonymity.verify import verify
from sanitas.core.privacy.metrics.risk import RiskReport, risk_report
from sanitas.core.privacy.metrics.utility import utility_report
from sanitas.core.progress import CancelToken, Progress
from sanitas.core.steps.protocol import Batches, BatchRelease, PlanView, StepResult

_LEN = "__k_len__"
MERGE_EVERY = 2_000_000  # class rows gathered before they are merged


def why_not_streamed(section: KAnonymitySection, plan: PlanView) -> str | None:
    """What keeps this section from running batch by batch (None: nothing)."""
    if section.method != "global":
        return "k-anonymity by Mondrian partitioning reads the whole table"
    if section.suppression != "remove":
        return "k-anonymity with masked suppression runs in memory"
    if section.sensitive:
        return "k-anonymity with sensitive columns (l-diversity, t-closeness) runs in memory"
    for column in section.quasi_identifiers:
        ref = section.hierarchies.get(column)
        if ref is not None and ref.unknown_as_star:
            return f"the hierarchy of '{column}' maps unknown values to '*'"
        if plan.actions.get(column, "keep") != "keep":
            return f"quasi-identifier '{column}' has a column action besides k-anonymity"
    return None


def streamed_step(section: KAnonymitySection, batches: Batches, rows: int, *, recipe_dir: Path | None,
                  source: str, unchanged: Sequence[str], progress: Progress, cancel: CancelToken,
                  threshold: float | None = None) -> StreamedKAnonymity:
    """Code the quasi-identifiers batch by batch, then search: the step ready for the release's batches."""
    started = time.perf_counter()
    qis = section.quasi_identifiers
    progress(0.0, "Building generalization hierarchies")
    hierarchies, sources = load_hierarchies(section, _built_from(section, batches), recipe_dir)
    progress(0.1, "Coding the quasi-identifiers")
    coded = _coded(qis, hierarchies, batches, rows, cancel)
    original = pl.DataFrame([pl.Series(q.name, _narrow(q.rows, q.sizes[0])) for q in coded])  # a code per value
    population = {"population": section.population, "sampling_fraction": section.sampling_fraction,
                  **({"threshold": threshold} if threshold is not None else {})}
    before = risk_report(original, qis, None, source=source, **population)
    cancel.raise_if_cancelled()
    progress(0.3, "Searching the lattice of generalizations")
    config = AnonymizationConfig.parse({
        "quasi_identifiers": {c: hierarchies[c] for c in qis}, "k": section.k,
        "average_risk": section.average_risk, "suppression_limit": section.suppression_limit,
        "suppression": section.suppression, "metric": section.metric})
    solution = solve(coded, [], config, rows, cancel=cancel)
    del coded
    forget_positions()
    give_back_memory()
    if solution.suppressed.all():
        raise AnonymizationError(f"{source}: every record would be suppressed")  # the in-memory path says it in full
    return StreamedKAnonymity(section, solution, hierarchies, sources, original, before, unchanged, source,
                              time.perf_counter() - started)


def _built_from(section: KAnonymitySection, batches: Batches) -> pl.DataFrame:
    """The columns whose hierarchy is built from their values (auto), whole, as the in-memory path reads them;
    none for hierarchy files."""
    auto = [c for c in section.quasi_identifiers
            if (ref := section.hierarchies.get(c)) is None or ref.file is None]
    if not auto:
        return pl.DataFrame()
    return pl.concat(list(batches(auto)), how="vertical")


def _coded(qis: list[str], hierarchies: dict[str, Hierarchy], batches: Batches, rows: int,
           cancel: CancelToken) -> list[CodedColumn]:
    """Each quasi-identifier's level-0 codes, gathered batch by batch, as ``code_with_hierarchy`` gives them."""
    parts: dict[str, list[pl.Series]] = {c: [] for c in qis}
    tables: dict[str, tuple[pl.DataFrame, tuple[tuple[str, ...], ...]]] = {}
    for batch in batches(qis):
        cancel.raise_if_cancelled()
        for column in qis:
            encoding = hierarchies[column].encode(batch.get_column(column), rows_at=(0,))
            known = tables.setdefault(column, (encoding.table, encoding.label_sets))
            if known[1] != encoding.label_sets:  # cannot happen without unknown_as_star; never guess
                raise AnonymizationError(f"the hierarchy of '{column}' coded two batches differently")
            parts[column].append(encoding.codes.get_column(level_name(0)))
    coded = []
    for column in qis:
        codes = pl.concat(parts.pop(column)) if column in tables else pl.Series([], dtype=pl.UInt32)
        if codes.len() != rows or column not in tables:
            raise AnonymizationError(f"the pass over '{column}' read {codes.len():,} rows, not {rows:,}")
        coded.append(coded_column(column, codes, *tables[column]))
    return coded


class StreamedKAnonymity(BatchRelease):
    """The chosen node applied to each batch, and the released classes counted for the facts."""

    def __init__(self, section: KAnonymitySection, solution: Solution, hierarchies: dict[str, Hierarchy],
                 sources: dict[str, str], original: pl.DataFrame, before: RiskReport, unchanged: Sequence[str],
                 source: str, seconds: float) -> None:
        self.section, self.solution = section, solution
        self.hierarchies, self.sources = hierarchies, sources
        self.original, self.before, self.source, self.seconds = original, before, source, seconds
        self.unchanged = [c for c in unchanged if c not in section.quasi_identifiers]
        suppressed = solution.suppressed
        self.keep = ~suppressed
        self.rows = int(self.keep.sum())
        self.levels: dict[str, int] = solution.levels
        # the batches gather labels by the level-0 codes, held at 1 or 2 bytes a row instead of 8
        self.generalized = [replace(q, rows=_narrow(q.rows, q.sizes[0]))
                            for q in solution.qis if self.levels[q.name]]
        solution.qis.clear()
        self.schema = {q.name: pl.String() for q in self.generalized}
        self.declared = list(section.quasi_identifiers)
        self.sampling_fraction = (min(1.0, suppressed.size / section.population) if section.population
                                  else section.sampling_fraction)
        self.counted = [*section.quasi_identifiers, *self.unchanged]
        self.parts: list[pl.DataFrame] = []
        self.pending = 0

    def apply(self, source: pl.DataFrame, output: pl.DataFrame, offset: int) -> pl.DataFrame:
        give_back_memory()  # the previous batch's freed heap blocks (its CSV text, written in another thread)
        keep = self.keep[offset:offset + output.height]
        picked = np.flatnonzero(keep) + offset
        released = output if picked.size == output.height else output.filter(pl.Series(keep))
        if self.generalized:
            released = released.with_columns([q.labels_at(self.levels[q.name], picked) for q in self.generalized])
        counted = released.group_by(self.counted).agg(pl.len().alias(_LEN))
        self.parts.append(counted)
        self.pending += counted.height
        if self.pending > MERGE_EVERY:
            self.parts = [self._merged()]
            self.pending = self.parts[0].height
        return released

    def _merged(self) -> pl.DataFrame:
        return pl.concat(self.parts).group_by(self.counted).agg(pl.col(_LEN).sum())

    def finish(self) -> StepResult:
        """The facts of the released records, from their counted classes, verified as ``run`` verifies them."""
        started = time.perf_counter()
        section, solution, qis = self.section, self.solution, self.section.quasi_identifiers
        counts = self._merged()
        self.parts = []
        if self.unchanged:
            with_unchanged = _expanded(counts, self.counted)
            counts = counts.group_by(qis).agg(pl.col(_LEN).sum())
        released = _expanded(counts, qis)
        if released.height == 0:
            raise AnonymizationError(f"{self.source}: every record would be suppressed")
        fraction = self.before.sampling_fraction
        after = risk_report(released, qis, None, sampling_fraction=fraction if section.population is not None
                            else section.sampling_fraction, source=self.source, threshold=self.before.threshold)
        if section.population is not None:
            after = after.model_copy(update={"population": section.population})
        checks = verify(section, released, reference=released, hierarchies=self.hierarchies)
        utility = utility_report(self.original, released, qis, quasi_identifiers=qis, generalization=self.levels,
                                 source=self.source)
        stats = solution.stats
        facts = KAnonymityFacts(
            quasi_identifiers=qis, sensitive=[], method="global", method_label=global_label(stats.exact,
                                                                                             stats.strategy),
            levels=self.levels, heights={c: self.hierarchies[c].height for c in qis},
            metric=section.metric, loss=float(solution.loss), search=stats.model_dump(),
            suppression=section.suppression, suppressed=int(self.keep.size - self.rows),
            suppression_limit=section.suppression_limit, checks=checks, risk_before=self.before,
            risk_after=after, utility=utility, hierarchy_sources=self.sources,
        )
        if self.unchanged:
            facts.unchanged_quasi_identifiers = self.unchanged
            facts.risk_with_unchanged = risk_report(with_unchanged, self.counted, source=self.source,
                                                    sampling_fraction=facts.risk_before.sampling_fraction,
                                                    threshold=self.before.threshold)
        facts.search.setdefault("seconds", self.seconds + time.perf_counter() - started)
        if not facts.all_hold:
            failed = "; ".join(f"{c.model} (required {c.required:g}, found {c.achieved})" for c in facts.checks
                               if not c.holds)
            raise VerificationError(f"Not exporting {self.source}: the released table does not satisfy "
                                    f"{failed}. This should not happen; please report it with the recipe (no data "
                                    "needed).")
        self.original = pl.DataFrame()
        return StepResult(frame=pl.DataFrame(schema=self.schema), facts=facts)


def _narrow(codes: np.ndarray, size: int) -> np.ndarray:
    """``codes`` (all below ``size``) in the narrowest unsigned integer type that holds them."""
    return codes.astype(np.min_scalar_type(max(size - 1, 0)), copy=False)


def _expanded(counts: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """One row per released record, each column a dense id of its released values (null stays null): the
    same classes, distinct values and value counts as the released values, at 4 bytes a cell."""
    ids = counts.select([pl.col(c).rank("dense").cast(pl.UInt32) for c in columns])
    sizes = counts.get_column(_LEN).to_numpy()
    return ids[np.repeat(np.arange(counts.height), sizes)] if counts.height else ids
