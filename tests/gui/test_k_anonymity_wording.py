"""Issue 13, item 10 in the window: after Plan › Apply suggested plan, the k-anonymity tab's Run says in words
which quasi-identifiers were fully generalized away, not only "city 1/1"."""

from __future__ import annotations

from pathlib import Path

import pytest
from driving import demo_copy, open_and_scan, trigger
from PySide6.QtCore import Qt

from sanitas.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    win = MainWindow()
    win.resize(1280, 800)
    win.show()
    yield win
    win.session.cancel_all()
    qtbot.waitUntil(lambda: not win.session.busy and win.k_anonymity_panel.task is None, timeout=30_000)
    win.doc.undo_stack.setClean()
    win.close()


def test_run_after_the_suggested_plan_names_columns_generalized_away(qtbot, window: MainWindow,
                                                                     tmp_path: Path) -> None:
    open_and_scan(qtbot, window, demo_copy(tmp_path, rows=300))
    trigger(window, "Plan", "Apply suggested plan")
    tabs, panel = window.release_tabs, window.k_anonymity_panel
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(tabs.indexOf(panel)).center())
    assert not panel.message.text(), panel.message.text()  # no conflict with the suggested plan
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.task is None and panel.facts is not None, timeout=120_000)
    facts, text = panel.facts, panel.results.summary.text()
    assert "Lattice position (level/top)" in text
    away = [c for c in facts.quasi_identifiers if facts.levels.get(c) == facts.heights.get(c, 0) - 1 > 0]
    if away:
        line = next(line for line in text.splitlines() if "Fully generalized away" in line)
        assert all(c in line for c in away) and "no longer tells records apart" in line
    else:
        assert "Fully generalized away" not in text
