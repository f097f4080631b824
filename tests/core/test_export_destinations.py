"""export_release and files_read: no data file or report ever lands on a file the release reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanitas.core.engine import run
from sanitas.core.errors import ExportError
from sanitas.core.export import export_release, files_read
from sanitas.core.io import open_dataset
from sanitas.core.recipe import parse_recipe

RECIPE = {
    "version": 1, "unlisted_columns": "keep",
    "keys": {"default": {"file": "keys/k.key"}, "env": {"env": "SOME_KEY"}},
    "k_anonymity": {"quasi_identifiers": ["sex", "age"], "k": 2,
                    "hierarchies": {"sex": {"file": "hier/sex.csv"}, "age": {"auto": "number"}}},
}


def test_files_read_names_recipe_hierarchies_and_keys(tmp_path: Path) -> None:
    recipe = parse_recipe(RECIPE)
    files = files_read(recipe, recipe_path=tmp_path / "r.yaml", key_files={"extra": tmp_path / "x.key"})
    assert files == {
        tmp_path / "r.yaml": "the recipe",
        tmp_path / "hier" / "sex.csv": "the hierarchy file of column 'sex'",
        tmp_path / "keys" / "k.key": "the key file of key 'default'",
        tmp_path / "x.key": "the key file of key 'extra'",
    }
    other = tmp_path / "elsewhere"
    assert other / "hier" / "sex.csv" in files_read(recipe, recipe_path=tmp_path / "r.yaml", recipe_dir=other)


def test_export_refuses_reports_over_the_input_before_writing(tmp_path: Path) -> None:
    source = tmp_path / "o.csv.report.json"
    source.write_text('{"id": "a1", "age": 30}\n{"id": "a2", "age": 40}\n')
    release = run(open_dataset(source), parse_recipe({"version": 1, "unlisted_columns": "keep"}))
    with pytest.raises(ExportError, match="is the input file"):
        export_release(release, tmp_path / "o.csv")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\n")
    with pytest.raises(ExportError, match="is the recipe"):
        export_release(release, tmp_path / "r.yaml.csv", recipe_path=tmp_path / "r.yaml.csv.report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv.report.json", "r.yaml"], "nothing written"
    assert source.read_text().startswith('{"id": "a1"')
