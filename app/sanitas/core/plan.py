"""Suggest a recipe from a scan: one reasoned action per column, each with the finding behind it.

Used by ``sanitas plan`` and by the workbench's "apply the suggested plan". The suggestion is a
starting point the analyst reviews: direct identifiers are replaced (pseudonyms where joins across
releases matter, fakes for names, masks where the last digits help support work), quasi-identifiers
are coarsened, free text is scrubbed, and everything else is kept.
"""

from __future__ import annotations

from typing import Any

from sanitas.core.detect.findings import ColumnFinding, ColumnKind, ScanResult
from sanitas.core.keys import KeyRef
from sanitas.core.recipe import ColumnPlan, Recipe, dump_recipe, recipe_to_data
from sanitas.core.transforms.scrub import DEFAULT_SCORE_THRESHOLD

DEFAULT_KEY_ENV = "SANITAS_KEY"

# entity -> (action, params, why)
BY_ENTITY: dict[str, tuple[str, dict[str, Any], str]] = {
    "PERSON": ("fake", {"entity": "PERSON"}, "names are replaced by consistent fake names"),
    "EMAIL_ADDRESS": ("pseudonymize", {"format": "email"},
                      "keyed pseudonyms keep joins across releases; output still looks like an email"),
    "PHONE_NUMBER": ("mask", {"keep_last": 4}, "only the last 4 digits stay, as support teams use them"),
    "US_SSN": ("redact", {}, "national identifiers have no analytic value"),
    "NATIONAL_ID": ("redact", {}, "national identifiers have no analytic value"),
    "US_PASSPORT": ("redact", {}, "document numbers have no analytic value"),
    "US_DRIVER_LICENSE": ("redact", {}, "document numbers have no analytic value"),
    "US_ITIN": ("redact", {}, "national identifiers have no analytic value"),
    "CREDIT_CARD": ("mask", {"keep_last": 4}, "card numbers keep only their last 4 digits"),
    "IBAN_CODE": ("mask", {"keep_last": 4}, "account numbers keep only their last 4 characters"),
    "US_BANK_NUMBER": ("mask", {"keep_last": 4}, "account numbers keep only their last 4 characters"),
    "IP_ADDRESS": ("redact", {}, "IP addresses identify households and devices"),
    "URL": ("redact", {}, "personal URLs identify people"),
    "PERSON_ID": ("pseudonymize", {"format": "token"},
                  "keyed pseudonyms keep the column joinable without exposing the identifier"),
    "STREET_ADDRESS": ("drop", {}, "street addresses identify households"),
    "POSTAL_CODE": ("generalize", {"method": "postal", "keep": 3},
                    "postal codes are cut to 3 characters (quasi-identifier)"),
    "DATE_OF_BIRTH": ("generalize", {"method": "date", "to": "year"},
                      "birth dates are cut to the year (quasi-identifier)"),
    "AGE": ("generalize", {"method": "age_band", "width": 10, "top": 90},
            "ages become 10-year bands, top-coded at 90 (quasi-identifier)"),
}

# Columns whose values a scrub of free text also removes verbatim (people are quoted in notes).
KNOWN_VALUE_ENTITIES = {
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON_ID", "US_SSN", "CREDIT_CARD", "IBAN_CODE",
}

# Columns whose values a scrub of free text also removes verbatim (people are quoted in notes).
KNOWN_VALUE_ENTITIES = {
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON_ID", "US_SSN", "CREDIT_CARD", "IBAN_CODE",
}

KIND_DEFAULTS: dict[ColumnKind, tuple[str, dict[str, Any], str]] = {
    ColumnKind.FREE_TEXT: ("scrub", {"score_threshold": DEFAULT_SCORE_THRESHOLD},
                           f"free text: personal data inside each cell is replaced by its type (score threshold "
                           f"{DEFAULT_SCORE_THRESHOLD}: recall first; raise it to replace fewer words)"),
    ColumnKind.QUASI_IDENTIFIER: ("keep", {}, "quasi-identifier kept; coarsen it with k-anonymity if "
                                  "the re-identification risk is too high"),
    ColumnKind.SENSITIVE: ("keep", {}, "sensitive attribute kept: it is what the data is for; protect "
                           "it with k-anonymity / l-diversity"),
    ColumnKind.IDENTIFIER: ("pseudonymize", {"format": "token"}, "identifier: keyed pseudonyms"),
}


