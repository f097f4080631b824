"""Recipe: validation with every problem named, round trip by meaning, keys, unlisted policy."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from sanitas.core.detect.findings import ColumnFinding, ColumnKind, EntityScore
from sanitas.core.errors import PolicyError, RecipeError
from sanitas.core.keys import KeyRef, KeyRing
from sanitas.core.recipe import ColumnPlan, Recipe, UnlistedPolicy, dump_recipe, load_recipe, parse_recipe, save_recipe
from sanitas.core.recipe_check import check_recipe, recipe_problems, resolve_plan

FULL = """
version: 1
seed: 7
locale: de_DE
unlisted_columns: drop
keys:
  default: {env: SANITAS_TEST_KEY}
  other: {file: keys/other.key}
columns:
  email: {action: pseudonymize, params: {key: default, format: email}}
  name: {action: fake, params: {entity: PERSON}}
  ssn: {action: redact}
  phone: {action: mask, params: {keep_last: 4}}
  zip: {action: generalize, params: {method: postal, keep: 3}}
  street: {action: drop}
  notes: {action: scrub}
  city:
"""


def test_round_trip_by_meaning(tmp_path: Path) -> None:
    first = parse_recipe(__import__("yaml").safe_load(FULL))
    for suffix in (".yaml", ".json"):
        path = save_recipe(first, tmp_path / f"r{suffix}")
        again = load_recipe(path)
        assert again == first
        assert load_recipe(save_recipe(again, tmp_path / f"r2{suffix}")) == first
    assert first.columns["city"].action == "keep"
    assert list(first.columns) == ["email", "name", "ssn", "phone", "zip", "street", "notes", "city"]


def test_every_problem_is_listed_with_column_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 1\nseed: x\ncolumns:\n"
        "  email: {action: pseudonymise}\n"
        "  phone: {action: mask, params: {keep_lats: 4}}\n"
        "  ok: {action: keep}\n"
        "unlisted_columns: maybe\n"
    )
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    text = str(err.value)
    assert "bad.yaml" in text
    assert "column 'email'" in text and "pseudonymise" in text
    assert "column 'phone'" in text and "keep_lats" in text
    assert "field 'seed'" in text
    assert "field 'unlisted_columns'" in text
    assert len(err.value.problems) == 4


def test_unsupported_version_and_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "v2.yaml"
    path.write_text("version: 2\ncolumns: {}\n")
    with pytest.raises(RecipeError, match="version 2 is not supported"):
        load_recipe(path)
    path.write_text("columns: [unclosed\n")
    with pytest.raises(RecipeError, match="line"):
        load_recipe(path)
    with pytest.raises(RecipeError, match="not found"):
        load_recipe(tmp_path / "missing.yaml")


@pytest.mark.parametrize(("text", "key", "line", "first"), [
    ("version: 1\nk_anonymity:\n  quasi_identifiers: [age]\n  k: 5\n  sensitive: []\n  k: 50\n", "k", 6, 4),
    ("version: 1\nseed: 1\ncolumns: {}\nseed: 2\n", "seed", 4, 2),
    ("version: 1\ncolumns:\n  email: {action: drop}\n  name: {action: keep}\n  email: {action: keep}\n",
     "email", 5, 3),
    ("version: 1\ncolumns:\n  zip: {action: mask, params: {keep_last: 2, keep_last: 3}}\n", "keep_last", 3, 3),
    ("version: 1\nk_anonymity:\n  quasi_identifiers: [age]\n  k: 5\n  hierarchies:\n    age: {auto: number}\n"
     "    age: {file: age.csv}\n", "age", 7, 6),
])
def test_duplicate_keys_are_refused_with_key_and_line(tmp_path: Path, text: str, key: str, line: int,
                                                       first: int) -> None:
    """PyYAML keeps the last of two equal keys silently: k: 5 then k: 50 would run with k = 50."""
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    assert err.value.message == (f"{path}, line {line}: key '{key}' is given twice in the same section "
                                 f"(first on line {first}); keep one of them.")


def test_duplicate_keys_in_json_and_merge_keys_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"version": 1, "columns": {"a": {"action": "drop", "action": "keep"}}}')
    with pytest.raises(RecipeError, match="key 'action' is given twice in the same object"):
        load_recipe(path)
    merged = tmp_path / "merge.yaml"  # keys merged in with << may be overridden: that is what merging is for
    merged.write_text("version: 1\ncolumns:\n"
                      "  phone: &m {action: mask, params: {keep_last: 4}}\n  fax: {<<: *m, params: {keep_last: 2}}\n")
    recipe = load_recipe(merged)
    assert recipe.columns["fax"].params == {"keep_last": 2} and recipe.columns["fax"].action == "mask"
    written = save_recipe(parse_recipe(yaml.safe_load(FULL)), tmp_path / "saved.yaml")
    assert load_recipe(written) == parse_recipe(yaml.safe_load(FULL)), "recipes Sanitas writes keep loading"


def test_recipe_checked_against_dataset_schema() -> None:
    recipe = parse_recipe({
        "columns": {
            "email": {"action": "pseudonymize", "params": {"key": "nokey"}},
            "gone": {"action": "drop"},
        },
        "synthetic": {"synthesizer": "gaussian_copula"},
        "k_anonymity": {"quasi_identifiers": ["zip", "age"], "k": 5},
    })
    schema = {"email": pl.String, "zip": pl.String}
    problems = recipe_problems(recipe, schema)
    assert any("column 'gone'" in p and "not in the dataset" in p for p in problems)
    assert any("column 'email'" in p and "params.key" in p for p in problems)
    assert any("synthetic" in p and "cannot be combined with k_anonymity" in p for p in problems)
    assert any("k_anonymity" in p and "'age'" in p for p in problems)
    with pytest.raises(RecipeError):
        check_recipe(recipe, schema, "data.csv")


def test_keys_are_referenced_never_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "k.key").write_text("0123456789abcdef0123456789abcdef\n")
    monkeypatch.setenv("SANITAS_TEST_KEY", "a-secret-of-enough-length")
    ring = KeyRing({"f": KeyRef(file="k.key"), "e": KeyRef(env="SANITAS_TEST_KEY")}, tmp_path)
    assert ring("f") == b"0123456789abcdef0123456789abcdef"
    assert ring("e") == b"a-secret-of-enough-length"
    recipe = Recipe(keys={"e": KeyRef(env="SANITAS_TEST_KEY")})
    assert "a-secret" not in dump_recipe(recipe)
    monkeypatch.setenv("SHORT_KEY", "short")
    with pytest.raises(RecipeError, match="too short"):
        KeyRing({"s": KeyRef(env="SHORT_KEY")})("s")
    with pytest.raises(RecipeError, match="not set"):
        KeyRing({"m": KeyRef(env="SANITAS_UNSET_VARIABLE")})("m")
    with pytest.raises(RecipeError, match="not defined"):
        KeyRing({})("default")
    with pytest.raises(ValueError):
        KeyRef(env="A", file="b")


def test_keyring_describes_where_each_key_comes_from(tmp_path: Path) -> None:
    refs = {"default": KeyRef(env="SANITAS_KEY"), "f": KeyRef(file="keys/k.key")}
    assert KeyRing(refs).describe() == {"default": "environment variable SANITAS_KEY", "f": "key file k.key"}
    ring = KeyRing(refs, tmp_path, {"default": Path("demo.key")})  # the --key-file override wins, as in reading
    assert ring.describe() == {"default": "key file demo.key", "f": "key file k.key"}


def _finding(name: str, entity: str | None) -> ColumnFinding:
    entities = [EntityScore(entity=entity, score=0.9, share=0.9)] if entity else []
    kind = ColumnKind.IDENTIFIER if entity else ColumnKind.NOT_PERSONAL
    return ColumnFinding(name=name, dtype="String", kind=kind, entities=entities)


def test_unlisted_policy() -> None:
    findings = {"email": _finding("email", "EMAIL_ADDRESS"), "amount": _finding("amount", None)}
    columns = ["id", "email", "amount"]
    recipe = Recipe(columns={"id": ColumnPlan(action="keep")})
    with pytest.raises(PolicyError, match="'email' \\(EMAIL_ADDRESS\\)"):
        resolve_plan(recipe, columns, findings)
    recipe.columns["email"] = ColumnPlan(action="redact")
    plan = resolve_plan(recipe, columns, findings)
    assert [p.action for p in plan.values()] == ["keep", "redact", "keep"]
    assert list(plan) == columns
    dropping = Recipe(unlisted_columns=UnlistedPolicy.DROP)
    assert {p.action for p in resolve_plan(dropping, columns, findings).values()} == {"drop"}
    refusing = Recipe(unlisted_columns=UnlistedPolicy.REFUSE, columns={"id": ColumnPlan(action="keep")})
    with pytest.raises(PolicyError, match="'amount'"):
        resolve_plan(refusing, columns, findings)


def test_identifying_columns_must_be_removed_or_replaced() -> None:
    """The k_anonymity roles live in the recipe; an identifying column may not be released as it is."""
    schema = {"name": pl.String, "email": pl.String, "ssn": pl.String, "age": pl.Int64}
    text = """
