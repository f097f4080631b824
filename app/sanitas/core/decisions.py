"""One rule for what the release knows about each column: effective entity, kind, correction, proposed role.

Detection gives a finding; the analyst may correct its entity or kind in the recipe. Every consumer
(engine, preview, workbench document, k-anonymity roles, report) asks here, so a correction means the
same thing in the preview as in the release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sanitas.core.detect.findings import ColumnFinding, ColumnKind


class PlanLike(Protocol):
    """A column's plan as the recipe holds it (recipe.ColumnPlan): the decisions need only these fields."""

    action: str
    entity: str | None
    kind: ColumnKind | None


@dataclass(frozen=True)
class ColumnDecision:
    """What the release knows about one input column before any step runs.

    ``entity``/``kind`` are the effective ones (the analyst's correction wins over detection);
    ``action`` is the column action the release applies (``keep`` for columns a step covers).
    """

    name: str
    action: str
    entity: str | None
    kind: ColumnKind | None
    corrected: bool
    finding: ColumnFinding | None = None

    @property
    def is_personal(self) -> bool:
        return self.kind is not None and self.kind.is_personal


def effective_entity(plan: PlanLike | None, finding: ColumnFinding | None) -> str | None:
    """The analyst's entity wins; a column corrected to not personal has none unless the analyst names one."""
    if plan is not None and (plan.entity or plan.kind is ColumnKind.NOT_PERSONAL):
        return plan.entity
    return finding.top_entity if finding is not None else None


def effective_kind(plan: PlanLike | None, finding: ColumnFinding | None) -> ColumnKind | None:
    if plan is not None and plan.kind is not None:
        return plan.kind
    return finding.kind if finding is not None else None


def is_corrected(plan: PlanLike | None) -> bool:
    return plan is not None and (plan.entity is not None or plan.kind is not None)


def decide(name: str, plan: PlanLike | None, finding: ColumnFinding | None,
           action: str | None = None) -> ColumnDecision:
    return ColumnDecision(
        name=name, action=action or (plan.action if plan is not None else "keep"),
        entity=effective_entity(plan, finding), kind=effective_kind(plan, finding), corrected=is_corrected(plan),
        finding=finding,
    )


def decide_all(columns: Iterable[str], plans: Mapping[str, PlanLike], findings: Mapping[str, ColumnFinding],
               ) -> dict[str, ColumnDecision]:
    """A decision for every column, in the dataset's order; a column without a plan keeps its finding."""
    return {name: decide(name, plans.get(name), findings.get(name)) for name in columns}
