"""The recipe's ``k_anonymity`` section: quasi-identifiers, privacy models, hierarchies, and how to reach them.

It lives with the k-anonymity code (not in recipe.py) so that the step owns its section and the recipe
only composes the sections of the registered steps.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sanitas.core.validation import validation_problems


class HierarchyRef(BaseModel):
    """Where a quasi-identifier's hierarchy comes from: an ARX-format CSV file, or an automatic rule.

    ``file`` is relative to the recipe. ``auto`` is number | date | postal | category; the other
    fields are passed to that builder (privacy/hierarchies/builders.py), and checked at load against its options
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
            from sanitas.core.privacy.hierarchies.builders import check_options  # lazy: the builders pull in polars

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
        from sanitas.core.privacy.k_anonymity.models import (  # lazy: the privacy code pulls in numpy
            LDiversity,
            TCloseness,
        )

        problems = []
        for name, model, value in (("l_diversity", LDiversity, self.l_diversity),
                                   ("t_closeness", TCloseness, self.t_closeness)):
            if value is None:
                continue
            try:
                parsed = model.model_validate(value)
            except ValidationError as exc:
                too_small = [e for e in exc.errors()
                             if (name, e["loc"], e["type"]) == ("l_diversity", ("l",), "greater_than_equal")]
                if too_small:  # l: 0 says 2, not LDiversity's 1
                    problems.append(_l_too_small(too_small[0]["input"]))
                problems += [p for p in validation_problems(exc, root=name) if not (too_small and p.startswith(
                    "l_diversity.l:"))]
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
