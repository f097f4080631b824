"""The left panel's list of columns: kind, top finding, planned action and the analyst's corrections.

A thin adapter over the Document: every cell is computed from ``doc.scan`` and ``doc.recipe`` on
demand, so the list can never drift from what the export will do. Sorting is by risk (kind, then
score) so the analyst starts with the columns that matter most.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from sanitas.core.detect.findings import ColumnFinding
from sanitas.core.errors import SanitasError
from sanitas.core.recipe import ColumnPlan, UnlistedPolicy
from sanitas.gui import theme
from sanitas.gui.document import Document

Index = QModelIndex | QPersistentModelIndex

COLUMN, KIND, FINDING, ACTION = range(4)
HEADERS = ("Column", "Kind", "Finding", "Action")
HEADER_TIPS = (
    "Column name, with its kind symbol",
    "What detection says the column is (click to sort by risk)",
    "The most likely entity and its confidence",
    "What the export does to the column",
)
CORRECTED = "✎ corrected"

NameRole = Qt.ItemDataRole.UserRole + 1  # the column's name
RiskRole = Qt.ItemDataRole.UserRole + 2  # theme.risk_rank of the finding with the analyst's kind
CorrectedRole = Qt.ItemDataRole.UserRole + 3  # True when the plan corrects the entity or the kind
SortRole = Qt.ItemDataRole.UserRole + 4  # a Python value the proxy compares
FilterRole = Qt.ItemDataRole.UserRole + 5  # lower-case text the filter searches


# --- descriptions shared with the data table's header ----------------------------------------------
def effective_finding(doc: Document, column: str) -> ColumnFinding | None:
    """The finding as the analyst sees it: the detected one with the recipe's kind correction."""
    finding, kind = doc.finding(column), doc.effective_kind(column)
    if finding is None or kind is None or kind == finding.kind:
        return finding
    return finding.model_copy(update={"kind": kind})


def is_corrected(plan: ColumnPlan | None) -> bool:
    return plan is not None and (plan.entity is not None or plan.kind is not None)


def finding_text(doc: Document, column: str) -> str:
    """"EMAIL_ADDRESS 0.99", or "—" when nothing was found."""
    plan, finding = doc.plan(column), doc.finding(column)
    if plan is not None and plan.entity:
        return plan.entity
    if finding is None or not finding.entities:
        return "—" if doc.scan is not None else ""
    top = finding.entities[0]
    return f"{top.entity} {top.score:.2f}"


def action_text(doc: Document, column: str) -> str:
    """The planned action, or what the unlisted-column policy will do ("—": the export refuses it)."""
    plan = doc.plan(column)
    if plan is not None:
        return plan.action
    policy = doc.recipe.unlisted_columns
    if policy is UnlistedPolicy.KEEP:
        return "keep (unlisted)"
    if policy is UnlistedPolicy.DROP:
        return "drop (unlisted)"
    finding = doc.finding(column)
    if policy is UnlistedPolicy.KEEP_NON_PERSONAL and finding is not None and not finding.is_personal:
        return "keep (unlisted)"
    return "—"


def action_tooltip(doc: Document, column: str) -> str:
    plan = doc.plan(column)
    if plan is not None:
        params = ", ".join(f"{k}={v}" for k, v in plan.params.items())
        return f"Action: {plan.action}" + (f" ({params})" if params else "")
    text = action_text(doc, column)
    if text == "—":
        return "No action yet: the export refuses personal columns without one"
    return f"Not in the recipe: {text.split()[0]} by the recipe's policy '{doc.recipe.unlisted_columns.value}'"


def column_tooltip(doc: Document, column: str) -> str:
    """Kind, entities with score and share, the analyst's corrections and the planned action."""
    finding, plan = doc.finding(column), doc.plan(column)
    kind = doc.effective_kind(column)
    lines = [f"{column}: {theme.kind_label(kind)}"]
    if finding is not None:
        for e in finding.entities[:3]:
            lines.append(f"{e.entity}: score {e.score:.2f}, {e.share:.0%} of sampled values ({e.evidence.value})")
        if not finding.entities:
            lines.append("No personal entity found")
    if is_corrected(plan):
        detected = f"{finding.top_entity or '—'}, {theme.kind_label(finding.kind)}" if finding else "not scanned"
        lines.append(f"{CORRECTED} by the analyst (detected: {detected})")
    lines.append(action_tooltip(doc, column))
    return "\n".join(lines)


