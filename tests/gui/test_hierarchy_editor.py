"""The hierarchy editor on 2,000 demo rows: builder options, category groups, hand edits saved as ARX files,
in-place validation and imports, each followed through the recipe to the core's own hierarchy loading."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit
from pytestqt.qtbot import QtBot

from sanitas.core.dataset import Dataset
from sanitas.core.detect.findings import ScanResult
from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
from sanitas.core.privacy.k_anonymity.release import k_anonymity_step, load_hierarchies
from sanitas.core.privacy.k_anonymity.section import HierarchyRef
from sanitas.core.recipe import load_recipe
from sanitas.gui.document import Document
from sanitas.gui.widgets.k_anonymity.hierarchy_builder_form import EDGES
from sanitas.gui.widgets.k_anonymity.hierarchy_editor import HierarchyEditor
from sanitas.gui.widgets.k_anonymity.panel import KAnonymityPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
WAIT_MS = 30_000
BANDS = [0, 18, 30, 45, 65, 120]


@pytest.fixture
def panel(qtbot: QtBot, scanned_demo: tuple[Dataset, pl.DataFrame, ScanResult], tmp_path: Path) -> KAnonymityPanel:
    """The panel with age, sex, zip and city as quasi-identifiers and a recipe saved in tmp_path."""
    dataset, frame, scan = scanned_demo
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_frame(frame)
    doc.set_scan(scan)
    doc.save_recipe(tmp_path / "recipe.yaml")
    widget = KAnonymityPanel(doc)
    qtbot.addWidget(widget)
    for column in doc.columns:
        if widget.role(column) == "quasi-identifying" and column not in {"age", "sex", "zip", "city"}:
            widget.set_role(column, "insensitive")
    return widget


@pytest.fixture(autouse=True)
def discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Closing an editor with hand edits asks first; tests answer Discard (and record that it asked)."""
    asked: list[str] = []

    def answer(editor: HierarchyEditor) -> bool:
        asked.append(editor.column)
        return True

    monkeypatch.setattr(HierarchyEditor, "confirm_discard", answer)
    return asked


def test_cancel_asks_before_dropping_hand_edits(qtbot: QtBot, panel: KAnonymityPanel,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _editor(panel, "zip")
    dialog.reject()  # nothing edited: closes without asking
    assert not dialog.isVisible()
    dialog = _editor(panel, "zip")
    first = dialog.model.rows[0][0]
    _select(dialog, [first], 1)
    dialog.add_level_button.click()
    assert dialog.source == "edited"
    monkeypatch.setattr(HierarchyEditor, "confirm_discard", lambda editor: False)
    dialog.reject()
    assert dialog.isVisible()  # the analyst chose to keep editing
    monkeypatch.setattr(HierarchyEditor, "confirm_discard", lambda editor: True)
    dialog.reject()
    assert not dialog.isVisible() and "zip" not in panel.hierarchies.refs


def _editor(panel: KAnonymityPanel, column: str) -> HierarchyEditor:
    panel.show_hierarchy(column)
    dialog = panel.hierarchies.dialog
    assert dialog is not None and dialog.isVisible() and dialog.column == column
    return dialog


def _row(dialog: HierarchyEditor, value: str) -> int:
    return next(r for r, row in enumerate(dialog.model.rows) if row[0] == value)


def _cell(dialog: HierarchyEditor, value: str, level: int) -> str:
    return dialog.model.data(dialog.model.index(_row(dialog, value), level))


def _select(dialog: HierarchyEditor, values: list[str], level: int) -> None:
    selection = dialog.table.selectionModel()
    selection.clearSelection()
    for value in values:
        selection.select(dialog.model.index(_row(dialog, value), level), QItemSelectionModel.SelectionFlag.Select)


def _type_into_cell(qtbot: QtBot, dialog: HierarchyEditor, value: str, level: int, text: str) -> None:
    """Edit a label as the analyst does: select the cell, type (any key opens the editor), press Enter."""
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(_row(dialog, value), level))
    dialog.table.edit(dialog.table.currentIndex())
    editor = next(e for e in dialog.table.viewport().findChildren(QLineEdit) if e.isVisible())  # old ones linger
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rows[_row(dialog, value)][level] == text.strip())  # committed, queued


