"""One line per input for what every input needs: an accessible name and a tooltip."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, tip: str) -> W:
    """Give ``widget`` an accessible name (screen readers, tests) and a tooltip; return it for chaining."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    return widget
