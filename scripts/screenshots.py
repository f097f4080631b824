"""Take the README's screenshots of the workbench at 1280x800 on the demo data (under Xvfb: `make screenshots`).

Drives the real window: open the demo file, wait for the findings, apply the suggested plan, select
a column and wait for its preview, export, and grab the window at each state after a repaint.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEMO = ROOT / "resources" / "samples" / "customers.csv"
RECIPE = ROOT / "resources" / "samples" / "customers.recipe.yaml"


def wait_until(app: QApplication, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the workbench did not reach the expected state")
        app.processEvents()
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def grab(app: QApplication, window, name: str) -> None:
    settle(app)
    path = OUT / name
    window.grab().save(str(path))
    print(f"saved {path.relative_to(ROOT)}")


def main() -> int:
    state = tempfile.mkdtemp(prefix="sanitas-shots-")
    os.environ.setdefault("SANITAS_STATE_DIR", state)
    os.environ.setdefault("SANITAS_CONFIG_DIR", state)
    from sanitas.gui.app import make_app
    from sanitas.gui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    window.resize(1280, 800)  # a common laptop screen: every panel must be usable here
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

    window.open_path(DEMO)
    wait_until(app, lambda: window.doc.scan is not None and not window.session.busy)
    window._select_column("email")
    grab(app, window, "01-findings.png")

    window.session.open_recipe(RECIPE)
    window._select_column("notes")
    wait_until(app, lambda: not window.inspector.preview.busy and window.inspector.preview.pairs())
    grab(app, window, "02-action-and-preview.png")

    from sanitas.gui.export_runner import ExportRequest, ExportRunner

    target = Path(state) / "customers.sanitized.csv"
    runner = ExportRunner(window.doc, ExportRequest(path=target, strict=False), window)
    done: list[object] = []
    runner.exported.connect(done.append)
    runner.exported.connect(window._exported)
    runner.failed.connect(lambda message: done.append(message))
    runner.start()
    wait_until(app, lambda: bool(done), timeout=300)
    grab(app, window, "03-export-report.png")

    window.session.open_recipe(RECIPE.with_name("customers.k-anonymity.recipe.yaml"))
    panel = window.k_anonymity_panel
    window.release_tabs.setCurrentWidget(panel)  # the tab takes the room it needs, as when the analyst opens it
    panel.run()
    wait_until(app, lambda: panel.task is None and panel.facts is not None, timeout=120)
    grab(app, window, "04-k-anonymity.png")

    from sanitas.gui.widgets.k_anonymity.hierarchy_builder_form import EDGES

    panel.hierarchies.show_hierarchy("age")
    editor = panel.hierarchies.dialog
    editor.resize(900, 620)
    editor.form.number_mode.setCurrentText(EDGES)
    editor.form.edges.setText("0, 18, 30, 45, 65, 120; 0, 30, 65, 120")
    editor.rebuild_button.click()
    grab(app, editor, "05-hierarchy-editor.png")
    editor.close()
    QTimer.singleShot(0, app.quit)
    window.doc.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
