"""Preferences: the core's settings file (spaCy model, locale, sample size, custom recognizers).

The workbench keeps no copy of these: it edits the same file the CLI reads, so a scan gives the same
findings in both. Values come from the file itself, not from environment overrides (saving must
not write an override into the file); a field that an environment variable overrides says so.
Saving changes only the fields shown: every other entry of the file (risk_threshold, spark_master,
the Excel limits, and keys this version does not know) is written back as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.detect.custom import load_recognizers
from sanitas.core.detect.engine import model_installed
from sanitas.core.errors import SanitasError
from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.settings import NO_MODEL, Settings, settings_path

LOCALES = ["en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "ja_JP"]
ENV = {"spacy_model": "SANITAS_SPACY_MODEL", "locale": "SANITAS_LOCALE", "sample_size": "SANITAS_SAMPLE_SIZE",
       "recognizers_file": "SANITAS_RECOGNIZERS"}
SHOWN = (*ENV, "risk_threshold")  # the fields this dialog edits; the file's other entries are kept as they are
OK, BAD, WARN = "#1a7f37", "#d1242f", "#9a6700"


def read_file_entries(path: Path) -> dict:
    """The file's raw mapping (empty when missing or unreadable): saving keeps what the dialog does not show."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def save_shown(settings: Settings, path: Path, kept: dict) -> Path:
    """Write the shown fields of ``settings`` to ``path`` followed by ``kept``, the file's other entries."""
    entries = {k: v for k, v in kept.items() if k not in SHOWN}
    shown = settings.model_dump(mode="json", include=set(SHOWN), exclude_none=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, yaml.safe_dump({**shown, **entries}, sort_keys=False))
    return path


def read_file_settings(path: Path) -> tuple[Settings, str]:
    """The file's own values (no environment overrides), and a problem reading it, if any."""
    if not path.is_file():
        return Settings(), ""
    try:
        return Settings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {}), ""
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError, AttributeError) as exc:
        return Settings(), f"{path} could not be read ({type(exc).__name__}); saving replaces it."


