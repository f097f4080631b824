"""InspectorPanel and PreviewPanel on the demo data: finding, undoable edits, corrections, live preview."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ColumnKind, ScanResult
from sanitas.core.recipe import ColumnPlan
from sanitas.core.settings import Settings
from sanitas.gui.document import Document
from sanitas.gui.widgets.inspector.panel import InspectorPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
KEY = "a-test-key-of-at-least-sixteen-chars"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, ScanResult]:
    frame = pl.read_csv(SAMPLES / "customers.csv", n_rows=300)
    return frame, scan_dataset(Dataset.from_frame(frame, name="customers.csv"), settings=Settings())


@pytest.fixture
def doc(demo: tuple[pl.DataFrame, ScanResult]) -> Document:
    frame, scan = demo
    document = Document()
    document.set_dataset(Dataset.from_frame(frame, name="customers.csv"))
    document.set_frame(frame)
    document.set_scan(scan)
    return document


@pytest.fixture
def inspector(qtbot: QtBot, doc: Document) -> InspectorPanel:
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.set_column("email")
    return panel


def choose(panel: InspectorPanel, action: str) -> None:
    panel.action_combo.setCurrentIndex(panel.action_combo.findData(action))


def wait_preview(qtbot: QtBot, panel: InspectorPanel, action: str) -> None:
    """Wait for the preview of ``action`` (not an older one) to be on screen."""
    def shown() -> bool:
        text = panel.preview.status_text()
        return not panel.preview.busy and ("Preview of" in text or "⚠" in text or "removed" in text)
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    plan = panel.doc.plan(panel.column or "")
    assert plan is not None and plan.action == action


def test_email_column_shows_its_finding(inspector: InspectorPanel) -> None:
    assert "email" in inspector.name_label.text()
    assert inspector.entities.item(0, 0).text() == "EMAIL_ADDRESS"
    assert inspector.entities.item(0, 2).text() == "100%"
    assert "identifier" in inspector.kind_label.text() and "⚑" in inspector.kind_label.text()
    assert "@" in inspector.examples.text() and "*" in inspector.examples.text()
    assert inspector.reason.text().startswith("Why:")
    assert inspector.action_combo.currentIndex() == -1  # nothing planned yet
    assert inspector.corrected_label.isHidden()


def test_choosing_an_action_pushes_one_command_and_undo_restores_the_combo(inspector: InspectorPanel,
                                                                            doc: Document) -> None:
    stack = doc.undo_stack
    choose(inspector, "mask")
    assert stack.count() == 1
    assert doc.plan("email") == ColumnPlan(action="mask")
    choose(inspector, "redact")
    assert stack.count() == 2 and doc.plan("email").action == "redact"
    stack.undo()
    assert inspector.action_combo.currentData() == "mask"
    assert inspector.form.transform_name == "mask"
    assert stack.count() == 2 and stack.index() == 1  # the refresh pushed nothing
    stack.undo()
    assert inspector.action_combo.currentIndex() == -1 and doc.plan("email") is None
    stack.redo()
    assert inspector.action_combo.currentData() == "mask" and stack.count() == 2


def test_parameter_edits_go_through_the_undo_stack(inspector: InspectorPanel, doc: Document) -> None:
    choose(inspector, "mask")
    spin = inspector.form.editor("keep_first")
    assert isinstance(spin, QSpinBox)
    spin.setValue(3)
    assert doc.plan("email") == ColumnPlan(action="mask", params={"keep_first": 3})
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert spin.text() == "auto" and doc.undo_stack.count() == 2


def test_invalid_params_stay_in_the_form(inspector: InspectorPanel, doc: Document) -> None:
    inspector.set_column("age")
    choose(inspector, "generalize")  # chosen by hand: starts from the age suggestion, which works
    started = doc.plan("age")
    assert started is not None and started.params.get("method") == "age_band" and doc.undo_stack.count() == 1
    method = inspector.form.editor("method")
    method.setCurrentIndex(method.findData("bins"))  # bins, with the band's width: still a working plan
    started = doc.plan("age")
    assert started.params.get("method", "bins") == "bins" and doc.undo_stack.count() == 2
    width = inspector.form.editor("width")
    assert isinstance(width, QLineEdit)
    width.setText("")
    width.editingFinished.emit()
    assert "width" in inspector.form.error_text()
    assert not inspector.form.error_label.isHidden()
    assert doc.plan("age") == started and doc.undo_stack.count() == 2  # the plan waits for a valid form
    width.setText("5")
    width.editingFinished.emit()
    assert doc.plan("age").params.get("width") == 5 and doc.undo_stack.count() == 3


def test_correction_is_stored_and_kept_by_later_actions(inspector: InspectorPanel, doc: Document) -> None:
    inspector.entity_combo.setEditText("person")
    inspector.kind_combo.setCurrentIndex(inspector.kind_combo.findData(ColumnKind.QUASI_IDENTIFIER.value))
    inspector.correct_button.click()
    plan = doc.plan("email")
    assert plan is not None and plan.entity == "PERSON" and plan.kind == ColumnKind.QUASI_IDENTIFIER
    assert not inspector.corrected_label.isHidden()
    assert "quasi-identifier" in inspector.kind_label.text()
    choose(inspector, "fake")
    plan = doc.plan("email")
    assert plan is not None and plan.action == "fake" and plan.entity == "PERSON"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert inspector.corrected_label.isHidden() and inspector.entity_combo.currentIndex() == 0


def test_alt_a_focuses_the_action_combo(qtbot: QtBot, inspector: InspectorPanel) -> None:
    with qtbot.waitActive(inspector):
        inspector.show()
        inspector.activateWindow()
    inspector.correct_button.setFocus()
    qtbot.keyClick(inspector.correct_button, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(inspector.action_combo.hasFocus, timeout=2000)
    buddies = [label for label in inspector.findChildren(QLabel) if label.buddy() is inspector.action_combo]
    assert buddies and buddies[0].text() == "&Action:"
    assert inspector.action_combo.focusPolicy() & Qt.FocusPolicy.TabFocus
    for widget in (inspector.action_combo, inspector.kind_combo, inspector.entity_combo, inspector.correct_button):
        assert widget.accessibleName()


def test_preview_shows_masked_emails(qtbot: QtBot, inspector: InspectorPanel, demo: tuple) -> None:
    choose(inspector, "mask")
    wait_preview(qtbot, inspector, "mask")
    pairs = inspector.preview.pairs()
    assert len(pairs) > 100  # distinct pairs: the analyst sees variety
    assert all(after is None for before, after, _ in pairs if before is None)  # missing values stay missing
    for before, after, count in pairs:
        assert count >= 1
        if before is not None:
            assert after is not None and after != before and "*" in after and "@" in after
    assert inspector.preview.status_text().startswith("Preview of 200 rows")
    assert "Emails masked" in inspector.preview.facts.text()


def test_preview_of_pseudonymize_needs_the_key(qtbot: QtBot, inspector: InspectorPanel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANITAS_KEY", raising=False)
    choose(inspector, "pseudonymize")
    wait_preview(qtbot, inspector, "pseudonymize")
    assert "SANITAS_KEY" in inspector.preview.status_text()
    assert inspector.preview.status.property("role") == "error"
    assert inspector.preview.pairs() == []
    monkeypatch.setenv("SANITAS_KEY", KEY)
    inspector.preview.refresh()
    wait_preview(qtbot, inspector, "pseudonymize")
    pairs = inspector.preview.pairs()
    assert pairs and "SANITAS_KEY" not in inspector.preview.status_text()
    tokens = [after for before, after, _ in pairs if before is not None]
    # email columns keep an email's shape (the suggested settings for the entity): token@domain
    assert tokens and all(re.fullmatch(r"[0-9a-f]{16}(@[\w.-]+)?", token or "") for token in tokens), tokens[:3]
    assert KEY not in inspector.preview.status_text() + inspector.preview.facts.text()


def test_preview_drops_stale_results_and_shows_drop(qtbot: QtBot, inspector: InspectorPanel, doc: Document) -> None:
    shown: list[pl.Series | None] = []
    inspector.preview.previewReady.connect(lambda preview: shown.append(preview.after))
    choose(inspector, "mask")
    inspector.preview._start()  # start a mask preview now (no debounce), then edit before it lands
    choose(inspector, "redact")
    wait_preview(qtbot, inspector, "redact")
    assert len(shown) == 1 and shown[0] is not None  # the stale mask result was dropped
    assert not any("*" in v for v in shown[0].drop_nulls().to_list())
    assert {after for before, after, _ in inspector.preview.pairs() if before is not None} == {"<EMAIL_ADDRESS>"}
    choose(inspector, "drop")
    wait_preview(qtbot, inspector, "drop")
    assert "Column removed" in inspector.preview.status_text()
    assert {after for _, after, _ in inspector.preview.pairs()} == {None}


def test_no_column_and_unknown_column(inspector: InspectorPanel) -> None:
    inspector.set_column(None)
    assert inspector.pages.currentIndex() == 0
    inspector.set_column("not-a-column")
    assert inspector.column is None and inspector.pages.currentIndex() == 0
    inspector.set_column("notes")
    assert inspector.pages.currentIndex() == 1
    assert [inspector.entities.item(i, 0).text() for i in range(inspector.entities.rowCount())][:1] == ["PERSON"]
