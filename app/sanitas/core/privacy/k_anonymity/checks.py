"""What a k_anonymity section needs from the rest of the recipe and from the dataset, checked before any work.

Quasi-identifiers and sensitive columns must exist and reach the step as they are in the input (their
column action is keep: the hierarchy, or Mondrian, does the generalizing); identifying columns must
have an action that removes or replaces them. Quasi-identifiers and sensitive columns count as listed,
so ``unlisted_columns`` never refuses or drops them.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.steps.protocol import PlanView
from sanitas.core.transforms.registry import TRANSFORMS, get_transform


def section_problems(section: KAnonymitySection, plan: PlanView, schema: Mapping[str, pl.DataType]) -> list[str]:
    problems = []
    for role, columns in (("quasi-identifier", section.quasi_identifiers), ("sensitive", section.sensitive),
                          ("identifying", section.identifying)):
        for column in columns:
            if column not in schema:
                problems.append(f"field 'k_anonymity': {role} '{column}' is not in the dataset")
    how = "Mondrian partitioning generalizes it" if section.method == "mondrian" else "its hierarchy generalizes it"
    for column in section.quasi_identifiers:
        action = plan.actions.get(column)
        if action is not None and not get_transform(action).keeps_values:
            problems.append(f"column '{column}': it is a quasi-identifier of k_anonymity, so its action must be 'keep' "
                            f"({how}), not '{action}'")
    for column in section.sensitive:
        action = plan.actions.get(column)
        if column in schema and action is not None and not get_transform(action).keeps_values:
            problems.append(f"column '{column}': it is a sensitive column of k_anonymity, so its action must be "
                            f"'keep' (l-diversity and t-closeness are about its real values), not '{action}'")
    problems += _identifying_problems(plan, section.identifying, schema)
    return problems


def identity_removing_actions() -> str:
    """The actions that remove or replace a value, in words (from the transforms' metadata)."""
    per_value = [name for name, cls in TRANSFORMS.items() if cls.removes_identity and cls.per != "row"]
    per_row = [name for name, cls in TRANSFORMS.items() if cls.removes_identity and cls.per == "row"]
    return ", ".join(per_value) + (f", or {' or '.join(per_row)} for free text" if per_row else "")


def _identifying_problems(plan: PlanView, identifying: list[str], schema: Mapping[str, pl.DataType]) -> list[str]:
    """An identifying column must not reach the release as it is: its action removes or replaces it."""
    problems = []
    for column in identifying:
        action = plan.actions.get(column)
        if column not in schema or (action is None and plan.unlisted_columns in ("drop", "refuse")):
            continue
        if action is None or not get_transform(action).removes_identity:
            how = f"its action is '{action}'" if action is not None else "it has no action under 'columns:'"
            problems.append(f"column '{column}': it is identifying in k_anonymity, but {how}; give it an action "
                            f"that removes or replaces it ({identity_removing_actions()})")
    return problems
