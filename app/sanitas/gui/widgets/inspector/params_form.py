"""A parameter form generated from a transform's pydantic Params schema.

The form never knows a transform by name: every editor comes from the JSON schema, and every value
is validated by the transform's own ``parse_params``, so the GUI cannot drift from what a recipe
accepts. Only non-default values leave the form, which keeps recipes short.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from sanitas.core.errors import TransformError
from sanitas.core.transforms.registry import get_transform
from sanitas.gui.widgets.common.params_fields import FieldEditor, FieldError, humanize, schema_fields


class ParamsForm(QWidget):
    """Edits one transform's parameters; emits ``paramsEdited`` with valid, non-default values only."""

    paramsEdited = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name: str | None = None
        self._editors: dict[str, FieldEditor] = {}
        self._columns: list[str] = []
        self._entities: list[str] = []
        self._loading = False
        self._last: dict[str, Any] = {}
        self._error_text = ""
        self._fields = QWidget(self)
        self.error_label = QLabel(self)
        self.error_label.setProperty("role", "error")
        self.error_label.setObjectName("paramsError")
        self.error_label.setAccessibleName("Parameter problem")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #d1242f;")
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.error_label)  # above the fields: where the eye is after choosing an action
        layout.addWidget(self._fields)

    # --- public ------------------------------------------------------------------------------------
    @property
    def transform_name(self) -> str | None:
        return self._name

    def set_suggestions(self, *, columns: list[str] | None = None, entities: list[str] | None = None) -> None:
        """Column names (for known_values_from) and entity names (completion) from the open dataset."""
        self._columns = list(columns or [])
        self._entities = list(entities or [])
        if self._name is not None:  # rebuild the editors with the new suggestions
            name, current = self._name, self.params()
            self._name = None
            self.set_transform(name, current)

    def set_transform(self, name: str, params: dict[str, Any] | None = None) -> None:
        """Show ``name``'s form filled with ``params``; does not emit paramsEdited."""
        params = dict(params or {})
        self._loading = True
        try:
            if name != self._name:
                self._rebuild(name)
            for field_name, editor in self._editors.items():
                editor.set_value(params.get(field_name, editor.spec.default))
        finally:
            self._loading = False
        self._last = self._collect_or_empty()
        self._show_error(self._problem())

    def params(self) -> dict[str, Any]:
        """The non-default values in the form (valid or not)."""
        return self._collect_or_empty()

    def is_valid(self) -> bool:
        return not self._error_text

    def error_text(self) -> str:
        return self._error_text

    def editor(self, field_name: str) -> QWidget:
        """The widget editing ``field_name`` (tests and keyboard focus)."""
        return self._editors[field_name].widget

    def show_error(self, text: str) -> None:
        """Show a problem found outside the form (e.g. the plan refused it), in the same place."""
        self._show_error(text)

    # --- internals ---------------------------------------------------------------------------------
    def _rebuild(self, name: str) -> None:
        self._name = name
        self._editors = {}
        old = self._fields
        self._fields = QWidget(self)
        form = QFormLayout(self._fields)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        specs = schema_fields(get_transform(name).Params.model_json_schema())
        for spec in specs:
            editor = FieldEditor(spec, self._columns, self._entities)
            label = QLabel(spec.label + ":")
            label.setToolTip(spec.description)
            label.setBuddy(editor.widget)
            editor.connect(self._on_edit)
            form.addRow(label, editor.widget)
            self._editors[spec.name] = editor
        if not specs:
            form.addRow(QLabel("This action has no parameters."))
        layout = self.layout()
        layout.replaceWidget(old, self._fields)
        old.hide()  # deleteLater is deferred: without this the old fields paint over the new ones
        old.deleteLater()

    def _collect(self) -> dict[str, Any]:
        values = {name: editor.value() for name, editor in self._editors.items()}
        return {name: v for name, v in values.items() if v != self._editors[name].spec.default}

    def _collect_or_empty(self) -> dict[str, Any]:
        try:
            return self._collect()
        except FieldError:
            return dict(self._last)

    def _problem(self) -> str:
        if self._name is None:
            return ""
        try:
            get_transform(self._name).parse_params(self._collect())
        except FieldError as exc:
            return str(exc)
        except TransformError as exc:
            return self._readable(exc.message)
        return ""

    def _readable(self, message: str) -> str:
        """'generalize: invalid parameters: keep: Input...' -> 'Keep: Input...' (the field, by its label)."""
        body = message.split("invalid parameters: ", 1)[-1].replace("Value error, ", "")
        parts = []
        for part in body.split("; "):
            where, _, what = part.partition(": ")
            head = where.split(".")[0]
            if head == "params":
                parts.append(what)
            elif head in self._editors:
                path = where.split(".")
                parts.append(f"{' › '.join([humanize(head), *path[1:]])}: {what}")
            else:
                parts.append(part)
        return "; ".join(parts)

    def _on_edit(self, *_: Any) -> None:
        if self._loading:
            return
        problem = self._problem()
        self._show_error(problem)
        if problem:
            return
        values = self._collect()
        if values != self._last:
            self._last = values
            self.paramsEdited.emit(dict(values))

    def _show_error(self, text: str) -> None:
        self._error_text = text
        self.error_label.setText(f"⚠ {text}" if text else "")
        self.error_label.setVisible(bool(text))
        # "method 'bins' needs: width" is about the width: mark the fields named after "needs:"
        lowered = " ".join(part.split("needs:")[-1] for part in text.lower().split("; "))
        for name, editor in self._editors.items():
            named = bool(text) and re.search(rf"\b({re.escape(name)}|{re.escape(editor.spec.label.lower())})\b",
                                             lowered) is not None
            editor.widget.setProperty("invalid", named)
            editor.widget.setStyleSheet("border: 1px solid #d1242f;" if named else "")
            editor.widget.setAccessibleDescription((f"Problem: {text}. " if named else "") + editor.spec.description)
