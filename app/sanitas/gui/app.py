"""Start the workbench: `sanitas gui [FILE] [--recipe R]`.

The window appears first; spaCy and Presidio (seconds to load) are warmed in the background
afterwards, so the analyst can look around while the first scan's model loads.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from sanitas import __version__

STARTED = time.perf_counter()
ICON = Path(__file__).resolve().parents[3] / "resources" / "icons" / "sanitas.svg"


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Sanitas")
    app.setOrganizationName("Sanitas")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("sanitas")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    return app


def warm_up(window) -> None:
    """Start the analysis process and load the detector there, so the first scan does not wait for it."""
    from sanitas.core.settings import load_settings
    from sanitas.gui.analysis_process import shared_process
    from sanitas.gui.workers import Task

    task = Task("warm-up", lambda progress, cancel: shared_process().call(
        "warm_up", progress, cancel, cancellable=False, settings=load_settings()), window)
    task.failed.connect(lambda exc: None)  # a broken model is reported by the scan that needs it
    window._warm_up = task.start()


def run(path: Path | None = None, recipe: Path | None = None) -> int:
    from sanitas.gui.errors import install_excepthook
    from sanitas.gui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    install_excepthook(lambda: window)
    window.restore_state()
    window.show()
    if recipe is not None:
        window.session.open_recipe(recipe)
    QTimer.singleShot(100, lambda: warm_up(window))
    if path is not None:
        QTimer.singleShot(0, lambda: window.open_path(path))
    code = app.exec()
    from sanitas.gui.analysis_process import shared_process

    shared_process().shutdown()
    return code
