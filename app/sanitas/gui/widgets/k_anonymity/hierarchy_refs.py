"""Where hierarchy files live and how a HierarchyRef reads in the panel; shared by the editor and chooser.

Files go to ``<recipe folder>/hierarchies/`` by default and are referenced relative to the recipe, so a
recipe and its hierarchies move together and review as one folder.
"""

from __future__ import annotations

from pathlib import Path

from sanitas.core.io.recipe_paths import recipe_file
from sanitas.core.privacy.k_anonymity.section import HierarchyRef
from sanitas.gui.document import Document

ARX_FILTER = "ARX hierarchy (*.csv)"


def default_hierarchy_path(doc: Document, column: str) -> Path:
    """<recipe folder, else dataset folder>/hierarchies/<column>.csv, the name made safe for a file."""
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in column).strip(".") or "column"
    return (doc.recipe_dir() or Path.cwd()) / "hierarchies" / f"{name}.csv"


def ref_path(doc: Document, path: Path) -> str:
    """Relative to the recipe's folder when the file lies under it, else absolute (Document.save_recipe
    makes it relative once the recipe has a folder)."""
    path = path.resolve()
    if doc.recipe_path is not None:
        try:
            return path.relative_to(doc.recipe_path.parent.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def resolved(doc: Document, file: str) -> Path:
    return recipe_file(file, doc.recipe_dir())


def describe(ref: HierarchyRef) -> str:
    """A short, reviewable line for the chooser: where the hierarchy comes from and its main options."""
    star = ", missing values → *" if ref.unknown_as_star else ""
    if ref.file is not None:
        return f"ARX file {Path(ref.file).name}{star}"
    options = ref.options()
    detail = {"number": "bands", "date": "month, year, decade", "postal": "one digit per level",
              "category": "suppression only"}[ref.auto or "category"]
    if options.get("edges"):
        detail = "edges " + " | ".join(", ".join(f"{e:g}" for e in level) for level in options["edges"])
    elif ref.auto == "number" and options.get("first_width") is not None:
        detail = f"width {options['first_width']:g}, ×{options.get('factor', 2)}"
    elif options.get("levels"):
        detail = ", ".join(options["levels"])
    elif options.get("strip"):
        detail = "redact " + ", ".join(str(s) for s in options["strip"])
    elif options.get("groups"):
        groups = options["groups"]
        detail = f"{len(groups if isinstance(groups, dict) else groups[0])} groups"
    return f"{ref.auto}: {detail}{star}"


