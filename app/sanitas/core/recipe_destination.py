"""Where `plan` (or any recipe writer) may write a recipe: never over a file the run reads.

A recipe is small, but writing one over the input, a key file or a hierarchy file destroys data the
analyst may have no copy of. So a recipe destination gets the same refusals as a release's output,
whatever ``--force`` says: ``force`` only allows replacing an existing *recipe*. The extension must
be a recipe's (.yaml, .yml, .json), and the folder must exist.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

import yaml

from sanitas.core.errors import ExportError

RECIPE_SUFFIXES = (".yaml", ".yml", ".json")
RECIPE_PEEK_BYTES = 4 << 20  # an existing file larger than this is no recipe `plan` wrote: leave it alone


def check_recipe_destination(
    path: Path,
    *,
    input_path: Path | None = None,
    reads: Mapping[Path, str] | None = None,
    force: bool = False,
) -> Path:
    """Refuse a recipe destination before any work is done; return the path, made absolute.

    Refused: another extension than .yaml/.yml/.json; a folder; a missing folder; the input or one of
    ``reads`` (each mapped to how to name it), compared after resolving symlinks and ``..``; an
    existing file unless ``force``, and under ``force`` an existing file that is not a recipe.
    """
    path = Path(path).expanduser().absolute()
    if path.suffix.lower() not in RECIPE_SUFFIXES:
        raise ExportError(
            f"{path}: a recipe is written as .yaml, .yml or .json, not '{path.suffix or '(no extension)'}'. "
            f"Name the recipe file, for example {path.with_suffix('.yaml').name}."
        )
    guarded = {Path(p): what for p, what in (reads or {}).items()}
    if input_path is not None:
        guarded = {Path(input_path): "the input file", **guarded}
    for source, what in guarded.items():
        if _same_file(path, source):
            raise ExportError(
                f"{path}: is {what}, which this run reads; writing the recipe there would replace it "
                "(--force does not change this). Choose another recipe name."
            )
    if path.is_dir():
        raise ExportError(f"{path}: is a folder. Name a recipe file, for example {path / 'recipe.yaml'}.")
    if not path.parent.is_dir():
        if path.parent.exists():
            raise ExportError(f"{path}: {path.parent} is a file, not a folder. Choose another recipe path.")
        raise ExportError(f"{path}: the folder {path.parent} does not exist. Create it first, or choose "
                          "another recipe path.")
    if path.exists() or path.is_symlink():
        if not force:
            raise ExportError(f"{path}: exists. Pass --force to replace it, or choose another name.")
        if not _looks_like_a_recipe(path):
            raise ExportError(
                f"{path}: exists and is not a Sanitas recipe; --force replaces only a recipe. "
                "Choose another name, or move that file first."
            )
    return path


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a symlink loop
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    return False


def _looks_like_a_recipe(path: Path) -> bool:
    """An empty file, or a small YAML/JSON mapping whose top-level keys are all a recipe's.

    Composed, not constructed: YAML aliases stay references, so a hostile file cannot blow up here.
    """
    from sanitas.core.recipe import Recipe  # lazy: the recipe models pull in the transform registry

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > RECIPE_PEEK_BYTES:
            return False
        if info.st_size == 0:
            return True
        with open(path, "rb") as handle:
            text = handle.read(RECIPE_PEEK_BYTES).decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return False
    if node is None:
        return True  # only comments
    if not isinstance(node, yaml.MappingNode) or not node.value:
        return False
    keys = {key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    return len(keys) == len(node.value) and keys <= set(Recipe.model_fields)
