"""A recipe's k_anonymity section runs in the release, is verified on the output and reported."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.engine import run
from sanitas.core.errors import RecipeError
from sanitas.core.export import export_release
from sanitas.core.io import open_dataset
from sanitas.core.recipe import parse_recipe

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
ARX = Path(__file__).resolve().parents[1] / "support" / "arx-hierarchies" / "adult"

RECIPE = {
    "version": 1,
    "unlisted_columns": "drop",
    "columns": {"age": {"action": "keep"}, "sex": {"action": "keep"}, "zip": {"action": "keep"},
                "city": {"action": "keep"}, "diagnosis": {"action": "keep"}, "amount": {"action": "keep"}},
    "k_anonymity": {
        "quasi_identifiers": ["age", "sex", "zip", "city"], "k": 5, "sensitive": ["diagnosis"],
        "l_diversity": {"variant": "distinct", "l": 2}, "suppression_limit": 0.05,
        "hierarchies": {"age": {"auto": "number", "first_width": 5, "factor": 2}, "zip": {"auto": "postal"}},
    },
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("k") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=2000).write_csv(path)
    return path


def test_release_is_k_anonymous_and_l_diverse(demo: Path, tmp_path: Path) -> None:
    release = run(open_dataset(demo), parse_recipe(RECIPE))
    facts = release.k_anonymity
    assert facts is not None and facts.all_hold and facts.search["exact"]
    out = release.frame
    assert out.height == 2000 - facts.suppressed and facts.suppressed <= 0.05 * 2000
    sizes = out.group_by(["age", "sex", "zip", "city"]).agg(pl.len(), pl.col("diagnosis").n_unique().alias("l"))
    assert sizes["len"].min() >= 5 and sizes["l"].min() >= 2
    assert facts.risk_after.sample_uniques == 0 < facts.risk_before.sample_uniques
    result = export_release(release, tmp_path / "k.csv")
    report = json.loads(result.report_json.read_text())
    assert report["k_anonymity"]["checks"][0]["holds"] and "all hold" in report["dataset_level"]["k_anonymity"]
    assert "Re-identification risk" in result.report_html.read_text()
    anonymity = pytest.importorskip("pycanon.anonymity")
    frame = out.to_pandas()
    assert anonymity.k_anonymity(frame, ["age", "sex", "zip", "city"]) >= 5
    assert anonymity.l_diversity(frame, ["age", "sex", "zip", "city"], ["diagnosis"]) >= 2


def test_quasi_identifier_must_be_kept(demo: Path) -> None:
    recipe = dict(RECIPE, columns={**RECIPE["columns"], "zip": {"action": "generalize",
                                                               "params": {"method": "postal", "keep": 3}}})
    with pytest.raises(RecipeError, match="column 'zip': it is a quasi-identifier"):
        run(open_dataset(demo), parse_recipe(recipe))


def test_arx_hierarchy_file_relative_to_the_recipe(tmp_path: Path) -> None:
    ages = pl.read_csv(ARX / "adult_hierarchy_age.csv", separator=";", has_header=False)["column_0"]
    frame = pl.DataFrame({"age": ages.sample(600, with_replacement=True, seed=3),
                          "sex": pl.Series(["F", "M"] * 300)})
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "age.csv").write_bytes((ARX / "adult_hierarchy_age.csv").read_bytes())
    recipe = parse_recipe({"unlisted_columns": "keep", "k_anonymity": {
        "quasi_identifiers": ["age", "sex"], "k": 10, "hierarchies": {"age": {"file": "h/age.csv"}}}})
    from sanitas.core.dataset import Dataset

    release = run(Dataset.from_frame(frame), recipe, recipe_dir=tmp_path)
    facts = release.k_anonymity
    assert facts.all_hold and facts.hierarchy_sources["age"] == "ARX file age.csv"
    assert release.frame.group_by(["age", "sex"]).len()["len"].min() >= 10


def test_mask_mode_keeps_every_row_and_still_verifies(demo: Path) -> None:
    recipe = parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "suppression": "mask"}})
    release = run(open_dataset(demo), recipe)
    facts = release.k_anonymity
    assert release.frame.height == 2000 and facts.all_hold
    starred = release.frame.filter(pl.col("zip") == "*").height
    assert starred >= facts.suppressed == facts.risk_after.suppressed