version: 1
unlisted_columns: keep
columns:
  name: {action: keep}
  email: {action: drop}
  age: {action: keep}
k_anonymity:
  quasi_identifiers: [age]
  identifying: [name, email, ssn]
  k: 2
"""
    problems = recipe_problems(parse_recipe(yaml.safe_load(text)), schema)
    assert problems == [
        "column 'name': it is identifying in k_anonymity, but its action is 'keep'; give it an action that "
        "removes or replaces it (drop, redact, mask, pseudonymize, fake, or scrub for free text)",
        "column 'ssn': it is identifying in k_anonymity, but it has no action under 'columns:'; give it an action "
        "that removes or replaces it (drop, redact, mask, pseudonymize, fake, or scrub for free text)",
    ]
    dropped_anyway = parse_recipe(yaml.safe_load(text.replace("unlisted_columns: keep", "unlisted_columns: drop")
                                                  .replace("name: {action: keep}", "name: {action: fake}")))
    assert recipe_problems(dropped_anyway, schema) == []
    with pytest.raises(RecipeError, match="identifying column cannot also be quasi-identifier"):
        parse_recipe(yaml.safe_load(text.replace("identifying: [name, email, ssn]", "identifying: [name, age]")))


def test_roles_and_actions_that_conflict_are_named_before_any_work() -> None:
    schema = {"name": pl.String, "age": pl.Int64, "sex": pl.String, "dx": pl.String}
    text = """
