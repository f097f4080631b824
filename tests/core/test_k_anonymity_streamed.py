"""k-anonymity (global recoding) inside the streamed release: the same bytes and facts as in memory.

Small batches over a few thousand rows drawn from the ARX adult hierarchies, with nulls in a
quasi-identifier, an integer age column (generalized to text, kept as numbers at level 0), a column
detected as quasi-identifying kept outside the section, and a population for the risk figures.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from sanitas.core.io import open_dataset
from sanitas.core.recipe import parse_recipe
from sanitas.core.streamed_release import release_to_file

ADULT = Path(__file__).resolve().parents[1] / "support" / "arx-hierarchies" / "adult"
QIS = ["age", "education", "marital-status", "race", "sex"]
BATCH = 333
ROWS = 3000
VOLATILE = {"seconds", "timings", "created", "name"}


def level0(column: str) -> list[str]:
    lines = (ADULT / f"adult_hierarchy_{column}.csv").read_text().splitlines()
    return [line.split(";")[0] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kstream")
    rng = np.random.default_rng(3)
    frame: dict[str, Any] = {"id": [f"row{i}" for i in range(ROWS)]}
    for column in QIS:
        values = [v for v in level0(column) if v != "*"]
        if column == "age":
            values = [str(a) for a in range(17, 91)]
        weights = 1.0 / np.arange(1, len(values) + 1) ** 1.2
        picked = rng.choice(len(values), ROWS, p=weights / weights.sum())
        frame[column] = [values[i] for i in picked]
        shutil.copy(ADULT / f"adult_hierarchy_{column}.csv", folder / f"{column}.csv")
    frame["age"] = [int(a) for a in frame["age"]]
    frame["race"] = [None if i % 211 == 7 else v for i, v in enumerate(frame["race"])]  # nulls: a class of their own
    frame["region"] = [["north", "south", "east"][i % 3] for i in range(ROWS)]
    frame["salary"] = [int(x) for x in rng.integers(10_000, 90_000, ROWS)]
    path = folder / "adult.csv"
    pl.DataFrame(frame).write_csv(path)
    return path


def recipe(k: int = 5, **section: Any) -> dict[str, Any]:
    """The section's options, ``None`` removing one."""
    base = {"quasi_identifiers": QIS, "k": k, "suppression_limit": 0.05,
            "hierarchies": {c: {"file": f"{c}.csv"} for c in QIS}, **section}
    return {"version": 1, "seed": 1, "columns": {
        "id": {"action": "drop"}, "salary": {"action": "keep"},
        "region": {"action": "keep", "kind": "quasi-identifier"}},  # detected-as-QI, outside the section
        "unlisted_columns": "keep",
        "k_anonymity": {k: v for k, v in base.items() if v is not None}}


def release(data: Path, out: Path, spec: dict[str, Any], **options: Any) -> Any:
    return release_to_file(open_dataset(data), parse_recipe(spec, source="test"), out, recipe_dir=data.parent,
                           batch_rows=BATCH, **options)


def stable(report: Any) -> Any:
    if isinstance(report, dict):
        return {k: stable(v) for k, v in report.items() if k not in VOLATILE}
    if isinstance(report, list):
        return [stable(v) for v in report]
    return report


AUTO = {**{c: {"file": f"{c}.csv"} for c in QIS if c not in ("age", "sex")}, "sex": {"auto": "category"}}


@pytest.mark.parametrize("spec", [recipe(), recipe(k=2, population=30_000), recipe(k=10, average_risk=0.5),
                                  recipe(hierarchies=AUTO), {**recipe(), "risk_threshold": 0.125}],
                         ids=["k5", "k2-population", "k10-average-risk", "auto-hierarchies", "risk-threshold"])
def test_same_bytes_and_report_as_in_memory(data: Path, tmp_path: Path, spec: dict[str, Any]) -> None:
    streamed = release(data, tmp_path / "s.csv", spec)
    memory = release(data, tmp_path / "m.csv", spec, streamed=False)
    assert streamed.streamed and streamed.fallback is None
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "m.csv").read_bytes()
    a = json.loads((tmp_path / "s.csv.report.json").read_text())
    b = json.loads((tmp_path / "m.csv.report.json").read_text())
    assert stable(a) == stable(b)
    facts = streamed.release.k_anonymity
    assert facts.suppressed > 0 and facts.all_hold and facts.unchanged_quasi_identifiers == ["region"]
    assert streamed.release.output_shape == memory.release.frame.shape
    threshold = spec.get("risk_threshold", 0.2)  # the recipe's, else the settings' default
    assert facts.risk_before.threshold == facts.risk_after.threshold == facts.risk_with_unchanged.threshold == threshold


def test_claims_hold_on_the_written_file(data: Path, tmp_path: Path) -> None:
    """k, the suppressed count and the risk, recomputed from the exported file alone."""
    done = release(data, tmp_path / "s.csv", recipe())
    written = pl.read_csv(tmp_path / "s.csv", infer_schema=False)
    sizes = written.group_by(QIS).len().get_column("len")
    facts = done.release.k_anonymity
    assert written.height == ROWS - facts.suppressed
    assert int(sizes.min()) == facts.risk_after.k >= 5
    assert facts.risk_after.classes == sizes.len()


@pytest.mark.parametrize(("section", "why"), [
    ({"suppression": "mask"}, "masked suppression"),
    ({"method": "mondrian", "hierarchies": None, "suppression_limit": None, "quasi_identifiers": ["age", "sex"]},
     "Mondrian"),
    ({"hierarchies": {**{c: {"file": f"{c}.csv"} for c in QIS}, "sex": {"file": "sex.csv", "unknown_as_star": True}}},
     "unknown values"),
])
def test_falls_back_where_not_covered(data: Path, tmp_path: Path, section: dict[str, Any], why: str) -> None:
    done = release(data, tmp_path / "o.csv", recipe(**section))
    assert not done.streamed and why in (done.fallback or "")
    assert (tmp_path / "o.csv").exists()


def test_no_solution_is_said_by_the_in_memory_path(data: Path, tmp_path: Path) -> None:
    from sanitas.core.errors import SanitasError

    with pytest.raises(SanitasError, match="suppression limit"):
        release(data, tmp_path / "o.csv", recipe(k=ROWS))
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(("qis", "limit"), [(["age", "sex"], 0.0), (["age"], 0.05)])
def test_nothing_suppressed_and_level_zero_kept_as_read(data: Path, tmp_path: Path, qis: list[str],
                                                        limit: float) -> None:
    """No suppression budget: every row is released. A QI left at level 0 keeps its values and dtype
    (sex as text; age alone, as integers)."""
    spec = recipe(k=2, suppression_limit=limit, quasi_identifiers=qis,
                  hierarchies={c: {"file": f"{c}.csv"} for c in qis})
    streamed = release(data, tmp_path / "s.csv", spec)
    release(data, tmp_path / "m.csv", spec, streamed=False)
    assert streamed.streamed
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "m.csv").read_bytes()
    assert stable(json.loads((tmp_path / "s.csv.report.json").read_text())) == stable(
        json.loads((tmp_path / "m.csv.report.json").read_text()))
    facts = streamed.release.k_anonymity
    assert facts.levels[qis[-1]] == 0
    assert (facts.suppressed == 0) == (limit == 0)
    assert streamed.release.output_shape[0] == ROWS - facts.suppressed
