"""Keep None, True and False alive under PySide6 6.12.0 on Python 3.11.

Measured here (PySide6-Essentials 6.12.0, shiboken6 6.12.0, CPython 3.11.7): every call of a void Qt
method from Python (``label.setText``, ``widget.update``, ``app.processEvents`` ...) releases one
reference to None that it never took, and every ``Signal.emit`` one reference to True. None starts
with ~40,000 references, so a workbench session that makes that many calls (a minute of scrolling a
large table, a long export, a test run) aborts with "Fatal Python error: none_dealloc".

Python 3.12 made these singletons immortal by giving them a reference count so large that no count of
decrements reaches zero; this does the same on 3.11 (they are never freed anyway: freeing one is the
fatal error). Nothing else changes. Drop this module once the pinned PySide6 no longer leaks (the test
tests/gui/test_refcount_guard.py measures the leak and says so).
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 48  # decrements that can never all happen in one process


def immortalize_singletons() -> None:
    """Give None, True and False a reference count that leaked decrements cannot exhaust (3.11 and older)."""
    if sys.version_info >= (3, 12):  # immortal already
        return
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of every object
        if count.value < HEADROOM // 2:
            count.value += HEADROOM