version: 1
unlisted_columns: drop
columns:
  name: {action: generalize, params: {method: bins, width: 10}}
  dx: {action: redact}
k_anonymity:
  quasi_identifiers: [age, sex]
  identifying: [name]
  sensitive: [dx]
  k: 2
  l_diversity: {variant: distinct, l: 2}
"""
    problems = recipe_problems(parse_recipe(yaml.safe_load(text)), schema)
    assert any("'name': it is identifying in k_anonymity, but its action is 'generalize'" in p for p in problems)
    # quasi-identifiers count as listed (action keep), so 'unlisted_columns: drop' does not drop them
    assert not any("'age'" in p or "'sex'" in p for p in problems)
    assert any("'dx': it is a sensitive column of k_anonymity, so its action must be 'keep'" in p for p in problems)


def test_columns_a_step_covers_count_as_listed_and_default_to_keep() -> None:
    from sanitas.core.detect.findings import ColumnFinding, ColumnKind, EntityScore, Evidence
    from sanitas.core.recipe_check import resolve_plan

    text = """
version: 1
unlisted_columns: {policy}
columns:
  name: {{action: redact}}
k_anonymity:
  quasi_identifiers: [zip, dob]
  sensitive: [dx]
  k: 2
"""
    personal = ColumnFinding(name="zip", dtype="String", kind=ColumnKind.QUASI_IDENTIFIER, sampled=50,
                             distinct_share=0.5, entities=[EntityScore(entity="POSTAL_CODE", score=0.9, share=1.0,
                                                                       evidence=Evidence.VALUES)])
    for policy in ("drop", "keep-non-personal", "refuse"):
        recipe = parse_recipe(yaml.safe_load(text.format(policy=policy)))
        plan = resolve_plan(recipe, ["name", "zip", "dob", "dx"], {"zip": personal})
        assert {c: p.action for c, p in plan.items()} == {"name": "redact", "zip": "keep", "dob": "keep", "dx": "keep"}
        assert "covered by k_anonymity" in (plan["zip"].note or "")
