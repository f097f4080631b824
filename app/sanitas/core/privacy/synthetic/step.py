"""The ``synthetic`` dataset-level step: a whole synthetic table instead of the real rows.

What the section means for the column actions (the engine applies them around ``run``, see the hooks):
- every column that is not dropped is synthesized (``covers_all_columns``), so ``unlisted_columns`` refuses
  nothing: no real value is released;
- ``drop`` removes the column before training (the engine drops it; ``run`` never sees it);
- direct identifiers (detected, corrected, or given a ``fake`` action, whose entity is used) are generated
  by format, never learned; the step performs the ``fake`` actions itself (``handles_columns``);
- ``mask``, ``redact`` and ``generalize`` apply to the synthetic values after sampling (``defers``);
- ``keep`` (unless the plan only corrects the finding: ``{action: keep, kind: identifier}``) and
  ``pseudonymize`` are refused: nothing real is kept, and a pseudonym of a synthetic value
  protects nobody; ``dp_noise`` and a ``k_anonymity`` or ``differential_privacy`` section are refused too
  (one release model at a time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import polars as pl
from pydantic import BaseModel

from sanitas.core.decisions import ColumnDecision
from sanitas.core.errors import RecipeError
from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.core.privacy.synthetic.supported import SUPPORTED, unsupported
from sanitas.core.steps.protocol import DatasetStep, PlanView, StepContext, StepResult

IDENTIFIER = "identifier"
QUASI_IDENTIFIER = "quasi-identifier"
AFTER_SAMPLING = frozenset({"mask", "redact", "generalize"})
BEFORE_TRAINING = frozenset({"drop"})
BY_FORMAT = frozenset({"fake"})  # picks the entity the identifier is generated as
REFUSED: dict[str, str] = {
    "keep": "a synthetic release keeps no real value; leave the column unlisted (it is synthesized) or drop it",
    "pseudonymize": "pseudonyms of synthetic values protect nobody and break the model's statistics; leave the "
                    "column unlisted (it is synthesized), use fake for an identifier, or drop it",
    "dp_noise": "dp_noise cannot be combined with a whole-table synthetic section yet (one release model at a "
                "time); remove one of them",
    "synthesize": "the whole table is synthesized already; leave the column unlisted",
    "scrub": "free text cannot be synthesized; drop the column, or leave it unlisted to have it replaced by "
             "random text",
}
OTHER_MODELS = ("k_anonymity", "differential_privacy")


def as_section(section: BaseModel | Mapping[str, object]) -> SyntheticSection:
    """The typed section, from the model itself or its recipe dict."""
    if isinstance(section, SyntheticSection):
        return section
    data = section.model_dump() if isinstance(section, BaseModel) else dict(section)
    return SyntheticSection.model_validate(data)


def identifiers_from(decisions: Mapping[str, ColumnDecision],
                     params: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, str]:
    """Column -> entity for every direct identifier: detected or corrected as one, or given ``fake`` (whose
    ``entity`` parameter, when set, wins over the column's effective entity)."""
    out = {}
    for name, d in decisions.items():
        if d.action in BEFORE_TRAINING:
            continue
        if d.kind == IDENTIFIER or d.action in BY_FORMAT:
            chosen = (params or {}).get(name, {}).get("entity") if d.action in BY_FORMAT else None
            out[name] = str(chosen or d.entity or "ID").upper()
    return out


def quasi_identifiers_from(decisions: Mapping[str, ColumnDecision]) -> list[str]:
    return [n for n, d in decisions.items() if d.kind == QUASI_IDENTIFIER and d.action not in BEFORE_TRAINING]


class SyntheticStep(DatasetStep):
    """Whole-table synthetic data with SDV 2.0, judged by SDMetrics quality, privacy and utility figures."""

    name: ClassVar[str] = "synthetic"
    title: ClassVar[str] = "Synthetic data"
    order: ClassVar[int] = 20
    section_model: ClassVar[type[BaseModel]] = SyntheticSection
    template: ClassVar[str] = "steps/synthetic.html.j2"

    def problems(self, section: BaseModel, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
        """Everything wrong before any work (identifiers are known only after the scan: ``run`` checks those)."""
        section = as_section(section)
        out: list[str] = []
        dropped = {n for n, a in plan.actions.items() if a in BEFORE_TRAINING}
        for other in OTHER_MODELS:
            if other in plan.sections:
                out.append(f"synthetic: a whole-table synthetic section cannot be combined with {other} yet (one "
                           "release model at a time); remove one of the two sections")
        for name, action in sorted(plan.actions.items()):
            if action == "keep" and name in plan.corrected and not plan.params.get(name):
                continue  # a correction of the finding (kind: identifier...), not a wish to keep real values
            if action in REFUSED:
                out.append(f"column '{name}': action {action} with a synthetic section: {REFUSED[action]}")
        for field, names in section.referenced_columns().items():
            for name in names:
                if name not in schema:
                    out.append(f"synthetic.{field}: no column named '{name}' in the dataset")
                elif name in dropped:
                    out.append(f"synthetic.{field}: column '{name}' is dropped before training; keep it or "
                               f"remove it from synthetic.{field}")
        for name in plan.columns_with("fake"):
            if name in section.constraints.columns() and name not in section.sdtypes:
                out.append(f"synthetic.constraints: column '{name}' is faked (generated by format); a constraint "
                           "cannot apply to it")
        for name, dtype in schema.items():
            if name not in dropped and unsupported(dtype):
                out.append(f"column '{name}': {dtype} columns cannot be synthesized ({SUPPORTED} can); drop it")
        if not [c for c in schema if c not in dropped]:
            out.append("synthetic: every column is dropped; nothing is left to synthesize")
        return out

    def identifier_problems(self, section: SyntheticSection, identifiers: Mapping[str, str]) -> list[str]:
        """What the scan's identifiers make impossible: they are generated by format, never learned."""
        out = []
        for name in dict.fromkeys(section.constraints.columns()):
            if name in identifiers and name not in section.sdtypes:
                out.append(f"synthetic.constraints: column '{name}' is a direct identifier, generated by format; "
                           "a constraint cannot apply to it (remove it, or give it an sdtype under synthetic.sdtypes)")
        target = section.evaluation.target
        if target and target in identifiers and target not in section.sdtypes:
            out.append(f"synthetic.evaluation.target: column '{target}' is a direct identifier (generated by "
                       "format), so there is nothing to predict; name another column")
        return out

    def covers_all_columns(self, section: BaseModel) -> bool:
        return True

    def covered_columns(self, section: BaseModel) -> set[str]:
        """The columns the section names; every other column is synthesized too (``covers_all_columns``)."""
        return {c for names in as_section(section).referenced_columns().values() for c in names}

    def handles_columns(self, section: BaseModel, plan: PlanView) -> set[str]:
        """``fake`` columns: the step generates them by format (the action only picks the entity)."""
        return set(plan.columns_with("fake"))

    def defers(self, section: BaseModel, action: str) -> bool:
        return action in AFTER_SAMPLING

    def run(self, frame: pl.DataFrame, section: BaseModel, context: StepContext) -> StepResult:
        """``frame``: the real rows after drops and before any other column action (see the module doc)."""
        from sanitas.core.privacy.synthetic.release import synthesize  # lazy: pandas, then SDV when it runs

        section = as_section(section)
        decisions = {n: d for n, d in context.decisions.items() if n in frame.columns}
        params = context.plan.params if context.plan is not None else {}
        identifiers = identifiers_from(decisions, params)
        problems = self.identifier_problems(section, identifiers)
        if problems:
            raise RecipeError(f"{context.source_name}: the synthetic section does not fit the scanned columns:",
                              problems)
        release = synthesize(frame, section, identifiers=identifiers,
                             quasi_identifiers=quasi_identifiers_from(decisions), seed=context.seed,
                             locale=context.locale, progress=context.progress, cancel=context.cancel)
        column_facts = {name: {"generated_by": "format", "entity": identifiers[name]}
                        for name in (context.plan.columns_with("fake") if context.plan is not None else {})
                        if name in identifiers}
        return StepResult(frame=release.frame, facts=release.facts, releases_real_records=False,
                          column_facts=column_facts)

    def state(self, facts: BaseModel) -> str:
        assert isinstance(facts, SyntheticFacts)
        flagged = " — privacy check FLAGGED" if self.withhold_reasons(facts) else ""
        return (f"ran: {facts.rows_generated:,} synthetic rows from {facts.synthesizer}, no real record "
                f"released{flagged}")

    def warnings(self, facts: BaseModel) -> list[str]:
        assert isinstance(facts, SyntheticFacts)
        out = list(self.withhold_reasons(facts))
        p = facts.privacy
        if p is not None and p.dcr_flagged and p.dcr_share is not None:
            out.append(f"{p.dcr_share:.1%} of the synthetic rows are closer to the training rows than to the "
                       "holdout (50% is ideal): the synthesizer may have memorized training rows.")
        return out

    def withhold_reasons(self, facts: BaseModel) -> list[str]:
        """The exact-copy flag: more synthetic rows equal a real training row than chance explains."""
        assert isinstance(facts, SyntheticFacts)
        p = facts.privacy
        if p is None or not p.flagged:
            return []
        base = f"{p.baseline:.2%}" if p.baseline is not None else "none"
        return [f"{p.exact_copies:.2%} of the synthetic rows copy a real training row on every column, above the "
                f"{p.threshold or 0:.2%} threshold (twice the holdout's chance baseline of {base}, plus 0.1 "
                "percentage point)."]

    def summary(self, facts: BaseModel) -> list[str]:
        assert isinstance(facts, SyntheticFacts)
        return summary(facts)

    def column_result(self, column: str, facts: BaseModel, released: pl.DataFrame | None) -> dict[str, Any] | None:
        assert isinstance(facts, SyntheticFacts)
        if released is None or column not in released.columns:
            return None
        how = "generated by format, never learned" if column in facts.generated_columns else "synthesized"
        return {"result": "replaced", "output_dtype": str(released.schema[column]),
                "facts": {"synthetic": how, "sdtype": facts.sdtypes.get(column)}}


def summary(facts: SyntheticFacts) -> list[str]:
    """One-line outcomes for the CLI and the status bar (figures only)."""
    lines = [f"Synthetic data: {facts.rows_generated:,} rows from {facts.synthesizer} trained on "
             f"{facts.rows_trained:,} rows ({facts.rows_held_out:,} held out) in "
             f"{facts.seconds.get('total', 0.0):.1f} s; no real record released."]
    if facts.quality and facts.quality.score is not None:
        diag = facts.quality.diagnostic
        extra = f", diagnostic {diag.score:.2f}" if diag is not None and diag.score is not None else ""
        lines.append(f"  quality score {facts.quality.score:.2f}{extra}")
    p = facts.privacy
    if p is not None:
        base = f" (baseline {p.baseline:.2%})" if p.baseline is not None else ""
        lines.append(f"  exact copies {p.exact_copies:.2%}{base}" + (" — FLAGGED" if p.flagged else ""))
        if p.dcr_share is not None:
            lines.append(f"  closer to training than holdout: {p.dcr_share:.1%} (50% ideal)"
                         + (" — FLAGGED" if p.dcr_flagged else ""))
        if p.k is not None:
            lines.append(f"  k-anonymity of the synthetic rows on {', '.join(p.quasi_identifiers)}: k = {p.k}")
    if facts.utility and facts.utility.tstr is not None:
        u = facts.utility
        real = f"{u.trtr:.3f}" if u.trtr is not None else "n/a"
        lines.append(f"  utility ({u.metric} on {u.target}): trained on synthetic {u.tstr:.3f}, on real {real}")
    lines += [f"  not given: {m}" for m in facts.missing]
    return lines
