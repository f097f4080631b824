"""The workbench's own preferences (window layout, recent files, last export folder) and its data folder.

Only what belongs to this desktop app lives in QSettings. What the core needs (spaCy model, locale,
sample size, recognizers) lives in the core's settings file, edited by the PreferencesDialog, so the
CLI and the GUI never disagree. Tests point everything at ``SANITAS_STATE_DIR``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QStandardPaths
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

ORGANIZATION = "Sanitas"
APPLICATION = "Sanitas"
STATE_ENV = "SANITAS_STATE_DIR"
MAX_RECENT = 10


def apply_identity() -> None:
    """Name the application so QSettings and QStandardPaths use Sanitas' folders, not the interpreter's."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


def state_dir() -> Path:
    """The app's private data folder (autosave, error log), created with mode 0700.

    ``SANITAS_STATE_DIR`` overrides it (tests, portable installs).
    """
    override = os.environ.get(STATE_ENV)
    if override:
        folder = Path(override)
    else:
        if QCoreApplication.applicationName() != APPLICATION:
            apply_identity()
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # a folder we do not own (shared override): leave it as it is
        folder.chmod(0o700)
    return folder


class AppSettings:
    """Typed access to the workbench's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        if settings is None:
            override = os.environ.get(STATE_ENV)
            if override:
                settings = QSettings(str(state_dir() / "sanitas.ini"), QSettings.Format.IniFormat)
            else:
                settings = QSettings(ORGANIZATION, APPLICATION)
        self.qsettings = settings

    # --- window ----------------------------------------------------------------------------------
    def save_window(self, window: QWidget) -> None:
        self.qsettings.setValue("window/geometry", window.saveGeometry())
        self.save_splitters(window)
        if isinstance(window, QMainWindow):
            self.qsettings.setValue("window/state", window.saveState())
        self.qsettings.sync()

    def save_splitters(self, window: QWidget) -> None:
        """Every named splitter's sizes (the analyst's layout of the panels), restored at the next start."""
        for splitter in window.findChildren(QSplitter):
            if splitter.objectName():
                self.qsettings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        self.qsettings.sync()

    def restore_splitters(self, window: QWidget) -> int:
        restored = 0
        for splitter in window.findChildren(QSplitter):
            state = self.qsettings.value(f"splitters/{splitter.objectName()}") if splitter.objectName() else None
            if isinstance(state, QByteArray | bytes) and splitter.restoreState(QByteArray(state)):
                restored += 1
        return restored

    def restore_window(self, window: QWidget) -> bool:
        """Restore geometry (and toolbar/dock state); False on first start so the caller picks a size."""
        geometry = self.qsettings.value("window/geometry")
        restored = isinstance(geometry, QByteArray | bytes) and window.restoreGeometry(QByteArray(geometry))
        state = self.qsettings.value("window/state")
        if isinstance(window, QMainWindow) and isinstance(state, QByteArray | bytes):
            window.restoreState(QByteArray(state))
        self.restore_splitters(window)
        return bool(restored)

    # --- recent files ----------------------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        """Most recent first; files that no longer exist are pruned (and forgotten)."""
        stored = self._paths("recent/files")
        present = [p for p in stored if p.is_file()]
        if present != stored:
            self._set_paths("recent/files", present)
        return present

    def add_recent(self, path: str | Path) -> list[Path]:
        path = Path(path).expanduser().absolute()
        files = [path] + [p for p in self._paths("recent/files") if p != path]
        self._set_paths("recent/files", files[:MAX_RECENT])
        return self.recent_files()

    def clear_recent(self) -> None:
        self._set_paths("recent/files", [])

    # --- folders ---------------------------------------------------------------------------------
    def last_folder(self) -> str:
        """Where the last dataset or recipe was opened or saved (for file dialogs); home at first."""
        value = self.qsettings.value("files/folder")
        return str(value) if value and Path(str(value)).is_dir() else str(Path.home())

    def set_last_folder(self, folder: str | Path) -> None:
        self.qsettings.setValue("files/folder", str(Path(folder).expanduser().absolute()))
        self.qsettings.sync()

    def last_export_folder(self) -> Path | None:
        value = self.qsettings.value("export/folder")
        folder = Path(str(value)) if value else None
        return folder if folder is not None and folder.is_dir() else None

    def set_last_export_folder(self, folder: str | Path) -> None:
        self.qsettings.setValue("export/folder", str(Path(folder).expanduser().absolute()))
        self.qsettings.sync()

    def export_strict(self) -> bool:
        return _as_bool(self.qsettings.value("export/strict", False))

    def set_export_strict(self, strict: bool) -> None:
        self.qsettings.setValue("export/strict", bool(strict))
        self.qsettings.sync()

    # --- helpers ---------------------------------------------------------------------------------
    def _paths(self, key: str) -> list[Path]:
        value = self.qsettings.value(key, [])
        if isinstance(value, str):  # INI files store a one-item list as a plain string
            value = [value] if value else []
        return [Path(str(v)) for v in (value or []) if v]

    def _set_paths(self, key: str, paths: list[Path]) -> None:
        self.qsettings.setValue(key, [str(p) for p in paths])
        self.qsettings.sync()


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
