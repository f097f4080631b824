"""The differential-privacy dataset step (order 30: after k-anonymity and synthesis).

``output: records``: the step applies the ``dp_noise`` column actions to the table the earlier steps
released (``noise_columns``), after checking the plan's budget. ``output: aggregates``: the step
releases the figures instead of any record (``frame`` None, ``artifact`` the aggregates table).

The dp_noise parameters live in the recipe's column actions, which the protocol's ``problems``/``run``
do not see, so both take them as a keyword (``column_params``), with the hierarchies' original values
(``hierarchy_domains``) for categories declared by a hierarchy. Randomness: ``context.rng`` None (the
default) means the OS's secure randomness; tests inject a generator there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import polars as pl
from pydantic import BaseModel

from sanitas.core.privacy.dp import budget
from sanitas.core.privacy.dp.column_noise import dtype_problems, noise_columns
from sanitas.core.privacy.dp.facts import (
    AGGREGATES_NEIGHBOURHOOD,
    RECORDS_NEIGHBOURHOOD,
    DifferentialPrivacyFacts,
)
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.privacy.dp.section import BOUNDED, DifferentialPrivacySection
from sanitas.core.steps.protocol import DatasetStep, PlanView, StepContext, StepResult

QUANTILE_NOTE = ("Quantiles come from the exponential mechanism, which has no closed-form honest interval: "
                 "their ci95 columns are empty.")
SELECTION_NOTE = ("Groups no domain declares are released only when a noisy count passes the threshold; "
                  "a figure's interval then holds for the groups released.")


def as_section(section: BaseModel | Mapping[str, object]) -> DifferentialPrivacySection:
    """The typed section, from the model itself or its recipe dict."""
    if isinstance(section, DifferentialPrivacySection):
        return section
    data = section.model_dump() if isinstance(section, BaseModel) else dict(section)
    return DifferentialPrivacySection.model_validate(data)


def dp_noise_params(columns: Mapping[str, Any]) -> dict[str, DpNoiseParams]:
    """{column: DpNoiseParams} of the recipe's ``dp_noise`` actions, from its column plans (objects with
    ``action``/``params``, or their dicts). Raises pydantic's ValidationError for bad params."""
    found: dict[str, DpNoiseParams] = {}
    for name, plan in columns.items():
        action = plan.get("action") if isinstance(plan, Mapping) else getattr(plan, "action", None)
        if action != "dp_noise":
            continue
        params = plan.get("params") if isinstance(plan, Mapping) else getattr(plan, "params", None)
        found[name] = params if isinstance(params, DpNoiseParams) else DpNoiseParams.model_validate(params or {})
    return found


def hierarchy_values(hierarchies: Mapping[str, Any]) -> dict[str, list[str]]:
    """{column: original values} of built hierarchies (``Hierarchy.values``: level 0), to declare domains."""
    return {name: list(h.values) for name, h in hierarchies.items()}


def column_shares(column_params: Mapping[str, DpNoiseParams]) -> dict[str, tuple[float, float]]:
    """{column: (epsilon, delta)} of the dp_noise actions, for ``budget.budget_problems``."""
    return {c: p.share for c, p in column_params.items()}


