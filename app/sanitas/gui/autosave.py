"""Autosave of the session (which dataset, which recipe, the plan being edited) so a crash loses nothing.

The session file holds paths and the recipe as ``recipe_to_data`` writes it: key references, never
keys, and no data values. One file per running workbench (``session-<pid>.json``, mode 0600, in the
private data folder), written atomically about a second after the last edit, removed on a clean
close. At the next start, a file whose process is gone was left by a crash or a kill.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import psutil
from PySide6.QtCore import QObject, QTimer, Signal

from sanitas.core.errors import SanitasError
from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.recipe import Recipe, parse_recipe, recipe_to_data
from sanitas.gui.app_settings import state_dir
from sanitas.gui.document import Document

log = logging.getLogger(__name__)
SESSION_VERSION = 1
DEFAULT_DELAY_MS = 1000


@dataclass(frozen=True)
class SessionSnapshot:
    """What an earlier, unfinished session was doing. The main window reopens the dataset itself."""

    file: Path
    dataset_path: Path | None
    recipe_path: Path | None
    recipe: Recipe
    saved_at: datetime
    dirty: bool  # the plan had edits that were not saved to the recipe file


class Autosaver(QObject):
    saved = Signal(object)  # Path of the session file
    failed = Signal(str)  # why the session could not be written (no data values)

    def __init__(self, doc: Document, parent: QObject | None = None, *, delay_ms: int = DEFAULT_DELAY_MS,
                 folder: Path | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._folder = folder
        self._offered: SessionSnapshot | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save_now)
        for signal in (doc.planChanged, doc.recipeReplaced, doc.datasetChanged, doc.recipePathChanged):
            signal.connect(self.schedule)

    @property
    def path(self) -> Path:
        return (self._folder or state_dir()) / f"session-{os.getpid()}.json"

    def schedule(self, *_: object) -> None:
        """Debounce: a burst of edits gives one write, a second after the last one."""
        self._timer.start()

    def save_now(self) -> Path | None:
        self._timer.stop()
        doc = self.doc
        source = doc.dataset.source if doc.dataset is not None else None
        if source is None and not doc.recipe.columns:
            self._remove()  # nothing worth restoring
            return None
        data = {
            "version": SESSION_VERSION,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "process_started": _started(os.getpid()),
            "dataset_path": str(source) if source else None,
            "recipe_path": str(doc.recipe_path) if doc.recipe_path else None,
            "dirty": doc.dirty,
            "recipe": recipe_to_data(doc.recipe),
        }
        try:
            _write_private(self.path, json.dumps(data, indent=1))
        except OSError as exc:
            log.warning("autosave failed: %s", type(exc).__name__)
            self.failed.emit(f"Autosave failed ({exc.strerror or type(exc).__name__}); save the recipe yourself.")
            return None
        self.saved.emit(self.path)
        return self.path

    def clear(self) -> None:
        """A clean close (or a declined restore): nothing to restore next time."""
        self._timer.stop()
        self._remove()
        if self._offered is not None:
            self.discard(self._offered)
            self._offered = None

    def _remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    # --- the next start --------------------------------------------------------------------------
    def pending_restore(self) -> SessionSnapshot | None:
        """A session left by a crash or a kill (see ``find_pending``); ``clear`` forgets it too."""
        self._offered = find_pending(self._folder)
        return self._offered

    def restore(self, doc: Document, snapshot: SessionSnapshot, opener: DatasetOpener | None = None) -> None:
        """Bring the plan back as unsaved edits, after reopening its dataset when an opener is given.

        With an opener (the main window's controller), the dataset is reopened in the background
        and the plan restored once it is in; without one, the caller has reopened it already.
        """
        def apply() -> None:
            doc.restore_recipe(snapshot.recipe, snapshot.recipe_path)
            self.discard(snapshot)

        if opener is not None and snapshot.dataset_path is not None and snapshot.dataset_path.is_file():
            opener.open_dataset(snapshot.dataset_path, then=apply)
        else:
            apply()

    @staticmethod
    def discard(snapshot: SessionSnapshot) -> None:
        """The analyst declined the restore, or it is done: forget the old session."""
        if snapshot.file.name != f"session-{os.getpid()}.json":
            with contextlib.suppress(OSError):
                snapshot.file.unlink(missing_ok=True)


class DatasetOpener(Protocol):
    def open_dataset(self, path: Path, then: Callable[[], None] | None = None) -> None: ...


def find_pending(folder: Path | None = None) -> SessionSnapshot | None:
    """The newest session file whose workbench is no longer running, if any."""
    folder = folder or state_dir()
    snapshots = [s for s in (_read(p) for p in folder.glob("session-*.json")) if s is not None]
    return max(snapshots, key=lambda s: s.saved_at, default=None)


def _read(path: Path) -> SessionSnapshot | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != SESSION_VERSION:
            return None
        pid = int(data["pid"])
        started = _started(pid)
        if pid != os.getpid() and started is not None and started == data.get("process_started"):
            return None  # another workbench is running and owns this session
        recipe = parse_recipe(data["recipe"], source=path.name)
        return SessionSnapshot(
            file=path,
            dataset_path=Path(data["dataset_path"]) if data.get("dataset_path") else None,
            recipe_path=Path(data["recipe_path"]) if data.get("recipe_path") else None,
            recipe=recipe,
            saved_at=datetime.fromisoformat(data["saved_at"]),
            dirty=bool(data.get("dirty")),
        )
    except (OSError, ValueError, KeyError, TypeError, SanitasError) as exc:
        log.warning("ignoring unreadable session file %s (%s)", path.name, type(exc).__name__)
        return None


def _started(pid: int) -> float | None:
    """The process' start time: a pid alone can be reused by an unrelated process after a crash."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.Error, OSError):
        return None


def _write_private(path: Path, text: str) -> None:
    """Write atomically, readable by the owner only (0600)."""
    write_text_atomic(path, text, mode=0o600)
