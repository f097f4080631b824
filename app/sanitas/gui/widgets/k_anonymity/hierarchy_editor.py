"""Edit a quasi-identifier's generalization hierarchy in place: builder options, a table of values by level.

The dialog keeps the recipe reviewable: a table that only came from the builder is stored as
``auto: <kind>`` with its options, which `sanitas apply` rebuilds; a table edited by hand or imported
is saved as an ARX hierarchy CSV next to the recipe and stored as ``file:``. Every edit is checked
with the core ``Hierarchy`` (the same check the release runs), and a problem is shown in place, naming
the value and level, while the last valid hierarchy is kept.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import polars as pl
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QMessageBox,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.hierarchies import groups
from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv, write_arx_csv
from sanitas.core.privacy.hierarchies.builders import auto_hierarchy, guess_kind
from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy, HierarchyError
from sanitas.core.privacy.k_anonymity.section import HierarchyRef
from sanitas.gui.document import Document
from sanitas.gui.widgets.k_anonymity.hierarchy_editor_ui import setup_ui
from sanitas.gui.widgets.k_anonymity.hierarchy_files import ask_export_path, ask_import_path, ask_save_path
from sanitas.gui.widgets.k_anonymity.hierarchy_refs import ref_path, resolved

LISTED = 20
Source = Literal["auto", "edited", "file"]


class HierarchyEditor(QDialog):
    """Builder options above a table of values by level; OK hands the column's HierarchyRef to ``chosen``."""

    chosen = Signal(str, object)  # column, HierarchyRef

    def __init__(self, doc: Document, column: str, ref: HierarchyRef | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.column = doc, column
        rows = doc.rows  # the column's distinct values, read from the paged table: what the builders need
        self.series: pl.Series | None = rows.distinct(column) if rows is not None and column in rows.columns else None
        self.hierarchy: Hierarchy | None = None  # the last valid one
        self.source: Source = "auto"
        self.built: tuple[str, dict[str, Any]] | None = None  # the builder call behind an "auto" table
        self.file_ref: str | None = None  # the recipe's file, while a "file" table is unedited
        self.invalid = False
        self.missing: list[str] = []
        self.ref: HierarchyRef | None = None  # the result, once accepted
        self.setWindowTitle(f"Hierarchy of {column}")
        self.setAccessibleName(f"Generalization hierarchy of {column}")
        self._build()
        self._start(ref)
        self.resize(640, 620)

    # --- layout (widgets and their places: hierarchy_editor_ui.py) ---------------------------------
    def _build(self) -> None:
        setup_ui(self)
        self.rebuild_button.clicked.connect(self.rebuild)
        self.group_button.clicked.connect(self._ask_group)
        self.ungroup_button.clicked.connect(self.ungroup_selected)
        self.form.kind_combo.currentTextChanged.connect(self._kind_shown)
        self.form.changed.connect(self._options_changed)
        self.model.edited.connect(self._edited)
        self.add_level_button.clicked.connect(self.add_level)
        self.remove_level_button.clicked.connect(self.remove_level)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        self.star.toggled.connect(lambda _on: self._validate())
        self.buttons.accepted.connect(self.finish)
        self.buttons.rejected.connect(self.reject)

    def _kind_shown(self, kind: str) -> None:
        self.group_button.setEnabled(kind == "category")
        self.ungroup_button.setEnabled(kind == "category")

    def _options_changed(self) -> None:
        """Say that the table no longer shows the options, rather than rebuild on every keystroke."""
        base = self.status.text().split(" · ")[0]
        self.status.setText(base + " · options changed: Rebuild to see them" if self._form_changed() else base)

    # --- loading -----------------------------------------------------------------------------------
    def _start(self, ref: HierarchyRef | None) -> None:
        series = self.series
        kind = ref.auto if ref is not None and ref.auto else guess_kind(series) if series is not None else "category"
        self.form.load(kind, ref.options() if ref is not None and ref.auto else {},
                       datetime=series is not None and isinstance(series.dtype, pl.Datetime))
        self._kind_shown(kind)
        self.rebuild_button.setEnabled(series is not None)
        self.star.blockSignals(True)
        self.star.setChecked(bool(ref and ref.unknown_as_star))
        self.star.blockSignals(False)
        if ref is not None and ref.file is not None:
            if self.import_arx(resolved(self.doc, ref.file)):
                self.source, self.file_ref = "file", ref.file
                self._summarize()
        else:
            self.rebuild()

    def rebuild(self) -> bool:
        """The table from the builder's current options; on a problem the table stays as it was."""
        if self.series is None:
            return self._report("The rows are still loading; the builder needs the column's values.")
        try:
            kind, options = self.form.kind(), self.form.options()
            hierarchy = auto_hierarchy(self.series, kind, **options)  # type: ignore[arg-type]
        except (SanitasError, TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            return self._report(str(exc) if isinstance(exc, SanitasError)
                                else f"These options do not build a hierarchy ({type(exc).__name__}).")
        replaced = self.source == "edited"
        self._show(hierarchy, "auto", (kind, options))
        if replaced:
            self.status.setText(self.status.text() + " (hand edits replaced)")
        return True

    def import_arx(self, path: Path) -> bool:
        try:
            hierarchy = read_arx_csv(path, column=self.column)
        except HierarchyError as exc:
            return self._report(str(exc))
        self._show(hierarchy, "edited")
        self.status.setText(f"Imported {path.name}: " + self.status.text())
        return True

    def _show(self, hierarchy: Hierarchy, source: Source, built: tuple[str, dict[str, Any]] | None = None) -> None:
        self.model.set_rows(hierarchy.rows())
        self.source, self.built, self.file_ref = source, built, None
        self._validate()

    # --- editing -----------------------------------------------------------------------------------
    def _edited(self, row: int, level: int) -> None:
        self.source, self.built, self.file_ref = "edited", None, None
        self._validate(row, level)

    def _validate(self, row: int | None = None, level: int | None = None) -> bool:
        """Check the table as a whole; keep the last valid hierarchy and name the edit when it fails."""
        if not self.model.rows:
            return False
        try:
            hierarchy = Hierarchy.from_rows(self.column, self.model.rows)
            if self.star.isChecked():
                hierarchy = hierarchy.with_unknown_as_star()
        except HierarchyError as exc:
            self.invalid = True
            where = ""
            if row is not None and level is not None:
                where = f"Edit of '{self.model.rows[row][0]}' at level {level}: "
                self.model.set_problem((row, level, str(exc)))
            return self._report(f"{where}{exc} The last valid hierarchy is kept until this is fixed.")
        self.invalid = False
        self.hierarchy = hierarchy
        self.model.set_problem(None)
        self.problem.hide()
        self._summarize()
        return True

    def _report(self, text: str) -> bool:
        self.problem.setText(f"⚠ {text}")
        self.problem.show()
        return False

    def _summarize(self) -> None:
        h = self.hierarchy
        if h is None:
            self.status.setText("No hierarchy yet: rebuild or import one.")
            return
        origin = {"auto": f"built by the {self.built[0] if self.built else 'automatic'} builder",
                  "edited": "edited: saved as an ARX file on OK",
                  "file": f"ARX file {Path(self.file_ref or '').name}"}[self.source]
        self.status.setText(f"{len(h.values):,} values, {h.height - 1} levels above the value; {origin}")
        self.missing = h.missing_values(self.series) if self.series is not None else []
        if self.missing:
            listed = ", ".join(f"'{v}'" for v in self.missing[:LISTED])
            more = f" and {len(self.missing) - LISTED:,} more" if len(self.missing) > LISTED else ""
            then = ("They become '*' above level 0." if self.star.isChecked()
                    else "Map them to '*' below, or add rows for them.")
            self.missing_label.setText(f"⚠ {len(self.missing):,} values of the data are not in this hierarchy: "
                                       f"{listed}{more}. {then}")
        self.missing_label.setVisible(bool(self.missing))

    def add_level(self) -> None:
        """A new level above the selected one (else just below the top), as a copy of the level under it."""
        if self.model.height == 0:
            return
        _, level = self.table.selected_rows_and_level()
        at = min(max(1, (level if level is not None else self.model.height - 2) + 1), self.model.height - 1)
        self.model.insert_level(at)
        self._edited_structure()

    def remove_level(self) -> None:
        _, level = self.table.selected_rows_and_level()
        if level is None or level == 0:
            self._report("Select cells of the level to remove (a level above the value).")
            return
        if self.model.height <= 2:
            self._report("A hierarchy needs at least one level above the value.")
            return
        self.model.remove_level(level)
        self._edited_structure()

    def _edited_structure(self) -> None:
        self.source, self.built, self.file_ref = "edited", None, None
        self._validate()

    # --- category groups ---------------------------------------------------------------------------
    def _ask_group(self) -> None:
        labels, depth = self.selected_labels()
        if not labels:
            return
        name, ok = QInputDialog.getText(self, "Group selected", f"Name of the level {depth} group for "
                                        f"{len(labels)} selected labels:")
        if ok and name.strip():
            self.group(name.strip(), labels, depth)

    def selected_labels(self) -> tuple[list[str], int]:
        """Distinct labels of the selected cells and the level their group goes to; reports why not."""
        rows, level = self.table.selected_rows_and_level()
        problem = groups.group_problem(level if rows else None, self.model.height, by_category=self._by_category())
        if problem or level is None:
            self._report(problem or "")
            return [], 0
        return list(dict.fromkeys(self.model.rows[r][level] for r in rows)), level + 1

    def group(self, name: str, labels: list[str], depth: int) -> bool:
        """Add a category group through the builder and rebuild; undone when the builder refuses it."""
        return self._regroup(lambda: self.form.add_group(depth, name, labels))

    def ungroup_selected(self) -> bool:
        """Take the selected values out of their groups, or dissolve the selected groups, and rebuild."""
        rows, level = self.table.selected_rows_and_level()
        problem = groups.ungroup_problem(level if rows else None, self.model.height, by_category=self._by_category())
        if problem or level is None:
            return self._report(problem or "")
        labels = list(dict.fromkeys(self.model.rows[r][level] for r in rows))
        return self._regroup(lambda: self.form.ungroup(level, labels))

    def _by_category(self) -> bool:
        return self.built is not None and self.built[0] == "category"

    def _regroup(self, change: Callable[[], None]) -> bool:
        """Change the builder's groups and rebuild; the groups are put back when either step refuses."""
        before = copy.deepcopy(self.form.groupings)
        try:
            change()
        except HierarchyError as exc:
            return self._report(str(exc))
        if self.rebuild():
            return True
        self.form.groupings = before
        self.form.groups_label.setText(groups.describe(before))
        return False

    # --- files -------------------------------------------------------------------------------------
    def _ask_import(self) -> None:
        path = ask_import_path(self, self.doc, self.column)
        if path is not None:
            self.import_arx(path)

    def export(self, path: Path) -> bool:
        """Write the last valid hierarchy as an ARX CSV (atomically)."""
        if self.hierarchy is None:
            return self._report("No valid hierarchy to export yet.")
        try:
            write_arx_csv(self.hierarchy, path)
        except HierarchyError as exc:
            return self._report(str(exc))
        self.status.setText(f"Exported to {path.name}" + (" (the last valid hierarchy)" if self.invalid else ""))
        return True

    def _ask_export(self) -> None:
        path = ask_export_path(self, self.doc, self.column)
        if path is not None:
            self.export(path)

    # --- result ------------------------------------------------------------------------------------
    def finish(self) -> None:
        """OK: the column's HierarchyRef, saving an edited table first; problems keep the dialog open."""
        if self.invalid:
            self._report("Fix the marked cell first (its tooltip says why), or Rebuild.")
            return
        if self.source == "auto" and self._form_changed() and not self.rebuild():
            return
        if self.hierarchy is None:
            self._report("No hierarchy yet: rebuild or import one.")
            return
        if self.missing and not self.star.isChecked():
            self._report(f"{len(self.missing):,} values of the data are not in the hierarchy; map them to '*' or "
                         "add rows for them.")
            return
        star = self.star.isChecked()
        if self.source == "auto" and self.built is not None:
            ref = HierarchyRef(auto=self.built[0], unknown_as_star=star, **self.built[1])  # type: ignore[arg-type]
        elif self.source == "file" and self.file_ref is not None:
            ref = HierarchyRef(file=self.file_ref, unknown_as_star=star)
        else:
            path = ask_save_path(self, self.doc, self.column)
            if path is None or not self.save(path):
                return
            ref = HierarchyRef(file=ref_path(self.doc, path), unknown_as_star=star)
        self.ref = ref
        self.chosen.emit(self.column, ref)
        self.accept()

    def reject(self) -> None:
        """Cancel, Escape or the close button: hand edits are not thrown away without asking."""
        if self.source == "edited" and self.ref is None and self.isVisible() and not self.confirm_discard():
            return
        super().reject()

    def confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Discard hand edits?", f"The hierarchy of {self.column} was edited by hand. Close without "
            "using the edits?", QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def save(self, path: Path) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._report(f"Could not create {path.parent} ({exc.strerror or exc}).")
        return self.export(path)

    def _form_changed(self) -> bool:
        try:
            return self.built != (self.form.kind(), self.form.options())
        except HierarchyError:
            return True
