"""A recipe that records the findings of the file it was planned on: apply on that file skips the scan."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.detect import scan_dataset
from sanitas.core.engine import run
from sanitas.core.export import export_release
from sanitas.core.io import open_dataset
from sanitas.core.plan import commented_recipe_yaml
from sanitas.core.recipe import load_recipe
from sanitas.core.recorded_findings import record_findings

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
DEMO_RECIPE = SAMPLES / "customers.recipe.yaml"


@pytest.fixture(scope="module")
def demo_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    return path


def recipe_with_findings(data: Path, folder: Path) -> Path:
    """The demo recipe plus the findings of ``data``, saved as `sanitas plan` writes them."""
    recipe = load_recipe(DEMO_RECIPE)
    scan = scan_dataset(open_dataset(data))
    recipe.findings = record_findings(scan, data)
    assert all(not f.examples for f in recipe.findings.columns)  # no sampled values in a recipe
    (folder / "demo.key").write_bytes((SAMPLES / "demo.key").read_bytes())
    path = folder / "with-findings.recipe.yaml"
    path.write_text(commented_recipe_yaml(recipe, {}, ["test"]))
    return path


def test_same_file_reuses_the_recorded_findings(demo_subset: Path, tmp_path: Path) -> None:
    recipe_path = recipe_with_findings(demo_subset, tmp_path)
    recipe = load_recipe(recipe_path)
    assert recipe.findings is not None and len(recipe.findings.columns) == 20
    fresh = run(open_dataset(demo_subset), load_recipe(DEMO_RECIPE), recipe_dir=tmp_path)
    reused = run(open_dataset(demo_subset), recipe, recipe_dir=tmp_path)
    assert any("Findings reused from the recipe" in note for note in reused.scan.notes)
    assert [(f.name, f.kind, f.top_entity) for f in reused.scan.columns] == [
        (f.name, f.kind, f.top_entity) for f in fresh.scan.columns]
    assert reused.frame is not None and fresh.frame is not None and reused.frame.equals(fresh.frame)
    result = export_release(reused, tmp_path / "clean.csv", recipe_path=recipe_path)
    report = json.loads(result.report_json.read_text())
    assert any("the scan was skipped" in note for note in report["detection"]["notes"])


def test_another_file_is_scanned_and_the_report_says_why(demo_subset: Path, tmp_path: Path) -> None:
    recipe_path = recipe_with_findings(demo_subset, tmp_path)
    changed = tmp_path / "customers.csv"
    changed.write_bytes(demo_subset.read_bytes().replace(b"\n", b"\r\n", 1))  # other bytes, same table
    release = run(open_dataset(changed), load_recipe(recipe_path), recipe_dir=tmp_path)
    assert not any("reused" in note for note in release.scan.notes)
    assert any("recorded findings are for another file" in note for note in release.notes)
