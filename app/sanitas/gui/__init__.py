"""The Qt workbench: the only package that imports PySide6. It drives the core, never re-implements it."""

from sanitas.gui.refcount_guard import immortalize_singletons

immortalize_singletons()  # before any Qt call: see refcount_guard
