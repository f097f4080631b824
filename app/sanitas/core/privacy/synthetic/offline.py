"""Import SDV without it touching anything outside the process.

SDV, SDMetrics, RDT, copulas and ctgan make no network call on import, fit, sample or evaluation (checked
in their sources: only ``sdv.datasets.demo`` downloads, and Sanitas never calls it; no version check,
no telemetry). The one side effect is on import: ``sdv.logging`` creates ``~/.local/share/sdv`` and copies
``sdv_logger_config.yml`` into it, and, if that copy was ever switched to ``log_registry: local``, logs every
fit and sample to a CSV file there. ``load_sdv`` makes SDV's call to ``platformdirs.user_data_dir`` fail
during the import, so SDV's own fallback (``safely_return_logger``) hands out plain, handler-less loggers:
nothing is created or read in the user's folders. torch, when a neural synthesizer first builds its
optimizer, imports ``torch._dynamo``, which creates ``torchinductor_<user>`` in the system temp folder:
``load_torch`` points that cache (``TORCHINDUCTOR_CACHE_DIR``) at a private 0700 folder removed at exit.
``tests/core/synthetic/test_offline.py`` proves it with an
audit hook that records every socket and every file written during a whole release.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import threading
import types
from collections.abc import Iterator

_LOCK = threading.Lock()


class _NoUserDataDir(OSError):
    """Raised in place of SDV's user data folder while SDV is imported."""


def _refuse(*args: object, **kwargs: object) -> str:
    raise _NoUserDataDir("Sanitas does not let SDV write to the user's data folder")


def load_sdv() -> None:
    """Import sdv (and with it rdt, copulas, sdmetrics) once, with its logger set-up kept off the disk."""
    if "sdv.single_table" in sys.modules:
        return
    with _LOCK:
        if "sdv.single_table" in sys.modules:
            return
        import platformdirs

        original = platformdirs.user_data_dir
        platformdirs.user_data_dir = _refuse  # type: ignore[assignment]
        try:
            import sdv.metadata
            import sdv.single_table  # noqa: F401
        finally:
            platformdirs.user_data_dir = original  # type: ignore[assignment]


@contextlib.contextmanager
def quiet_sampling() -> Iterator[None]:
    """SDV draws its own tqdm bar on stderr when it samples with constraints or conditions; Sanitas reports
    progress itself. While the block runs, the ``tqdm`` that ``sdv.single_table.base`` holds makes silent bars."""
    load_sdv()
    import sdv.single_table.base as base
    import tqdm

    with _LOCK:
        saved = base.tqdm
        base.tqdm = types.SimpleNamespace(tqdm=functools.partial(tqdm.tqdm, disable=True))  # type: ignore[assignment]
        try:
            yield
        finally:
            base.tqdm = saved


def load_torch() -> None:
    """Import torch's compiler module once with its cache in a private folder (see the module doc)."""
    if "torch._dynamo" in sys.modules:
        return
    with _LOCK:
        if "torch._dynamo" in sys.modules:
            return
        if "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
            private = tempfile.mkdtemp(prefix="sanitas-torch-")  # mode 0700
            atexit.register(shutil.rmtree, private, ignore_errors=True)
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = private
        import torch._dynamo  # noqa: F401