def _save_to(monkeypatch: pytest.MonkeyPatch, asked: list[str]) -> None:
    """Accept the save dialog's default path, remembering what it offered."""
    def save(_parent: object, _caption: str, default: str, *_args: object, **_kwargs: object) -> tuple[str, str]:
        asked.append(default)
        return default, ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))


def test_typed_number_bands_reach_the_recipe_and_the_run(qtbot: QtBot, panel: KAnonymityPanel,
                                                         tmp_path: Path) -> None:
    dialog = _editor(panel, "age")
    assert dialog.form.kind() == "number"  # guessed from the values
    dialog.form.number_mode.setCurrentText(EDGES)
    qtbot.keyClicks(dialog.form.edges, "0, 18, 30, 45, 65, 120")
    dialog.rebuild_button.click()
    assert not dialog.problem.isVisible()
    assert dialog.table.columnCount() == 3  # value, the bands, '*'
    assert (_cell(dialog, "18", 1), _cell(dialog, "25", 1), _cell(dialog, "64", 1)) == ("18-29", "18-29", "45-64")
    assert _cell(dialog, "25", 2) == "*"
    dialog.ok_button.click()
    assert not dialog.isVisible()
    expected = HierarchyRef(auto="number", edges=[BANDS])
    assert panel.hierarchies.refs["age"] == expected
    assert panel.hierarchies.combos["age"].currentText() == "number: edges 0, 18, 30, 45, 65, 120"

    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None and section.hierarchies["age"] == expected
    assert section.hierarchies["age"].options() == {"edges": [BANDS]}
    panel.doc.save_recipe()
    saved = load_recipe(tmp_path / "recipe.yaml").k_anonymity
    assert saved is not None and saved.hierarchies["age"].auto == "number"
    assert saved.hierarchies["age"].options() == {"edges": [BANDS]}

    frame = panel.doc.dataset.collect()  # what a release reads
    assert frame is not None
    released, facts = k_anonymity_step(frame, saved, recipe_dir=tmp_path)  # what `sanitas apply` runs
    assert facts.hierarchy_sources["age"] == "automatic (number)" and facts.heights["age"] == 3
    assert set(released["age"].unique()) <= {"18-29", "30-44", "45-64", "65-119", "*", *frame["age"].unique()}
    assert dialog.hierarchy is not None and load_hierarchies(saved, frame, tmp_path)[0]["age"] == dialog.hierarchy

    panel.run_button.click()  # the trial run uses the bands too
    qtbot.waitUntil(lambda: panel.facts is not None and panel.task is None, timeout=WAIT_MS)
    assert panel.facts is not None and panel.facts.hierarchy_sources["age"] == "automatic (number)"
    assert panel.facts.heights["age"] == 3


def test_reloaded_recipe_shows_its_hierarchy_options(panel: KAnonymityPanel, tmp_path: Path) -> None:
    dialog = _editor(panel, "age")
    dialog.form.number_mode.setCurrentText(EDGES)
    dialog.form.edges.setText("0, 18, 30, 45, 65, 120; 0, 30, 65")
    dialog.ok_button.click()  # OK rebuilds from options typed after the last Rebuild
    assert panel.hierarchies.refs["age"] == HierarchyRef(auto="number", edges=[BANDS, [0, 30, 65]])
    panel.apply_button.click()
    panel.doc.save_recipe()
    panel.hierarchies.refs = {}
    panel.doc.open_recipe(tmp_path / "recipe.yaml")
    assert panel.hierarchies.refs["age"].options() == {"edges": [BANDS, [0, 30, 65]]}
    assert panel.hierarchies.combos["age"].currentText().startswith("number: edges 0, 18, 30")
    again = _editor(panel, "age")
    assert again.form.number_mode.currentText() == EDGES
    assert again.form.edges.text() == "0, 18, 30, 45, 65, 120; 0, 30, 65"
    assert again.table.columnCount() == 4 and _cell(again, "40", 2) == "30-64"
    again.close()


