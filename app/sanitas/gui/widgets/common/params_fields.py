"""The editors of a generated parameter form: one per JSON-schema field, read and written in recipe terms.

``schema_fields`` turns a pydantic Params schema into FieldSpecs ($ref resolved, anyOf-with-null read
as optional); ``FieldEditor`` gives each one a widget whose value is what the recipe would hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

AUTO = "auto"
INT_LIMIT = 2**31 - 2
NUMBER_LIMIT = 1e12


@dataclass
class FieldSpec:
    """One parameter as the form sees it: an editor kind plus what the schema says about it."""

    name: str
    kind: str  # enum, bool, int, number, str, list, columns, yaml
    default: Any = None
    optional: bool = False
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: list[Any] = field(default_factory=list)

    @property
    def label(self) -> str:
        return humanize(self.name)


def humanize(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def schema_fields(schema: dict[str, Any]) -> list[FieldSpec]:
    """The form's fields from a Params JSON schema ($ref resolved, anyOf-with-null read as optional)."""
    defs = schema.get("$defs", {})
    return [_field(name, prop, defs) for name, prop in schema.get("properties", {}).items()]


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _field(name: str, prop: dict[str, Any], defs: dict[str, Any]) -> FieldSpec:
    outer = _resolve(prop, defs)
    inner, optional = outer, False
    if "anyOf" in outer:
        options = [_resolve(o, defs) for o in outer["anyOf"]]
        real = [o for o in options if o.get("type") != "null"]
        optional = len(real) < len(options)
        inner = real[0] if len(real) == 1 else {"type": "object"}
    spec = FieldSpec(name=name, kind="yaml", default=outer.get("default"), optional=optional,
                     description=outer.get("description", ""))
    kind = inner.get("type")
    if "enum" in inner or "const" in inner:
        spec.kind, spec.choices = "enum", list(inner.get("enum", [inner.get("const")]))
    elif kind in ("boolean", "integer", "number", "string"):
        spec.kind = {"boolean": "bool", "integer": "int", "number": "number", "string": "str"}[kind]
        spec.minimum = inner.get("minimum", _above(inner.get("exclusiveMinimum"), kind))
        spec.maximum = inner.get("maximum")
    elif kind == "array" and inner.get("items", {}).get("type") == "string":
        spec.kind = "columns" if name == "known_values_from" else "list"
    return spec


def _above(bound: float | None, kind: str) -> float | None:
    if bound is None:
        return None
    return bound + 1 if kind == "integer" else bound + 1e-6


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class FieldError(Exception):
    """A value the form cannot even hand to the Params model (bad YAML)."""


class _NumberBox(QDoubleSpinBox):
    """A float spin box that writes 10, 0.5 and 1e-05 rather than 10.000000."""

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"


class _YamlEdit(QPlainTextEdit):
    """Nested settings as a few lines of YAML; committed when the editor loses focus."""

    editingFinished = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editingFinished.emit()


