"""SyntheticPanel driven through its widgets on 300 generated people, with real SDV runs: metadata, a run with
its figures and charts, constraints, undoable apply, Cancel, errors in place; and the window's tab and export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.io import open_dataset
from sanitas.core.recipe import ColumnPlan
from sanitas.core.settings import Settings
from sanitas.gui.document import Document
from sanitas.gui.panels.synthetic_panel import SyntheticPanel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "synthetic"))
from synthetic_data import people

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def scanned_people(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Dataset, pl.DataFrame, ScanResult]:
    path = tmp_path_factory.mktemp("people") / "people.csv"
    people(300, seed=61).write_csv(path)
    dataset = open_dataset(path)
    return path, dataset, dataset.collect(), scan_dataset(dataset, settings=Settings())


@pytest.fixture
def panel(qtbot: QtBot, scanned_people: tuple[Path, Dataset, pl.DataFrame, ScanResult]) -> SyntheticPanel:
    _, dataset, frame, scan = scanned_people
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_frame(frame)
    doc.set_scan(scan)
    widget = SyntheticPanel(doc)
    qtbot.addWidget(widget)
    return widget


def _wait(qtbot: QtBot, panel: SyntheticPanel) -> None:
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT_MS)


def test_metadata_table_follows_the_plan_and_detection(qtbot: QtBot, panel: SyntheticPanel) -> None:
    assert panel.metadata.columns == panel.doc.columns
    panel.doc.set_plan("city", ColumnPlan(action="drop"))
    assert "city" not in panel.metadata.columns and panel.form.target.findText("city") < 0
    panel.detect_button.click()
    _wait(qtbot, panel)
    assert panel.metadata.detected("name") == "name" and panel.metadata.made_by("name").startswith("format")
    assert panel.metadata.detected("income") == "numerical" and panel.metadata.made_by("income") == "learned"
    assert panel.metadata.detected("sex") == "categorical"


def test_run_shows_quality_privacy_utility_and_charts(qtbot: QtBot, panel: SyntheticPanel) -> None:
    panel.form.holdout.setValue(0.25)
    panel.form.target.setCurrentText("grade")
    panel.form.add_rule.click()
    rule_kind, rule_columns = panel.form.constraints.cellWidget(0, 0), panel.form.constraints.cellWidget(0, 1)
    rule_kind.setCurrentText("positive")
    rule_columns.setText("spend")
    panel.metadata.override("zip3").setCurrentText("categorical")
    panel.run_button.click()
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    _wait(qtbot, panel)
    assert panel.facts is not None, panel.message.text()
    assert panel.frame is not None and panel.frame.height == 300 and (panel.frame["spend"] >= 0).all()
    assert panel.facts.rows_held_out == 75 and panel.facts.sdtypes["zip3"] == "categorical"
    assert panel.results.figure("Quality").startswith(f"{panel.facts.quality.score:.2f}")
    assert "holdout baseline" in panel.results.figure("Exact copies")
    assert "50% is ideal" in panel.results.figure("Closer to training")
    assert "predicting grade" in panel.results.figure("Utility")
    assert len(panel.results.charts) == len(panel.facts.plots) > 0
    chart = panel.results.charts[0]
    assert [s.name for s in chart.series] == ["Real", "Synthetic"] and chart.grab().width() > 0
    assert panel.progress.value() == 1000 and panel.run_button.isEnabled()


def test_apply_and_remove_are_undoable(panel: SyntheticPanel) -> None:
    panel.form.synthesizer.setCurrentIndex(panel.form.synthesizer.findData("ctgan"))
    panel.form.epochs.setValue(20)
    panel.form.target.setCurrentText("grade")
    panel.metadata.primary_key.setCurrentText("email")
    panel.apply_button.click()
    section = panel.doc.recipe.synthetic
    assert section is not None and section.synthesizer == "ctgan" and section.epochs == 20
    assert section.evaluation.target == "grade" and section.primary_key == "email"
    assert panel.remove_button.isEnabled() and panel.message.text() == ""
    panel.doc.undo_stack.undo()
    assert panel.doc.recipe.synthetic is None and not panel.remove_button.isEnabled()
    panel.doc.undo_stack.redo()
    assert panel.doc.recipe.synthetic == section
    assert panel.form.epochs.value() == 20 and panel.metadata.key() == "email"
    panel.remove_button.click()
    assert panel.doc.recipe.synthetic is None
    panel.doc.undo_stack.undo()
    assert panel.doc.recipe.synthetic == section


def test_a_kept_column_is_reported_in_place_on_apply(panel: SyntheticPanel) -> None:
    panel.doc.set_plan("age", ColumnPlan(action="keep"))
    panel.apply_button.click()
    assert panel.doc.recipe.synthetic is not None
    assert "column 'age': action keep with a synthetic section" in panel.message.text()


def test_invalid_settings_are_reported_in_place(panel: SyntheticPanel) -> None:
    panel.form.synthesizer.setCurrentIndex(panel.form.synthesizer.findData("ctgan"))
    panel.form.batch_size.setValue(55)
    panel.apply_button.click()
    assert "multiple of 10" in panel.message.text() and panel.doc.recipe.synthetic is None
    panel.form.batch_size.setValue(50)
    panel.form.add_rule.click()
    panel.form.constraints.cellWidget(0, 0).setCurrentText("inequality")
    panel.form.constraints.cellWidget(0, 1).setText("spend")
    panel.run_button.click()
    assert "rule 1 (inequality): name two columns" in panel.message.text() and panel.task is None
    panel.form.constraints.cellWidget(0, 1).setText("spend, income")
    panel.metadata.override("email").setCurrentText("categorical")
    panel.form.target.setCurrentText("name")
    panel.run_button.click()
    assert "column 'name' is a direct identifier" in panel.message.text() and panel.task is None


def test_cancel_stops_training(qtbot: QtBot, panel: SyntheticPanel) -> None:
    panel.form.synthesizer.setCurrentIndex(panel.form.synthesizer.findData("tvae"))
    panel.form.epochs.setValue(100_000)
    panel.form.batch_size.setValue(100)
    panel.run_button.click()
    qtbot.waitUntil(lambda: "epoch" in panel.progress.format() or panel.task is None, timeout=WAIT_MS)
    panel.cancel_button.click()
    _wait(qtbot, panel)
    assert panel.message.text() == "Cancelled." and panel.facts is None


def test_the_window_tab_and_a_synthetic_export(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               scanned_people: tuple[Path, Dataset, pl.DataFrame, ScanResult]) -> None:
    from sanitas.gui.main_window import MainWindow
    from sanitas.gui.widgets.export.dialog import ExportDialog

    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    source = tmp_path / "people.csv"
    source.write_bytes(scanned_people[0].read_bytes())
    window = MainWindow()
    qtbot.addWidget(window)
    titles = [window.release_tabs.tabText(i) for i in range(window.release_tabs.count())]
    panel = window.release_tabs.widget(titles.index("Synthetic data"))
    assert isinstance(panel, SyntheticPanel) and panel is window.synthetic_panel
    window.open_path(source)
    qtbot.waitUntil(lambda: window.doc.scan is not None and not window.session.busy, timeout=WAIT_MS)
    panel.apply_button.click()
    assert window.doc.recipe.synthetic is not None
    out = tmp_path / "out.csv"

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExportDialog)
        dialog.path_edit.setText(str(out))
        dialog.ok_button.click()

    QTimer.singleShot(100, fill_dialog)
    window.actions.export.trigger()
    qtbot.waitUntil(lambda: out.exists() and not window.session.busy, timeout=WAIT_MS)
    released, real = pl.read_csv(out), pl.read_csv(source)
    assert released.height == real.height and not set(released["email"]) & set(real["email"])
    report = json.loads(Path(f"{out}.report.json").read_text())
    assert report["steps"] == ["synthetic"] and report["synthetic"]["quality"]["score"] > 0
    window.session.cancel_all()
    window.doc.undo_stack.setClean()


def test_the_synthesize_action_sits_beside_mask_and_fake_with_its_preview(qtbot: QtBot, panel: SyntheticPanel) -> None:
    from sanitas.gui.widgets.inspector.panel import InspectorPanel

    inspector = InspectorPanel(panel.doc)
    qtbot.addWidget(inspector)
    inspector.set_column("income")
    actions = [inspector.action_combo.itemData(i) for i in range(inspector.action_combo.count())]
    assert {"mask", "fake", "synthesize"} <= set(actions)
    inspector.action_combo.setCurrentIndex(inspector.action_combo.findData("synthesize"))
    qtbot.waitUntil(lambda: not inspector.preview.busy and "Preview of" in inspector.preview.status_text(),
                    timeout=WAIT_MS)
    assert panel.doc.plan("income").action == "synthesize"
    pairs = inspector.preview.pairs()
    assert len(pairs) > 50
    changed = [(before, after) for before, after, _ in pairs if before != after]
    assert len(changed) > 0.9 * len(pairs) and all(after is not None for _, after in changed)
