"""The panel's list of quasi-identifiers, each with its hierarchy choice and an "Edit…" button.

The choice is a HierarchyRef per column (automatic when there is none), so the panel's section carries
builder options and files exactly as the recipe will.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QGridLayout, QGroupBox, QLabel, QPushButton, QWidget

from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
from sanitas.core.privacy.hierarchies.hierarchy import HierarchyError
from sanitas.core.privacy.k_anonymity.section import HierarchyRef
from sanitas.gui.document import Document
from sanitas.gui.widgets.common.accessible import named
from sanitas.gui.widgets.k_anonymity.hierarchy_editor import HierarchyEditor
from sanitas.gui.widgets.k_anonymity.hierarchy_refs import ARX_FILTER, describe, ref_path

AUTOMATIC, FROM_FILE = "Automatic", "From ARX file…"


class HierarchyChooser(QGroupBox):
    """Per quasi-identifier: Automatic (guessed at run time), the chosen ref, or an ARX file; "Edit…" opens
    the editor.

    ``refs`` remembers choices even for columns that are not quasi-identifiers right now, so flipping a
    role back and forth does not lose them; ``chosen_refs`` gives those of the wanted columns.
    """

    problem = Signal(str)  # shown in place by the panel, never as a dialog

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__("Hierarchies", parent)
        self.doc = doc
        self.setAccessibleName("Hierarchy per quasi-identifier")
        self.refs: dict[str, HierarchyRef] = {}
        self.combos: dict[str, QComboBox] = {}
        self._sensitive: list[str] = []  # shown after the quasi-identifiers when hierarchical t-closeness is on
        self.dialog: HierarchyEditor | None = None
        self._grid = QGridLayout(self)

    def chosen_refs(self, columns: Iterable[str] | None = None) -> dict[str, HierarchyRef]:
        """Refs of the shown quasi-identifiers, or of ``columns`` (sensitive ones keep theirs too)."""
        wanted = set(self.combos if columns is None else columns)
        return {c: ref for c, ref in self.refs.items() if c in wanted}

    def set_columns(self, columns: list[str], sensitive: list[str] | None = None) -> None:
        """One row per quasi-identifier, then per ``sensitive`` column (hierarchical t-closeness needs theirs)."""
        if sensitive is not None:
            self._sensitive = list(sensitive)
        sensitive = [c for c in self._sensitive if c not in columns]
        columns = [*columns, *sensitive]
        while self._grid.count():
            old = self._grid.takeAt(0).widget()
            old.hide()  # deleteLater is deferred: hidden now so it cannot paint over the new row
            old.deleteLater()
        self.combos = {}
        for row, column in enumerate(columns):
            combo = named(QComboBox(), f"Hierarchy of {column}", "Automatic builds one from the values at run "
                          "time; Edit… to choose bands, groups or levels; or read an ARX hierarchy CSV")
            combo.addItems([AUTOMATIC, FROM_FILE])
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)  # long descriptions stay in the tooltip, not in the panel width
            if column in self.refs:
                combo.insertItem(1, describe(self.refs[column]))
                combo.setCurrentIndex(1)
                combo.setToolTip(f"{describe(self.refs[column])}. {combo.toolTip()}")
            combo.activated.connect(lambda _i, c=column: self._chosen(c))
            edit = named(QPushButton("Edit…"), f"Edit the hierarchy of {column}", "See every value and what it "
                         "becomes at each level; build, edit, import or export it")
            edit.clicked.connect(lambda _=False, c=column: self.show_hierarchy(c))
            self.combos[column] = combo
            label = QLabel(f"{column} (sensitive)" if column in sensitive else column)
            for col, widget in enumerate((label, combo, edit)):
                self._grid.addWidget(widget, row, col)

    def set_ref(self, column: str, ref: HierarchyRef | None) -> None:
        if ref is None:
            self.refs.pop(column, None)
        else:
            self.refs[column] = ref
        self.set_columns([c for c in self.combos if c not in self._sensitive])

    def _chosen(self, column: str) -> None:
        text = self.combos[column].currentText()
        if text == AUTOMATIC:
            self.set_ref(column, None)
        elif text == FROM_FILE:
            name, _ = QFileDialog.getOpenFileName(self, f"Hierarchy of {column}", str(self.doc.recipe_dir() or ""),
                                                  ARX_FILTER, options=QFileDialog.Option.DontUseNativeDialog)
            self.set_ref(column, self.file_ref(column, Path(name)) if name else self.refs.get(column))

    def file_ref(self, column: str, path: Path) -> HierarchyRef | None:
        """A ref to an ARX file once it reads as a hierarchy; otherwise the problem, and the old choice."""
        try:
            read_arx_csv(path, column=column)
        except HierarchyError as exc:
            self.problem.emit(str(exc))
            return self.refs.get(column)
        return HierarchyRef(file=ref_path(self.doc, path))

    def show_hierarchy(self, column: str) -> None:
        """Open the editor on the column's current choice (one editor at a time)."""
        if self.dialog is not None:
            if self.dialog.isVisible() and not self.dialog.close():  # the analyst kept their hand edits
                self.dialog.raise_()
                return
            self.dialog.deleteLater()
        # A child of the window, not of this box: disabling the box (Mondrian) must not freeze an open editor.
        self.dialog = HierarchyEditor(self.doc, column, self.refs.get(column), self.window())
        self.dialog.chosen.connect(self.set_ref)
        self.dialog.show()
