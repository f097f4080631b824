"""What a k_anonymity section needs from the rest of the recipe and from the dataset, checked before any work.

Quasi-identifiers and sensitive columns must exist and reach the step as they are in the input (their
column action is keep: the hierarchy, or Mondrian, does the generalizing); identifying columns must
have an action that removes or replaces them. Quasi-identifiers and sensitive columns count as listed,
so ``unlisted_columns`` never refuses or drops them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.steps.protocol import PlanView


@dataclass(frozen=True)
class RoleConflict:
    """A column whose action contradicts its role: the recipe and the workbench each word it for their reader."""

    column: str
    role: str  # "quasi-identifier", "sensitive" or "identifying"
    action: str | None  # None: the column has no action


def role_conflicts(section: KAnonymitySection, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[RoleConflict]:
    """Quasi-identifiers and sensitive columns must reach the step as they are (action keep); identifying
    columns must not (their action removes or replaces them)."""
    conflicts = []
    for role, columns in (("quasi-identifier", section.quasi_identifiers), ("sensitive", section.sensitive)):
        for column in columns:
            action = plan.actions.get(column)
            if column in schema and action is not None and action not in plan.keeping_actions:
                conflicts.append(RoleConflict(column, role, action))
    for column in section.identifying:
        action = plan.actions.get(column)
        if column not in schema or (action is None and plan.unlisted_columns in ("drop", "refuse")):
            continue
        if action is None or action not in plan.identity_removing_actions:
            conflicts.append(RoleConflict(column, "identifying", action))
    return conflicts


def section_problems(section: KAnonymitySection, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
    problems = []
    for role, columns in (("quasi-identifier", section.quasi_identifiers), ("sensitive", section.sensitive),
                          ("identifying", section.identifying)):
        for column in columns:
            if column not in schema:
                problems.append(f"field 'k_anonymity': {role} '{column}' is not in the dataset")
    how = "Mondrian partitioning generalizes it" if section.method == "mondrian" else "its hierarchy generalizes it"
    for c in role_conflicts(section, plan, schema):
        if c.role == "quasi-identifier":
            problems.append(f"column '{c.column}': it is a quasi-identifier of k_anonymity, so its action must be "
                            f"'keep' ({how}), not '{c.action}'")
        elif c.role == "sensitive":
            problems.append(f"column '{c.column}': it is a sensitive column of k_anonymity, so its action must be "
                            f"'keep' (l-diversity and t-closeness are about its real values), not '{c.action}'")
        else:
            how_now = f"its action is '{c.action}'" if c.action is not None else "it has no action under 'columns:'"
            problems.append(f"column '{c.column}': it is identifying in k_anonymity, but {how_now}; give it an action "
                            f"that removes or replaces it ({identity_removing_actions(plan)})")
    return problems


def identity_removing_actions(plan: PlanView) -> str:
    """The actions that remove or replace a value, in words (from the transforms' metadata)."""
    per_value = [name for name in plan.identity_removing_actions if name not in plan.free_text_actions]
    per_row = [name for name in plan.identity_removing_actions if name in plan.free_text_actions]
    return ", ".join(per_value) + (f", or {' or '.join(per_row)} for free text" if per_row else "")
