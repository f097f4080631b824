"""KAnonymityPanel on 2,000 demo rows with the real core: roles, undoable apply, a run, errors in place."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.privacy.k_anonymity.section import HierarchyRef
from sanitas.core.recipe import ColumnPlan
from sanitas.gui.document import Document
from sanitas.gui.widgets.common.bar_chart import BarChart, Series
from sanitas.gui.widgets.k_anonymity.panel import KAnonymityPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
WAIT_MS = 30_000


@pytest.fixture
def panel(qtbot: QtBot, scanned_demo: tuple[Dataset, pl.DataFrame, ScanResult]) -> KAnonymityPanel:
    dataset, frame, scan = scanned_demo
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
    panel.models.k_enabled.setChecked(True)
    panel.models.k.setValue(k)


def test_roles_are_proposed_from_the_findings(panel: KAnonymityPanel) -> None:
    for column in ("age", "sex", "zip", "city"):
        assert panel.role(column) == "quasi-identifying"
    assert panel.role("diagnosis") == "sensitive"
    assert panel.role("email") == "identifying"
    assert panel.models.k.value() == 5 and panel.models.k.accessibleName() and panel.models.k.toolTip()
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
    panel.models.k_enabled.setChecked(False)
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
    facts = panel.facts
    assert panel.results.histogram.categories
    assert panel.results.kept_chart.categories == [f"{c} L{facts.levels[c]}" for c in facts.quasi_identifiers]
    distinct, entropy = panel.results.kept_chart.series
    assert distinct.values == [100 * c.distinct_kept for c in facts.utility.columns if c.column in facts.levels]
    assert all(0 <= v <= 100 for v in entropy.values)
    before, after = panel.results.risk_chart.series
    assert before.values[0] == 100.0 and after.values[0] == 100 * facts.risk_after.prosecutor_risk.highest <= 20
    assert not panel.results.histogram.grab().isNull()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_column_at_its_top_level_is_said_in_words(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    """Issue 13 item 10: "city 1/1" alone reads as a score; the summary must say the column is gone."""
    _configure(panel)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.facts is not None and panel.task is None, timeout=WAIT_MS)
    facts = panel.facts
    column = next(c for c in facts.quasi_identifiers if facts.heights.get(c, 0) > 1)
    at_top = facts.model_copy(update={"levels": {**facts.levels, column: facts.heights[column] - 1}})
    panel.results.show_facts(at_top)
    line = next(x for x in panel.results.summary.text().splitlines() if x.startswith("Fully generalized away"))
    assert column in line.split(": ")[-1].split(", ") and "no longer tells records apart" in line
    below = facts.model_copy(update={"levels": {c: 0 for c in facts.levels}})
    panel.results.show_facts(below)
    assert "Fully generalized away" not in panel.results.summary.text()


def test_impossible_configuration_shows_the_error_in_place(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.models.k.setMaximum(10_000)
    panel.models.k.setValue(5000)
    panel.models.suppression_limit.setValue(0.0)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.task is None and bool(panel.message.text()), timeout=WAIT_MS)
    assert "No generalization satisfies 5000-anonymity" in panel.message.text()
    assert panel.facts is None


def test_hierarchy_editor_shows_zip_rows_and_exports(panel: KAnonymityPanel, tmp_path: Path) -> None:
    panel.show_hierarchy("zip")
    dialog = panel.hierarchies.dialog
    assert dialog is not None and dialog.hierarchy.column == "zip"
    assert dialog.table.rowCount() == panel.doc.dataset.collect()["zip"].n_unique()
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


def _choose(panel: KAnonymityPanel, method: str) -> None:
    panel.models.method.setCurrentIndex(panel.models.method.findData(method))


def test_method_combo_greys_out_what_mondrian_does_not_use(panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.models.l_enabled.setChecked(True)
    panel.models.l_variant.setCurrentText("entropy")
    panel.models.t_enabled.setChecked(True)
    assert panel.models.method.currentText() == "Global recoding (optimal)" and panel.models.metric_combo.isEnabled()
    _choose(panel, "mondrian")
    assert panel.models.method.currentText() == "Mondrian (local, heuristic)"
    m = panel.models
    for widget in (m.t_enabled, m.t_value, m.suppression_limit, m.suppression, m.metric_combo, m.l_variant, m.c_value,
                   panel.hierarchies):
        assert not widget.isEnabled()
    assert panel.models.l_variant.currentText() == "distinct" and not panel.models.t_enabled.isChecked()
    assert panel.models.k.isEnabled() and panel.models.l_value.isEnabled() and panel.models.population.isEnabled()
    section = panel.section()
    assert section.method == "mondrian" and section.l_diversity == {"variant": "distinct", "l": 2}
    assert section.t_closeness is None and not {"metric", "hierarchies", "suppression_limit"} & section.model_fields_set
    _choose(panel, "global")
    models = panel.models
    assert models.metric_combo.isEnabled() and models.t_enabled.isEnabled() and panel.hierarchies.isEnabled()
    assert panel.section().method == "global"


def test_mondrian_section_is_applied_and_loaded_back(panel: KAnonymityPanel) -> None:
    _configure(panel)
    _choose(panel, "mondrian")
    panel.models.population.setValue(250_000)
    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None and section.method == "mondrian" and section.population == 250_000
    _choose(panel, "global")
    panel.models.population.setValue(0)
    panel.doc.undo_stack.undo()
    panel.doc.undo_stack.redo()  # the redraw from the recipe puts the method and population back
    assert panel.models.method.currentData() == "mondrian" and not panel.models.metric_combo.isEnabled()
    assert panel.models.population.value() == 250_000 and panel.section() == section


def test_population_or_sampling_fraction_goes_into_the_section(panel: KAnonymityPanel) -> None:
    _configure(panel)
    assert panel.models.population.text() == "the dataset" and panel.section().population is None
    panel.models.sampling_fraction.setValue(0.05)
    section = panel.section()
    assert section.sampling_fraction == 0.05 and section.population is None
    panel.models.population.setValue(80_000)
    panel.apply_button.click()
    assert "not both" in panel.message.text() and panel.doc.recipe.k_anonymity is None
    panel.models.sampling_fraction.setValue(0.0)
    panel.apply_button.click()
    assert panel.doc.recipe.k_anonymity.population == 80_000 and "not both" not in panel.message.text()


def test_mondrian_run_shows_partitions_not_a_lattice_position(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    _choose(panel, "mondrian")
    panel.models.population.setValue(1_000_000)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.facts is not None and panel.task is None, timeout=WAIT_MS)
    text = panel.results.summary.text()
    assert "✔ 5-anonymity holds" in text
    assert "Method: Mondrian multidimensional partitioning (local recoding, heuristic)" in text
    assert f"Partitions: {panel.facts.partitions:,}" in text and "Lattice position" not in text
    assert "population 1,000,000" in text
    assert panel.results.risk("Sample uniques", 1) == "0"
    assert panel.results.risk("Journalist risk, highest", 1) == "0.0%"
    assert panel.results.kept_chart.categories == panel.facts.quasi_identifiers


def test_global_run_says_which_search_ran(qtbot: QtBot, panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.facts is not None and panel.task is None, timeout=WAIT_MS)
    text = panel.results.summary.text()
    assert "Method: Global recoding, exact optimum over the lattice" in text
    assert "Journalist and marketer risk: the dataset is the population" in text
    assert panel.results.risk("Journalist risk, highest", 1) == panel.results.risk("Prosecutor risk, highest", 1)


def test_identifying_roles_go_into_the_recipe_and_a_kept_one_is_flagged(panel: KAnonymityPanel) -> None:
    _configure(panel)
    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None and "email" in section.identifying and "full_name" in section.identifying
    assert "Identifying columns" in panel.message.text() and "email" in panel.message.text()  # no plan yet
    panel.doc.apply_suggested_plan()
    panel.apply_button.click()
    # the suggested plan removes or replaces every identifying column and leaves the QIs raw for the section
    assert panel.message.text() == ""
    panel.doc.set_plan("zip", ColumnPlan(action="generalize", params={"method": "postal", "keep": 3}))
    panel.apply_button.click()
    assert "set the action of zip (generalize)" in panel.message.text()  # the section needs zip raw
    panel.doc.set_plan("zip", ColumnPlan(action="keep"))
    panel.apply_button.click()
    assert panel.message.text() == ""
    panel.set_role("email", "insensitive")
    panel.apply_button.click()
    assert "email" not in panel.doc.recipe.k_anonymity.identifying
    panel.doc.undo_stack.undo()
    assert panel.role("email") == "identifying"  # the recipe's roles are shown again after undo


def test_hierarchical_t_closeness_offers_the_sensitive_columns_hierarchy(panel: KAnonymityPanel,
                                                                        tmp_path: Path) -> None:
    _configure(panel)
    assert "diagnosis" not in panel.hierarchies.combos
    panel.models.t_enabled.setChecked(True)
    panel.models.t_variant.setCurrentText("hierarchical")
    assert "diagnosis" in panel.hierarchies.combos  # listed after the quasi-identifiers, marked sensitive
    path = tmp_path / "diagnosis.csv"
    values = panel.doc.dataset.collect().get_column("diagnosis").unique().to_list()
    path.write_text("".join(f"{v};{'chronic' if i % 2 else 'acute'};*\n" for i, v in enumerate(values)))
    ref = panel.hierarchies.file_ref("diagnosis", path)
    assert ref is not None
    panel.hierarchies.set_ref("diagnosis", ref)
    assert "diagnosis" in panel.hierarchies.combos and "age" in panel.hierarchies.combos
    section = panel.section()
    assert section.hierarchies["diagnosis"].file is not None
    panel.models.t_variant.setCurrentText("equal")
    assert "diagnosis" not in panel.hierarchies.combos


def test_a_new_recipe_forgets_unapplied_settings_and_hierarchies(panel: KAnonymityPanel) -> None:
    _configure(panel, k=7)
    panel.models.l_enabled.setChecked(True)
    panel.hierarchies.set_ref("age", HierarchyRef(auto="number", first_width=10, factor=2))
    panel.doc.new_recipe()
    assert panel.hierarchies.refs == {} and panel.hierarchies.combos["age"].currentText() == "Automatic"
    models = panel.models
    assert models.k.value() == 5 and not models.l_enabled.isChecked() and models.method.currentData() == "global"


def test_the_panel_can_be_painted_and_grabbed(panel: KAnonymityPanel) -> None:
    """An attribute once named 'metric' hid QWidget.metric(), which Qt calls to paint: grab() crashed."""
    panel.show()
    assert panel.devicePixelRatio() >= 1 and not panel.grab().isNull()


def test_apply_without_edits_leaves_the_recipe_as_it_was(qtbot: QtBot, panel: KAnonymityPanel,
                                                         tmp_path: Path) -> None:
    recipe = SAMPLES / "customers.k-anonymity.recipe.yaml"
    copy = tmp_path / recipe.name
    copy.write_text(recipe.read_text())
    (tmp_path / "demo.key").write_text((SAMPLES / "demo.key").read_text())
    panel.doc.open_recipe(copy)
    before = panel.doc.recipe.k_anonymity
    panel.apply_button.click()
    assert panel.doc.recipe.k_anonymity == before and not panel.doc.dirty
    panel.run_button.click()  # a failed run must not leave the last run's figures on show
    qtbot.waitUntil(lambda: panel.task is None and panel.facts is not None, timeout=WAIT_MS)
    panel.models.l_value.setValue(60)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT_MS)
    assert panel.facts is None and "holds" not in panel.results.summary.text() and panel.message.text()


def test_without_quasi_identifiers_the_message_says_what_to_do(panel: KAnonymityPanel) -> None:
    for column in panel.doc.columns:
        if panel.role(column) == "quasi-identifying":
            panel.set_role(column, "insensitive")
    panel.apply_button.click()
    assert panel.message.text() == "Choose at least one quasi-identifier: set its role in the Role column."


def test_recipe_values_beyond_the_old_ranges_round_trip(panel: KAnonymityPanel) -> None:
    from sanitas.core.recipe import KAnonymitySection

    section = KAnonymitySection(quasi_identifiers=["age", "sex"], k=500, sensitive=["diagnosis"],
                                l_diversity={"variant": "distinct", "l": 150}, average_risk=0.05,
                                t_closeness={"variant": "equal", "t": 0.0005}, suppression_limit=0.00125)
    panel.doc.set_k_anonymity(section, "test")
    loaded = panel.section()
    assert (loaded.k, loaded.l_diversity["l"], loaded.t_closeness["t"]) == (500, 150, 0.0005)
    assert loaded.average_risk == 0.05 and loaded.suppression_limit == 0.00125
