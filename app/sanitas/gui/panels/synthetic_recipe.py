"""The synthetic tab's one recipe edit: set or remove the ``synthetic`` section as one undo step.

Kept beside the panel (not in Document) so the tab is one package; it writes the recipe the way
Document's own commands do and emits the same signal, so every view of the recipe follows.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.gui.document import Document


class SetSynthetic(QUndoCommand):
    def __init__(self, doc: Document, old: SyntheticSection | None, new: SyntheticSection | None, text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, old, new

    def redo(self) -> None:
        self._write(self.new)

    def undo(self) -> None:
        self._write(self.old)

    def _write(self, section: SyntheticSection | None) -> None:
        self.doc.recipe.synthetic = section
        self.doc.datasetModelChanged.emit()


def set_synthetic(doc: Document, section: SyntheticSection | None, text: str) -> bool:
    """Replace the recipe's synthetic section (None removes it); False when nothing changes."""
    if section == doc.recipe.synthetic:
        return False
    doc.undo_stack.push(SetSynthetic(doc, doc.recipe.synthetic, section, text))
    return True
