"""KAnonymityPanel on 2,000 demo rows with the real core: roles, undoable apply, a run, errors in place."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.io import open_dataset
from sanitas.core.settings import Settings
from sanitas.gui.document import Document
from sanitas.gui.widgets.bar_chart import BarChart, Series
from sanitas.gui.widgets.k_anonymity_panel import KAnonymityPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, pl.DataFrame, ScanResult]:
    path = tmp_path_factory.mktemp("kanon") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", n_rows=2000, infer_schema=False).write_csv(path)
    dataset = open_dataset(path)
    return dataset, dataset.collect(), scan_dataset(dataset, settings=Settings())


@pytest.fixture
def panel(qtbot: QtBot, demo: tuple[Dataset, pl.DataFrame, ScanResult]) -> KAnonymityPanel:
    dataset, frame, scan = demo
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_frame(frame)
    doc.set_scan(scan)
    widget = KAnonymityPanel(doc)
    qtbot.addWidget(widget)
    return widget


def _configure(panel: KAnonymityPanel, k: int = 5) -> None:
    for column in panel.doc.columns:
        if panel.role(column) == "quasi-identifying" and column not in {"age", "sex", "zip", "city"}:
            panel.set_role(column, "insensitive")
    panel.k_enabled.setChecked(True)
    panel.k.setValue(k)


def test_roles_are_proposed_from_the_findings(panel: KAnonymityPanel) -> None:
    for column in ("age", "sex", "zip", "city"):
        assert panel.role(column) == "quasi-identifying"
    assert panel.role("diagnosis") == "sensitive"
    assert panel.role("email") == "identifying"
    assert panel.k.value() == 5 and panel.k.accessibleName() and panel.k.toolTip()
    assert set(panel.hierarchies.combos) >= {"age", "sex", "zip", "city"}


def test_apply_to_recipe_is_undoable(panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None and section.k == 5
    assert section.quasi_identifiers == ["city", "zip", "age", "sex"]
    assert section.sensitive == ["diagnosis"]
    assert panel.role("date_of_birth") == "insensitive"  # the redraw from the recipe keeps the analyst's roles
    assert panel.role("email") == "identifying"
    panel.doc.undo_stack.undo()
    assert panel.doc.recipe.k_anonymity is None
    assert panel.role("date_of_birth") == "quasi-identifying"  # proposed again without a section
    panel.doc.undo_stack.redo()
    assert panel.doc.recipe.k_anonymity == section


def test_cancel_stops_the_run(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.run_button.click()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT_MS)
    assert panel.message.text() == "Cancelled." or panel.facts is not None  # the run may finish first


def test_invalid_form_is_reported_in_place(panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.k_enabled.setChecked(False)
    panel.apply_button.click()
    assert panel.doc.recipe.k_anonymity is None
    assert "choose at least one privacy model" in panel.message.text()


def test_run_shows_models_risk_and_charts(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.facts is not None and panel.task is None, timeout=WAIT_MS)
    text = panel.results.summary.text()
    assert "✔ 5-anonymity holds" in text
    assert "Lattice position" in text and "nodes evaluated" in text and "Suppressed rows" in text
    assert panel.results.risk("Sample uniques", 1) == "0"
    assert panel.results.risk("Sample uniques", 0) not in ("", "0")
    assert panel.results.histogram.categories and panel.results.kept_chart.categories == panel.facts.quasi_identifiers
    assert not panel.results.histogram.grab().isNull()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_impossible_configuration_shows_the_error_in_place(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.k.setMaximum(10_000)
    panel.k.setValue(5000)
    panel.suppression_limit.setValue(0.0)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.task is None and bool(panel.message.text()), timeout=WAIT_MS)
    assert "No generalization satisfies 5000-anonymity" in panel.message.text()
    assert panel.facts is None


def test_hierarchy_editor_shows_zip_rows_and_exports(panel: KAnonymityPanel, tmp_path: Path) -> None:
    panel.show_hierarchy("zip")
    dialog = panel.hierarchies.dialog
    assert dialog is not None and dialog.hierarchy.column == "zip"
    assert dialog.table.rowCount() == panel.doc.frame["zip"].n_unique()
    assert dialog.table.columnCount() == dialog.hierarchy.height
    dialog.export(tmp_path / "zip.csv")
    assert (tmp_path / "zip.csv").read_text().count("\n") == dialog.table.rowCount()
    dialog.close()


def test_bar_chart_paints(qtbot: QtBot) -> None:
    chart = BarChart("test")
    qtbot.addWidget(chart)
    chart.set_data(["1", "2-4"], [Series("before", [3, 1], "#888888"), Series("after", [0, 2], "#0969da")])
    chart.resize(300, 180)
    assert not chart.grab().isNull()
    assert "before" in chart.toolTip()