def suggest_column(finding: ColumnFinding) -> tuple[ColumnPlan, str]:
    """The suggested action for one column and the comment explaining it."""
    evidence = _evidence(finding)
    if finding.kind is ColumnKind.FREE_TEXT and finding.entities:
        action, params, why = KIND_DEFAULTS[ColumnKind.FREE_TEXT]
    elif finding.top_entity in BY_ENTITY:
        action, params, why = BY_ENTITY[finding.top_entity]
    elif finding.entities and finding.kind in KIND_DEFAULTS:
        action, params, why = KIND_DEFAULTS[finding.kind]
    elif finding.kind is ColumnKind.IDENTIFIER:
        why = "unique per row but no personal entity found: check it does not identify a person"
        action, params = "keep", {}
    else:
        action, params, why = "keep", {}, "no personal data found"
    if action == "pseudonymize":
        params = {"key": "default", **params}
    return ColumnPlan(action=action, params=dict(params)), f"{evidence}. {why}"


def suggest_recipe(scan: ScanResult, *, seed: int = 0) -> tuple[Recipe, dict[str, str]]:
    """A recipe covering every column, and a comment per column."""
    columns: dict[str, ColumnPlan] = {}
    comments: dict[str, str] = {}
    for finding in scan.columns:
        columns[finding.name], comments[finding.name] = suggest_column(finding)
    known = [
        f.name for f in scan.columns if f.top_entity in KNOWN_VALUE_ENTITIES and f.kind is not ColumnKind.FREE_TEXT
    ]
    for name, plan in columns.items():
        if plan.action == "scrub" and known:
            plan.params["known_values_from"] = known
            comments[name] += f"; values of {', '.join(known)} are removed from it too"
    keys = {}
    if any(p.action == "pseudonymize" for p in columns.values()):
        keys["default"] = KeyRef(env=DEFAULT_KEY_ENV)
    recipe = Recipe(seed=seed, keys=keys, columns=columns)
    return recipe, comments


def commented_recipe_yaml(recipe: Recipe, comments: dict[str, str], header: list[str],
                          roles: dict[str, Any] | None = None) -> str:
    """The recipe as YAML with a comment above each column: the finding and the reason."""
    data = recipe_to_data(recipe)
    columns = data.pop("columns", {})
    lines = [f"# {line}" if line else "#" for line in header]
    top = dump_recipe(Recipe.model_validate({**data, "columns": {}})).replace("columns: {}\n", "")
    lines += top.rstrip("\n").splitlines()
    lines.append("columns:")
    for name, plan in columns.items():
        if name in comments:
            lines.append(f"  # {comments[name]}")
        one = dump_recipe(Recipe(columns={name: ColumnPlan.model_validate(plan)}))
        body = one.split("columns:\n", 1)[1].rstrip("\n")
        lines += body.splitlines()
    lines += k_anonymity_hint(roles, recipe) if roles else []
    lines += ["# Dataset-level sections synthetic and differential_privacy come in later releases."]
    return "\n".join(lines) + "\n"


def k_anonymity_hint(roles: dict[str, Any], recipe: Recipe | None = None) -> list[str]:
    """A commented k_anonymity section from the proposed roles, to uncomment and review.

    The column actions above were chosen for a release without it: where they generalize or replace a
    quasi-identifier or a sensitive column, the hint says which to set to keep (the section then does
    the generalizing), so uncommenting it does not produce a recipe that is refused.
    """
    from sanitas.core.privacy.roles import Role, columns_with_role

    quasi = columns_with_role(roles, Role.QUASI_IDENTIFYING)
    if not quasi:
        return []
    sensitive = columns_with_role(roles, Role.SENSITIVE)
    identifying = columns_with_role(roles, Role.IDENTIFYING)
    lines = [
        "# To protect the quasi-identifiers together, uncomment and review (their column actions must be keep,",
        "# their hierarchies generalize them; see `sanitas risk FILE --quasi-identifiers ...` for the risk;",
        "# identifying columns must have an action that removes or replaces them):",
        "# k_anonymity:",
        f"#   quasi_identifiers: [{', '.join(quasi)}]",
    ]
    if identifying:
        lines += [f"#   identifying: [{', '.join(identifying)}]"]
    lines += ["#   k: 5"]
    if sensitive:
        lines += [f"#   sensitive: [{', '.join(sensitive)}]", "#   l_diversity: {variant: distinct, l: 2}"]
    lines += ["#   suppression_limit: 0.05"]
    planned = recipe.columns if recipe is not None else {}
    to_keep = [c for c in [*quasi, *sensitive] if c in planned and planned[c].action != "keep"]
    if to_keep:
        lines += [f"# With the section, set these columns' action to keep: {', '.join(to_keep)}."]
    return lines


def _evidence(finding: ColumnFinding) -> str:
    if not finding.entities:
        return f"{finding.kind.value}"
    top = finding.entities[0]
    return (f"{finding.kind.value}: {top.entity} (score {top.score:.2f}, {top.share:.0%} of sampled "
            f"values, from {top.evidence.value})")
