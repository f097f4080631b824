"""Progress reporting and cancellation shared by every long step.

Core functions take an optional ``progress`` callback and a ``CancelToken``. The CLI prints the
callback's messages, the GUI bridges them to Qt signals. Cancelling raises ``Cancelled`` at the next
checkpoint, so a step never leaves half-written output behind (writers clean up on the way out).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class Cancelled(Exception):
    """The analyst cancelled the step. Not an error: the CLI exits 130, the GUI just stops."""

    exit_code = 130


class Progress(Protocol):
    """Called with a fraction in [0, 1] and a short message without data values."""

    def __call__(self, fraction: float, message: str) -> None: ...


def no_progress(fraction: float, message: str) -> None:
    """The default callback: ignore progress."""


class CancelToken:
    """A flag one thread sets and the worker checks between chunks of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()


def sub_progress(progress: Progress | None, start: float, end: float) -> Progress:
    """Map a child step's 0..1 onto ``start..end`` of the parent's bar."""
    parent: Callable[[float, str], None] = progress or no_progress
    span = end - start

    def report(fraction: float, message: str) -> None:
        parent(start + span * min(max(fraction, 0.0), 1.0), message)

    return report
