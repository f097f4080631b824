"""k-anonymity as a dataset-level step: the recipe section's checks, the run, and how its facts read.

The work itself is in release.py (global recoding or Mondrian, then the independent check); this
module is what the engine, the report, the CLI and the workbench see of it through the step protocol.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

import polars as pl
from pydantic import BaseModel

from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import VerificationError
from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts, k_anonymity_step
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.steps.protocol import Batches, BatchRelease, DatasetStep, PlanView, StepContext, StepResult


class KAnonymityStep(DatasetStep):
    name: ClassVar[str] = "k_anonymity"
    title: ClassVar[str] = "k-anonymity"
    order: ClassVar[int] = 10
    section_model: ClassVar[type[BaseModel]] = KAnonymitySection
    template: ClassVar[str] = "steps/k_anonymity.html.j2"

    def covered_columns(self, section: BaseModel) -> set[str]:
        assert isinstance(section, KAnonymitySection)
        return {*section.quasi_identifiers, *section.sensitive}

    def problems(self, section: BaseModel, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
        from sanitas.core.privacy.k_anonymity.checks import section_problems

        assert isinstance(section, KAnonymitySection)
        return section_problems(section, plan, schema)

    def data_problems(self, section: BaseModel, table: pl.LazyFrame) -> list[str]:
        from sanitas.core.privacy.k_anonymity.mondrian import null_quasi_identifier_problems

        assert isinstance(section, KAnonymitySection)
        if section.method != "mondrian":
            return []  # global recoding counts a null as one more value
        return null_quasi_identifier_problems(table, section.quasi_identifiers)

    def why_not_per_batch(self, section: BaseModel, plan: PlanView) -> str | None:
        from sanitas.core.privacy.k_anonymity.batches import why_not_streamed

        assert isinstance(section, KAnonymitySection)
        return why_not_streamed(section, plan)

    def per_batch(self, section: BaseModel, context: StepContext, batches: Batches, rows: int) -> BatchRelease:
        from sanitas.core.privacy.k_anonymity.batches import streamed_step

        assert isinstance(section, KAnonymitySection)
        return streamed_step(section, batches, rows, recipe_dir=context.recipe_dir, source=context.source_name,
                             unchanged=_unchanged(section, context), progress=context.progress,
                             cancel=context.cancel, threshold=_threshold(context))

    def run(self, frame: pl.DataFrame, section: BaseModel, context: StepContext) -> StepResult:
        assert isinstance(section, KAnonymitySection)
        unchanged = _unchanged(section, context)
        started = time.perf_counter()
        released, facts = k_anonymity_step(frame, section, recipe_dir=context.recipe_dir, source=context.source_name,
                                           progress=context.progress, cancel=context.cancel,
                                           unchanged_quasi_identifiers=unchanged, threshold=_threshold(context))
        facts.search.setdefault("seconds", time.perf_counter() - started)
        if not facts.all_hold:  # the independent check is the last gate: never release what it rejects
            failed = "; ".join(f"{c.model} (required {c.required:g}, found {c.achieved})" for c in facts.checks
                               if not c.holds)
            raise VerificationError(f"Not exporting {context.source_name}: the released table does not satisfy "
                                    f"{failed}. This should not happen; please report it with the recipe (no data "
                                    "needed).")
        return StepResult(frame=released, facts=facts)

    def state(self, facts: BaseModel) -> str:
        assert isinstance(facts, KAnonymityFacts)
        models = ", ".join(c.model for c in facts.checks)
        verdict = "all hold" if facts.all_hold else "NOT ALL HOLD"
        how = "Mondrian partitioning" if facts.method == "mondrian" else f"{facts.search.get('strategy')} search"
        uncovered = (f"; not covering {', '.join(facts.unchanged_quasi_identifiers)}, released unchanged"
                     if facts.unchanged_quasi_identifiers else "")
        return f"ran ({how}): {models}: {verdict} on the released records{uncovered}"

    def warnings(self, facts: BaseModel) -> list[str]:
        assert isinstance(facts, KAnonymityFacts)
        risk = facts.risk_with_unchanged
        if not facts.unchanged_quasi_identifiers or risk is None:
            return []
        return [f"Warning: {', '.join(facts.unchanged_quasi_identifiers)} (detected as quasi-identifying) is released "
                "unchanged outside the k_anonymity section, which therefore does not cover it: with it the smallest "
                f"class is {risk.k} and {risk.sample_uniques:,} records are unique."]

    def summary(self, facts: BaseModel) -> list[str]:
        assert isinstance(facts, KAnonymityFacts)
        models = ", ".join(f"{c.model} {'holds' if c.holds else 'FAILS'}" for c in facts.checks)
        if facts.method == "mondrian":
            where = f"{facts.partitions:,} partitions"
        else:
            where = "levels " + ", ".join(
                f"{c} {facts.levels[c]}/{facts.heights[c] - 1}"
                + (" (fully generalized: every value released as '*')"
                   if facts.heights[c] > 1 and facts.levels[c] == facts.heights[c] - 1 else "")
                for c in facts.quasi_identifiers)
        before, after = facts.risk_before, facts.risk_after
        warning = []
        if facts.unchanged_quasi_identifiers and facts.risk_with_unchanged is not None:
            risk = facts.risk_with_unchanged
            warning = [f"  Warning: {', '.join(facts.unchanged_quasi_identifiers)} (quasi-identifying) released "
                       f"unchanged outside k_anonymity: with it the smallest class is {risk.k} and "
                       f"{risk.sample_uniques:,} records are unique. Add it to quasi_identifiers, or drop or "
                       "replace it."]
        return [
            f"k-anonymity: {models}.",
            f"  {facts.method_label}; {where}; {facts.suppressed:,} records suppressed.",
            f"  Prosecutor risk, highest {before.prosecutor_risk.highest:.1%} -> {after.prosecutor_risk.highest:.1%}, "
            f"average {before.prosecutor_risk.average:.1%} -> {after.prosecutor_risk.average:.1%}; sample uniques "
            f"{before.sample_uniques:,} -> {after.sample_uniques:,}.",
            *warning,
        ]

    def column_result(self, column: str, facts: BaseModel, released: pl.DataFrame | None) -> dict[str, Any] | None:
        """A quasi-identifier's own action is keep, but the step generalized it: say so, and how far."""
        assert isinstance(facts, KAnonymityFacts)
        if column not in facts.quasi_identifiers:
            return None
        if facts.method == "mondrian":
            how = "k-anonymity, Mondrian partition labels"
        else:
            level, height = facts.levels.get(column, 0), facts.heights.get(column, 1)
            how = f"k-anonymity, level {level} of {height - 1}"
            if height > 1 and level == height - 1:
                how += " (fully generalized: every value released as '*')"
        dtype = released.schema.get(column) if released is not None else None
        return {"result": "generalized", "output_dtype": str(dtype) if dtype is not None else None,
                "facts": {"generalized_by": how, "rows": _released_rows(facts, released),
                          "suppressed": facts.suppressed}}

    def files_read(self, section: BaseModel) -> dict[str, str]:
        assert isinstance(section, KAnonymitySection)
        return {ref.file: f"the hierarchy file of column '{column}'" for column, ref in section.hierarchies.items()
                if ref.file is not None}


def _released_rows(facts: KAnonymityFacts, released: pl.DataFrame | None) -> int:
    """Rows of the released table: the records the risk after counts, plus the masked ones (kept as '*').
    From the facts, so that a released table of counted combinations (the Spark engine's) reads the same."""
    if released is None:
        return 0
    return facts.risk_after.records + facts.risk_after.suppressed


def _threshold(context: StepContext) -> float | None:
    """The release's effective risk threshold (the recipe's, else the settings'), so the step's risk figures
    count records at risk as the release's headline does."""
    if context.plan is not None and context.plan.risk_threshold is not None:
        return context.plan.risk_threshold
    return getattr(context.settings, "risk_threshold", None)


def _unchanged(section: KAnonymitySection, context: StepContext) -> list[str]:
    """Columns detected as quasi-identifying, kept as they are and outside the section."""
    roles = {*section.quasi_identifiers, *section.sensitive, *section.identifying}
    return [d.name for d in context.decisions.values()
            if d.kind is ColumnKind.QUASI_IDENTIFIER and d.action == "keep" and d.name not in roles]