class FieldEditor:
    """One field's widget with get/set in the recipe's terms (None = the default)."""

    def __init__(self, spec: FieldSpec, columns: list[str], entities: list[str]) -> None:
        self.spec = spec
        self._order: list[str] = []
        self.widget = self._build(spec, columns, entities)
        self.widget.setAccessibleName(spec.label)
        self.widget.setAccessibleDescription(spec.description)
        self.widget.setToolTip(spec.description)

    def _build(self, s: FieldSpec, columns: list[str], entities: list[str]) -> QWidget:
        if s.kind == "enum":
            w = QComboBox()
            if s.optional:
                w.addItem(AUTO, None)
            for choice in s.choices:
                w.addItem(str(choice), choice)
            return w
        if s.kind == "bool":
            return QCheckBox()
        if s.kind == "int":
            w = QSpinBox()
            low = int(s.minimum) if s.minimum is not None else -INT_LIMIT
            w.setRange(low - 1 if s.optional else low, int(s.maximum) if s.maximum is not None else INT_LIMIT)
            if s.optional:
                w.setSpecialValueText(AUTO)  # shown at the minimum, which stands for "not set"
            w.setKeyboardTracking(False)
            return w
        if s.kind == "number" and not s.optional:
            w = _NumberBox()
            w.setDecimals(6)
            low = s.minimum if s.minimum is not None else -NUMBER_LIMIT
            high = s.maximum if s.maximum is not None else NUMBER_LIMIT
            w.setRange(low, high)
            w.setSingleStep(0.05 if high - low <= 1 else 1.0)
            w.setKeyboardTracking(False)
            return w
        if s.kind == "columns":
            w = QListWidget()
            w.setMaximumHeight(110)
            for name in columns:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                w.addItem(item)
            return w
        if s.kind == "yaml":
            w = _YamlEdit()
            w.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            w.setFixedHeight(60)
            w.setPlaceholderText("default (YAML mapping)")
            return w
        w = QLineEdit()  # str, list and optional numbers
        if s.optional:
            w.setPlaceholderText(AUTO)
        if s.kind == "list":
            w.setPlaceholderText("comma-separated" + (" (empty: all)" if s.optional else ""))
        if s.name in ("entity", "entities") and entities:
            w.setCompleter(QCompleter(entities, w))
        return w

    def connect(self, slot: Any) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.currentIndexChanged.connect(slot)
        elif isinstance(w, QCheckBox):
            w.toggled.connect(slot)
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.valueChanged.connect(slot)
        elif isinstance(w, QListWidget):
            w.itemChanged.connect(slot)
        else:
            w.editingFinished.connect(slot)

    def value(self) -> Any:
        s, w = self.spec, self.widget
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return None if s.optional and w.value() == w.minimum() else w.value()
        if isinstance(w, QDoubleSpinBox):
            return _number(w.value())
        if isinstance(w, QListWidget):
            checked = [w.item(i).text() for i in range(w.count()) if w.item(i).checkState() == Qt.CheckState.Checked]
            kept = [name for name in self._order if name in checked]  # the recipe's order survives a round trip
            return kept + [name for name in checked if name not in kept]
        if isinstance(w, _YamlEdit):
            return self._yaml_value(w.toPlainText())
        text = w.text()
        if s.kind == "list":
            items = [part.strip() for part in text.split(",") if part.strip()]
            return None if s.optional and not items else items
        if s.optional and not text.strip():
            return None
        if s.kind == "number":
            try:
                return _number(float(text))
            except ValueError:
                return text.strip()  # the Params model says what is wrong with it
        return text

    def _yaml_value(self, text: str) -> Any:
        if not text.strip():
            return self.spec.default
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "cannot be read"
            raise FieldError(f"{self.spec.label}: not valid YAML ({problem})") from None

    def set_value(self, value: Any) -> None:
        s, w = self.spec, self.widget
        if isinstance(w, QComboBox):
            index = w.findData(value)
            if index < 0 and value is not None:
                w.addItem(str(value), value)
                index = w.count() - 1
            w.setCurrentIndex(max(index, 0))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(w.minimum() if value is None else int(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(float(value or 0))
        elif isinstance(w, QListWidget):
            self._order = list(value or [])
            self._check_columns(w, self._order)
        elif isinstance(w, _YamlEdit):
            same = value is None or value == s.default or value == {}
            w.setPlainText("" if same else yaml.safe_dump(value, sort_keys=False, allow_unicode=True).strip())
        elif s.kind == "list":
            w.setText(", ".join(str(v) for v in value or []))
        else:
            w.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))

    @staticmethod
    def _check_columns(w: QListWidget, chosen: list[str]) -> None:
        present = {w.item(i).text() for i in range(w.count())}
        for name in chosen:
            if name not in present:  # keep what the recipe says even if the column is gone
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                w.addItem(item)
        for i in range(w.count()):
            item = w.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked)
