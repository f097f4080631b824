"""Where and how to write the sanitized copy: format, destination, strictness.

The destination is checked as it is typed, with the core's own ``check_destination`` (the input
itself, an unknown extension, a folder, a missing folder), and the reason shows under the field
while OK stays disabled: the analyst never learns about a bad path only after the run.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import ExportError
from sanitas.core.export import files_read, report_paths
from sanitas.core.io import WRITE_FORMATS, check_destination
from sanitas.gui.document import Document
from sanitas.gui.export_runner import ExportRequest
from sanitas.gui.key_store import SessionKeys

__all__ = ["FORMATS", "ExportDialog", "ExportRequest", "default_destination"]

# (label, extension) in the order shown
FORMATS: list[tuple[str, str]] = [
    ("CSV (.csv)", ".csv"),
    ("TSV (.tsv)", ".tsv"),
    ("Parquet (.parquet)", ".parquet"),
    ("Excel workbook (.xlsx)", ".xlsx"),
    ("JSON (.json)", ".json"),
    ("NDJSON (.ndjson)", ".ndjson"),
]
STRICT_TEXT = "&Withhold the output if personal data remains (strict)"


def default_destination(input_path: Path | None, extension: str, folder: Path | None = None) -> Path:
    stem = input_path.stem if input_path else "dataset"
    base = folder or (input_path.parent if input_path else Path.home())
    return base / f"{stem}.sanitized{extension}"


class ExportDialog(QDialog):
    """Returns an ExportRequest through ``request()`` once accepted."""

    use_native_dialogs = os.environ.get("QT_QPA_PLATFORM") != "offscreen"

    def __init__(self, source: Document | Path | None, parent: QWidget | None = None, *,
                 folder: Path | None = None, strict: bool = False, extension: str | None = None,
                 keys: SessionKeys | None = None) -> None:
        super().__init__(parent)
        self.reads: dict[Path, str] = {}  # files the release reads (recipe, hierarchies, keys): never overwritten
        if isinstance(source, Document):
            recipe = keys.prepared(source.recipe) if keys is not None else source.recipe
            self.reads = files_read(recipe, recipe_path=source.recipe_path, recipe_dir=source.recipe_dir())
            source = source.dataset.source if source.dataset is not None else None
        input_path = Path(source) if source is not None else None
        self.setWindowTitle("Export the sanitized dataset")
        self.setAccessibleName("Export the sanitized dataset")
        self.input_path = input_path
        self.file_dialog: QFileDialog | None = None

        self.format_combo = QComboBox(self)
        for label, ext in FORMATS:
            self.format_combo.addItem(label, ext)
        self.format_combo.setAccessibleName("Output format")
        self.format_combo.setToolTip("The file format of the sanitized copy; the file name's extension follows it")
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("Destination file")
        self.path_edit.setToolTip("Where to write the sanitized copy. Sanitas never writes over its input.")
        self.path_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setToolTip("Choose the destination in a file dialog")
        self.browse_button.setAccessibleName("Browse for the destination")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setAccessibleName("Destination problem")
        self.error_label.setStyleSheet("color: #d1242f;")
        self.error_label.hide()
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setAccessibleName("Destination note")
        self.strict_box = QCheckBox(STRICT_TEXT, self)
        self.strict_box.setChecked(strict)
        self.strict_box.setToolTip("If the residual check finds personal data in the output, write only the report, "
                                   "which says where; the data file is not written")

        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        format_label = QLabel("&Format:", self)
        format_label.setBuddy(self.format_combo)
        dest_label = QLabel("&Destination:", self)
        dest_label.setBuddy(self.path_edit)
        form.addRow(format_label, self.format_combo)
        form.addRow(dest_label, row)
        form.addRow("", self.error_label)
        form.addRow("", self.note_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Export")
        self.ok_button.setToolTip("Run the recipe and write the sanitized copy with its report")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.strict_box)
        layout.addWidget(self.buttons)

        ext = extension or (input_path.suffix.lower() if input_path else ".csv")
        self._select_format(ext if ext in {e for _, e in FORMATS} else ".csv")
        self.path_edit.setText(str(default_destination(input_path, self.extension(), folder)))
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textChanged.connect(self._path_changed)
        self.browse_button.clicked.connect(self.browse)
        self._validate()
        self.resize(640, self.sizeHint().height())

    # --- state -----------------------------------------------------------------------------------
    def extension(self) -> str:
        return str(self.format_combo.currentData())

    def destination(self) -> Path:
        text = self.path_edit.text().strip()
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (self.input_path.parent if self.input_path else Path.cwd()) / path
        return path

    def request(self) -> ExportRequest:
        return ExportRequest(path=self.destination(), strict=self.strict_box.isChecked())

    @property
    def error(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text().removeprefix("✖ ")

    # --- behaviour -------------------------------------------------------------------------------
    def _select_format(self, ext: str) -> None:
        index = self.format_combo.findData(ext)
        if index >= 0:
            self.format_combo.blockSignals(True)
            self.format_combo.setCurrentIndex(index)
            self.format_combo.blockSignals(False)

    def _format_changed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        stem = path.name[: -len(path.suffix)] if path.suffix.lower() in WRITE_FORMATS else path.name
        self.path_edit.setText(str(path.with_name(stem + self.extension())))

    def _path_changed(self) -> None:
        suffix = Path(self.path_edit.text().strip()).suffix.lower()
        if suffix in WRITE_FORMATS:
            self._select_format(".ndjson" if WRITE_FORMATS[suffix] == "ndjson" else suffix)
        self._validate()

    def _validate(self) -> bool:
        problem, note = "", ""
        if not self.path_edit.text().strip():
            problem = "Name the file to write the sanitized copy to."
        else:
            path = self.destination()
            try:
                check_destination(path, self.input_path, reads=self.reads)  # the reports' paths too
            except ExportError as exc:
                problem = exc.message
            else:
                html, js = report_paths(path)
                note = f"The report goes beside it: {html.name} and {js.name}."
                if path.exists():
                    note = f"⚠ {path.name} exists and will be replaced. " + note
        self.error_label.setText(f"✖ {problem}" if problem else "")
        self.error_label.setVisible(bool(problem))
        self.path_edit.setAccessibleDescription(problem)
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.ok_button.setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if self._validate():  # the folder may have changed since the last keystroke
            super().accept()

    def browse(self) -> QFileDialog:
        """Open a save dialog (non-blocking) whose choice fills the destination field."""
        current = self.destination() if self.path_edit.text().strip() else None
        dialog = QFileDialog(self, "Export the sanitized dataset to")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.use_native_dialogs)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)  # this dialog says it in place
        filters = [f"{label.split(' (')[0]} (*{ext})" for label, ext in FORMATS]
        dialog.setNameFilters(filters)
        dialog.selectNameFilter(filters[self.format_combo.currentIndex()])
        dialog.setDefaultSuffix(self.extension().lstrip("."))
        if current is not None:
            if current.parent.is_dir():
                dialog.setDirectory(str(current.parent))
            dialog.selectFile(current.name)
        dialog.fileSelected.connect(lambda name: self.path_edit.setText(name))
        self.file_dialog = dialog
        dialog.open()
        return dialog
