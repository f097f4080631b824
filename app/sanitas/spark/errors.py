"""Errors from the executors turned back into what the analyst reads on one machine.

A transform's SanitasError raised in a Python worker reaches the driver wrapped in Spark's exception
with the worker's traceback; ``partition.py`` marks the message so it can be found again here. A job
stopped by ``cancelAllJobs`` becomes ``Cancelled``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sanitas.core.errors import SanitasError, TransformError
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.spark.partition import ERROR_END, ERROR_MARK

_MARKED = re.compile(re.escape(ERROR_MARK) + r"(?P<kind>\w+):(?P<message>.*?)" + re.escape(ERROR_END), re.S)


@contextmanager
def executor_errors(cancel: CancelToken) -> Iterator[None]:
    try:
        yield
    except (SanitasError, Cancelled, KeyboardInterrupt):
        raise
    except Exception as exc:
        text = str(exc)
        found = _MARKED.search(text)
        if found:
            raise TransformError(found.group("message")) from None
        if cancel.cancelled or ("cancelled" in text.lower() and "job" in text.lower()):
            raise Cancelled() from None
        raise
