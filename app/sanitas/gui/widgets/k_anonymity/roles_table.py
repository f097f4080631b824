"""The k-anonymity tab's roles table: each column, its detected kind, and its role (a combo).

Roles come from the recipe's k_anonymity section when there is one (exactly: what it leaves out is
insensitive), else they are proposed from the detected kind by the core (k_anonymity/roles.py).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from sanitas.core.privacy.k_anonymity.roles import propose_role
from sanitas.gui import theme
from sanitas.gui.document import Document
from sanitas.gui.widgets.common.accessible import named

ROLES = ["identifying", "quasi-identifying", "sensitive", "insensitive"]


class RolesTable(QTableWidget):
    """Column | Detected | Role; ``roleChanged`` after the analyst picks another role."""

    roleChanged = Signal()

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.doc = doc
        named(self, "Column roles", "What each column is for k-anonymity")
        self.setHorizontalHeaderLabels(["Column", "Detected", "Role"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the models form
        header = self.horizontalHeader()  # the role combos are read in full; names and kinds share the rest
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def reload(self) -> None:
        """Roles from the recipe's section if there is one, else proposed from the detected kind."""
        section = self.doc.recipe.k_anonymity
        listed = {c: "quasi-identifying" for c in section.quasi_identifiers} if section else {}
        listed.update({c: "sensitive" for c in section.sensitive} if section else {})
        listed.update({c: "identifying" for c in section.identifying} if section else {})
        self.clearContents()  # drops the old role combos before new ones take their cells
        self.setRowCount(len(self.doc.columns))
        for row, column in enumerate(self.doc.columns):
            kind = self.doc.effective_kind(column)
            self.setItem(row, 0, QTableWidgetItem(column))
            self.setItem(row, 1, QTableWidgetItem(f"{theme.kind_symbol(kind)} {theme.kind_label(kind)}"))
            combo = named(QComboBox(), f"Role of {column}", "identifying columns are left to the column plan; "
                          "quasi-identifiers are generalized; sensitive ones are protected by l/t models")
            combo.addItems(ROLES)
            proposed = propose_role(self.doc.finding(column), kind).value
            if section is not None:  # the section's roles, exactly: what it leaves out is insensitive
                proposed = "insensitive"
            combo.setCurrentText(listed.get(column) or proposed)
            combo.currentTextChanged.connect(self.roleChanged)
            self.setCellWidget(row, 2, combo)

    def role(self, column: str) -> str:
        return self.cellWidget(self.doc.columns.index(column), 2).currentText()

    def set_role(self, column: str, role: str) -> None:
        self.cellWidget(self.doc.columns.index(column), 2).setCurrentText(role)

    def columns_with(self, role: str) -> list[str]:
        """Columns with ``role``: in the recipe's order where the recipe lists them, so Apply without an edit
        leaves the recipe as it was; the others after them, in the dataset's order."""
        chosen = [c for c in self.doc.columns if self.role(c) == role]
        section = self.doc.recipe.k_anonymity
        listed = {"quasi-identifying": section.quasi_identifiers, "sensitive": section.sensitive,
                  "identifying": section.identifying}.get(role, []) if section else []
        return [c for c in listed if c in chosen] + [c for c in chosen if c not in listed]
