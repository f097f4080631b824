"""The builder half of the hierarchy editor: a kind and that kind's options, as the recipe will hold them.

``options()`` returns exactly what ``HierarchyRef(auto=kind, **options)`` passes to the core builders,
so what the analyst sees in the form is what `sanitas apply` rebuilds. Options the form has no field
for (a hand-written ``widths`` or ``origin``) are kept as they were and passed along untouched.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.privacy.hierarchies import groups
from sanitas.core.privacy.hierarchies.builders import DATE_LEVELS
from sanitas.core.privacy.hierarchies.hierarchy import HierarchyError
from sanitas.gui.widgets.common.accessible import named

KINDS = ["number", "date", "postal", "category"]
GROWING, EDGES = "Growing bands", "Band edges"
STYLES = ["auto", "range", "interval"]
DEFAULT_DATE_LEVELS = ("month", "year", "decade")
DEFAULT_OTHER = "Other"
SEPARATOR = re.compile(r"[,\s]+")
HANDLED = {
    "number": {"first_width", "factor", "edges", "style"},
    "date": {"levels", "date_format"},
    "postal": {"strip"},
    "category": {"groups", "other"},
}


def plain_number(x: float) -> int | float:
    """Whole numbers as ints, so the recipe says 18 rather than 18.0."""
    return int(x) if float(x).is_integer() else float(x)


def parse_numbers(text: str, what: str) -> list[int | float]:
    """'0, 18, 30' -> [0, 18, 30]; commas and/or spaces separate; an error names the bad item."""
    numbers = []
    for item in (t for t in SEPARATOR.split(text.strip()) if t):
        try:
            numbers.append(plain_number(float(item)))
        except ValueError:
            raise HierarchyError(f"{what}: '{item}' is not a number.") from None
    return numbers


def _line(numbers: Sequence[Any]) -> str:
    return ", ".join(f"{plain_number(float(n)):g}" if isinstance(n, int | float) else str(n) for n in numbers)


class BuilderForm(QWidget):
    """Kind combo over one small form per kind; ``changed`` fires on any edit so the dialog knows the
    table no longer matches the form until the next Rebuild."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.extra: dict[str, Any] = {}  # options without a field, kept as loaded
        self.groupings: groups.Groupings = []
        self.kind_combo = named(QComboBox(), "Hierarchy kind", "How the levels are built: number bands, calendar "
                                "periods, postal codes with trailing digits redacted, or category groups")
        self.kind_combo.addItems(KINDS)
        self.stack = QStackedWidget()
        for page in (self._number_page(), self._date_page(), self._postal_page(), self._category_page()):
            self.stack.addWidget(page)
        self.kind_combo.currentIndexChanged.connect(self._show_page)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        form = QFormLayout()
        form.addRow("Kind", self.kind_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.stack)

    # --- pages ---------------------------------------------------------------------------------------
    def _number_page(self) -> QWidget:
        self.number_mode = named(QComboBox(), "Number bands", "Growing: bands of a first width, each level "
                                 "wider by the factor. Edges: the bands you type")
        self.number_mode.addItems([GROWING, EDGES])
        self.first_width = named(QLineEdit(), "First band width", "Width of the level 1 bands (blank: a round "
                                 "width giving about 20 bands)")
        self.first_width.setPlaceholderText("automatic")
        self.factor = named(QSpinBox(), "Growth factor", "Each level's bands are this many times wider, so they "
                            "nest")
        self.factor.setRange(2, 100)
        self.edges = named(QLineEdit(), "Band edges", "Where bands start, e.g. 0, 18, 30, 45, 65, 120. For more "
                           "levels add coarser edges after ';' (each level keeps some edges of the one below)")
        self.edges.setPlaceholderText("0, 18, 30, 45, 65, 120")
        self.style_combo = named(QComboBox(), "Band labels", "auto: 30-34 for whole numbers, else [30, 35[; range: "
                           "30-34; interval: [30, 35[")
        self.style_combo.addItems(STYLES)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Bands", self.number_mode)
        form.addRow("First width", self.first_width)
        form.addRow("Factor", self.factor)
        form.addRow("Edges", self.edges)
        form.addRow("Labels", self.style_combo)
        self.number_mode.currentTextChanged.connect(self._number_mode_changed)
        for signal in (self.first_width.textEdited, self.edges.textEdited, self.number_mode.currentIndexChanged,
                       self.factor.valueChanged, self.style_combo.currentIndexChanged):
            signal.connect(self.changed)
        self._number_mode_changed(GROWING)
        return page

    def _date_page(self) -> QWidget:
        self.date_levels = {unit: named(QCheckBox(unit), f"Date level {unit}", f"Include the {unit} as a level")
                            for unit in DATE_LEVELS}
        self.date_format = named(QLineEdit(), "Date format", "How text dates are written, e.g. %d/%m/%Y (blank: "
                                 "ISO dates)")
        self.date_format.setPlaceholderText("ISO (YYYY-MM-DD)")
        boxes = QWidget()
        row = QHBoxLayout(boxes)
        row.setContentsMargins(0, 0, 0, 0)
        for box in self.date_levels.values():
            row.addWidget(box)
            box.toggled.connect(self.changed)
        self.date_format.textEdited.connect(self.changed)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Levels", boxes)
        form.addRow("Format", self.date_format)
        return page

    def _postal_page(self) -> QWidget:
        self.strip = named(QLineEdit(), "Trailing digits per level", "How many trailing characters each level "
                           "redacts, e.g. 1, 2, 3 (blank: one more per level)")
        self.strip.setPlaceholderText("one more per level")
        self.strip.textEdited.connect(self.changed)
        page = QWidget()
        QFormLayout(page).addRow("Digits redacted", self.strip)
        return page

    def _category_page(self) -> QWidget:
        self.groups_label = named(QLabel(), "Category groups", "Groups by level; select cells in the table and "
                                  "\"Group selected…\" to add one")
        self.groups_label.setWordWrap(True)
        self.other = named(QLineEdit(DEFAULT_OTHER), "Group for the rest", "Label for values (or groups) left "
                           "out of every group at a level")
        self.other.textEdited.connect(self.changed)
        self.clear_groups_button = named(QPushButton("Clear groups"), "Clear groups", "Back to suppression only")
        self.clear_groups_button.clicked.connect(self.clear_groups)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Groups", self.groups_label)
        form.addRow("Rest goes to", self.other)
        form.addRow("", self.clear_groups_button)
        self._show_groups()
        return page

    def _show_page(self, index: int) -> None:
        """Only the shown page counts for the size, so a short form leaves its room to the table."""
        for i in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.stack.widget(i).setSizePolicy(policy, policy)
        self.stack.setCurrentIndex(index)
        self.stack.adjustSize()

    def _number_mode_changed(self, mode: str) -> None:
        growing = mode == GROWING
        self.first_width.setEnabled(growing)
        self.factor.setEnabled(growing)
        self.edges.setEnabled(not growing)

    def _kind_changed(self) -> None:
        self.extra = {}  # kept options belong to the kind they were loaded with
        self.changed.emit()

    # --- state ---------------------------------------------------------------------------------------
    def kind(self) -> str:
        return self.kind_combo.currentText()

    def load(self, kind: str, options: Mapping[str, Any], *, datetime: bool = False) -> None:
        """Show a kind with its options (from a recipe ref, or defaults when ``options`` is empty)."""
        blockers = [w.blockSignals(True) for w in (self.kind_combo, self)]
        self.kind_combo.setCurrentText(kind)
        self._show_page(KINDS.index(kind))
        self.kind_combo.blockSignals(blockers[0])
        edges = options.get("edges")
        self.number_mode.setCurrentText(EDGES if edges is not None else GROWING)
        self.edges.setText("; ".join(_line(level) for level in edges) if edges else "")
        width = options.get("first_width")
        self.first_width.setText(f"{plain_number(float(width)):g}" if width is not None else "")
        self.factor.setValue(int(options.get("factor", 2)))
        self.style_combo.setCurrentText(str(options.get("style", "auto")))
        levels = options.get("levels", DATE_LEVELS if datetime else DEFAULT_DATE_LEVELS)
        for unit, box in self.date_levels.items():
            box.setChecked(unit in levels)
        self.date_format.setText(str(options.get("date_format") or ""))
        strip = options.get("strip")
        self.strip.setText(_line(strip) if strip else "")
        self.groupings = groups.from_option(options.get("groups"))
        self.other.setText(str(options.get("other") or DEFAULT_OTHER))
        self._show_groups()
        self.extra = {k: v for k, v in options.items() if k not in HANDLED[kind]}
        self.blockSignals(blockers[1])

    def options(self) -> dict[str, Any]:
        """The builder options for the current kind; HierarchyError names a field that does not parse."""
        kind = self.kind()
        options: dict[str, Any] = dict(self.extra)
        if kind == "number":
            if self.number_mode.currentText() == EDGES:
                levels = [parse_numbers(part, "Band edges") for part in self.edges.text().split(";") if part.strip()]
                if not levels:
                    raise HierarchyError("Band edges: type where bands start, e.g. 0, 18, 30, 45, 65, 120.")
                options["edges"] = levels
            else:
                width = parse_numbers(self.first_width.text(), "First width")
                if len(width) > 1:
                    raise HierarchyError("First width: give one number (later levels grow by the factor).")
                if width:
                    options["first_width"] = width[0]
                options["factor"] = self.factor.value()
            if self.style_combo.currentText() != "auto":
                options["style"] = self.style_combo.currentText()
        elif kind == "date":
            levels = [unit for unit, box in self.date_levels.items() if box.isChecked()]
            if not levels:
                raise HierarchyError("Date levels: tick at least one of day, month, year, decade.")
            options["levels"] = levels
            if self.date_format.text().strip():
                options["date_format"] = self.date_format.text().strip()
        elif kind == "postal":
            strip = parse_numbers(self.strip.text(), "Digits redacted")
            if any(not isinstance(s, int) for s in strip):
                raise HierarchyError("Digits redacted: give whole numbers, e.g. 1, 2, 3.")
            if strip:
                options["strip"] = strip
        elif self.groupings:
            options["groups"] = groups.to_option(self.groupings)
            options["other"] = self.other.text().strip() or DEFAULT_OTHER
        return copy.deepcopy(options)  # the caller keeps it; later grouping must not change it

    # --- category groups (the rules are the core's: hierarchies/groups.py) --------------------------
    def add_group(self, depth: int, name: str, labels: Sequence[str]) -> None:
        """Put ``labels`` (of level depth-1) in group ``name`` at ``depth``; HierarchyError says why not."""
        self.set_groupings(groups.add_group(self.groupings, depth, name, labels))

    def ungroup(self, level: int, labels: Sequence[str]) -> None:
        """Values (level 0) leave their group; group labels (level d) dissolve their groups."""
        self.set_groupings(groups.ungroup(self.groupings, level, labels))

    def set_groupings(self, groupings: groups.Groupings) -> None:
        self.groupings = groupings
        self._show_groups()
        self.changed.emit()

    def clear_groups(self) -> None:
        self.set_groupings([])

    def _show_groups(self) -> None:
        self.groups_label.setText(groups.describe(self.groupings))
