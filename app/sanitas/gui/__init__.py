"""The Qt workbench: the only package that imports PySide6. It drives the core, never re-implements it."""
