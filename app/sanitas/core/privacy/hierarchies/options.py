"""The options of the automatic rules (``{auto: number, first_width: 5}``), checked when a recipe loads."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from sanitas.core.privacy.hierarchies._common import DATE_LEVELS
from sanitas.core.privacy.hierarchies.numbers import edges_problem, widths_problem

# the options of the automatic rules --------------------------------------------------------------
Number = Annotated[float, Strict(), AllowInfNan(False)]  # an int or a float as YAML reads it; not '5', not true
Positive = Annotated[Number, Field(gt=0)]
Count = Annotated[int, Strict(), Field(gt=0)]


class _Options(BaseModel):
    """One builder's keyword options as a recipe writes them: checked, never coerced (YAML '5' is text),
    and never stored: the recipe keeps what the analyst wrote. ``description`` says what is allowed."""

    model_config = ConfigDict(extra="forbid", strict=True)


class NumberOptions(_Options):
    """``numeric_intervals``: widths, first_width (times factor) or edges, and the label style."""

    widths: Annotated[list[Positive], Field(min_length=1)] | None = Field(
        None, description="a list of positive interval widths, one per level, each a whole multiple (2x or more) "
        "of the one before, e.g. [5, 10, 20]")
    first_width: Positive | None = Field(
        None, description="a positive number, the width of the level 1 intervals, e.g. 5 (each further level is "
        "factor times wider)")
    factor: Annotated[int, Strict(), Field(ge=2)] = Field(
        2, description="a whole number of 2 or more, how many times wider each level's intervals are, e.g. 2")
    edges: Annotated[list[Annotated[list[Number], Field(min_length=1)]], Field(min_length=1)] | None = Field(
        None, description="a list of cut-point lists, one per level, each coarser level keeping some cuts of the "
        "one below, e.g. [[18, 30, 45, 65], [18, 65]] (a single level may be written [18, 30, 45, 65])")
    origin: Number | None = Field(None, description="a number, where the intervals start, e.g. 0")
    style: Literal["auto", "range", "interval"] = Field(
        "auto", description="one of auto, range (30-34) or interval ([30, 35[)")

    @field_validator("widths")
    @classmethod
    def _nested_widths(cls, widths: list[float] | None) -> list[float] | None:
        if widths is not None and (problem := widths_problem(widths)):
            raise ValueError(problem)
        return widths

    @field_validator("edges")
    @classmethod
    def _nested_edges(cls, edges: list[list[float]] | None) -> list[list[float]] | None:
        if edges is not None and (problem := edges_problem(edges, [sorted(set(level)) for level in edges])):
            raise ValueError(problem)
        return edges

    @model_validator(mode="after")
    def _one_way(self) -> NumberOptions:
        given = [name for name in ("widths", "first_width", "edges") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give widths, first_width or edges, not several (got {', '.join(given)}); keep one")
        return self


class DateOptions(_Options):
    """``dates``: the calendar levels and how text dates are written."""

    levels: Annotated[list[Literal["day", "month", "year", "decade"]], Field(min_length=1)] | None = Field(
        None, description="a list of date levels, some of day, month, year, decade in that order, e.g. "
        "[month, year, decade]")
    date_format: str | None = Field(
        None, description="a strftime format of the column's text dates, e.g. '%d/%m/%Y' or '%m/%d/%Y'")

    @field_validator("levels")
    @classmethod
    def _in_order(cls, levels: list[str] | None) -> list[str] | None:
        order = [DATE_LEVELS.index(unit) for unit in levels or []]
        if order != sorted(set(order)):
            raise ValueError(f"must be {_described(cls, 'levels')} (finest first, each once); got {levels!r}")
        return levels

    @field_validator("date_format")
    @classmethod
    def _a_format(cls, date_format: str | None) -> str | None:
        if date_format is not None and "%" not in date_format:
            raise ValueError(f"must be {_described(cls, 'date_format')}; got {date_format!r}")
        return date_format


class PostalOptions(_Options):
    """``postal_codes``: how many trailing characters each level redacts."""

    strip: Annotated[list[Count], Field(min_length=1)] | None = Field(
        None, description="a list of how many trailing characters each level redacts, increasing, e.g. [1, 2, 3] "
        "(a single level: [2])")

    @field_validator("strip")
    @classmethod
    def _increasing(cls, strip: list[int] | None) -> list[int] | None:
        if strip is not None and strip != sorted(set(strip)):
            raise ValueError(f"must be {_described(cls, 'strip')}; got {strip!r}")
        return strip


class CategoryOptions(_Options):
    """``categories``: groups per level, and the group for the rest."""

    groups: Any = Field(
        None, description="a mapping of each group to the list of its values, e.g. {East: [Boston, New York], "
        "West: [Seattle]}, or a list of such mappings, one per level (level 2 groups the level 1 groups)")
    other: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="text, the group for values in no group, e.g. Other")

    @field_validator("groups", mode="before")
    @classmethod
    def _lists_of_values(cls, groups: Any) -> Any:
        if groups is None:
            return groups
        nested = not isinstance(groups, Mapping)
        if nested and (not isinstance(groups, list | tuple) or not groups):
            raise ValueError(f"must be {_described(cls, 'groups')}; got {groups!r}")
        problems = []
        for i, grouping in enumerate(groups if nested else [groups]):
            where = f"groups[{i}]" if nested else "groups"
            if not isinstance(grouping, Mapping) or not grouping:
                problems.append(f"{where} must map each group to the list of its values, e.g. {{East: [Boston, "
                                f"New York]}}; got {grouping!r}")
                continue
            for name, members in grouping.items():
                if not _scalar(name):
                    problems.append(f"{where}: group name {name!r} must be text or a number")
                elif not isinstance(members, list | tuple):
                    problems.append(f"{where}.{name} must be a list of values, e.g. {name}: [{members}]; got "
                                    f"{members!r}")
                elif not members:
                    problems.append(f"{where}.{name} lists no values; list them, or remove the group")
                elif bad := [m for m in members if not _scalar(m)]:
                    problems.append(f"{where}.{name} must be a list of values (text or numbers); got {bad[0]!r} "
                                    "in it")
        if problems:
            raise ValueError("; ".join(problems))
        return groups


OPTIONS: dict[str, type[_Options]] = {"number": NumberOptions, "date": DateOptions, "postal": PostalOptions,
                                      "category": CategoryOptions}


class OptionProblem(NamedTuple):
    """What is wrong with one option ('' for the options together), and the value given."""

    option: str
    message: str
    value: Any = None

    def text(self) -> str:
        return f"{self.option}: {self.message}" if self.option else self.message


def check_options(kind: str, options: Mapping[str, Any]) -> tuple[dict[str, Any], list[OptionProblem]]:
    """The options as the ``kind`` builder takes them, and every problem with them (unknown option,
    wrong type, empty, unknown value), each saying what is allowed.

    The options come back as given, except that a flat ``edges`` list of numbers becomes its one level
    ([0, 40] -> [[0, 40]]): a list of numbers can only be one level's cut points."""
    model, given = OPTIONS[kind], dict(options)
    options = dict(given)
    edges = options.get("edges")
    if kind == "number" and isinstance(edges, list) and edges and not any(isinstance(e, list) for e in edges):
        options["edges"] = [edges]
    try:
        model.model_validate(options)
    except ValidationError as exc:
        return options, _explained(kind, model, given, exc)
    return options, []


def _explained(kind: str, model: type[_Options], options: Mapping[str, Any],
               exc: ValidationError) -> list[OptionProblem]:
    """One problem per option, in words: pydantic's own messages ('Input should be a valid number') say
    neither what the option is for nor what to write instead."""
    allowed = list(model.model_fields)
    problems: dict[str, OptionProblem] = {}
    for error in exc.errors():
        option = str(error["loc"][0]) if error["loc"] else ""
        if option in problems:
            continue  # a union or a list reports one input several times
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(option, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = (f"unknown option for 'auto: {kind}'{hint}; the options are {', '.join(allowed)}: rename it, "
                       "or remove it")
        elif error["type"] == "value_error":
            message = str(error["msg"]).removeprefix("Value error, ")
        else:
            message = f"must be {_described(model, option)}; got {options.get(option)!r}"
        problems[option] = OptionProblem(option, message, options.get(option))
    return list(problems.values())


def _described(model: type[_Options], option: str) -> str:
    field = model.model_fields.get(option)
    return (field.description if field is not None else None) or "valid"


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and value == value  # text, a number or a boolean; not NaN
