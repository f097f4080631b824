"""The recipe: the analyst's plan, declarative, versioned and validated.

YAML (or JSON) with ``version: 1``, a seed, a policy for columns it does not mention, named key
references (never keys), per-column actions with parameters, and dataset-level sections
(k-anonymity, synthetic data, differential privacy) that later releases fill in. Loading reports
every problem at once, each with its column and field. The same recipe gives the same output for the
same input, seed and key.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import RecipeError, TransformError
from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.keys import KeyRef
from sanitas.core.privacy.dp.section import DifferentialPrivacySection
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.core.recorded_findings import RecordedFindings
from sanitas.core.validation import Share, validation_problems

RECIPE_VERSION = 1
# The recipe's dataset-level sections, in release order (each is run by a step of core/steps/registry.py).
DATASET_SECTIONS = ("k_anonymity", "synthetic", "differential_privacy")


class UnlistedPolicy(StrEnum):
    """What happens to columns the recipe does not mention."""

    KEEP_NON_PERSONAL = "keep-non-personal"  # keep them if the scan finds no personal data, else refuse
    KEEP = "keep"  # keep them all as they are (the analyst takes responsibility)
    DROP = "drop"  # leave them out of the output
    REFUSE = "refuse"  # every column must be listed


class ColumnPlan(BaseModel):
    """One column's action and parameters, plus the analyst's corrections of the finding."""

    model_config = ConfigDict(extra="forbid")

    action: str
    params: dict[str, Any] = Field(default_factory=dict)
    entity: str | None = Field(default=None, description="the analyst's correction of the detected entity")
    kind: ColumnKind | None = Field(default=None, description="the analyst's correction of the kind")
    note: str | None = None

    @model_validator(mode="after")
    def _action_and_params_exist(self) -> ColumnPlan:
        from sanitas.core.transforms.registry import get_transform

        try:
            transform = get_transform(self.action)
            transform.parse_params(self.params)
        except TransformError as exc:
            raise ValueError(exc.message) from None
        return self


class Recipe(BaseModel):
    """The whole plan. ``columns`` keeps the order the analyst wrote."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = RECIPE_VERSION
    seed: int = 0
    locale: str = "en_US"
    unlisted_columns: UnlistedPolicy = UnlistedPolicy.KEEP_NON_PERSONAL
    keys: dict[str, KeyRef] = Field(default_factory=dict)
    risk_threshold: Share | None = Field(default=None, gt=0, le=1, description="highest prosecutor risk before "
                                         "the release is 'released-at-risk' (default: the settings', 0.2)")
    schema_fingerprint: str | None = Field(default=None, description="the column layout the recipe was written "
                                           "for (Dataset.schema_fingerprint); a release on another layout says so")
    columns: dict[str, ColumnPlan] = Field(default_factory=dict)
    k_anonymity: KAnonymitySection | None = None
    synthetic: SyntheticSection | None = None
    differential_privacy: DifferentialPrivacySection | None = None
    findings: RecordedFindings | None = Field(default=None, description="the scan the recipe was planned from, "
                                              "for the file with this SHA-256: apply reuses it on that file")

    @field_validator("columns", mode="before")
    @classmethod
    def _no_null_columns(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"action": "keep"} if v is None else v) for k, v in value.items()}
        return value

    def dataset_sections(self) -> dict[str, Any]:
        """The dataset-level sections that are set, by name, in release order."""
        sections = {name: getattr(self, name) for name in DATASET_SECTIONS}
        return {name: value for name, value in sections.items() if value is not None}

    def key_names_used(self) -> dict[str, str]:
        """Column -> key name for every action that takes a key."""
        from sanitas.core.transforms.registry import get_transform

        return {col: str(plan.params.get("key", "default")) for col, plan in self.columns.items()
                if get_transform(plan.action).takes_key}


def _where(loc: Sequence[Any]) -> str:
    """A recipe problem's place: ``column 'x', field 'params.width'`` or ``field 'k_anonymity.k'``."""
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "columns":
        return f"column '{parts[1]}'" + (f", field '{'.'.join(parts[2:])}'" if len(parts) > 2 else "")
    return f"field '{'.'.join(parts)}'" if parts else "recipe"


def _problems(exc: ValidationError) -> list[str]:
    return validation_problems(exc, where=_where)


