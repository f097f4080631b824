"""Import options: sheet, separator, encoding and header row, with a preview of the first rows and types.

Like ARX's import wizard, the analyst sees what the options do before opening: the preview is read
with the core's own ``open_dataset`` (the same reader as the open itself), and a problem shows in
place, worded for the workbench. Automatic detection stays the default for every option. With a
header row below line 1 the reader copies the file without the lines above it; for a large text file
the preview reads a copy of its first megabytes instead, so the dialog does not wait on the whole file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.gui.wording import for_workbench

AUTO = "automatic"
PREVIEW_ROWS = 20
DELIMITERS = [(AUTO, None), ("comma ,", ","), ("semicolon ;", ";"), ("tab", "\t"), ("pipe |", "|"), ("colon :", ":")]
ENCODINGS = [AUTO, "utf-8", "cp1252", "latin-1", "utf-16"]
NO_HEADER_ROW = (".parquet", ".pq", ".json", ".ndjson", ".jsonl")  # formats whose column names are not a row
PREVIEW_BYTES = 4 * 2**20  # a text file larger than this is previewed from a copy of its start
MAX_HEADER_ROW = 1_000_000
_SUGGESTED = re.compile(r"column names are on line (\d[\d,]*), under a title")


def sheet_names(path: Path) -> list[str]:
    """A workbook's sheets ([] for other files, or a workbook that cannot be read: the open says why)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return []
    try:
        import fastexcel

        return list(fastexcel.read_excel(path).sheet_names)
    except Exception:
        return []


def suggested_header_row(problem: str) -> int:
    """The line a failed open's message says may hold the column names (under a title), else 1."""
    found = _SUGGESTED.search(problem)
    return int(found[1].replace(",", "")) if found else 1


