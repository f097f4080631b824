"""Export: the destination check in place, the two-step export flow with confirmation and cancel, the report view."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QUrl

from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.export import ExportResult
from sanitas.core.io import open_dataset
from sanitas.core.recipe import ColumnPlan
from sanitas.gui.document import Document
from sanitas.gui.export_runner import ExportRequest, ExportRunner
from sanitas.gui.widgets.export.dialog import ExportDialog
from sanitas.gui.widgets.export.residual_dialog import ResidualDialog, residual_rows
from sanitas.gui.widgets.report.view import ReportView

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
DEMO_RECIPE = SAMPLES / "customers.recipe.yaml"
TIMEOUT = 120_000  # ms: a loaded CI machine runs the release several times slower


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANITAS_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    """The first 300 demo rows and their scan (once: the scan loads the NER model)."""
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    return path, scan_dataset(open_dataset(path))


@pytest.fixture
def doc(qtbot, demo: tuple[Path, ScanResult]) -> Document:
    path, scan = demo
    document = Document()
    document.open_recipe(DEMO_RECIPE)
    document.set_dataset(open_dataset(path))
    document.set_scan(scan)
    return document


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --- the dialog ------------------------------------------------------------------------------------
def test_dialog_refuses_the_input_in_place_and_accepts_another(qtbot, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("a,b\n1,2\n")
    dialog = ExportDialog(source)
    qtbot.addWidget(dialog)
    assert dialog.destination() == tmp_path / "people.sanitized.csv"
    assert dialog.ok_button.isEnabled() and dialog.error == ""

    dialog.path_edit.setText(str(source))
    assert "is the input file" in dialog.error
    assert not dialog.error_label.isHidden()
    assert not dialog.ok_button.isEnabled()

    dialog.path_edit.setText(str(tmp_path / "missing" / "x.csv"))
    assert "does not exist" in dialog.error and not dialog.ok_button.isEnabled()

    dialog.path_edit.setText(str(tmp_path / "clean.csv"))
    assert dialog.error == "" and dialog.error_label.isHidden() and dialog.ok_button.isEnabled()
    dialog.strict_box.setChecked(True)
    assert dialog.request() == ExportRequest(tmp_path / "clean.csv", True)


def test_dialog_refuses_the_files_the_release_reads(qtbot, tmp_path: Path) -> None:
    """The recipe and its hierarchy files are refused as they are typed, like the input."""
    from sanitas.core.io import open_dataset
    from sanitas.core.recipe import parse_recipe
    from sanitas.gui.document import Document

    source = tmp_path / "people.csv"
    source.write_text("age,sex\n30,F\n41,M\n")
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "age.csv").write_text("30;*\n41;*\n")
    doc = Document()
    doc.set_dataset(open_dataset(source))
    doc.recipe = parse_recipe({"version": 1, "k_anonymity": {"quasi_identifiers": ["age"], "k": 2,
                                                             "hierarchies": {"age": {"file": "h/age.csv"}}}})
    doc.recipe_path = tmp_path / "people.recipe.json"  # a JSON recipe: a name an export could take
    dialog = ExportDialog(doc)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "people.recipe.json"))
    assert "the recipe" in dialog.error and not dialog.ok_button.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "h" / "age.csv"))
    assert "hierarchy file of column 'age'" in dialog.error
    dialog.path_edit.setText(str(tmp_path / "clean.csv"))
    assert dialog.error == ""


def test_format_follows_the_combo_and_the_name(qtbot, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("a\n1\n")
    dialog = ExportDialog(source)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".parquet"))
    assert dialog.destination() == tmp_path / "people.sanitized.parquet"
    dialog.path_edit.setText(str(tmp_path / "out.xlsx"))
    assert dialog.extension() == ".xlsx"
    dialog.path_edit.setText(str(tmp_path / "out.txt"))
    assert "unknown output format" in dialog.error


def test_browse_fills_the_destination(qtbot, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("a\n1\n")
    dialog = ExportDialog(source)
    qtbot.addWidget(dialog)
    chooser = dialog.browse()
    chooser.fileSelected.emit(str(tmp_path / "chosen.ndjson"))
    assert dialog.destination() == tmp_path / "chosen.ndjson" and dialog.extension() == ".ndjson"
    chooser.reject()


# --- the export flow -------------------------------------------------------------------------------
def test_export_writes_the_release_and_the_report_view_shows_it(qtbot, doc: Document, out_dir: Path) -> None:
    runner = ExportRunner(doc, ExportRequest(out_dir / "clean.csv"))
    seen: list[float] = []
    runner.progress.connect(lambda fraction, message: seen.append(fraction))
    runner.confirmationNeeded.connect(lambda release: pytest.fail("the demo recipe leaves nothing behind"))
    with qtbot.waitSignal(runner.exported, timeout=TIMEOUT) as blocker:
        runner.start()
    result = blocker.args[0]
    assert isinstance(result, ExportResult)
    assert result.output == out_dir / "clean.csv" and result.output.exists()
    assert result.report_html.exists() and result.report_json.exists()
    assert seen and not runner.running

    view = ReportView()
    qtbot.addWidget(view)
    opened: list[QUrl] = []
    view.open_url = opened.append
    view.show_result(result)
    # the residual check is clean; the headline is green only if the quasi-identifiers left pass the risk threshold
    clean, at_risk = "Released: the residual check is clean", "Released at risk"
    assert (at_risk if result.report.status == "released-at-risk" else clean) in view.status
    assert str(result.output) in view.path_label.text()
    assert "Residual check" in view.browser.toPlainText() and "email" in view.browser.toPlainText()
    view.open_folder()
    view.open_in_browser()
    assert [u.toLocalFile() for u in opened] == [str(out_dir), str(result.report_html)]


def test_residual_findings_ask_first_and_cancel_writes_nothing(qtbot, doc: Document, out_dir: Path) -> None:
    doc.set_plan("email", ColumnPlan(action="keep"))
    runner = ExportRunner(doc, ExportRequest(out_dir / "clean.csv"))
    runner.ask_with(ResidualDialog)
    with qtbot.waitSignal(runner.confirmationNeeded, timeout=TIMEOUT) as blocker:
        runner.start()
    built = blocker.args[0]  # the residual check: the release itself waits in the analysis process
    rows = residual_rows(getattr(built, "residual", built))
    assert any(r.column == "email" and r.blocking and r.rows for r in rows)

    dialog = runner.dialog
    assert isinstance(dialog, ResidualDialog) and dialog.isVisible()  # it deletes itself when closed
    cells = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "email" in cells and dialog.cancel_button.isDefault()
    assert dialog.table.item(cells.index("email"), 4).text().startswith("1, 2")

    with qtbot.waitSignal(runner.cancelled, timeout=TIMEOUT):
        dialog.cancel_button.click()
    assert list(out_dir.iterdir()) == []


def test_export_anyway_writes_and_strict_withholds(qtbot, doc: Document, out_dir: Path) -> None:
    doc.set_plan("email", ColumnPlan(action="keep"))
    runner = ExportRunner(doc, ExportRequest(out_dir / "kept.parquet"))
    runner.confirmationNeeded.connect(lambda release: runner.confirm())
    with qtbot.waitSignal(runner.exported, timeout=TIMEOUT) as blocker:
        runner.start()
    assert blocker.args[0].output.exists() and blocker.args[0].report.residual_findings >= 1

    strict = ExportRunner(doc, ExportRequest(out_dir / "strict.csv", strict=True))
    strict.confirmationNeeded.connect(lambda release: pytest.fail("strict needs no question"))
    with qtbot.waitSignal(strict.exported, timeout=TIMEOUT) as blocker:
        strict.start()
    result = blocker.args[0]
    assert result.withheld and not (out_dir / "strict.csv").exists() and result.report_html.exists()
    view = ReportView()
    qtbot.addWidget(view)
    view.show_result(result)
    assert "withheld" in view.status


def test_cancel_during_the_run_writes_nothing(qtbot, doc: Document, out_dir: Path) -> None:
    runner = ExportRunner(doc, ExportRequest(out_dir / "clean.csv"))
    runner.progress.connect(lambda fraction, message: runner.cancel())
    runner.exported.connect(lambda result: pytest.fail("cancelled exports write nothing"))
    with qtbot.waitSignal(runner.cancelled, timeout=TIMEOUT):
        runner.start()
    assert not runner.running
    assert list(out_dir.iterdir()) == []


def test_a_bad_destination_fails_with_its_message(qtbot, doc: Document, demo: tuple[Path, ScanResult]) -> None:
    runner = ExportRunner(doc, ExportRequest(demo[0]))
    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT) as blocker:
        runner.start()
    assert "is the input file" in blocker.args[0]
