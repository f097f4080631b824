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
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import RecipeError, TransformError
from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.keys import KeyRef

RECIPE_VERSION = 1


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


class HierarchyRef(BaseModel):
    """Where a quasi-identifier's hierarchy comes from: an ARX-format CSV file, or an automatic rule.

    ``file`` is relative to the recipe. ``auto`` is number | date | postal | category; the other
    fields are passed to that builder (hierarchy_builders.py), and checked at load against its options
    model, so a misspelt or mistyped option is a recipe error naming
    ``k_anonymity.hierarchies.<column>.<option>`` and what is allowed:

    - number: widths, first_width, factor, edges, origin, style. ``edges`` is a list of cut-point lists,
      one per level; a flat list of numbers is taken as the one level it can only be ([0, 40] is
      stored as [[0, 40]]).
    - date: levels (a non-empty list, in order), date_format.
    - postal: strip, a list of counts, one per level (a bare count is refused: ``strip: 2`` could mean
      one level of 2 or levels 1 and 2; write [2] or [1, 2]).
    - category: groups (a mapping of group to a list of values, or a list of such mappings, one per
      level), other.

    ``options()`` is what the builder takes; the recipe keeps the options as written.
    """

    model_config = ConfigDict(extra="allow")

    file: str | None = None
    auto: Literal["number", "date", "postal", "category"] | None = None
    unknown_as_star: bool = Field(default=False, description="map values the hierarchy lacks to '*'")

    @model_validator(mode="before")
    @classmethod
    def _bare_path(cls, value: Any) -> Any:
        """``hierarchies: {age: age.csv}`` is short for ``{age: {file: age.csv}}``."""
        return {"file": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_source(self) -> HierarchyRef:
        if (self.file is None) == (self.auto is None):
            raise ValueError("give exactly one of 'file' (an ARX hierarchy CSV) or 'auto' (number, date, postal, "
                             "category)")
        if self.file is not None and self.model_extra:
            raise ValueError(f"options {', '.join(self.model_extra)} apply to 'auto' hierarchies only")
        if self.auto is not None and self.model_extra is not None:
            from sanitas.core.privacy.hierarchy_builders import check_options  # lazy: the builders pull in polars

            options, problems = check_options(self.auto, self.model_extra)
            if problems:  # raised as a ValidationError so each is located at its option: ...hierarchies.age.factor
                raise ValidationError.from_exception_data(type(self).__name__, [
                    {"type": "value_error", "loc": (p.option,) if p.option else (), "input": p.value,
                     "ctx": {"error": ValueError(p.message)}} for p in problems])
            self.model_extra.update(options)  # a flat edges list becomes its one level
        return self

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class KAnonymitySection(BaseModel):
    """The dataset-level privacy models over the quasi-identifiers, and how to reach them.

    ``method: global`` (the default) is global recoding: the least-loss node of the lattice of hierarchy
    levels (anonymize.py, search.py). ``method: mondrian`` is local multidimensional partitioning
    (mondrian.py), for many quasi-identifiers, where the lattice grows too large: it needs no
    hierarchy, suppresses no record and guarantees k-anonymity and distinct l-diversity only, so the
    options it cannot honour are refused rather than silently ignored.
    ``population`` / ``sampling_fraction`` feed the journalist and marketer risks (risk.py).
    """

    model_config = ConfigDict(extra="forbid")

    quasi_identifiers: list[str] = Field(min_length=1)
    identifying: list[str] = Field(default_factory=list, description="columns that identify a person directly: "
                                   "their column action must remove or replace them (not keep)")
    method: Literal["global", "mondrian"] = "global"
    k: int | None = Field(default=None, ge=2)
    sensitive: list[str] = Field(default_factory=list)
    l_diversity: dict[str, Any] | None = Field(default=None, description="{variant: distinct|entropy|recursive, l, c}")
    t_closeness: dict[str, Any] | None = Field(default=None, description="{variant: equal|hierarchical, t}")
    average_risk: float | None = Field(default=None, gt=0, le=1)
    suppression_limit: float = Field(default=0.05, ge=0.0, le=1.0)
    suppression: Literal["remove", "mask"] = "remove"
    metric: Literal["loss", "precision", "discernibility", "non_uniform_entropy"] = "loss"
    hierarchies: dict[str, HierarchyRef] = Field(default_factory=dict)
    population: int | None = Field(default=None, ge=1, description="people the rows were drawn from")
    sampling_fraction: float | None = Field(default=None, gt=0, le=1, description="rows / population")

    @model_validator(mode="after")
    def _consistent(self) -> KAnonymitySection:
        problems = []
        if self.k is None and self.l_diversity is None and self.t_closeness is None and self.average_risk is None:
            problems.append("choose at least one privacy model: k, l_diversity, t_closeness or average_risk")
        if (self.l_diversity or self.t_closeness) and not self.sensitive:
            problems.append("l_diversity and t_closeness need 'sensitive' columns")
        extra = sorted(set(self.hierarchies) - set(self.quasi_identifiers) - set(self.sensitive))
        if extra:
            problems.append(f"hierarchies given for columns that are neither quasi-identifiers nor sensitive: "
                            f"{', '.join(extra)}")
        overlap = sorted(set(self.quasi_identifiers) & set(self.sensitive))
        if overlap:
            problems.append(f"a column cannot be both quasi-identifier and sensitive: {', '.join(overlap)}")
        twice = sorted(set(self.identifying) & (set(self.quasi_identifiers) | set(self.sensitive)))
        if twice:
            problems.append(f"an identifying column cannot also be quasi-identifier or sensitive: {', '.join(twice)}")
        problems += self._model_problems()
        if self.population is not None and self.sampling_fraction is not None:
            problems.append("give 'population' (people the rows were drawn from) or 'sampling_fraction' "
                            "(rows / population), not both")
        if self.method == "mondrian":
            problems += self._mondrian_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _model_problems(self) -> list[str]:
        """l_diversity and t_closeness parsed as the search will, so a typo fails at load, not mid-release."""
        from sanitas.core.privacy.models import LDiversity, TCloseness  # lazy: the privacy code pulls in numpy

        problems = []
        for name, model, value in (("l_diversity", LDiversity, self.l_diversity),
                                   ("t_closeness", TCloseness, self.t_closeness)):
            if value is None:
                continue
            try:
                parsed = model.model_validate(value)
            except ValidationError as exc:
                for e in exc.errors():
                    msg = e["msg"].removeprefix("Value error, ")
                    if (name, e["loc"], e["type"]) == ("l_diversity", ("l",), "greater_than_equal"):
                        problems.append(_l_too_small(e["input"]))  # l: 0 says 2, not LDiversity's 1
                    else:
                        problems.append(f"{name}.{'.'.join(str(p) for p in e['loc'])}: {msg}" if e["loc"]
                                        else f"{name}: {msg}")
                continue
            if isinstance(parsed, LDiversity) and parsed.l < 2:  # LDiversity takes l >= 1, which protects nothing
                problems.append(_l_too_small(parsed.l))
            if isinstance(parsed, LDiversity) and parsed.c is not None and parsed.variant != "recursive":
                problems.append(f"l_diversity.c: c applies to recursive (c,l)-diversity only, not to variant "
                                f"'{parsed.variant}'; remove c, or use variant: recursive")
        return problems

    def _mondrian_problems(self) -> list[str]:
        """What Mondrian cannot guarantee or does not use, each named with what to do instead."""
        problems = []
        variant = (self.l_diversity or {}).get("variant", "distinct")
        if variant != "distinct":
            problems.append(f"l_diversity variant '{variant}' is not available with method 'mondrian', which "
                            "guarantees k-anonymity and distinct l-diversity only; use variant 'distinct', or "
                            "method 'global'")
        for name in ("t_closeness", "average_risk"):
            if getattr(self, name) is not None:
                problems.append(f"{name} is not available with method 'mondrian', which guarantees k-anonymity "
                                f"and distinct l-diversity only; remove {name}, or use method 'global'")
        unused = [name for name in ("hierarchies", "metric", "suppression", "suppression_limit")
                  if name in self.model_fields_set]
        if unused:
            problems.append(f"{', '.join(unused)} do{'es' if len(unused) == 1 else ''} not apply to method "
                            "'mondrian' (it cuts the records into partitions without hierarchies, suppresses no "
                            "record and minimises no loss metric); remove "
                            f"{'it' if len(unused) == 1 else 'them'}, or use method 'global'")
        return problems

    def dump(self) -> dict[str, Any]:
        """The section as recipe data: Mondrian sections leave out the global-only fields they refuse."""
        data = self.model_dump(mode="json", exclude_none=True)
        if self.method == "global":
            data.pop("method")
        else:
            for name in ("hierarchies", "metric", "suppression", "suppression_limit"):
                data.pop(name, None)
        return data


def _l_too_small(ell: Any) -> str:
    return (f"l_diversity.l: must be 2 or more; l = {ell} holds for every class (each has at least one sensitive "
            "value), so it protects nothing: use l: 2 or more, or remove l_diversity")


class Recipe(BaseModel):
    """The whole plan. ``columns`` keeps the order the analyst wrote."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = RECIPE_VERSION
    seed: int = 0
    locale: str = "en_US"
    unlisted_columns: UnlistedPolicy = UnlistedPolicy.KEEP_NON_PERSONAL
    keys: dict[str, KeyRef] = Field(default_factory=dict)
    columns: dict[str, ColumnPlan] = Field(default_factory=dict)
    k_anonymity: KAnonymitySection | None = None
    synthetic: dict[str, Any] | None = None
    differential_privacy: dict[str, Any] | None = None

    @field_validator("columns", mode="before")
    @classmethod
    def _no_null_columns(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"action": "keep"} if v is None else v) for k, v in value.items()}
        return value

    def dataset_sections(self) -> dict[str, Any]:
        """The dataset-level sections that are set, by name."""
        sections = {
            "k_anonymity": self.k_anonymity,
            "synthetic": self.synthetic,
            "differential_privacy": self.differential_privacy,
        }
        return {name: value for name, value in sections.items() if value is not None}

    def key_names_used(self) -> dict[str, str]:
        """Column -> key name for every action that takes a key."""
        return {col: str(plan.params.get("key", "default")) for col, plan in self.columns.items()
                if plan.action == "pseudonymize"}


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if len(loc) >= 2 and loc[0] == "columns":
            where = f"column '{loc[1]}'" + (f", field '{'.'.join(loc[2:])}'" if len(loc) > 2 else "")
        else:
            where = f"field '{'.'.join(loc)}'" if loc else "recipe"
        msg = err["msg"].removeprefix("Value error, ")
        if len(msg) > MAX_PROBLEM_CHARS:  # a message may quote the value it refuses, however large
            msg = msg[:MAX_PROBLEM_CHARS] + f"… ({len(msg) - MAX_PROBLEM_CHARS:,} more characters)"
        out.append(f"{where}: {msg}")
    return out


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
MAX_PROBLEM_CHARS = 500  # one problem line; the message as a whole is bounded in SanitasError


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
