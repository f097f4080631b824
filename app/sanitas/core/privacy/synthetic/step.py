"""The ``synthetic`` dataset-level step: a whole synthetic table instead of the real rows.

What the section means for the column actions (the engine applies them around ``run``):
- every column that is not dropped is synthesized, so ``unlisted_columns`` refuses nothing;
- ``drop`` removes the column before training (the engine drops it; ``run`` never sees it);
- direct identifiers (detected, corrected, or given a ``fake`` action, whose entity is used) are generated
  by format, never learned;
- ``mask``, ``redact`` and ``generalize`` apply to the synthetic values after sampling (``AFTER_SAMPLING``);
- ``keep`` and ``pseudonymize`` are refused: nothing real is kept, and a pseudonym of a synthetic value
  protects nobody; ``dp_noise`` and a ``k_anonymity`` section are refused too (one release model at a time).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import ClassVar

import polars as pl
from pydantic import BaseModel

from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.core.privacy.synthetic.frames import SUPPORTED, unsupported
from sanitas.core.privacy.synthetic.release import synthesize
from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.core.steps.protocol import ColumnDecision, StepContext, StepResult

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


def identifiers_from(decisions: Mapping[str, ColumnDecision]) -> dict[str, str]:
    """Column -> entity for every direct identifier: detected or corrected as one, or given ``fake``."""
    out = {}
    for name, d in decisions.items():
        if d.action in BEFORE_TRAINING:
            continue
        if d.kind == IDENTIFIER or d.action in BY_FORMAT:
            out[name] = (d.entity or "ID").upper()
    return out


def quasi_identifiers_from(decisions: Mapping[str, ColumnDecision]) -> list[str]:
    return [n for n, d in decisions.items() if d.kind == QUASI_IDENTIFIER and d.action not in BEFORE_TRAINING]


class SyntheticStep:
    """Whole-table synthetic data with SDV 2.0, judged by SDMetrics quality, privacy and utility figures."""

    name: ClassVar[str] = "synthetic"
    title: ClassVar[str] = "Synthetic data"
    order: ClassVar[int] = 20
    section_model: ClassVar[type[BaseModel]] = SyntheticSection
    template: ClassVar[str] = "steps/synthetic.html.j2"
    covers_all_columns: ClassVar[bool] = True  # every column not dropped is synthesized

    def problems(self, section: BaseModel, schema: Mapping[str, pl.DataType],
                 decisions: Mapping[str, ColumnDecision], columns: Sequence[str], *,
                 explicit_actions: Mapping[str, str] | None = None,
                 other_sections: Collection[str] = ()) -> list[str]:
        """Everything wrong before any work. ``explicit_actions`` are the actions the recipe itself lists (the
        decisions show ``keep`` for unlisted columns too); ``other_sections`` the recipe's other top-level steps."""
        assert isinstance(section, SyntheticSection)
        out: list[str] = []
        known = set(columns)
        actions = dict(explicit_actions) if explicit_actions is not None else {
            n: d.action for n, d in decisions.items() if d.action != "keep"}
        dropped = {n for n, a in actions.items() if a in BEFORE_TRAINING}
        if "k_anonymity" in other_sections:
            out.append("synthetic: a whole-table synthetic section cannot be combined with k_anonymity yet (one "
                       "release model at a time); remove one of the two sections")
        for name, action in sorted(actions.items()):
            if action in REFUSED:
                out.append(f"column '{name}': action {action} with a synthetic section: {REFUSED[action]}")
        for field, names in section.referenced_columns().items():
            for name in names:
                if name not in known:
                    out.append(f"synthetic.{field}: no column named '{name}' in the dataset")
                elif name in dropped:
                    out.append(f"synthetic.{field}: column '{name}' is dropped before training; keep it or "
                               f"remove it from synthetic.{field}")
        ids = identifiers_from(decisions)
        for name in section.constraints.columns():
            if name in ids and name not in section.sdtypes:
                out.append(f"synthetic.constraints: column '{name}' is a direct identifier, generated by format; "
                           "a constraint cannot apply to it")
        target = section.evaluation.target
        if target and target in ids and target not in section.sdtypes:
            out.append(f"synthetic.evaluation.target: column '{target}' is a direct identifier (generated by "
                       "format), so there is nothing to predict; name another column")
        for name in columns:
            dtype = schema.get(name)
            if name not in dropped and dtype is not None and unsupported(dtype):
                out.append(f"column '{name}': {dtype} columns cannot be synthesized ({SUPPORTED} can); drop it")
        if len([c for c in columns if c not in dropped]) == 0:
            out.append("synthetic: every column is dropped; nothing is left to synthesize")
        return out

    def covered_columns(self, section: BaseModel) -> set[str]:
        """The columns the section names; every other column is synthesized too (``covers_all_columns``)."""
        assert isinstance(section, SyntheticSection)
        return {c for names in section.referenced_columns().values() for c in names}

    def run(self, frame: pl.DataFrame, section: BaseModel, context: StepContext) -> StepResult:
        """``frame``: the real rows after drops and before any other column action (see the module doc)."""
        assert isinstance(section, SyntheticSection)
        decisions = {n: d for n, d in context.decisions.items() if n in frame.columns}
        release = synthesize(frame, section, identifiers=identifiers_from(decisions),
                             quasi_identifiers=quasi_identifiers_from(decisions), seed=context.seed,
                             locale=context.locale, progress=context.progress, cancel=context.cancel)
        return StepResult(frame=release.frame, facts=release.facts, releases_real_records=False,
                          summary=summary(release.facts))


def summary(facts: SyntheticFacts) -> list[str]:
    """One-line outcomes for the CLI and the status bar (figures only)."""
    lines = [f"synthetic: {facts.rows_generated:,} rows from {facts.synthesizer} trained on {facts.rows_trained:,} "
             f"rows ({facts.rows_held_out:,} held out) in {facts.seconds.get('total', 0.0):.1f} s"]
    if facts.quality and facts.quality.score is not None:
        lines.append(f"quality score {facts.quality.score:.2f}")
    p = facts.privacy
    if p is not None:
        base = f" (baseline {p.baseline:.2%})" if p.baseline is not None else ""
        lines.append(f"exact copies {p.exact_copies:.2%}{base}" + (" — FLAGGED" if p.flagged else ""))
        if p.dcr_share is not None:
            lines.append(f"closer to training than holdout: {p.dcr_share:.1%} (50% ideal)"
                         + (" — FLAGGED" if p.dcr_flagged else ""))
    if facts.utility and facts.utility.tstr is not None:
        u = facts.utility
        lines.append(f"utility ({u.metric} on {u.target}): synthetic {u.tstr:.3f}, real {u.trtr or 0:.3f}")
    return lines