class ColumnsModel(QAbstractTableModel):
    """One row per dataset column, in the dataset's order; sort and filter with ColumnsFilterProxy."""

    def __init__(self, doc: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._columns: list[str] = []
        self._rows: dict[str, int] = {}
        doc.datasetChanged.connect(self.reload)
        doc.scanChanged.connect(self._refresh_all)
        doc.recipeReplaced.connect(self._refresh_all)
        doc.planChanged.connect(self._refresh_column)
        self.reload()

    # --- public ------------------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def row_of(self, column: str) -> int:
        return self._rows.get(column, -1)

    def personal_count(self) -> int:
        return sum(1 for c in self._columns if (k := self.doc.effective_kind(c)) is not None and k.is_personal)

    def reload(self) -> None:
        self.beginResetModel()
        try:
            self._columns = self.doc.columns
        except SanitasError:  # an unreadable schema: the loader reports it; the list stays empty
            self._columns = []
        self._rows = {c: i for i, c in enumerate(self._columns)}
        self.endResetModel()

    # --- Qt model ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._columns):
            return None
        name, col = self._columns[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(name, col)
        if role == NameRole:
            return name
        if role == RiskRole:
            return theme.risk_rank(effective_finding(self.doc, name))
        if role == CorrectedRole:
            return is_corrected(self.doc.plan(name))
        if role == SortRole:
            return self._sort_key(name, col)
        if role == FilterRole:
            return self._filter_text(name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return action_tooltip(self.doc, name) if col == ACTION else column_tooltip(self.doc, name)
        if role == Qt.ItemDataRole.ForegroundRole and col in (COLUMN, KIND) and self.doc.scan is not None:
            return theme.kind_colour(self.doc.effective_kind(name))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible(name, col)
        return None

    # --- cells -------------------------------------------------------------------------------------
    def _display(self, name: str, col: int) -> str:
        kind, plan = self.doc.effective_kind(name), self.doc.plan(name)
        if col == COLUMN:
            return f"{theme.kind_symbol(kind)} {name}"
        if col == KIND:
            corrected = plan is not None and plan.kind is not None
            return theme.kind_label(kind) + (f" {CORRECTED}" if corrected else "")
        if col == FINDING:
            corrected = plan is not None and plan.entity is not None
            return finding_text(self.doc, name) + (f" {CORRECTED}" if corrected else "")
        return action_text(self.doc, name)

    def _accessible(self, name: str, col: int) -> str:
        if col == COLUMN:
            return f"{name}, {theme.kind_label(self.doc.effective_kind(name))}"
        return self._display(name, col).replace("✎", "").replace("—", "none").strip()

    def _sort_key(self, name: str, col: int) -> str | float:
        """Ties keep the dataset's order whichever way the list is sorted (see ColumnsFilterProxy)."""
        if col == COLUMN:
            return name.lower()
        if col == KIND:
            return theme.risk_rank(effective_finding(self.doc, name))
        if col == FINDING:
            finding = self.doc.finding(name)
            return finding.entities[0].score if finding and finding.entities else -1.0
        return action_text(self.doc, name)

    def _filter_text(self, name: str) -> str:
        finding = self.doc.finding(name)
        entities = [e.entity for e in finding.entities] if finding else []
        entity = self.doc.effective_entity(name)
        words = [name, entity or "", *entities, theme.kind_label(self.doc.effective_kind(name))]
        return " ".join(words).lower()

    # --- document signals --------------------------------------------------------------------------
    def _refresh_all(self) -> None:
        if self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._columns) - 1, len(HEADERS) - 1))

    def _refresh_column(self, column: str) -> None:
        row = self._rows.get(column, -1)
        if row < 0:  # "" means many columns changed
            self._refresh_all()
        else:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))


class ColumnsFilterProxy(QSortFilterProxyModel):
    """Sorts on SortRole (ties in dataset order, either direction); filters on name, entity and kind."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setDynamicSortFilter(True)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        text = model.data(model.index(source_row, 0, source_parent), FilterRole) or ""
        return all(word in text for word in self._needle.split())

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SortRole), right.data(SortRole)
        if a is None or b is None or a == b:
            return self._tie(left.row() < right.row())
        return a < b

    def _tie(self, earlier: bool) -> bool:
        """Descending sorts reverse lessThan, so flip ties there to keep the dataset order."""
        return earlier if self.sortOrder() == Qt.SortOrder.AscendingOrder else not earlier

    def sort_by_risk(self) -> None:
        self.sort(KIND, Qt.SortOrder.DescendingOrder)
