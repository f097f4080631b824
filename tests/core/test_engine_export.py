"""The release end to end in-process: engine run, export, report, residual check, strictness, cancel."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.engine import run
from sanitas.core.errors import PolicyError, RecipeError
from sanitas.core.export import export_release
from sanitas.core.io import open_dataset
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.recipe import load_recipe, parse_recipe

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
DEMO_RECIPE = SAMPLES / "customers.recipe.yaml"


@pytest.fixture(scope="module")
def demo_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 400 rows of the demo data: every column kind, fast enough for many tests."""
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=400).write_csv(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_recipe_release(demo_subset: Path, tmp_path: Path) -> None:
    before = sha256(demo_subset)
    dataset = open_dataset(demo_subset)
    recipe = load_recipe(DEMO_RECIPE)
    release = run(dataset, recipe, recipe_dir=DEMO_RECIPE.parent)
    result = export_release(release, tmp_path / "clean.csv", recipe_path=DEMO_RECIPE)

    assert sha256(demo_subset) == before, "the input must never change"
    out = pl.read_csv(result.output, infer_schema=False)
    source = pl.read_csv(demo_subset, infer_schema=False)
    assert out.height == source.height
    assert "street_address" not in out.columns
    assert set(out["ssn"].drop_nulls()) == {"<US_SSN>"}
    assert not set(source["email"].drop_nulls()) & set(out["email"].drop_nulls())
    assert out["customer_id"].str.starts_with("cust_").all()
    assert out["card_number"].drop_nulls().str.contains(r"^[*\s-]+\d{4}$").all()
    assert out["city"].to_list() == source["city"].to_list()

    report = json.loads(result.report_json.read_text())
    assert report["input"]["sha256"] == before
    assert report["output"]["sha256"] == sha256(result.output)
    assert report["input"]["rows"] == 400 and report["output"]["columns"] == 19
    by_name = {c["name"]: c for c in report["columns"]}
    assert by_name["email"]["entities"][0]["entity"] == "EMAIL_ADDRESS"
    assert by_name["email"]["action"] == "pseudonymize" and by_name["email"]["result"] == "replaced"
    assert by_name["street_address"]["result"] == "dropped"
    assert by_name["city"]["result"] == "kept"
    assert report["residual"]["identifier_columns"], "direct identifiers were searched for"
    assert report["residual_findings"] == 0, report["residual"]
    assert report["environment"]["polars"] and report["recipe"]["seed"] == recipe.seed
    assert "file demo.key" in report["recipe"]["keys"]["default"]
    key_text = (SAMPLES / "demo.key").read_text().strip()
    html = result.report_html.read_text()
    for text in (result.report_json.read_text(), html):
        assert key_text not in text, "key material must never reach a report"
    assert "<script" not in html and "http://" not in html and "https://" not in html
    first_email = source["email"].drop_nulls()[0]
    assert first_email not in html and first_email not in result.report_json.read_text()


def test_same_recipe_same_output(demo_subset: Path, tmp_path: Path) -> None:
    recipe = load_recipe(DEMO_RECIPE)
    outputs = []
    for name in ("a.parquet", "b.parquet"):
        release = run(open_dataset(demo_subset), recipe, recipe_dir=DEMO_RECIPE.parent)
        outputs.append(pl.read_parquet(export_release(release, tmp_path / name).output))
    assert outputs[0].equals(outputs[1])


def test_kept_identifier_is_a_residual_finding_and_strict_withholds(demo_subset: Path, tmp_path: Path) -> None:
    recipe = parse_recipe({"unlisted_columns": "keep", "columns": {"notes": {"action": "drop"}}})
    release = run(open_dataset(demo_subset).__class__.from_frame(
        pl.read_csv(demo_subset, infer_schema=False).select("email", "city", "notes")), recipe)
    blocking = [f for f in release.residual.findings if f.blocking]
    assert [f.column for f in blocking] == ["email"] and blocking[0].entity == "EMAIL_ADDRESS"
    assert blocking[0].rows and blocking[0].rows[0] >= 1
    city = next(f for f in release.residual.findings if f.column == "city")
    assert not city.blocking and city.by_decision
    target = tmp_path / "out.csv"
    target.write_text("previous release\n")
    result = export_release(release, target, strict=True)
    assert result.withheld and target.read_text() == "previous release\n"
    report = json.loads(result.report_json.read_text())
    assert report["status"] == "withheld" and report["residual_findings"] == 1


def test_original_value_left_in_text_is_found_with_row(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "name": ["Maria Keller", "Jonas Berger", "Ada Quist"],
        "comment": ["all fine", "ticket from Jonas Berger again", "ok"],
    })
    recipe = parse_recipe({"columns": {"name": {"action": "redact", "kind": "identifier", "entity": "PERSON"},
                                       "comment": {"action": "keep"}}})
    from sanitas.core.dataset import Dataset

    release = run(Dataset.from_frame(frame), recipe)
    hits = release.residual.value_hits
    assert [(h.column, h.source_column, h.match, h.rows) for h in hits] == [("comment", "name", "substring", [2])]


def test_unlisted_personal_column_is_refused(demo_subset: Path) -> None:
    recipe = parse_recipe({"columns": {"full_name": {"action": "fake"}}})
    with pytest.raises(PolicyError) as err:
        run(open_dataset(demo_subset), recipe)
    assert "'email' (EMAIL_ADDRESS)" in err.value.message and "'amount'" not in err.value.message


def test_recipe_that_does_not_fit_lists_every_problem(demo_subset: Path) -> None:
    recipe = parse_recipe({"columns": {
        "no_such_column": {"action": "keep"},
        "age": {"action": "scrub"},
        "email": {"action": "pseudonymize", "params": {"key": "missing"}},
    }})
    with pytest.raises(RecipeError) as err:
        run(open_dataset(demo_subset), recipe)
    text = err.value.message
    assert "no_such_column" in text and "column 'age'" in text and "key 'missing'" in text


def test_cancel_stops_the_run_and_writes_nothing(demo_subset: Path, tmp_path: Path) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if fraction > 0.4:
            token.cancel()

    with pytest.raises(Cancelled):
        run(open_dataset(demo_subset), load_recipe(DEMO_RECIPE), recipe_dir=DEMO_RECIPE.parent,
            progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("limit", [200_000, 0], ids=["aho-corasick", "hashed-ngrams"])
def test_substring_search_both_ways(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from sanitas.core import residual

    monkeypatch.setattr(residual, "AHO_CORASICK_LIMIT", limit)
    originals = residual.original_values(pl.DataFrame({
        "name": ["Maria Keller", "Jonas Berger", "Ada"], "email": ["m.k@example.net", None, "jb@example.org"],
        "phone": ["(212) 555-0199", "555-0100", None],
    }), ["name", "email", "phone"])
    cells = pl.Series("notes", [
        "Spoke with Jonas Berger, who asked for a refund.",
        "cc m.k@example.net (billing).",
        "Call back on (212) 555-0199.",
        "Nothing personal here at all.",
        None,
    ])
    hits = {(h.source_column, tuple(h.rows)) for h in residual.substring_hits(cells, originals)}
    assert hits == {("name", (1,)), ("email", (2,)), ("phone", (3,))}
    exact = residual.exact_hits(pl.Series("x", [" Maria Keller ", "nobody", "Ada"]), originals)
    assert [(h.source_column, h.rows) for h in exact] == [("name", [1])], "short values are not compared"