class DifferentialPrivacyStep(DatasetStep):
    """Per-column DP noise or DP aggregates under one accounted budget."""

    name: ClassVar[str] = "differential_privacy"
    title: ClassVar[str] = "Differential privacy"
    order: ClassVar[int] = 30
    section_model: ClassVar[type[BaseModel]] = DifferentialPrivacySection
    template: ClassVar[str] = "steps/differential_privacy.html.j2"

    def problems(self, section: BaseModel, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
        """Budget, group keys, columns and dtypes, before any work."""
        try:
            params = dp_noise_params({c: {"action": "dp_noise", "params": p}
                                      for c, p in plan.columns_with("dp_noise").items()})
        except ValueError as exc:  # pydantic's ValidationError: the recipe's own check words it per field
            return [f"dp_noise: {exc}"]
        return self.section_problems(section, schema, list(schema), column_params=params,
                                     hierarchy_domains={c: [] for c in hierarchy_columns(plan)})

    def section_problems(
        self,
        section: BaseModel,
        schema: Mapping[str, pl.DataType],
        columns: Sequence[str],
        *,
        column_params: Mapping[str, DpNoiseParams] | None = None,
        hierarchy_domains: Mapping[str, Sequence[str]] | None = None,
    ) -> list[str]:
        """``problems`` with the dp_noise params and hierarchy columns given directly (the core API)."""
        section = as_section(section)
        params = dict(column_params or {})
        hierarchies = dict(hierarchy_domains or {})
        problems = budget.budget_problems(section, column_shares(params), set(hierarchies))
        for i, agg in enumerate(section.aggregates):
            where = agg.label(i)
            for col in [agg.column, *agg.by]:
                if col is not None and col not in columns:
                    problems.append(f"{where}: the table has no column '{col}'")
            dtype = schema.get(agg.column) if agg.column else None
            if agg.statistic in BOUNDED and dtype is not None and not (dtype.is_numeric() or dtype == pl.Null):
                problems.append(f"{where}: {agg.statistic} needs a numeric column; '{agg.column}' is {dtype}")
        for col, p in params.items():
            if col not in columns:
                problems.append(f"columns.{col}: dp_noise on a column the table does not have")
                continue
            problems += [f"columns.{col}: dp_noise: {msg}" for msg in dtype_problems(p, schema[col])]
            if p.domain_from_hierarchy and col not in hierarchies:
                problems.append(f"columns.{col}: dp_noise has domain_from_hierarchy but the column has no "
                                "hierarchy under k_anonymity.hierarchies; add one or list domain")
        return problems

    def covered_columns(self, section: BaseModel) -> set[str]:
        """For aggregates, the columns the figures read (no record of any column is released then)."""
        section = as_section(section)
        if section.output == "records":
            return set()
        return {c for a in section.aggregates for c in [a.column, *a.by] if c is not None}

    def releases_records(self, section: BaseModel) -> bool:
        return as_section(section).output == "records"

    def handles_columns(self, section: BaseModel, plan: PlanView) -> set[str]:
        return set(plan.columns_with("dp_noise"))

    def run(
        self,
        frame: pl.DataFrame,
        section: BaseModel,
        context: StepContext,
        *,
        column_params: Mapping[str, DpNoiseParams] | None = None,
        hierarchy_domains: Mapping[str, Sequence[str]] | None = None,
    ) -> StepResult:
        """Noise the dp_noise columns (records) or release the figures (aggregates).

        Through the engine, the params come from the recipe's dp_noise actions (``context.plan``) and the
        domains of ``domain_from_hierarchy`` from the k_anonymity section's hierarchies."""
        from sanitas.core.privacy.dp.aggregates import release_aggregates  # lazy: diffprivlib

        section = as_section(section)
        if column_params is None and context.plan is not None:
            column_params = dp_noise_params({c: {"action": "dp_noise", "params": p}
                                             for c, p in context.plan.columns_with("dp_noise").items()})
        if hierarchy_domains is None and context.plan is not None:
            hierarchy_domains = _hierarchy_domains(context, column_params or {})
        params = dict(column_params or {})
        hierarchies = dict(hierarchy_domains or {})
        shares = budget.plan_shares(section, column_shares(params), set(hierarchies))
        eps_spent, delta_spent = budget.spend(section, shares)  # BudgetError only if problems() was skipped
        facts = DifferentialPrivacyFacts(
            output=section.output, epsilon_total=section.epsilon, epsilon_spent=eps_spent,
            delta_total=section.delta, delta_spent=delta_spent,
            neighbourhood=AGGREGATES_NEIGHBOURHOOD if section.output == "aggregates" else RECORDS_NEIGHBOURHOOD,
        )
        summary = [f"differential privacy: epsilon {eps_spent:g} of {section.epsilon:g} spent"
                   + (f", delta {delta_spent:g} of {section.delta:g}" if section.delta else "")]
        if section.output == "aggregates":
            deltas = budget.aggregate_deltas(section, column_shares(params), set(hierarchies))
            table, mechanisms = release_aggregates(frame, section, deltas, context.rng, context.progress,
                                                   context.cancel, hierarchy_domains=hierarchies)
            facts.mechanisms = mechanisms
            if any(a.statistic in ("median", "quantile") for a in section.aggregates):
                facts.notes.append(QUANTILE_NOTE)
            if any(m.key_threshold is not None for m in mechanisms):
                facts.notes.append(SELECTION_NOTE)
            summary.append(f"{table.height} figures released from {len(section.aggregates)} aggregate(s); "
                           "no record released")
            return StepResult(frame=None, facts=facts, artifact=table, releases_real_records=False,
                              summary=summary)
        noisy, mechanisms = noise_columns(frame, params, context.rng, context.progress, context.cancel,
                                          hierarchy_domains=hierarchies)
        facts.mechanisms = mechanisms
        column_facts = {m.column: m.model_dump(exclude_none=True, exclude_defaults=True) for m in mechanisms
                        if m.column is not None}
        facts.bounds_estimated = any(m.bounds_source.startswith("estimated") for m in mechanisms)
        if params:
            summary.append(f"DP noise on {len(params)} column(s): {', '.join(params)}")
        return StepResult(frame=noisy, facts=facts, summary=summary, column_facts=column_facts)

    def state(self, facts: BaseModel) -> str:
        assert isinstance(facts, DifferentialPrivacyFacts)
        what = "aggregates released, no record" if facts.output == "aggregates" else "noisy columns"
        spent = f"epsilon {facts.epsilon_spent:g} of {facts.epsilon_total:g}"
        if facts.delta_total:
            spent += f", delta {facts.delta_spent:g} of {facts.delta_total:g}"
        return f"ran ({what}): {spent} spent"

    def summary(self, facts: BaseModel) -> list[str]:
        assert isinstance(facts, DifferentialPrivacyFacts)
        lines = [f"Differential privacy: {self.state(facts)}."]
        for m in facts.mechanisms:
            target = m.column or ""
            if m.statistic:
                target = f"{m.statistic}({m.column or ''})" + (f" by {', '.join(m.by)}" if m.by else "")
            scale = f", noise scale {m.noise_scale:.4g}" if m.noise_scale is not None else ""
            lines.append(f"  {target}: {m.mechanism}, epsilon {m.epsilon:g}{scale}")
        return lines


def hierarchy_columns(plan: PlanView) -> set[str]:
    """Columns for which the k_anonymity section gives (or builds) a hierarchy, for ``domain_from_hierarchy``."""
    section = plan.sections.get("k_anonymity")
    if section is None:
        return set()
    return {*section.quasi_identifiers, *section.hierarchies}  # type: ignore[attr-defined]


def _hierarchy_domains(context: StepContext, params: Mapping[str, DpNoiseParams]) -> dict[str, list[str]]:
    """The original values of the hierarchies that ``domain_from_hierarchy`` columns name (built on the input)."""
    wanted = [c for c, p in params.items() if p.domain_from_hierarchy]
    section = context.plan.sections.get("k_anonymity") if context.plan is not None else None
    if not wanted or section is None or context.source is None:
        return {}
    from sanitas.core.privacy.k_anonymity.release import load_hierarchies

    hierarchies, _ = load_hierarchies(section, context.source, context.recipe_dir)  # type: ignore[arg-type]
    return hierarchy_values({c: h for c, h in hierarchies.items() if c in wanted})
