"""Where a file that a recipe names lives: one rule for the release, the export's guards and the workbench."""

from __future__ import annotations

from pathlib import Path


def recipe_file(name: str, recipe_dir: Path | None) -> Path:
    """A file a recipe names (hierarchy, key file): absolute as written, else relative to the recipe's folder
    (the working folder when the recipe has none). No ``~`` expansion: the release reads exactly this path."""
    path = Path(name)
    return path if path.is_absolute() else (recipe_dir or Path.cwd()) / path
