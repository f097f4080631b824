"""The workbench's one open document: a dataset, its findings and the recipe being edited.

The table itself is never held: ``dataset`` is the core's lazy Dataset (what a release reads, in the
analysis process), and ``rows`` pages it for the views (a window of rows at a time, plus a bounded
``sample`` for previews and working defaults).

Every plan edit goes through the QUndoStack (so undo/redo covers everything and the clean state is
the saved recipe); widgets listen to the signals and never edit the recipe themselves.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from sanitas.core.dataset import Dataset
from sanitas.core.decisions import ColumnDecision, decide
from sanitas.core.detect.findings import ColumnFinding, ColumnKind, ScanResult
from sanitas.core.io.pages import PagedRows
from sanitas.core.keys import KeyRef
from sanitas.core.plan import suggest_recipe
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.recipe import ColumnPlan, Recipe, load_recipe, save_recipe

DEFAULT_KEYS = {"default": KeyRef(env="SANITAS_KEY")}


class Document(QObject):
    datasetChanged = Signal()  # a new dataset was opened (its rows may still be loading)
    frameLoaded = Signal()  # ``rows`` is ready: views can page the table and use its sample
    scanChanged = Signal()  # new findings
    planChanged = Signal(str)  # a column's plan changed ("" means: many columns)
    recipeReplaced = Signal()  # a recipe was opened or created
    dirtyChanged = Signal(bool)
    recipePathChanged = Signal()
    datasetModelChanged = Signal()  # a dataset-level section (k-anonymity) changed
    riskThresholdChanged = Signal()  # the recipe's own risk threshold was set, changed or removed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.rows: PagedRows | None = None  # pages of the table for views; never the whole table
        self.open_options: dict[str, object] = {}  # how the file was read (sheet, delimiter, encoding)
        self.scan: ScanResult | None = None
        self.recipe = Recipe(keys=dict(DEFAULT_KEYS))
        self.recipe_path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)  # a method: disconnected when self dies

    def _clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    # --- state -----------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def columns(self) -> list[str]:
        return self.dataset.columns if self.dataset else []

    def finding(self, column: str) -> ColumnFinding | None:
        return self.scan.finding(column) if self.scan else None

    def plan(self, column: str) -> ColumnPlan | None:
        return self.recipe.columns.get(column)

    def decision(self, column: str) -> ColumnDecision:
        """The column as the release will see it (core/decisions.py: corrections win over detection)."""
        return decide(column, self.plan(column), self.finding(column))

    def effective_entity(self, column: str) -> str | None:
        return self.decision(column).entity

    def effective_kind(self, column: str) -> ColumnKind | None:
        return self.decision(column).kind

    def recipe_dir(self) -> Path | None:
        if self.recipe_path is not None:
            return self.recipe_path.parent
        return self.dataset.source.parent if self.dataset and self.dataset.source else None

    # --- dataset ---------------------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset) -> None:
        if self.rows is not None:
            self.rows.close()  # the previous table's paged copy goes now, not at exit
        self.dataset, self.rows, self.scan = dataset, None, None
        self.datasetChanged.emit()

    def set_rows(self, rows: PagedRows) -> None:
        self.rows = rows
        self.frameLoaded.emit()

    def set_frame(self, frame: pl.DataFrame) -> None:
        """Rows already in memory (an in-memory dataset, a test's frame)."""
        self.set_rows(PagedRows.from_frame(frame))

    @property
    def sample(self) -> pl.DataFrame | None:
        """A bounded sample of rows spread over the table (None until the rows are ready)."""
        return self.rows.sample if self.rows is not None else None

    @property
    def row_count(self) -> int | None:
        return self.rows.height if self.rows is not None else None

    def set_scan(self, scan: ScanResult) -> None:
        self.scan = scan
        self.scanChanged.emit()

    # --- plan edits (undoable) -------------------------------------------------------------------
    def set_plan(self, column: str, plan: ColumnPlan | None, text: str | None = None) -> None:
        self.set_plans({column: plan}, text or f"Set {column}: {plan.action if plan else 'no action'}")

    def set_plans(self, plans: dict[str, ColumnPlan | None], text: str) -> None:
        old = {c: self.recipe.columns.get(c) for c in plans}
        if all(_same(old[c], plans[c]) for c in plans):
            return
        self.undo_stack.push(_SetPlans(self, old, dict(plans), text))

    def apply_suggested_plan(self) -> None:
        """Fill in the suggested plan, merged with the analyst's work: corrections of findings stay (and steer
        the suggestion), explicit actions stay, and an existing k_anonymity section is kept; otherwise the
        detected quasi-identifiers go into a suggested section. One undo step."""
        if self.scan is None:
            return
        current = dict(self.recipe.columns)
        suggested, _ = suggest_recipe(self.scan, seed=self.recipe.seed, corrections=current)
        plans = {c: p for c, p in suggested.columns.items() if c not in current or _correction_only(current[c])}
        section = self.recipe.k_anonymity or _without_chosen(suggested.k_anonymity, current)
        if self.recipe.k_anonymity is None and section is not None:  # the section covers its columns' actions
            plans.update({c: suggested.columns[c] for c in section.quasi_identifiers if c in suggested.columns
                          and (c not in current or _correction_only(current[c]))})
        self.undo_stack.beginMacro("Apply the suggested plan")
        try:
            self.set_plans(plans, "Apply the suggested plan")
            if self.recipe.k_anonymity is None and section is not None:
                self.set_k_anonymity(section, "Suggested k-anonymity section")
        finally:
            self.undo_stack.endMacro()

    def apply_to_entity(self, entity: str, plan: ColumnPlan) -> None:
        columns = [c for c in self.columns if self.effective_entity(c) == entity]
        self.set_plans({c: plan.model_copy(update={"entity": self._entity_override(c)}) for c in columns},
                       f"Set {plan.action} on every {entity} column")

    def correct(self, column: str, *, entity: str | None, kind: ColumnKind | None) -> None:
        """The analyst's correction of a finding, stored in the recipe (and shown in the report)."""
        current = self.plan(column) or ColumnPlan(action="keep")
        self.set_plan(column, current.model_copy(update={"entity": entity, "kind": kind}),
                      f"Correct finding of {column}")

    def set_k_anonymity(self, section: KAnonymitySection | None, text: str) -> None:
        """Replace the recipe's k-anonymity section as one undo step (None removes it)."""
        if section == self.recipe.k_anonymity:
            return
        self.undo_stack.push(_SetKAnonymity(self, self.recipe.k_anonymity, section, text))

    def set_risk_threshold(self, threshold: float | None) -> None:
        """The recipe's own risk threshold (None: the settings' default applies), as one undo step; steps of a
        spin box in a row merge into one."""
        if threshold == self.recipe.risk_threshold:
            return
        self.undo_stack.push(_SetRiskThreshold(self, self.recipe.risk_threshold, threshold))

    def _write_risk_threshold(self, threshold: float | None) -> None:
        self.recipe.risk_threshold = threshold
        self.riskThresholdChanged.emit()

    def _write_k_anonymity(self, section: KAnonymitySection | None) -> None:
        self.recipe.k_anonymity = section
        self.datasetModelChanged.emit()

    def _entity_override(self, column: str) -> str | None:
        plan = self.plan(column)
        return plan.entity if plan else None

    def _write(self, plans: dict[str, ColumnPlan | None]) -> None:
        for column, plan in plans.items():
            if plan is None:
                self.recipe.columns.pop(column, None)
            else:
                self.recipe.columns[column] = plan
        if self.dataset is not None:  # keep the dataset's column order in the recipe
            order = {c: i for i, c in enumerate(self.dataset.columns)}
            self.recipe.columns = dict(sorted(self.recipe.columns.items(), key=lambda kv: order.get(kv[0], 1 << 30)))
        self.planChanged.emit(next(iter(plans)) if len(plans) == 1 else "")

    # --- recipe files ----------------------------------------------------------------------------
    def new_recipe(self) -> None:
        self.recipe = Recipe(keys=dict(DEFAULT_KEYS))
        self.recipe_path = None
        self.undo_stack.clear()
        self.recipeReplaced.emit()
        self.recipePathChanged.emit()

    def open_recipe(self, path: Path) -> None:
        recipe = load_recipe(path)  # raises RecipeError with every problem; the plan is untouched then
        self.recipe, self.recipe_path = recipe, path
        self.undo_stack.clear()
        self.recipeReplaced.emit()
        self.recipePathChanged.emit()

    def restore_recipe(self, recipe: Recipe, path: Path | None) -> None:
        """Autosave restore: the recipe comes back as unsaved edits."""
        self.recipe = recipe.model_copy(update={"columns": dict(self.recipe.columns)})  # seed, keys, policy
        self.recipe_path = path
        self.set_plans({c: p for c, p in recipe.columns.items()}, "Restore autosaved plan")
        self.recipePathChanged.emit()

    def save_recipe(self, path: Path | None = None) -> Path:
        target = path or self.recipe_path
        if target is None:
            raise ValueError("no recipe path")
        self._rebase_hierarchy_files(target.parent)
        save_recipe(self.recipe, target)
        self.recipe_path = target
        self.undo_stack.setClean()
        self.recipePathChanged.emit()
        return target

    def _rebase_hierarchy_files(self, folder: Path) -> None:
        """Keep hierarchy files pointing at the same files when the recipe gets a (new) folder: relative to
        it when they lie under it (reviewable, movable with the recipe), else absolute."""
        section = self.recipe.k_anonymity
        if section is None or not any(ref.file for ref in section.hierarchies.values()):
            return
        base = self.recipe_dir() or Path.cwd()
        refs = {column: ref.model_copy(update={"file": _relative(base / ref.file, folder)}) if ref.file else ref
                for column, ref in section.hierarchies.items()}
        if refs != section.hierarchies:
            self.recipe.k_anonymity = section.model_copy(update={"hierarchies": refs})


def _relative(path: Path, folder: Path) -> str:
    path = path.resolve()  # an absolute ref stays itself: base / absolute is the absolute path
    try:
        return path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)


