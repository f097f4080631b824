"""Mask suppression: rows whose quasi-identifiers were all masked are suppressed records, not a class."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.dataset import Dataset
from sanitas.core.engine import run
from sanitas.core.export import export_release
from sanitas.core.io import open_dataset
from sanitas.core.recipe import parse_recipe
from sanitas.core.release_risk import release_risk

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
QIS = ["age", "sex", "zip", "city"]
RECIPE = {
    "version": 1, "unlisted_columns": "drop",
    "columns": {c: {"action": "keep"} for c in [*QIS, "diagnosis"]},
    "k_anonymity": {"quasi_identifiers": QIS, "k": 5, "sensitive": ["diagnosis"],
                    "l_diversity": {"variant": "distinct", "l": 2}, "suppression_limit": 0.05, "suppression": "mask",
                    "hierarchies": {"age": {"auto": "number", "first_width": 5, "factor": 2},
                                    "zip": {"auto": "postal"}}},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("km") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=1000).write_csv(path)
    return path


def test_masked_rows_count_as_suppressed_in_the_release_risk(demo: Path, tmp_path: Path) -> None:
    release = run(open_dataset(demo), parse_recipe(RECIPE))
    facts = release.k_anonymity
    assert facts.all_hold and facts.suppressed > 0
    risk = release.risk.json_dict()
    assert risk["suppressed"] == facts.suppressed and risk["k"] >= 5 and risk["sample_uniques"] == 0
    assert risk["records"] == 1000 - facts.suppressed and not risk["at_risk"] and "masked" in risk["note"]
    result = export_release(release, tmp_path / "km.csv")
    report = json.loads(result.report_json.read_text())
    assert report["status"] == "released" and report["risk"]["suppressed"] == facts.suppressed
    out = pl.read_csv(tmp_path / "km.csv", infer_schema=False)
    starred = pl.all_horizontal([pl.col(c) == "*" for c in QIS])
    assert out.filter(starred).height == facts.suppressed
    assert out.filter(~starred).group_by(QIS).len()["len"].min() >= 5


def test_remove_mode_and_unmasked_stars_are_classes() -> None:
    frame = pl.DataFrame({"a": ["*", "*", "x", "x", "x"], "b": ["*", "*", "y", "y", "y"]})
    decisions: dict = {}
    plain = release_risk(frame, decisions, declared=["a", "b"], not_raw=set(), real_records=True, threshold=0.2,
                         source="t").json_dict()
    assert plain["suppressed"] == 0 and plain["k"] == 2
    masked = release_risk(frame, decisions, declared=["a", "b"], not_raw=set(), real_records=True, threshold=0.5,
                          source="t", masked=True).json_dict()
    assert masked["suppressed"] == 2 and masked["k"] == 3 and masked["records"] == 3
    everything = release_risk(frame.filter(pl.col("a") == "*"), decisions, declared=["a", "b"], not_raw=set(),
                              real_records=True, threshold=0.5, source="t", masked=True).json_dict()
    assert everything["suppressed"] == 0 and everything["k"] == 2  # all '*': the top level, one genuine class


def test_remove_mode_release_is_unchanged(demo: Path) -> None:
    recipe = parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "suppression": "remove"}})
    release = run(Dataset.from_frame(pl.read_csv(demo, infer_schema=False)), recipe)
    assert release.risk.json_dict()["suppressed"] == 0 and release.risk.json_dict()["k"] >= 5


def test_step_risk_figures_use_the_recipes_threshold(demo: Path, tmp_path: Path) -> None:
    recipe = parse_recipe({**RECIPE, "risk_threshold": 0.125})
    release = run(open_dataset(demo), recipe)
    facts = release.k_anonymity
    assert release.risk.threshold == facts.risk_before.threshold == facts.risk_after.threshold == 0.125
    result = export_release(release, tmp_path / "t.csv")
    assert "Threshold for a record at risk: 12.5%" in result.report_html.read_text()
    report = json.loads(result.report_json.read_text())
    assert report["k_anonymity"]["risk_after"]["threshold"] == 0.125


def test_step_risk_figures_default_to_the_settings_threshold(demo: Path) -> None:
    from sanitas.core.settings import Settings

    release = run(open_dataset(demo), parse_recipe(RECIPE), settings=Settings(risk_threshold=0.1))
    assert release.k_anonymity.risk_after.threshold == release.risk.threshold == 0.1