def parse_recipe(data: Any, source: str = "recipe") -> Recipe:
    """Validate a recipe from already-parsed YAML/JSON, listing every problem."""
    if not isinstance(data, dict):
        raise RecipeError(f"{source}: a recipe is a mapping with 'version: 1' and 'columns:'.")
    if data.get("version") not in (None, RECIPE_VERSION):
        raise RecipeError(
            f"{source}: recipe version {data.get('version')!r} is not supported "
            f"(this Sanitas reads version {RECIPE_VERSION})."
        )
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{source}: the recipe is not valid:", _problems(exc)) from None


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping names the same key twice (YAML forbids it; PyYAML would silently keep the last)."""


class _RecipeTooBig(yaml.YAMLError):
    """The recipe nests too deep, or its aliases expand it past ``MAX_RECIPE_NODES`` (a YAML bomb)."""


MAX_RECIPE_BYTES = 64 << 20  # a recipe with inline hierarchies for every value is a few MB at most
MAX_RECIPE_DEPTH = 100  # recipes nest about 6 levels; anything near Python's recursion limit is hostile
MAX_RECIPE_NODES = 2_000_000  # values and keys once every YAML alias is expanded


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping, at any depth, and bounds the
    document: nesting depth while composing, and the size once aliases are expanded, before any
    Python object is built (an alias is a reference in PyYAML, but validation and messages expand it).

    Keys merged in with ``<<`` may be overridden, as YAML intends; only keys written twice are refused.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_RECIPE_DEPTH:
                raise _RecipeTooBig(f"the recipe nests more than {MAX_RECIPE_DEPTH} levels deep, which no recipe "
                                    "needs; check the indentation and the brackets")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None and _expanded_size(node) > MAX_RECIPE_NODES:
            raise _RecipeTooBig(f"the recipe expands to more than {MAX_RECIPE_NODES:,} values once its YAML "
                                "aliases (*name) are expanded; write the values out, or use a hierarchy file")
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if first is not key_node:
                raise _DuplicateKeyError(
                    None, None, f"key '{key}' is given twice in the same section (first on line "
                    f"{first.start_mark.line + 1}); keep one of them", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the document with every alias expanded, counted once per distinct node (memoized, so a
    billion-laughs document costs its written size, not its expanded size); stops past the limit."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[id(node)] = total
        if total > MAX_RECIPE_NODES:
            return total
    return sizes.get(id(root), 1)


def _json_depth(data: Any) -> int:
    """The nesting depth of parsed JSON, walked without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_RECIPE_DEPTH:
            return depth
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _unique_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise RecipeError(f"key '{key}' is given twice in the same object; keep one of them")
        data[key] = value
    return data


def _parse_text(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_unique_json_keys)
        except RecipeError as exc:
            raise RecipeError(f"{path}: {exc.message}.") from None
        except RecursionError:
            data, too_deep = None, True
        else:
            too_deep = _json_depth(data) > MAX_RECIPE_DEPTH
        if too_deep:
            raise RecipeError(f"{path}: the recipe nests more than {MAX_RECIPE_DEPTH} levels deep, which no "
                              "recipe needs; check the brackets.")
        return data
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no arbitrary objects


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe from a .yaml/.yml or .json file."""
    path = Path(path)
    text = _read_recipe_text(path)
    try:
        data = _parse_text(text, path)
    except _DuplicateKeyError as exc:
        raise RecipeError(f"{path}, line {exc.problem_mark.line + 1}: {exc.problem}.") from None
    except _RecipeTooBig as exc:
        raise RecipeError(f"{path}: {exc}.") from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise RecipeError(f"{path}{where}: not valid YAML/JSON ({getattr(exc, 'problem', exc)}).") from None
    return parse_recipe(data, source=path.name)


def _read_recipe_text(path: Path) -> str:
    """The recipe's text: a regular file (not a FIFO or device, which could block or never end) of
    bounded size, in UTF-8."""
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RecipeError(f"{path}: is not a regular file (a folder, pipe or device); name a recipe "
                                  "file (.yaml or .json).")
            if info.st_size > MAX_RECIPE_BYTES:
                raise RecipeError(f"{path}: is {info.st_size:,} bytes, more than a recipe holds "
                                  f"({MAX_RECIPE_BYTES:,}); is it the right file?")
            data = handle.read(MAX_RECIPE_BYTES + 1)
    except FileNotFoundError:
        raise RecipeError(f"{path}: recipe file not found.") from None
    except IsADirectoryError:
        raise RecipeError(f"{path}: is a folder; name a recipe file (.yaml or .json).") from None
    except OSError as exc:
        raise RecipeError(f"{path}: cannot read the recipe ({exc.strerror}).") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecipeError(f"{path}, line {line:,}: the recipe is not UTF-8 text. Save it as UTF-8.") from None


def recipe_to_data(recipe: Recipe) -> dict[str, Any]:
    """A plain mapping for YAML/JSON, without defaults that add nothing (None corrections, empty params)."""
    data = recipe.model_dump(mode="json", exclude_none=True)
    if recipe.k_anonymity is not None:
        data["k_anonymity"] = recipe.k_anonymity.dump()
    if recipe.synthetic is not None:  # only what the analyst set: every field has a default
        data["synthetic"] = {"synthesizer": recipe.synthetic.synthesizer,
                             **recipe.synthetic.model_dump(mode="json", exclude_defaults=True)}
    for plan in data.get("columns", {}).values():
        if not plan.get("params"):
            plan.pop("params", None)
    if not data.get("keys"):
        data.pop("keys", None)
    return data


def dump_recipe(recipe: Recipe, fmt: Literal["yaml", "json"] = "yaml") -> str:
    data = recipe_to_data(recipe)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)


def save_recipe(recipe: Recipe, path: str | Path, text: str | None = None) -> Path:
    """Write a recipe atomically (YAML unless the path ends in .json). ``text`` overrides the dump."""
    path = Path(path)
    if text is None:
        text = dump_recipe(recipe, "json" if path.suffix.lower() == ".json" else "yaml")
    write_text_atomic(path, text)
    return path