class ImportDialog(QDialog):
    """``options()`` gives the keyword arguments for ``open_dataset`` once accepted."""

    def __init__(self, path: Path, parent: QWidget | None = None, *, problem: str = "",
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(f"Import options: {self.path.name}")
        self.setAccessibleName("Import options")
        options = dict(options or {})
        self.sheets = sheet_names(self.path)

        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_combo.addItems(self.sheets)
        if options.get("sheet") in self.sheets:
            self.sheet_combo.setCurrentText(options["sheet"])
        self.delimiter_combo = QComboBox(self)
        self.delimiter_combo.setAccessibleName("Separator")
        for label, value in DELIMITERS:
            self.delimiter_combo.addItem(label, value)
        self.delimiter_combo.setCurrentIndex(max(self.delimiter_combo.findData(options.get("delimiter")), 0))
        self.encoding_combo = QComboBox(self)
        self.encoding_combo.setAccessibleName("Encoding")
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.encoding_combo.setCurrentText(options.get("encoding") or AUTO)
        self.encoding_combo.setToolTip("Any encoding Python knows; automatic tries UTF-8 and reports otherwise")
        self.header_spin = QSpinBox(self)
        self.header_spin.setAccessibleName("Header row")
        self.header_spin.setRange(1, MAX_HEADER_ROW)
        self.header_spin.setValue(int(options.get("header_row") or suggested_header_row(problem)))
        self.header_spin.setToolTip("The row that names the columns; the rows above it (a title) are skipped")
        self.header_spin.setSuffix("  (rows above it are skipped)")

        form = QFormLayout()
        is_workbook = bool(self.sheets)
        if is_workbook:
            form.addRow("&Sheet:", self.sheet_combo)
        else:
            form.addRow("S&eparator:", self.delimiter_combo)
            form.addRow("E&ncoding:", self.encoding_combo)
        self.sheet_combo.setVisible(is_workbook)
        self.delimiter_combo.setVisible(not is_workbook)
        self.encoding_combo.setVisible(not is_workbook)
        self.has_header_row = self.path.suffix.lower() not in NO_HEADER_ROW
        if self.has_header_row:
            form.addRow("&Header row:", self.header_spin)
        else:
            self.header_spin.hide()

        self.problem_label = QLabel(self)
        self.problem_label.setAccessibleName("Import problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #d1242f;")
        self.preview = QTableWidget(0, 0, self)
        self.preview.setAccessibleName("Preview of the first rows, with each column's type")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Open")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if problem:
            note = QLabel(f"The file did not open with the automatic options: {for_workbench(problem)}", self)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        for combo in (self.sheet_combo, self.delimiter_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.encoding_combo.currentTextChanged.connect(self.refresh)
        # typing 12 passes through 1: wait for a pause before reading again
        self._header_timer = QTimer(self, singleShot=True, interval=250, timeout=self.refresh)
        self.header_spin.valueChanged.connect(lambda _value: self._header_timer.start())
        self.resize(760, 480)
        self.refresh()

    def options(self) -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        if self.has_header_row and self.header_spin.value() > 1:
            chosen["header_row"] = self.header_spin.value()
        if self.sheets:
            return {"sheet": self.sheet_combo.currentText(), **chosen}
        if self.delimiter_combo.currentData() is not None:
            chosen["delimiter"] = self.delimiter_combo.currentData()
        encoding = self.encoding_combo.currentText().strip()
        if encoding and encoding != AUTO:
            chosen["encoding"] = encoding
        return chosen

    @property
    def problem(self) -> str:
        return self.problem_label.text()

    def refresh(self) -> None:
        """Read the first rows with these options (the same reader the open uses) and show them with types."""
        from sanitas.core.io import open_dataset
        from sanitas.core.io.tempdir import TempFolder

        self._header_timer.stop()
        options = self.options()
        temp = TempFolder() if self._previewed_from_start(options) else None
        try:
            path = self.path if temp is None else _start_copy(self.path, temp.path / self.path.name)
            dataset = open_dataset(path, **options)  # held while read: it keeps a transcoded copy alive
            frame = dataset.frame.head(PREVIEW_ROWS).collect()
        except SanitasError as exc:
            self._show_problem(for_workbench(exc.message))
            return
        except (LookupError, ValueError) as exc:  # an encoding name Python does not know
            self._show_problem(f"{self.path.name}: these options cannot read it ({type(exc).__name__}).")
            return
        finally:
            if temp is not None:
                temp.cleanup()
        self.problem_label.clear()
        self.problem_label.hide()
        self.preview.setColumnCount(frame.width)
        self.preview.setRowCount(frame.height)
        self.preview.setHorizontalHeaderLabels([f"{name}\n{dtype}" for name, dtype in frame.schema.items()])
        for c, name in enumerate(frame.columns):
            for r, value in enumerate(frame.get_column(name).to_list()):
                self.preview.setItem(r, c, QTableWidgetItem("∅" if value is None else str(value)[:80]))
        self.ok_button.setEnabled(True)

    def _previewed_from_start(self, options: dict[str, Any]) -> bool:
        """Whether to preview a copy of the file's start: a large text file read from a header row below 1
        (the reader would copy the whole file first). Not for UTF-16/32, whose lines a byte cut may split."""
        if "header_row" not in options or self.sheets:
            return False
        with open(self.path, "rb") as handle:
            head = handle.read(4)
        wide = head.startswith((b"\xff\xfe", b"\xfe\xff")) or "16" in str(options.get("encoding", "")) \
            or "32" in str(options.get("encoding", ""))
        return not wide and self.path.stat().st_size > PREVIEW_BYTES

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(f"⚠ {text}")
        self.problem_label.show()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.ok_button.setEnabled(False)


def _start_copy(source: Path, target: Path) -> Path:
    """``target``: the first PREVIEW_BYTES of ``source``, cut after a line end."""
    with open(source, "rb") as handle:
        data = handle.read(PREVIEW_BYTES)
    target.write_bytes(data[: data.rfind(b"\n") + 1] or data)
    return target
