"""Hand freed heap memory back to the system between the big passes of a release.

glibc keeps freed blocks of the C heap (numpy arrays of a few MiB, below its self-raising mmap threshold)
as part of the process's RSS, and the next pass does not always reuse them: after a 1M-row search or
scan that is 100-500 MB held for nothing. ``malloc_trim`` returns them. A no-op where libc is not glibc
(macOS, Windows, musl).
"""

from __future__ import annotations

import contextlib
import ctypes


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``); nothing elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