class _SetPlans(QUndoCommand):
    def __init__(self, doc: Document, old: dict[str, ColumnPlan | None], new: dict[str, ColumnPlan | None],
                 text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, old, new

    def redo(self) -> None:
        self.doc._write(self.new)

    def undo(self) -> None:
        self.doc._write(self.old)


class _SetKAnonymity(QUndoCommand):
    def __init__(self, doc: Document, old: KAnonymitySection | None, new: KAnonymitySection | None,
                 text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, old, new

    def redo(self) -> None:
        self.doc._write_k_anonymity(self.new)

    def undo(self) -> None:
        self.doc._write_k_anonymity(self.old)


class _SetRiskThreshold(QUndoCommand):
    ID = 0x5253  # commands with the same id merge: one undo step for a run of spin box steps

    def __init__(self, doc: Document, old: float | None, new: float | None) -> None:
        super().__init__("Remove the recipe's risk threshold" if new is None
                         else f"Set the risk threshold to {new:.0%}")
        self.doc, self.old, self.new = doc, old, new

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _SetRiskThreshold) or None in (self.old, self.new, other.old, other.new):
            return False  # turning the recipe's own threshold on or off stays its own step
        self.new = other.new
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self.doc._write_risk_threshold(self.new)

    def undo(self) -> None:
        self.doc._write_risk_threshold(self.old)


def _without_chosen(section: KAnonymitySection | None, plans: dict[str, ColumnPlan]) -> KAnonymitySection | None:
    """The suggested section without the quasi-identifiers the analyst already gave an action of their own
    (a hand-made generalize of age stays; the section must not claim the column too, or the recipe no
    longer fits: a quasi-identifier of k_anonymity must be kept). None when no quasi-identifier is left."""
    if section is None:
        return None
    chosen = {c for c, plan in plans.items() if plan.action != "keep" and not _correction_only(plan)}
    kept = [c for c in section.quasi_identifiers if c not in chosen]
    if not kept:
        return None
    if len(kept) == len(section.quasi_identifiers):
        return section
    return section.model_copy(update={"quasi_identifiers": kept,
                                      "hierarchies": {c: h for c, h in section.hierarchies.items() if c not in chosen}})


def _correction_only(plan: ColumnPlan) -> bool:
    """A plan the analyst made only by correcting the finding (the action is the default keep, no params)."""
    return (plan.action == "keep" and not plan.params and plan.note is None
            and (plan.entity is not None or plan.kind is not None))


def _same(a: ColumnPlan | None, b: ColumnPlan | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)