class PreferencesDialog(QDialog):
    saved = Signal(object)  # the Settings written

    use_native_dialogs = os.environ.get("QT_QPA_PLATFORM") != "offscreen"

    def __init__(self, parent: QWidget | None = None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setAccessibleName("Preferences")
        self.path = path or settings_path()
        current, problem = read_file_settings(self.path)
        # the entries not shown are saved as the file has them (an unreadable file is replaced, as it says)
        self.current = current
        self.kept = {} if problem else read_file_entries(self.path)
        self.file_dialog: QFileDialog | None = None

        self.model_edit = QLineEdit(current.spacy_model, self)
        self.model_edit.setAccessibleName("spaCy model")
        self.model_edit.setToolTip("An installed spaCy pipeline for person names and places; 'none' uses "
                                   "patterns and headers only. Sanitas never downloads models.")
        self.locale_combo = QComboBox(self)
        self.locale_combo.setEditable(True)
        self.locale_combo.addItems(LOCALES)
        self.locale_combo.setCurrentText(current.locale)
        self.locale_combo.setAccessibleName("Locale for fake values")
        self.locale_combo.setToolTip("Faker locale used by the fake action, for example en_US or de_DE")
        self.sample_spin = QSpinBox(self)
        self.sample_spin.setRange(10, 10_000_000)
        self.sample_spin.setSingleStep(100)
        self.sample_spin.setGroupSeparatorShown(True)
        self.sample_spin.setSuffix(" values per column")
        self.sample_spin.setValue(current.sample_size)
        self.sample_spin.setAccessibleName("Sample size")
        self.sample_spin.setToolTip("Non-null values sampled per column by the scan; more is slower and surer")
        self.recognizers_edit = QLineEdit(str(current.recognizers_file or ""), self)
        self.recognizers_edit.setAccessibleName("Custom recognizers file")
        self.recognizers_edit.setToolTip("A YAML file of your own deny-lists and regexes (optional)")
        self.recognizers_edit.setClearButtonEnabled(True)
        self.recognizers_edit.setPlaceholderText("none")
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setToolTip("Choose a custom recognizers file")
        self.browse_button.setAccessibleName("Browse for a custom recognizers file")
        self.browse_button.clicked.connect(self.browse)

        # issue 13 item 3: the threshold behind "Released at risk" is settable where the analyst is
        self.threshold_spin = QDoubleSpinBox(self)
        self.threshold_spin.setRange(0.01, 1.0)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(current.risk_threshold)
        self.threshold_spin.setAccessibleName("Risk threshold")
        self.threshold_spin.setToolTip("Highest prosecutor risk a release may carry before its report says "
                                       "'Released at risk' (0.20: classes smaller than 5, ARX's default). A "
                                       "recipe's own risk_threshold overrides it.")
        self.notes = {name: self._note(name) for name in ("spacy_model", "locale", "sample_size", "recognizers_file")}
        self.file_error = self._note("file")
        row = QHBoxLayout()
        row.addWidget(self.recognizers_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        for text, field, name in (("spaCy &model:", self.model_edit, "spacy_model"),
                                  ("&Locale:", self.locale_combo, "locale"),
                                  ("&Sample size:", self.sample_spin, "sample_size"),
                                  ("&Recognizers:", row, "recognizers_file")):
            label = QLabel(text, self)
            label.setBuddy(self.recognizers_edit if name == "recognizers_file" else field)
            form.addRow(label, field)
            form.addRow("", self.notes[name])
        threshold = QLabel("Risk &threshold:", self)
        threshold.setBuddy(self.threshold_spin)
        form.addRow(threshold, self.threshold_spin)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        where = QLabel(f"Saved in {self.path}; the sanitas command reads the same file.", self)
        where.setWordWrap(True)
        where.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_error)
        layout.addLayout(form)
        layout.addWidget(where)
        layout.addWidget(self.buttons)
        self._set(self.file_error, problem, WARN)

        self.model_edit.textChanged.connect(self.validate)
        self.locale_combo.currentTextChanged.connect(self.validate)
        self.recognizers_edit.textChanged.connect(self.validate)
        self.validate()

    def _note(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleName(f"Note on {name.replace('_', ' ')}")
        label.hide()
        return label

    @staticmethod
    def _set(label: QLabel, text: str, colour: str) -> None:
        label.setText(text)
        label.setStyleSheet(f"color: {colour};")
        label.setVisible(bool(text))

    # --- validation ------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The file's settings with the shown fields as edited (validated, so a bad value raises)."""
        recognizers = self.recognizers_edit.text().strip()
        return Settings.model_validate({
            **self.current.model_dump(), "spacy_model": self.model_edit.text().strip() or NO_MODEL,
            "locale": self.locale_combo.currentText().strip(), "sample_size": self.sample_spin.value(),
            "risk_threshold": round(self.threshold_spin.value(), 2),
            "recognizers_file": Path(recognizers).expanduser() if recognizers else None})

    def validate(self) -> bool:
        errors = {name: self._problem(name) for name in self.notes}
        for name, (text, colour) in errors.items():
            if os.environ.get(ENV[name]):
                text = f"{text} {ENV[name]} is set and overrides this value for now.".strip()
                colour = WARN if colour == OK else colour
            self._set(self.notes[name], text, colour)
        ok = all(colour != BAD for _, colour in errors.values())
        self.save_button.setEnabled(ok)
        return ok

    def _problem(self, name: str) -> tuple[str, str]:
        if name == "spacy_model":
            model = self.model_edit.text().strip()
            if not model or model == NO_MODEL:
                return "○ Patterns and headers only: person names and places are found from headers.", WARN
            if model_installed(model):
                return "✔ Installed.", OK
            return (f"⚠ {model} is not installed: detection will use patterns and headers only. "
                    "Install its wheel into the environment, or pick another model.", WARN)
        if name == "locale":
            from faker.config import AVAILABLE_LOCALES

            locale = self.locale_combo.currentText().strip()
            if locale not in AVAILABLE_LOCALES:
                return f"✖ Faker has no locale '{locale}'. Use a name like en_US or de_DE.", BAD
            return "", OK
        if name == "recognizers_file":
            text = self.recognizers_edit.text().strip()
            if not text:
                return "", OK
            try:
                found = load_recognizers(Path(text).expanduser())
            except SanitasError as exc:
                return f"✖ {exc.message}", BAD
            return f"✔ {len(found)} custom recognizer{'s' if len(found) != 1 else ''}.", OK
        return "", OK

    # --- actions ---------------------------------------------------------------------------------
    def accept(self) -> None:
        if not self.validate():
            return
        try:
            settings = self.settings()
            save_shown(settings, self.path, self.kept)
        except (OSError, ValidationError) as exc:
            self._set(self.file_error, f"✖ Could not save {self.path} ({type(exc).__name__}).", BAD)
            return
        self.saved.emit(settings)
        super().accept()

    def browse(self) -> QFileDialog:
        dialog = QFileDialog(self, "Custom recognizers file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.use_native_dialogs)
        dialog.setNameFilters(["YAML files (*.yaml *.yml)", "All files (*)"])
        current = Path(self.recognizers_edit.text().strip()).expanduser()
        if self.recognizers_edit.text().strip() and current.parent.is_dir():
            dialog.setDirectory(str(current.parent))
        dialog.fileSelected.connect(self.recognizers_edit.setText)
        self.file_dialog = dialog
        dialog.open()
        return dialog