def test_grouped_categories_become_an_auto_category_ref(panel: KAnonymityPanel, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _editor(panel, "city")
    assert dialog.form.kind() == "category" and dialog.table.columnCount() == 2  # suppression only
    names = iter(["Northeast", "East"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: (next(names), True)))
    _select(dialog, ["Boston", "Brooklyn"], 0)
    dialog.group_button.click()
    assert (_cell(dialog, "Boston", 1), _cell(dialog, "Brooklyn", 1), _cell(dialog, "Austin", 1)) == (
        "Northeast", "Northeast", "Other")
    _select(dialog, ["Boston"], 1)  # a level 1 group, gathered at level 2
    dialog.group_button.click()
    assert (_cell(dialog, "Brooklyn", 2), _cell(dialog, "Austin", 2), _cell(dialog, "Austin", 3)) == (
        "East", "Other", "*")
    assert "Level 1: Northeast (Boston, Brooklyn)" in dialog.form.groups_label.text()
    dialog.ok_button.click()
    expected = HierarchyRef(auto="category", groups=[{"Northeast": ["Boston", "Brooklyn"]}, {"East": ["Northeast"]}],
                            other="Other")
    assert panel.hierarchies.refs["city"] == expected
    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None and section.hierarchies["city"] == expected
    assert panel.doc.dataset is not None and dialog.hierarchy is not None
    assert load_hierarchies(section, panel.doc.dataset.collect(), tmp_path)[0]["city"] == dialog.hierarchy


def test_ungroup_takes_values_out_and_dissolves_groups(panel: KAnonymityPanel,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _editor(panel, "city")
    names = iter(["Northeast", "South", "East"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: (next(names), True)))
    _select(dialog, ["Boston", "Brooklyn"], 0)
    dialog.group_button.click()
    _select(dialog, ["Austin"], 0)
    dialog.group_button.click()
    _select(dialog, ["Boston", "Austin"], 1)  # Northeast and South gathered as East at level 2
    dialog.group_button.click()
    assert [{g: sorted(m) for g, m in level.items()} for level in dialog.form.groupings] == [
        {"Northeast": ["Boston", "Brooklyn"], "South": ["Austin"]}, {"East": ["Northeast", "South"]}]
    _select(dialog, ["Brooklyn"], 0)  # a value leaves its group
    assert dialog.ungroup_button.isEnabled() and dialog.ungroup_selected()
    assert dialog.form.groupings[0]["Northeast"] == ["Boston"] and _cell(dialog, "Brooklyn", 1) == "Other"
    _select(dialog, ["Austin"], 1)  # the South group is dissolved: Austin back to the rest, East loses it
    assert dialog.ungroup_selected()
    assert dialog.form.groupings == [{"Northeast": ["Boston"]}, {"East": ["Northeast"]}]
    assert (_cell(dialog, "Austin", 1), _cell(dialog, "Boston", 2)) == ("Other", "East")
    _select(dialog, ["Boston"], 1)
    assert dialog.ungroup_selected()  # dissolving the last level 1 group leaves nothing to gather above it
    assert dialog.form.groupings == [] and dialog.table.columnCount() == 2
    dialog.ok_button.click()
    assert panel.hierarchies.refs["city"] == HierarchyRef(auto="category")


def test_edited_cell_is_saved_as_an_arx_file_next_to_the_recipe(qtbot: QtBot, panel: KAnonymityPanel,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _editor(panel, "zip")
    assert dialog.form.kind() == "postal"
    first = dialog.model.rows[0]
    second = next(row for row in dialog.model.rows if row[1] != first[1] and row[2] == first[2])
    first, merged = first[0], second[1]
    _type_into_cell(qtbot, dialog, first, 1, merged)  # e.g. 00902 joins 0091*, still under 009**
    assert _cell(dialog, first, 1) == merged and not dialog.problem.isVisible()
    assert dialog.source == "edited" and "saved as an ARX file" in dialog.status.text()
    asked: list[str] = []
    _save_to(monkeypatch, asked)
    dialog.ok_button.click()
    assert asked == [str(tmp_path / "hierarchies" / "zip.csv")] and not dialog.isVisible()
    assert panel.hierarchies.refs["zip"] == HierarchyRef(file="hierarchies/zip.csv")
    assert panel.hierarchies.combos["zip"].currentText() == "ARX file zip.csv"

    panel.apply_button.click()
    panel.doc.save_recipe()
    recipe = load_recipe(tmp_path / "recipe.yaml")
    assert recipe.k_anonymity is not None and recipe.k_anonymity.hierarchies["zip"].file == "hierarchies/zip.csv"
    frame = panel.doc.dataset.collect()  # what a release reads
    assert frame is not None
    loaded = load_hierarchies(recipe.k_anonymity, frame, tmp_path)[0]["zip"]
    assert loaded == dialog.hierarchy and loaded == read_arx_csv(tmp_path / "hierarchies" / "zip.csv", "zip")
    assert loaded.levels.filter(pl.col("level0") == first)["level1"].item() == merged
    panel.doc.open_recipe(tmp_path / "recipe.yaml")
    assert panel.hierarchies.refs["zip"].file == "hierarchies/zip.csv"
    again = _editor(panel, "zip")
    assert again.source == "file" and again.hierarchy == loaded and _cell(again, first, 1) == merged
    again.close()


def test_invalid_edit_is_reported_in_place_and_the_last_valid_hierarchy_kept(qtbot: QtBot,
                                                                            panel: KAnonymityPanel) -> None:
    dialog = _editor(panel, "age")
    dialog.form.number_mode.setCurrentText(EDGES)
    dialog.form.edges.setText("0, 18, 30, 45, 65, 120")
    dialog.rebuild_button.click()
    valid = dialog.hierarchy
    _type_into_cell(qtbot, dialog, "25", 2, "young")  # 18-29 would become both '*' and 'young' at level 2
    assert dialog.problem.isVisible()
    message = dialog.problem.text()
    assert "'25' at level 2" in message and "not a coarsening" in message and "'18-29'" in message
    assert dialog.hierarchy is valid and dialog.invalid
    index = dialog.model.index(_row(dialog, "25"), 2)
    assert dialog.model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert "not a coarsening" in dialog.model.data(index, Qt.ItemDataRole.ToolTipRole)
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.ref is None and "Fix the marked cell" in dialog.problem.text()
    assert "age" not in panel.hierarchies.refs

    _type_into_cell(qtbot, dialog, "25", 2, "*")  # put back: valid again
    assert not dialog.problem.isVisible() and not dialog.invalid
    assert dialog.model.data(index, Qt.ItemDataRole.DecorationRole) is None
    dialog.model.setData(dialog.model.index(_row(dialog, "30"), 1), "")
    assert "'30' at level 1" in dialog.problem.text() and "empty label" in dialog.problem.text()
    assert not dialog.model.setData(dialog.model.index(0, 0), "changed")  # the value column is not editable
    dialog.close()


def test_import_lists_values_missing_from_the_file(panel: KAnonymityPanel, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    frame = panel.doc.dataset.collect()  # what a release reads
    assert frame is not None
    cities = sorted(frame["city"].unique().to_list())
    kept, missing = cities[:10], cities[10:]
    source = tmp_path / "cities.csv"
    source.write_text("".join(f"{c};{'East' if i % 2 else 'West'};*\n" for i, c in enumerate(kept)))
    dialog = _editor(panel, "city")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(source), "")))
    dialog.import_button.click()
    assert dialog.table.rowCount() == 10 and dialog.table.columnCount() == 3
    assert dialog.missing == missing  # in sorted order: the editor reads the column's distinct values, sorted
    text = dialog.missing_label.text()
    assert dialog.missing_label.isVisible() and f"{len(missing)} values" in text
    assert all(f"'{c}'" in text for c in dialog.missing[:20]) and f"and {len(missing) - 20} more" in text
    dialog.ok_button.click()
    assert dialog.isVisible() and "not in the hierarchy" in dialog.problem.text()

    dialog.star.setChecked(True)
    assert "become '*'" in dialog.missing_label.text()
    asked: list[str] = []
    _save_to(monkeypatch, asked)
    dialog.ok_button.click()
    assert not dialog.isVisible()
    ref = panel.hierarchies.refs["city"]
    assert ref == HierarchyRef(file="hierarchies/city.csv", unknown_as_star=True)
    panel.apply_button.click()
    section = panel.doc.recipe.k_anonymity
    assert section is not None
    hierarchy = load_hierarchies(section, frame, tmp_path)[0]["city"]
    generalized = hierarchy.generalize(frame["city"], 1)
    assert set(generalized.filter(frame["city"].is_in(missing)).unique()) == {"*"}
    assert set(generalized.filter(frame["city"].is_in(kept)).unique()) <= {"East", "West"}


def test_broken_import_and_bad_options_are_reported_in_place(panel: KAnonymityPanel, tmp_path: Path) -> None:
    dialog = _editor(panel, "age")
    before = dialog.hierarchy
    broken = tmp_path / "broken.csv"
    broken.write_text("18;18-29;*\n19;18-29\n")
    assert not dialog.import_arx(broken)
    assert "line 2" in dialog.problem.text() and dialog.hierarchy is before
    dialog.form.number_mode.setCurrentText(EDGES)
    dialog.form.edges.setText("0, 18, abc")
    dialog.rebuild_button.click()
    assert "'abc' is not a number" in dialog.problem.text() and dialog.hierarchy is before
    dialog.form.edges.setText("0, 18, 30; 0, 25")
    dialog.rebuild_button.click()
    assert "level 2 cuts at '25'" in dialog.problem.text() and dialog.hierarchy is before
    dialog.close()


def test_chooser_reads_arx_files_and_saving_elsewhere_keeps_them(panel: KAnonymityPanel, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    frame = panel.doc.dataset.collect()  # what a release reads
    assert frame is not None
    (tmp_path / "hierarchies").mkdir()
    good, bad = tmp_path / "hierarchies" / "sex.csv", tmp_path / "bad.csv"
    good.write_text("".join(f"{v};person\n" for v in frame["sex"].unique().sort()))
    bad.write_text("F,person\nM,person\n")
    picked = iter([bad, good])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(next(picked)), "")))

    def choose_file() -> None:
        combo = panel.hierarchies.combos["sex"]
        combo.setCurrentText("From ARX file…")
        combo.activated.emit(combo.currentIndex())

    choose_file()
    assert "sex" not in panel.hierarchies.refs and "separate levels with ';'" in panel.message.text()
    assert panel.hierarchies.combos["sex"].currentText() == "Automatic"
    choose_file()
    assert panel.hierarchies.refs["sex"] == HierarchyRef(file="hierarchies/sex.csv")
    assert panel.hierarchies.combos["sex"].currentText() == "ARX file sex.csv"
    panel.apply_button.click()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    panel.doc.save_recipe(elsewhere / "recipe.yaml")  # Save As: the file is no longer under the recipe
    moved = load_recipe(elsewhere / "recipe.yaml").k_anonymity
    assert moved is not None and moved.hierarchies["sex"].file == str(good.resolve())
    panel.doc.save_recipe(tmp_path / "again.yaml")  # back beside it: relative again
    back = load_recipe(tmp_path / "again.yaml").k_anonymity
    assert back is not None and back.hierarchies["sex"].file == "hierarchies/sex.csv"
    released, facts = k_anonymity_step(frame, back, recipe_dir=tmp_path)
    assert facts.hierarchy_sources["sex"] == "ARX file sex.csv"
    assert set(released["sex"].unique()) <= {"person", "*", *frame["sex"].unique()}


