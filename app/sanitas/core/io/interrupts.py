"""Ctrl-C around file writes: one interrupt, delivered once, and never in the middle of a cleanup.

With Python's default handler one SIGINT can surface twice during a polars write: the sink raises
KeyboardInterrupt, then the still-pending signal raises it again inside the cleanup (for instance in
a ``contextlib.suppress`` around the unlink), so the temp file stays. Inside ``first_interrupt_only``
the first SIGINT raises KeyboardInterrupt as usual and any later one is ignored until the block is
left, so the cleanup runs to its end. Inside ``interrupts_held`` (a few renames that must all happen)
a SIGINT is noted and dropped: the work it would cut short is already complete.

Signal handlers belong to the main thread: elsewhere (a GUI worker) these do nothing, and so does a
program that installed its own SIGINT handler.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def _ours_to_change() -> bool:
    return (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler)


@contextmanager
def first_interrupt_only() -> Iterator[None]:
    if not _ours_to_change():
        yield
        return
    raised = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def interrupts_held() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield
        return
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
