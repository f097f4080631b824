"""The workbench's pseudonymization keys for this session: where each key comes from, never the key in a file
the workbench writes.

The recipe names key sources (an environment variable or a key file). In the workbench the analyst can
also pick a key file, name another variable, or create a key, for this session only: nothing here goes
into the recipe, the autosave, the settings or the report (the report says where a key came from, never
the key). A created key that the analyst did not save to a key file lives in memory; the core reads keys
from files or variables, so for a run it is handed over as a 0600 file in a private 0700 folder that is
removed when the workbench closes (or at the latest when the process exits).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from sanitas.core.errors import SanitasError
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.keys import KeyRef, KeyRing, write_key_file
from sanitas.core.recipe import Recipe

DEFAULT_KEY = "default"


@dataclass(frozen=True)
class KeySource:
    """One key's source for this session: a key file, an environment variable, or a key held in memory."""

    kind: str  # "file", "env" or "memory"
    file: Path | None = None
    env: str | None = None
    material: str | None = field(default=None, repr=False)  # only for "memory"

    def describe(self) -> str:
        if self.kind == "file":
            return f"key file {self.file}"
        if self.kind == "env":
            return f"environment variable {self.env}"
        return "a key created in this session (kept in memory only)"


class SessionKeys(QObject):
    """Key sources chosen in the workbench; ``prepared(recipe)`` is the recipe a run or preview uses."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources: dict[str, KeySource] = {}
        self._folder: TempFolder | None = None

    # --- choosing ----------------------------------------------------------------------------------
    def source(self, name: str) -> KeySource | None:
        return self._sources.get(name)

    def use_file(self, name: str, path: Path) -> None:
        self._set(name, KeySource("file", file=Path(path).expanduser().absolute()))

    def use_env(self, name: str, variable: str) -> None:
        self._set(name, KeySource("env", env=variable.strip()))

    def use_memory(self, name: str, key: str) -> None:
        self._set(name, KeySource("memory", material=key))

    def save_to_file(self, name: str, path: Path) -> Path:
        """Write the in-memory key ``name`` to a new 0600 key file and use that file from now on."""
        source = self._sources.get(name)
        if source is None or source.material is None:
            raise SanitasError(f"Key '{name}' is not a key created in this session; nothing to save.")
        written = write_key_file(Path(path).expanduser(), source.material)
        self.use_file(name, written)
        return written

    def forget(self, name: str) -> None:
        if self._sources.pop(name, None) is not None:
            self.changed.emit()

    def clear(self) -> None:
        """Forget every key of this session and remove the private folder of in-memory keys."""
        self._sources.clear()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self.changed.emit()

    def _set(self, name: str, source: KeySource) -> None:
        if self._folder is not None:  # a replaced in-memory key must not linger in its file
            (self._folder.path / f"session-key-{name}").unlink(missing_ok=True)
        self._sources[name] = source
        self.changed.emit()

    # --- using -------------------------------------------------------------------------------------
    def ref(self, name: str, recipe: Recipe) -> KeyRef | None:
        """Where key ``name`` is read from now: the session's choice, else the recipe's."""
        source = self._sources.get(name)
        if source is None:
            return recipe.keys.get(name)
        if source.kind == "file":
            return KeyRef(file=str(source.file))
        if source.kind == "env":
            return KeyRef(env=source.env)
        return KeyRef(file=str(self._memory_file(name, source.material or "")))

    def prepared(self, recipe: Recipe) -> Recipe:
        """A copy of ``recipe`` whose key references point at this session's keys (absolute paths)."""
        keys = dict(recipe.keys)
        for name in self._sources:
            ref = self.ref(name, recipe)
            if ref is not None:
                keys[name] = ref
        return recipe.model_copy(update={"keys": keys, "columns": dict(recipe.columns)})

    def names_needed(self, recipe: Recipe) -> list[str]:
        """Key names the recipe's column actions use, in column order, each once."""
        return list(dict.fromkeys(recipe.key_names_used().values()))

    def problem(self, name: str, recipe: Recipe, recipe_dir: Path | None) -> str | None:
        """Why key ``name`` cannot be read now (None when it can), worded for the workbench."""
        ref = self.ref(name, recipe)
        if ref is None:
            return f"No key '{name}' is set: create one, pick a key file, or name an environment variable."
        try:
            KeyRing({name: ref}, recipe_dir)(name)
        except SanitasError as exc:
            return exc.message
        return None

    def missing(self, recipe: Recipe, recipe_dir: Path | None) -> dict[str, str]:
        """Every key the recipe needs that cannot be read now, with why."""
        problems = {name: self.problem(name, recipe, recipe_dir) for name in self.names_needed(recipe)}
        return {name: text for name, text in problems.items() if text}

    def _memory_file(self, name: str, material: str) -> Path:
        if self._folder is None or not self._folder.alive:
            self._folder = TempFolder()  # private 0700, pid-named: removed at exit or by the next run if killed
        path = self._folder.path / f"session-key-{name}"
        if not path.exists():
            write_key_file(path, material)
        return path


def environment_has(variable: str) -> bool:
    return bool(os.environ.get(variable, "").strip())