def test_levels_can_be_added_and_removed_by_hand(panel: KAnonymityPanel) -> None:
    dialog = _editor(panel, "zip")
    height = dialog.table.columnCount()
    _select(dialog, [dialog.model.rows[0][0]], 1)
    dialog.add_level_button.click()  # a copy of level 1 above it: still a valid hierarchy
    assert dialog.table.columnCount() == height + 1 and not dialog.invalid and dialog.source == "edited"
    assert dialog.hierarchy is not None and dialog.hierarchy.height == height + 1
    assert dialog.model.rows[0][1] == dialog.model.rows[0][2]
    _select(dialog, [dialog.model.rows[0][0]], 0)
    dialog.remove_level_button.click()
    assert "Select cells of the level to remove" in dialog.problem.text()
    _select(dialog, [dialog.model.rows[0][0]], 2)
    dialog.remove_level_button.click()
    assert dialog.table.columnCount() == height and dialog.hierarchy.height == height
    dialog.close()


def test_a_second_editor_does_not_throw_away_the_first_ones_edits(panel: KAnonymityPanel,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first = _editor(panel, "zip")
    _select(first, [first.model.rows[0][0]], 1)
    first.add_level_button.click()
    monkeypatch.setattr(HierarchyEditor, "confirm_discard", lambda editor: False)  # "keep editing"
    panel.show_hierarchy("age")
    assert panel.hierarchies.dialog is first and first.isVisible() and first.source == "edited"
    monkeypatch.setattr(HierarchyEditor, "confirm_discard", lambda editor: True)
    second = _editor(panel, "age")
    assert second is not first and not first.isVisible()
    method = panel.models.method
    method.setCurrentIndex(method.findData("mondrian"))  # greys out the chooser, not the editor
    assert second.isEnabled() and second.ok_button.isEnabled()
    second.close()
