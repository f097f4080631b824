"""Where the hierarchy editor reads and writes ARX hierarchy files: the file dialogs, asked in one place.

Paths start beside the recipe (its hierarchies/ folder) so the recipe can name the file relatively.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from sanitas.gui.document import Document
from sanitas.gui.widgets.k_anonymity.hierarchy_refs import ARX_FILTER, default_hierarchy_path

OPTIONS = QFileDialog.Option.DontUseNativeDialog


def ask_import_path(parent: QWidget, doc: Document, column: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, f"Import the hierarchy of {column}", str(doc.recipe_dir() or ""),
                                          ARX_FILTER, options=OPTIONS)
    return Path(name) if name else None


def ask_export_path(parent: QWidget, doc: Document, column: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Export hierarchy", str(default_hierarchy_path(doc, column)),
                                          ARX_FILTER, options=OPTIONS)
    return Path(name) if name else None


def ask_save_path(parent: QWidget, doc: Document, column: str) -> Path | None:
    """Where to save an edited table. Qt's dialog opens a missing folder's grandparent, so the default
    hierarchies/ folder is made first, and removed again if the analyst cancels and it stays empty."""
    default = default_hierarchy_path(doc, column)
    made = default.parent.parent.is_dir() and not default.parent.exists()
    if made:
        with contextlib.suppress(OSError):
            default.parent.mkdir()
    name, _ = QFileDialog.getSaveFileName(parent, f"Save the hierarchy of {column}", str(default), ARX_FILTER,
                                          options=OPTIONS)
    if made and not name:
        with contextlib.suppress(OSError):
            default.parent.rmdir()  # only succeeds while empty
    return Path(name) if name else None
