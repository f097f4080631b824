"""Where personal data remains in a release: shown before an export, and again in the report view.

The residual check's facts, phrased once for both places: which output column, what was found
(original values of which identifier column, or which entity the re-scan still detects), how much,
and the first rows (1-based), so the analyst can go straight to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.engine import Release
from sanitas.core.residual import ROWS_SHOWN, ResidualCheck
from sanitas.gui.theme import kind_label


@dataclass(frozen=True)
class ResidualRow:
    column: str
    what: str
    amount: str
    rows: tuple[int, ...]
    more_rows: bool
    blocking: bool

    @property
    def rows_text(self) -> str:
        if not self.rows:
            return "—"
        return ", ".join(str(r) for r in self.rows) + (", …" if self.more_rows else "")


def residual_rows(check: ResidualCheck, *, include_by_decision: bool = False) -> list[ResidualRow]:
    """Blocking findings first (the ones that make a release unclean), then, if asked, decisions."""
    rows = [
        ResidualRow(
            column=h.column,
            what=f"original values of {h.source_column} "
                 f"({'whole cells' if h.match == 'exact' else 'inside the text'})",
            amount=f"{h.count:,} cell{'s' if h.count != 1 else ''}",
            rows=tuple(h.rows), more_rows=h.count > len(h.rows), blocking=True,
        )
        for h in check.value_hits
    ]
    for f in check.findings:
        if not f.blocking and not include_by_decision:
            continue
        what = f"{f.entity or kind_label(f.kind)} still detected ({kind_label(f.kind)}, score {f.score:.2f})"
        if not f.blocking:
            what += ", kept by decision"
        rows.append(ResidualRow(column=f.column, what=what, amount=f"{f.share:.0%} of sampled values",
                                rows=tuple(f.rows), more_rows=len(f.rows) >= ROWS_SHOWN, blocking=f.blocking))
    rows.sort(key=lambda r: not r.blocking)
    return rows


class ResidualTable(QTableWidget):
    """Column | what was found | how much | rows; a symbol and a word mark blocking rows."""

    HEADERS = ("Status", "Output column", "What was found", "How much", "Rows (1-based, first 10)")

    def __init__(self, rows: list[ResidualRow], parent: QWidget | None = None) -> None:
        super().__init__(len(rows), len(self.HEADERS), parent)
        self.setAccessibleName("Residual findings")
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        for r, row in enumerate(rows):
            status = "✖ finding" if row.blocking else "◐ by decision"
            for c, text in enumerate((status, row.column, row.what, row.amount, row.rows_text)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(r, c, item)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)


class ResidualDialog(QDialog):
    """Personal data remains: export anyway, or go back and change the plan (the default)."""

    def __init__(self, release: Release | ResidualCheck, parent: QWidget | None = None, *,
                 output_name: str = "the output file") -> None:
        super().__init__(parent)
        check = release.residual if isinstance(release, Release) else release
        self.setWindowTitle("Personal data remains in the output")
        self.setAccessibleName("Personal data remains in the output")
        self.rows = residual_rows(check)
        count = check.blocking_count
        intro = QLabel(
            f"⚠ The residual check found {count} finding{'s' if count != 1 else ''} of personal data in the "
            f"sanitized output. Exporting now writes them to {output_name}; the report lists them too. "
            "Cancel to change the plan for these columns.", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.table = ResidualTable(self.rows, self)
        by_decision = [f.column for f in check.findings if not f.blocking]
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        if by_decision:
            note = QLabel("Not blocking, kept by decision: " + ", ".join(by_decision), self)
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(note)
        buttons = QDialogButtonBox(self)
        self.export_button = QPushButton("&Export anyway", self)
        self.export_button.setToolTip("Write the output with the personal data listed above")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Write nothing and go back to the plan")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 360)
        self.cancel_button.setFocus()
