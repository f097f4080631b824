"""The preview shows exactly what the release writes: every deterministic action x column kind x correction.

Each case runs the real release (engine.run) on the demo subset and the real preview (preview_column)
on its evenly spread sample, then compares the sampled rows cell for cell. Corrections matter: a
redacted column corrected to not personal is tagged <REDACTED> in both, never by its detected entity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from sanitas.core.decisions import decide
from sanitas.core.detect import scan_dataset
from sanitas.core.detect.findings import ColumnKind, ScanResult
from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.preview import preview_column, sample_frame
from sanitas.core.recipe import ColumnPlan, Recipe
from sanitas.core.transforms.fake import supported_entities
from sanitas.core.transforms.registry import TRANSFORMS, get_transform

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
KEY_ENV = "SANITAS_TEST_PREVIEW_KEY"
SAMPLE_ROWS = 60
CORRECTIONS: dict[str, dict[str, Any]] = {
    "as detected": {},
    "corrected to not personal": {"kind": ColumnKind.NOT_PERSONAL},
    "entity corrected to PERSON": {"entity": "PERSON"},
}
FAKEABLE = set(supported_entities())
DETERMINISTIC = [name for name, cls in TRANSFORMS.items() if not cls.randomized]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=300).write_csv(path)
    return path, scan_dataset(open_dataset(path))


def _params(action: str, column: str, dtype: pl.DataType) -> dict[str, Any] | None:
    """Working parameters for ``action`` on this column, or None where the action does not apply."""
    if action == "pseudonymize":
        return {"key": "default"}
    if action == "generalize":
        if dtype.is_numeric() or column in ("age", "amount"):
            return {"method": "bins", "width": 10}
        return {"date_of_birth": {"method": "date", "to": "year"}, "signup_date": {"method": "date", "to": "month"},
                "zip": {"method": "postal", "keep": 3}}.get(column)
    if action == "fake" and column not in ("full_name", "email", "phone", "customer_id", "ssn", "city"):
        return None
    if action == "scrub":
        return {"known_values_from": ["full_name", "email", "phone"]} if column == "notes" else None
    return {}


@pytest.mark.parametrize("correction", list(CORRECTIONS))
@pytest.mark.parametrize("action", DETERMINISTIC)
def test_preview_equals_release(action: str, correction: str, demo: tuple[Path, ScanResult],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path, scan = demo
    monkeypatch.setenv(KEY_ENV, "a-test-key-that-is-long-enough-0123456789")
    dataset = open_dataset(path)
    columns: dict[str, ColumnPlan] = {}
    for name, dtype in dataset.schema.items():
        params = _params(action, name, dtype)
        transform = get_transform(action)
        if params is None:
            columns[name] = ColumnPlan(action="keep")
            continue
        plan = ColumnPlan(action=action, params=params, **CORRECTIONS[correction])
        entity = decide(name, plan, scan.finding(name)).entity
        if action == "fake" and entity is None:  # nothing detected to fake: the analyst names the entity
            plan, entity = plan.model_copy(update={"params": {"entity": "PERSON"}}), "PERSON"
        if params is None or transform(params).check(dtype) or (action == "fake" and entity not in FAKEABLE):
            columns[name] = ColumnPlan(action="keep")
            continue
        columns[name] = plan
    assert any(p.action == action for p in columns.values()), f"{action} applies to no column of the demo"
    recipe = Recipe.model_validate({"seed": 7, "keys": {"default": {"env": KEY_ENV}}, "unlisted_columns": "keep",
                                    "columns": {k: v.model_dump() for k, v in columns.items()}})
    release = run(dataset, recipe, scan=scan)

    source = dataset.collect().with_row_index("__row")
    sample = sample_frame(source, SAMPLE_ROWS)
    rows = sample.get_column("__row").to_list()
    sample = sample.drop("__row")
    compared = 0
    for name, plan in recipe.columns.items():
        if plan.action != action:
            continue
        preview = preview_column(sample, name, plan, recipe, scan=scan)
        if get_transform(action).removes_column:
            assert preview.after is None and name not in release.output.columns
            continue
        released = release.output.get_column(name).gather(rows)
        assert preview.after is not None
        assert preview.after.cast(pl.String).to_list() == released.cast(pl.String).to_list(), (
            f"{action} on {name} ({correction}): preview and release differ")
        compared += 1
    assert compared or get_transform(action).removes_column
