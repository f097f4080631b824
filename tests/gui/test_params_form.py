"""ParamsForm: built from every transform's schema, round-trips params, validates by the Params model."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QSpinBox
from pytestqt.qtbot import QtBot

from sanitas.core.transforms.registry import get_transform, transform_names
from sanitas.gui.widgets.common.params_fields import schema_fields
from sanitas.gui.widgets.inspector.params_form import ParamsForm

NON_DEFAULT: dict[str, dict[str, Any]] = {
    "redact": {"replacement": "[gone]", "redact_nulls": True},
    "mask": {"style": "email", "keep_first": 2, "keep_last": 0, "mask_char": "#", "mask_domain": True},
    "pseudonymize": {"format": "email", "length": 20, "prefix": "cust_", "alphabet": "base32"},
    "fake": {"entity": "PERSON", "locale": "de_DE", "unique": False},
    "generalize": {"width": 2.5, "origin": 5, "top": 90, "output": "value"},
    "scrub": {"entities": ["PERSON", "EMAIL_ADDRESS"], "operators": {"PERSON": {"type": "mask"}},
              "score_threshold": 0.7, "allow_list": ["Sanitas"], "known_values_from": ["email", "full_name"]},
}


@pytest.fixture
def form(qtbot: QtBot) -> ParamsForm:
    widget = ParamsForm()
    qtbot.addWidget(widget)
    widget.set_suggestions(columns=["full_name", "email", "notes"], entities=["PERSON", "EMAIL_ADDRESS"])
    return widget


@pytest.mark.parametrize("name", transform_names())
def test_form_builds_for_every_transform_and_round_trips_defaults(form: ParamsForm, name: str) -> None:
    form.set_transform(name, {})
    assert form.transform_name == name
    assert form.params() == {}
    fields = schema_fields(get_transform(name).Params.model_json_schema())
    for spec in fields:
        widget = form.editor(spec.name)
        assert widget.accessibleName() == spec.label
        assert widget.toolTip() == spec.description
    if name not in ("generalize", "dp_noise"):  # bins need a width, DP noise an epsilon and bounds: the form says so
        assert form.is_valid(), form.error_text()


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_form_round_trips_non_default_params(form: ParamsForm, name: str) -> None:
    params = NON_DEFAULT[name]
    get_transform(name).parse_params(params)  # the fixture itself is valid
    form.set_transform(name, params)
    assert form.params() == params
    assert form.is_valid(), form.error_text()


def test_editors_follow_the_schema(form: ParamsForm) -> None:
    form.set_transform("mask", {})
    assert isinstance(form.editor("style"), QComboBox)
    assert isinstance(form.editor("keep_separators"), QCheckBox)
    keep_first = form.editor("keep_first")
    assert isinstance(keep_first, QSpinBox) and keep_first.maximum() == 64
    assert keep_first.text() == "auto"  # optional int: the default state reads "auto"
    assert isinstance(form.editor("mask_char"), QLineEdit)
    form.set_transform("scrub", {})
    assert isinstance(form.editor("known_values_from"), QListWidget)
    assert form.editor("known_values_from").count() == 3


def test_spin_box_edit_emits_the_changed_field(qtbot: QtBot, form: ParamsForm) -> None:
    form.set_transform("pseudonymize", {"prefix": "cust_"})
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        form.editor("length").setValue(24)
    assert blocker.args == [{"prefix": "cust_", "length": 24}]


def test_optional_int_goes_back_to_auto(qtbot: QtBot, form: ParamsForm) -> None:
    form.set_transform("mask", {"keep_first": 2})
    spin = form.editor("keep_first")
    assert isinstance(spin, QSpinBox)
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        spin.setValue(spin.minimum())
    assert blocker.args == [{}]


def test_combo_and_column_list_edits(qtbot: QtBot, form: ParamsForm) -> None:
    form.set_transform("mask", {})
    combo = form.editor("style")
    assert isinstance(combo, QComboBox)
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        combo.setCurrentIndex(combo.findData("characters"))
    assert blocker.args == [{"style": "characters"}]
    form.set_transform("scrub", {})
    columns = form.editor("known_values_from")
    assert isinstance(columns, QListWidget)
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        columns.item(1).setCheckState(Qt.CheckState.Checked)
    assert blocker.args == [{"known_values_from": ["email"]}]


def test_invalid_params_show_an_error_naming_the_field_and_emit_nothing(qtbot: QtBot, form: ParamsForm) -> None:
    form.set_transform("generalize", {"width": 10})
    assert form.is_valid()
    assert form.error_label.isHidden()
    width = form.editor("width")
    assert isinstance(width, QLineEdit)
    with qtbot.assertNotEmitted(form.paramsEdited):
        width.setText("")
        width.editingFinished.emit()
    assert not form.is_valid()
    assert "width" in form.error_text()
    assert not form.error_label.isHidden() and form.error_label.property("role") == "error"
    assert "width" in form.error_label.text()
    assert width.property("invalid") is True and form.editor("method").property("invalid") is False
    with qtbot.assertNotEmitted(form.paramsEdited):
        width.setText("ten")
        width.editingFinished.emit()
    assert "Width" in form.error_text()
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        width.setText("5")
        width.editingFinished.emit()
    assert blocker.args == [{"width": 5}]
    assert form.is_valid() and form.error_label.isHidden()


def test_bad_yaml_and_bad_nested_values_are_named(qtbot: QtBot, form: ParamsForm) -> None:
    form.set_transform("scrub", {})
    editor = form.editor("operators")
    with qtbot.assertNotEmitted(form.paramsEdited):
        editor.setPlainText("PERSON: [type")
        editor.editingFinished.emit()
    assert "Operators" in form.error_text() and "YAML" in form.error_text()
    with qtbot.assertNotEmitted(form.paramsEdited):
        editor.setPlainText("PERSON: {type: shred}")
        editor.editingFinished.emit()
    assert "Operators" in form.error_text() and "type" in form.error_text()
    with qtbot.waitSignal(form.paramsEdited, timeout=1000) as blocker:
        editor.setPlainText("PERSON: {type: redact}")
        editor.editingFinished.emit()
    assert blocker.args == [{"operators": {"PERSON": {"type": "redact"}}}]


def test_actions_without_parameters_say_so(form: ParamsForm) -> None:
    form.set_transform("drop", {})
    assert form.params() == {} and form.is_valid()
