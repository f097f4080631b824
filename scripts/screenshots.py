"""Take the README's screenshots of the workbench at 1280x800 on the demo data (under Xvfb: `make screenshots`).

Drives the real window: open the demo file, wait for the findings, apply the suggested plan, select
a column and wait for its preview, export, and grab the window at each state after a repaint; then the
k-anonymity tab with a trial run, the hierarchy editor, the Synthetic data tab with a trial run on the
sample, and the Privacy budget tab with DP noise on two columns and a noise preview.

The demo recipe reads resources/samples/demo.key, which git keeps at 0644: `make screenshots` makes it
private first (make demo-key), and so does this script, so no "readable by others" warning is logged.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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
    (RECIPE.parent / "demo.key").chmod(0o600)  # as `make demo-key`: git keeps it readable by others
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

    window.session.open_recipe(RECIPE)
    synthetic = window.synthetic_panel
    window.release_tabs.setCurrentWidget(synthetic)
    window.body_splitter.setSizes([360, 440])  # as the analyst drags it: the figures want room
    synthetic.run_button.click()
    wait_until(app, lambda: synthetic.task is None, timeout=600)
    grab(app, window, "06-synthetic-data.png")

    budget = window.privacy_budget_panel
    window.release_tabs.setCurrentWidget(budget)
    for column, lower, upper in (("age", "17", "90"), ("amount", "0", "500")):
        budget.add_column.setCurrentText(column)
        budget.add_column_button.click()
        row = budget.shares.row_of(column)
        row.lower.setText(lower)
        row.upper.setText(upper)
    budget.epsilon.setValue(2.0)
    budget.preview.column.setCurrentText("age")
    budget.preview.button.click()
    wait_until(app, lambda: budget.preview.task is None, timeout=120)
    grab(app, window, "07-privacy-budget.png")

    window.doc.undo_stack.setClean()
    window.close()
    window.session.cancel_all()
    from sanitas.gui.analysis_process import shared_process

    shared_process().shutdown()  # before the interpreter exits: a pipe closed under the worker logged EOFError
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
