"""Masked examples: enough of a value's shape to recognise the kind of data, never the value.

'john.doe@example.com' -> 'j*******@e******.com', 'Maria Keller' -> 'M**** K*****',
'123-45-6789' -> '***-**-6789', '1985-03-12' -> '****-**-12'. Words keep their first letter, long
numbers their last digits (at most a third of them), punctuation stays. Long text is cut.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\d+|[^\W\d_]+|.", re.DOTALL)
MAX_EXAMPLE_CHARS = 48


def mask_example(value: str) -> str:
    """A masked copy of ``value`` that keeps its shape and hides most characters."""
    text = str(value)
    cut = len(text) > MAX_EXAMPLE_CHARS
    if cut:
        text = text[:MAX_EXAMPLE_CHARS]
    is_email = text.count("@") == 1 and " " not in text.strip()
    masked = _mask_email(text) if is_email else _mask_text(text)
    if masked == str(value) or _visible(masked) * 2 > max(len(masked), 1):
        masked = re.sub(r"\S", "*", masked)
    if masked == str(value):  # only whitespace and nothing to hide
        masked = "*" * max(len(masked), 3)
    return masked + ("…" if cut else "")


def _mask_email(text: str) -> str:
    local, domain = text.split("@")
    labels = domain.split(".")
    head = [_keep_first(label) for label in labels[:-1]]
    tail = labels[-1] if len(labels) > 1 else _keep_first(labels[-1])
    return _keep_first(local) + "@" + ".".join([*head, tail])


def _mask_text(text: str) -> str:
    total_digits = sum(c.isdigit() for c in text)
    keep = 4 if total_digits >= 12 else 3 if total_digits >= 9 else 2 if total_digits >= 6 else 0
    pieces = _TOKEN.findall(text)
    out: list[str] = []
    # Keep the last ``keep`` digits, counted from the end.
    remaining = keep
    for piece in reversed(pieces):
        if piece.isdigit():
            shown = min(remaining, len(piece))
            remaining -= shown
            out.append("*" * (len(piece) - shown) + piece[len(piece) - shown :])
        elif piece.isalpha():
            out.append(_keep_first(piece))
        else:
            out.append(piece)
    return "".join(reversed(out))


def _keep_first(word: str) -> str:
    if len(word) <= 1:
        return "*" * len(word)
    return word[0] + "*" * (len(word) - 1)


def _visible(masked: str) -> int:
    return sum(1 for c in masked if c.isalnum())
