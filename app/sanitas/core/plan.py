"""Suggest a recipe from a scan: one reasoned action per column, each with the finding behind it.

Used by ``sanitas plan`` and by the workbench's "apply the suggested plan". The suggestion is a
starting point the analyst reviews: direct identifiers are replaced (pseudonyms where joins across
releases matter, fakes for names, masks where the last digits help support work), quasi-identifiers
are coarsened, free text is scrubbed, and everything else is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from sanitas.core.decisions import decide
from sanitas.core.detect.findings import ColumnFinding, ColumnKind, EntityScore, Evidence, ScanResult
from sanitas.core.keys import KeyRef
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.recipe import DATASET_SECTIONS, ColumnPlan, Recipe, dump_recipe, recipe_to_data
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


LEFT_OUT = "most identifying go to the k_anonymity section"  # marks the comment of a quasi-identifier left out
MAX_SUGGESTED_QIS = 8  # a lattice search over more quasi-identifiers than this is hopeless (heuristic at best)
SUGGESTED_K = 5  # ARX's default: classes of 5 or more, prosecutor risk at most 0.2 (the report's threshold)
SUGGESTED_SUPPRESSION = 0.05


def suggest_recipe(scan: ScanResult, *, seed: int = 0, corrections: Mapping[str, ColumnPlan] | None = None,
                   k_anonymity: bool = True) -> tuple[Recipe, dict[str, str]]:
    """A recipe covering every column, and a comment per column.

    ``corrections``: the analyst's corrections of findings (entity, kind), kept in the suggested plans and
    used to choose their actions. With ``k_anonymity``, the detected quasi-identifiers are not coarsened
    one by one but together, by a k_anonymity section (k = 5, automatic hierarchies, 5% suppression), so
    that the suggested release passes the report's risk threshold.
    """
    columns: dict[str, ColumnPlan] = {}
    comments: dict[str, str] = {}
    corrections = corrections or {}
    findings = [_corrected(f, corrections.get(f.name)) for f in scan.columns]
    for finding in findings:
        columns[finding.name], comments[finding.name] = suggest_column(finding)
        fix = corrections.get(finding.name)
        if fix is not None and (fix.entity is not None or fix.kind is not None):
            columns[finding.name] = columns[finding.name].model_copy(update={"entity": fix.entity, "kind": fix.kind})
            comments[finding.name] += " (the analyst's correction of the finding)"
    quasi = [f.name for f in findings if f.kind is ColumnKind.QUASI_IDENTIFIER] if k_anonymity else []
    by_name = {f.name: f for f in findings}
    quasi, left_out = _most_identifying(quasi, by_name)
    for name in left_out:
        comments[name] += (f"; one of {len(quasi) + len(left_out):,} quasi-identifiers: only the {len(quasi)} "
                           f"{LEFT_OUT} (a search over more is hopeless), so this one keeps its own action; review it")
    for name in quasi:
        columns[name] = columns[name].model_copy(update={"action": "keep", "params": {}})
        comments[name] = (f"{_evidence(by_name[name])}. kept here and generalized together with the other "
                          f"quasi-identifiers by the k_anonymity section below (k = {SUGGESTED_K})")
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
    section = (KAnonymitySection(quasi_identifiers=quasi, k=SUGGESTED_K, suppression_limit=SUGGESTED_SUPPRESSION)
               if quasi else None)
    recipe = Recipe(seed=seed, keys=keys, columns=columns, k_anonymity=section)
    return recipe, comments


def _most_identifying(quasi: list[str], findings: Mapping[str, ColumnFinding]) -> tuple[list[str], list[str]]:
    """(the quasi-identifiers for the k_anonymity section, the others). Past MAX_SUGGESTED_QIS, the most
    identifying ones by distinct ratio in the sample (ties in column order), kept in column order."""
    if len(quasi) <= MAX_SUGGESTED_QIS:
        return quasi, []
    ranked = sorted(range(len(quasi)), key=lambda i: (-findings[quasi[i]].distinct_share, i))
    chosen = set(sorted(ranked[:MAX_SUGGESTED_QIS]))
    return [q for i, q in enumerate(quasi) if i in chosen], [q for i, q in enumerate(quasi) if i not in chosen]


def _corrected(finding: ColumnFinding, fix: ColumnPlan | None) -> ColumnFinding:
    """The finding as the analyst corrected it: their kind, and their entity ranked first (or none)."""
    if fix is None or (fix.entity is None and fix.kind is None):
        return finding
    decision = decide(finding.name, fix, finding)
    entities = [e for e in finding.entities if e.entity == decision.entity]
    if decision.entity is not None and not entities:
        entities = [EntityScore(entity=decision.entity, score=1.0, share=1.0, evidence=Evidence.ANALYST)]
    entities += [e for e in finding.entities if e.entity != decision.entity] if decision.entity else []
    return finding.model_copy(update={"kind": decision.kind or finding.kind, "entities": entities})


def commented_recipe_yaml(recipe: Recipe, comments: dict[str, str], header: list[str]) -> str:
    """The recipe as YAML with a comment above each column (the finding and the reason), then its sections."""
    data = recipe_to_data(recipe)
    columns = data.pop("columns", {})
    sections = {name: data.pop(name) for name in DATASET_SECTIONS if name in data}
    findings = data.pop("findings", None)
    if recipe.k_anonymity is not None:  # the analyst reads what was chosen, not every default
        sections["k_anonymity"] = {**recipe.k_anonymity.model_dump(mode="json", exclude_defaults=True),
                                   "suppression_limit": recipe.k_anonymity.suppression_limit}
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
    if "k_anonymity" in sections:
        capped = [name for name, comment in comments.items() if LEFT_OUT in comment]
        if capped:
            lines += [
                f"# The scan found {len(capped) + len(recipe.k_anonymity.quasi_identifiers):,} quasi-identifiers: a "
                f"k-anonymity search over that many is hopeless, so only the {MAX_SUGGESTED_QIS} most identifying",
                "# (highest share of distinct values) are generalized together below; the others keep their own "
                "action. Review the choice.",
            ]
        lines += [
            "# The quasi-identifiers above are generalized together so that every record shares its values with",
            f"# at least {SUGGESTED_K - 1} others (automatic hierarchies; up to {SUGGESTED_SUPPRESSION:.0%} of records "
            "may be suppressed).",
            "# Review the hierarchies (`sanitas risk FILE --quasi-identifiers ...` shows the risk before).",
        ]
        sensitive = [name for name, comment in comments.items() if comment.startswith("sensitive")]
        if sensitive:
            lines += [
                "# So that no class shares a single value of a sensitive column, add them with l-diversity:",
                f"#   sensitive: [{', '.join(sensitive)}]",
                "#   l_diversity: {variant: distinct, l: 2}",
            ]
    if sections:
        lines += yaml.safe_dump(sections, sort_keys=False, allow_unicode=True, default_flow_style=None).rstrip(
            "\n").splitlines()
    if findings:
        lines += ["# What the scan found, recorded for the file with this SHA-256: `sanitas apply` on that same file",
                  "# reuses it instead of scanning again (the report says so). Delete this section to always scan."]
        lines += yaml.safe_dump({"findings": findings}, sort_keys=False, allow_unicode=True,
                                default_flow_style=None).rstrip("\n").splitlines()
    return "\n".join(lines) + "\n"


def _evidence(finding: ColumnFinding) -> str:
    if not finding.entities:
        return f"{finding.kind.value}"
    top = finding.entities[0]
    return (f"{finding.kind.value}: {top.entity} (score {top.score:.2f}, {top.share:.0%} of sampled "
            f"values, from {top.evidence.value})")
