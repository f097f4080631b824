"""One way to turn a pydantic ValidationError into the analyst's words: 'field.sub: what is wrong'.

Recipes, transform parameters, step sections, settings and workbench forms all validate with pydantic;
every caller lists the problems through here, so they read the same wherever they appear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

Located = Callable[[Sequence[Any]], str]

MAX_PROBLEM_CHARS = 500  # one problem line: a message may quote the value it refuses, however large


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):  # YAML `true` would pass as 1.0 and turn the risk check off
        raise ValueError("must be a number between 0 and 1 (e.g. 0.2), not true or false")
    return value


# A share between 0 and 1 written by hand (recipe, settings): pydantic alone would read `true` as 1.0.
Share = Annotated[float, BeforeValidator(_no_bool)]


def dotted(loc: Sequence[Any], root: str = "") -> str:
    """``('hierarchies', 'age', 'factor')`` -> ``hierarchies.age.factor`` (prefixed by ``root.`` if given)."""
    parts = [str(p) for p in loc]
    return ".".join([root, *parts] if root else parts)


def problem_text(error: Any) -> str:
    """pydantic's message without its 'Value error, ' prefix, cut to ``MAX_PROBLEM_CHARS``."""
    msg = str(error["msg"]).removeprefix("Value error, ")
    if len(msg) > MAX_PROBLEM_CHARS:
        msg = msg[:MAX_PROBLEM_CHARS] + f"… ({len(msg) - MAX_PROBLEM_CHARS:,} more characters)"
    return msg


def validation_problems(exc: ValidationError, *, root: str = "", where: Located | None = None,
                        default: str = "") -> list[str]:
    """Every problem of ``exc``, each located: ``where(loc)`` when given, else the dotted field path.

    ``default`` names the whole object when an error has no location (a model-level check).
    """
    out = []
    for error in exc.errors():
        loc = error["loc"]
        place = where(loc) if where is not None else (dotted(loc, root) if loc else (root or default))
        out.append(f"{place}: {problem_text(error)}" if place else problem_text(error))
    return out
