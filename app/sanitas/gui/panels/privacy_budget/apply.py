"""Writing the budget tab into the document's recipe: the ``differential_privacy`` section and the
``dp_noise`` column actions together, as one undo step.

The column actions go through ``Document.set_plans`` (its own undo command, which keeps the analyst's
corrections of the findings); the section has a command here, so this tab needs no change to the
Document. A column taken out of the tab goes back to ``keep``, with its corrections kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from sanitas.core.privacy.dp.section import DifferentialPrivacySection
from sanitas.core.recipe import ColumnPlan
from sanitas.gui.document import Document


class SetDifferentialPrivacy(QUndoCommand):
    """Replace ``recipe.differential_privacy`` (None removes it); ``written`` runs after redo and undo."""

    def __init__(self, doc: Document, old: DifferentialPrivacySection | None,
                 new: DifferentialPrivacySection | None, written: Callable[[], None], text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new, self.written = doc, old, new, written

    def redo(self) -> None:
        self.doc.recipe.differential_privacy = self.new
        self.written()

    def undo(self) -> None:
        self.doc.recipe.differential_privacy = self.old
        self.written()


def column_plans(doc: Document, params: Mapping[str, dict[str, Any]]) -> dict[str, ColumnPlan | None]:
    """The column plans that change: dp_noise with ``params`` on each listed column, keep on a column the
    recipe noised and the tab no longer lists."""
    plans: dict[str, ColumnPlan | None] = {}
    for column, values in params.items():
        current = doc.plan(column)
        plan = ColumnPlan(action="dp_noise", params=dict(values)) if current is None else \
            current.model_copy(update={"action": "dp_noise", "params": dict(values)})
        if plan != current:
            plans[column] = plan
    for column, current in doc.recipe.columns.items():
        if current.action == "dp_noise" and column not in params:
            plans[column] = current.model_copy(update={"action": "keep", "params": {}})
    return plans


def apply_budget(doc: Document, section: DifferentialPrivacySection | None, params: Mapping[str, dict[str, Any]],
                 written: Callable[[], None]) -> bool:
    """Put ``section`` and the dp_noise ``params`` in the recipe as one undo step; False if nothing changed."""
    plans = column_plans(doc, params)
    same_section = section == doc.recipe.differential_privacy
    if not plans and same_section:
        return False
    text = "Set the privacy budget"
    doc.undo_stack.beginMacro(text)
    try:
        if not same_section:  # the section first: undo then restores the columns before the section's reload
            doc.undo_stack.push(SetDifferentialPrivacy(doc, doc.recipe.differential_privacy, section, written, text))
        if plans:
            doc.set_plans(plans, text)
    finally:
        doc.undo_stack.endMacro()
    return True
