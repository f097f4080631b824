"""Text the analyst typed in the budget tab, read into numbers and lists, with a message naming the field.

The tab keeps bounds, deltas and domains in free text boxes (an empty box means "not given", which a
spin box cannot say), so each read says which recipe field is wrong and what to type instead.
"""

from __future__ import annotations

import math

from pydantic import ValidationError

from sanitas.core.validation import validation_problems


class FieldError(ValueError):
    """A box whose text is not what its field takes; ``str()`` is the analyst's message."""


def optional_number(text: str, field: str) -> float | None:
    """A finite number, or None for an empty box."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FieldError(f"{field}: type a number (e.g. 17 or 1e-6), not {text[:40]!r}") from None
    if not math.isfinite(value):
        raise FieldError(f"{field}: type a finite number")
    return value


def number(text: str, field: str, default: float = 0.0) -> float:
    value = optional_number(text, field)
    return default if value is None else value


def plain(value: float | None) -> float | int | None:
    """17.0 -> 17, so the recipe reads as the analyst typed it."""
    return int(value) if value is not None and float(value).is_integer() and abs(value) < 2**53 else value


def number_text(value: float | None) -> str:
    return "" if value is None else f"{plain(value):g}" if isinstance(plain(value), float) else str(plain(value))


def text_list(text: str) -> list[str]:
    """'F, M' -> ['F', 'M'] (empty items dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def number_list(text: str, field: str) -> list[float]:
    return [number(part, field) for part in text_list(text)]


def domains(text: str, field: str) -> dict[str, list[str]]:
    """'sex: F, M; race: A, B' -> {'sex': ['F', 'M'], 'race': ['A', 'B']}."""
    out: dict[str, list[str]] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        column, sep, values = part.partition(":")
        if not sep or not column.strip():
            raise FieldError(f"{field}: write each domain as 'column: value, value' and separate them with ';' "
                             "(e.g. sex: F, M; race: A, B)")
        out[column.strip()] = text_list(values)
    return out


def domains_text(value: dict[str, list[str]]) -> str:
    return "; ".join(f"{column}: {', '.join(values)}" for column, values in value.items())


def problems_of(exc: ValidationError, field: str) -> list[str]:
    """pydantic's problems, each prefixed by the recipe field that holds the object."""
    return [f"{field}: {p}" for p in validation_problems(exc)]
