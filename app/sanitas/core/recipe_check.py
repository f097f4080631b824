"""Check a recipe against the dataset it is about to run on, and resolve unlisted columns.

Every problem is collected (column and field named) before anything runs, so the analyst fixes the
recipe in one pass. Columns the recipe does not mention follow its explicit ``unlisted_columns``
policy; personal columns without an action are refused unless the policy says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from sanitas.core.detect.findings import ColumnFinding
from sanitas.core.errors import PolicyError, RecipeError
from sanitas.core.recipe import ColumnPlan, KAnonymitySection, Recipe, UnlistedPolicy
from sanitas.core.transforms.registry import get_transform

NOT_YET = {
    "synthetic": "synthetic data",
    "differential_privacy": "differential privacy",
}


def recipe_problems(
    recipe: Recipe, schema: Mapping[str, pl.DataType], key_overrides: set[str] | None = None
) -> list[str]:
    """Everything wrong with running ``recipe`` on a table of ``schema`` (empty when it fits)."""
    problems: list[str] = []
    known = set(schema)
    for column, plan in recipe.columns.items():
        if column not in known:
            problems.append(
                f"column '{column}': not in the dataset (its columns are: {_short_list(schema)})"
            )
            continue
        transform = get_transform(plan.action)(plan.params)
        problems += [f"column '{column}', action '{plan.action}': {p}" for p in transform.check(schema[column])]
    available = set(recipe.keys) | set(key_overrides or ())
    for column, key in recipe.key_names_used().items():
        if key not in available:
            problems.append(
                f"column '{column}', field 'params.key': key '{key}' is not defined under 'keys:' "
                "(add `keys: {" + key + ": {env: VARIABLE}}` or a key file)"
            )
    problems += _k_anonymity_problems(recipe, schema)
    for section in recipe.dataset_sections():
        if section not in NOT_YET:
            continue
        problems.append(
            f"field '{section}': {NOT_YET[section]} is not available in this version of Sanitas yet; "
            "remove the section to run the column actions alone"
        )
    return problems


# generalize keeps most of a value (a street without its number) and keep all of it; scrub is there for free
# text, where the residual check then looks for what it missed.
IDENTIFYING_ACTIONS = {"drop", "redact", "mask", "pseudonymize", "fake", "scrub"}


def _k_anonymity_problems(recipe: Recipe, schema: Mapping[str, pl.DataType]) -> list[str]:
    """Quasi-identifiers and sensitive columns exist; a quasi-identifier's own action is keep (its hierarchy,
    or Mondrian, does the generalizing)."""
    section = recipe.k_anonymity
    if section is None:
        return []
    problems = []
    for role, columns in (("quasi-identifier", section.quasi_identifiers), ("sensitive", section.sensitive),
                          ("identifying", section.identifying)):
        for column in columns:
            if column not in schema:
                problems.append(f"field 'k_anonymity': {role} '{column}' is not in the dataset")
    how = "Mondrian partitioning generalizes it" if section.method == "mondrian" else "its hierarchy generalizes it"
    for column in section.quasi_identifiers:
        plan = recipe.columns.get(column)
        if plan is not None and plan.action != "keep":
            problems.append(
                f"column '{column}': it is a quasi-identifier of k_anonymity, so its action must be 'keep' "
                f"({how}), not '{plan.action}'"
            )
    problems += _identifying_problems(recipe, section.identifying, schema)
    problems += _role_problems(recipe, section, schema)
    return problems


def _identifying_problems(recipe: Recipe, identifying: list[str], schema: Mapping[str, pl.DataType]) -> list[str]:
    """An identifying column must not reach the release as it is: its action removes or replaces it."""
    problems = []
    for column in identifying:
        plan = recipe.columns.get(column)
        if column not in schema or (plan is None and recipe.unlisted_columns in (UnlistedPolicy.DROP,
                                                                                 UnlistedPolicy.REFUSE)):
            continue
        if plan is None or plan.action not in IDENTIFYING_ACTIONS:
            how = f"its action is '{plan.action}'" if plan is not None else "it has no action under 'columns:'"
            problems.append(f"column '{column}': it is identifying in k_anonymity, but {how}; give it an action "
                            "that removes or replaces it (drop, redact, mask, pseudonymize, fake, or scrub for "
                            "free text)")
    return problems


def _role_problems(recipe: Recipe, section: KAnonymitySection, schema: Mapping[str, pl.DataType]) -> list[str]:
    """Quasi-identifiers and sensitive columns must reach the k-anonymity step as they are in the input."""
    problems = []
    for role, columns in (("quasi-identifier", section.quasi_identifiers), ("sensitive column", section.sensitive)):
        for column in columns:
            plan = recipe.columns.get(column)
            if column not in schema:
                continue
            if plan is None and recipe.unlisted_columns is UnlistedPolicy.DROP:
                problems.append(f"column '{column}': it is a {role} of k_anonymity, but unlisted columns are "
                                f"dropped (unlisted_columns: drop); add `{column}: {{action: keep}}` under 'columns:'")
            elif role == "sensitive column" and plan is not None and plan.action != "keep":
                problems.append(f"column '{column}': it is a sensitive column of k_anonymity, so its action must be "
                                f"'keep' (l-diversity and t-closeness are about its real values), not '{plan.action}'")
    return problems


def check_recipe(
    recipe: Recipe, schema: Mapping[str, pl.DataType], source: str, key_overrides: set[str] | None = None
) -> None:
    problems = recipe_problems(recipe, schema, key_overrides)
    if problems:
        raise RecipeError(f"{source}: the recipe does not fit this dataset:", problems)


def unlisted_columns(recipe: Recipe, columns: list[str]) -> list[str]:
    return [c for c in columns if c not in recipe.columns]


def resolve_plan(
    recipe: Recipe, columns: list[str], findings: Mapping[str, ColumnFinding]
) -> dict[str, ColumnPlan]:
    """The action for every column of the dataset, in the dataset's order.

    ``findings`` must cover the unlisted columns when the policy is keep-non-personal.
    """
    plan: dict[str, ColumnPlan] = {}
    refused: list[str] = []
    for column in columns:
        if column in recipe.columns:
            plan[column] = recipe.columns[column]
            continue
        policy = recipe.unlisted_columns
        if policy is UnlistedPolicy.KEEP:
            plan[column] = ColumnPlan(action="keep", note="unlisted: kept by policy 'keep'")
        elif policy is UnlistedPolicy.DROP:
            plan[column] = ColumnPlan(action="drop", note="unlisted: dropped by policy 'drop'")
        elif policy is UnlistedPolicy.REFUSE:
            refused.append(f"'{column}'")
        else:
            finding = findings.get(column)
            if finding is not None and finding.is_personal:
                what = finding.top_entity or finding.kind.value
                refused.append(f"'{column}' ({what})")
            else:
                plan[column] = ColumnPlan(action="keep", note="unlisted: no personal data found")
    if refused:
        if recipe.unlisted_columns is UnlistedPolicy.REFUSE:
            why = "the recipe's policy 'refuse' requires every column to be listed"
        else:
            why = "they hold personal data and the recipe gives them no action"
        raise PolicyError(
            f"Not exporting: {', '.join(refused)}: {why}. Add an action for each under 'columns:' "
            "(`action: keep` releases a column as it is), or set 'unlisted_columns'."
        )
    return plan


def _short_list(schema: Mapping[str, pl.DataType], limit: int = 12) -> str:
    names = list(schema)
    text = ", ".join(names[:limit])
    return text + (f", ... ({len(names)} in all)" if len(names) > limit else "")
