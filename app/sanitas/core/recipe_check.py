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
from sanitas.core.recipe import ColumnPlan, Recipe, UnlistedPolicy
from sanitas.core.step_registry import STEPS, covered_columns, releases_records
from sanitas.core.steps.protocol import PlanView
from sanitas.core.transforms.registry import TRANSFORMS, get_transform


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
    needs_section = {c: p.action for c, p in recipe.columns.items() if p.action == "dp_noise"}
    if needs_section and recipe.differential_privacy is None:
        problems.append(f"columns {', '.join(needs_section)}: dp_noise spends a privacy budget, so the recipe needs a "
                        "'differential_privacy' section with the total: add `differential_privacy: {epsilon: 1.0}` "
                        "(the shares of the columns must add up to at most that)")
    for name, section in recipe.dataset_sections().items():
        step = STEPS.get(name)
        if step is None:
            problems.append(f"field '{name}': {name.replace('_', ' ')} is not available in this version of Sanitas "
                            "yet; remove the section to run the column actions alone")
        else:
            problems += step.problems(section, plan_view(recipe), schema)
    return problems


def plan_view(recipe: Recipe, default_risk_threshold: float | None = None) -> PlanView:
    """The part of the recipe a dataset-level step checks against (plain data: steps never import the recipe).
    ``default_risk_threshold``: the settings' threshold, used when the recipe sets none."""
    return PlanView(actions={c: p.action for c, p in recipe.columns.items()},
                    unlisted_columns=recipe.unlisted_columns.value, seed=recipe.seed, locale=recipe.locale,
                    params={c: p.params for c, p in recipe.columns.items()}, sections=recipe.dataset_sections(),
                    corrected=frozenset(c for c, p in recipe.columns.items() if p.entity or p.kind),
                    risk_threshold=recipe.risk_threshold or default_risk_threshold,
                    keeping_actions=frozenset(n for n, cls in TRANSFORMS.items() if cls.keeps_values),
                    identity_removing_actions=tuple(n for n, cls in TRANSFORMS.items() if cls.removes_identity),
                    free_text_actions=frozenset(n for n, cls in TRANSFORMS.items() if cls.per == "row"))


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
    covered = covered_columns(recipe, columns)
    records = releases_records(recipe)
    for column in columns:
        if column in recipe.columns:
            plan[column] = recipe.columns[column]
            continue
        if not records:
            plan[column] = ColumnPlan(action="keep", note="not released: the release is aggregates, not records")
            continue
        if column in covered:
            plan[column] = ColumnPlan(action="keep", note=f"covered by {covered[column]}: kept for that step")
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
