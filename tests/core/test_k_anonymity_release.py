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


MONDRIAN = {**RECIPE, "k_anonymity": {
    "quasi_identifiers": ["age", "sex", "zip", "city"], "method": "mondrian", "k": 5, "sensitive": ["diagnosis"],
    "l_diversity": {"variant": "distinct", "l": 2}}}


def test_mondrian_release_is_verified_and_reported(demo: Path, tmp_path: Path) -> None:
    release = run(open_dataset(demo), parse_recipe(MONDRIAN))
    facts = release.k_anonymity
    assert facts.method == "mondrian" and facts.method_label.startswith("Mondrian multidimensional partitioning")
    assert facts.partitions > 2000 / (4 * 5) and facts.levels == {} and facts.metric is None
    assert facts.all_hold and [c.model for c in facts.checks] == ["5-anonymity", "distinct 2-diversity"]
    assert release.frame.height == 2000 and facts.suppressed == 0  # strict Mondrian suppresses nothing
    groups = release.frame.group_by(["age", "sex", "zip", "city"]).agg(pl.len(), pl.col("diagnosis").n_unique())
    assert groups["len"].min() >= 5 and groups["diagnosis"].min() >= 2
    assert facts.risk_after.classes <= facts.partitions  # partitions whose labels coincide form one class
    assert all(c.generalization_level is None for c in facts.utility.columns)
    penalties = {c.column: c.certainty_penalty for c in facts.utility.columns}
    assert all(0.0 <= p < 1.0 for p in penalties.values())  # partitions cover part of each range, never all
    result = export_release(release, tmp_path / "m.csv")
    report = json.loads(result.report_json.read_text())
    assert report["k_anonymity"]["method"] == "mondrian" and report["k_anonymity"]["partitions"] == facts.partitions
    assert "Mondrian partitioning" in report["dataset_level"]["k_anonymity"]
    html = result.report_html.read_text()
    assert "Mondrian multidimensional partitioning (local recoding, heuristic)" in html
    assert f"{facts.partitions:,} partitions" in html and "lattice nodes evaluated" not in html
    assert "<th>Certainty penalty</th>" in html
    anonymity = pytest.importorskip("pycanon.anonymity")
    frame = release.frame.to_pandas()
    assert anonymity.k_anonymity(frame, ["age", "sex", "zip", "city"]) >= 5
    assert anonymity.l_diversity(frame, ["age", "sex", "zip", "city"], ["diagnosis"]) >= 2


def test_global_facts_say_which_search_ran(demo: Path) -> None:
    facts = run(open_dataset(demo), parse_recipe(RECIPE)).k_anonymity
    assert facts.method == "global" and facts.partitions is None
    assert facts.method_label == "Global recoding, exact optimum over the lattice (monotonicity pruning)"
    assert set(facts.levels) == set(facts.heights) == {"age", "sex", "zip", "city"}


def test_population_feeds_journalist_and_marketer_risk(demo: Path, tmp_path: Path) -> None:
    recipe = parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "population": 200_000}})
    release = run(open_dataset(demo), recipe)
    facts = release.k_anonymity
    before, after = facts.risk_before, facts.risk_after
    assert before.population == after.population == 200_000
    assert before.sampling_fraction == after.sampling_fraction == 2000 / 200_000  # suppression keeps the input's f
    assert after.journalist_risk.highest < after.prosecutor_risk.highest
    assert after.population_model.startswith("simple estimator")
    html = export_release(release, tmp_path / "p.csv").report_html.read_text()
    assert "population 200,000" in html and "sampling fraction 0.01" in html
    share = parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "sampling_fraction": 0.1}})
    facts = run(open_dataset(demo), share).k_anonymity
    assert facts.risk_before.sampling_fraction == facts.risk_after.sampling_fraction == 0.1
    assert facts.risk_before.population is None
    plain = run(open_dataset(demo), parse_recipe(RECIPE)).k_anonymity
    assert plain.risk_after.population_model == "the dataset is the population"
    assert plain.risk_after.journalist_risk == plain.risk_after.prosecutor_risk


def test_population_smaller_than_the_rows_is_refused(demo: Path) -> None:
    from sanitas.core.errors import SanitasError

    recipe = parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "population": 100}})
    with pytest.raises(SanitasError, match=r"population \(100\) cannot be smaller than the 2,000 rows"):
        run(open_dataset(demo), recipe)


def test_recursive_and_hierarchical_models_are_recomputed_on_the_output(demo: Path, tmp_path: Path) -> None:
    diagnoses = pl.read_csv(demo, infer_schema=False)["diagnosis"].unique().drop_nulls().sort().to_list()
    (tmp_path / "diagnosis.csv").write_text("".join(f"{d};{d[0]};*\n" for d in diagnoses))
    recipe = parse_recipe({**RECIPE, "k_anonymity": {
        **RECIPE["k_anonymity"], "l_diversity": {"variant": "recursive", "l": 2, "c": 4.0},
        "t_closeness": {"variant": "hierarchical", "t": 0.4},
        "hierarchies": {**RECIPE["k_anonymity"]["hierarchies"], "diagnosis": {"file": "diagnosis.csv"}}}})
    facts = run(open_dataset(demo), recipe, recipe_dir=tmp_path).k_anonymity
    assert facts.all_hold
    names = [c.model for c in facts.checks]
    assert names[1].startswith("recursive (4,2)-diversity") and names[2] == "0.4-closeness (hierarchical distance)"
    assert not any("not recomputed" in n or "recomputes equal distance only" in n for n in names)
    recursive, close = facts.checks[1], facts.checks[2]
    assert 0 < recursive.achieved < 4 and 0 < close.achieved <= 0.4


@pytest.mark.parametrize(("extra", "message"), [
    ({"t_closeness": {"t": 0.2}}, "t_closeness is not available with method 'mondrian'"),
    ({"average_risk": 0.1}, "average_risk is not available with method 'mondrian'"),
    ({"l_diversity": {"variant": "entropy", "l": 2}}, "l_diversity variant 'entropy' is not available"),
    ({"l_diversity": {"variant": "recursive", "l": 2, "c": 3}}, "l_diversity variant 'recursive' is not available"),
    ({"hierarchies": {"zip": {"auto": "postal"}}}, "hierarchies does not apply to method 'mondrian'"),
    ({"metric": "loss", "suppression": "mask"}, "metric, suppression do not apply to method 'mondrian'"),
    ({"suppression_limit": 0.05}, "suppression_limit does not apply to method 'mondrian'"),
])
def test_mondrian_refuses_what_it_cannot_guarantee(extra: dict[str, object], message: str) -> None:
    with pytest.raises(RecipeError) as caught:
        parse_recipe({**MONDRIAN, "k_anonymity": {**MONDRIAN["k_anonymity"], **extra}})
    assert any("field 'k_anonymity'" in p and message in p for p in caught.value.problems)


def test_population_and_sampling_fraction_are_validated() -> None:
    both = {**RECIPE["k_anonymity"], "population": 10_000, "sampling_fraction": 0.2}
    with pytest.raises(RecipeError, match=r"give 'population'.*or 'sampling_fraction'.*not both"):
        parse_recipe({**RECIPE, "k_anonymity": both})
    for bad in ({"population": 0}, {"sampling_fraction": 1.5}, {"sampling_fraction": 0}):
        with pytest.raises(RecipeError, match="k_anonymity"):
            parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], **bad}})


def test_model_options_are_validated_at_load() -> None:
    with pytest.raises(RecipeError, match=r"l_diversity: recursive \(c,l\)-diversity needs c"):
        parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "l_diversity": {"variant": "recursive"}}})
    with pytest.raises(RecipeError, match=r"t_closeness\.variant"):
        parse_recipe({**RECIPE, "k_anonymity": {**RECIPE["k_anonymity"], "t_closeness": {"variant": "x", "t": 0.1}}})


def test_mondrian_section_round_trips_without_global_fields() -> None:
    import yaml

    from sanitas.core.recipe import dump_recipe

    recipe = parse_recipe({**MONDRIAN, "k_anonymity": {**MONDRIAN["k_anonymity"], "population": 50_000}})
    data = yaml.safe_load(dump_recipe(recipe))["k_anonymity"]
    assert data["method"] == "mondrian" and data["population"] == 50_000
    assert not {"metric", "suppression", "suppression_limit", "hierarchies"} & set(data)
    assert parse_recipe(yaml.safe_load(dump_recipe(recipe))) == recipe
    assert "method" not in yaml.safe_load(dump_recipe(parse_recipe(RECIPE)))["k_anonymity"]  # global: as before


def test_a_release_that_fails_the_independent_check_is_refused(demo: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is the last gate: if the search ever released a table that breaks a model, nothing is written."""
    import sanitas.core.privacy.k_anonymity.anonymize as anonymize_module
    from sanitas.core.errors import VerificationError

    real = anonymize_module.anonymize

    def leaky(frame: pl.DataFrame, config: object, **kwargs: object) -> object:
        result = real(frame, config, **kwargs)
        return type(result)(frame, pl.Series("suppressed", [False] * frame.height), result.levels, result.loss,
                            result.metric, result.stats, result.facts)  # the untouched input, claimed anonymous

    monkeypatch.setattr(anonymize_module, "anonymize", leaky)
    with pytest.raises(VerificationError, match="does not satisfy 5-anonymity"):
        run(open_dataset(demo), parse_recipe(RECIPE))
    assert not list(tmp_path.iterdir())


def test_a_release_with_every_record_suppressed_or_no_records_is_refused() -> None:
    from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationError
    from sanitas.core.privacy.k_anonymity.release import k_anonymity_step
    from sanitas.core.recipe import KAnonymitySection

    frame = pl.DataFrame({"age": [30 + i for i in range(40)], "sex": ["F", "M"] * 20})
    section = KAnonymitySection(quasi_identifiers=["age", "sex"], k=60, suppression_limit=1.0)
    with pytest.raises(AnonymizationError, match="every one of the 40 records would be suppressed"):
        k_anonymity_step(frame, section, source="s.csv")
    with pytest.raises(AnonymizationError, match=r"s\.csv: the table has no records"):
        k_anonymity_step(frame.head(0), section, source="s.csv")


def test_a_quasi_identifier_released_unchanged_outside_the_section_is_flagged(demo: Path, tmp_path: Path) -> None:
    """The models only cover the listed quasi-identifiers: a detected one kept raw beside them is said loudly."""
    recipe = parse_recipe({**RECIPE, "columns": {**RECIPE["columns"], "date_of_birth": {"action": "keep"}}})
    release = run(open_dataset(demo), recipe)
    facts = release.k_anonymity
    assert facts.all_hold and facts.unchanged_quasi_identifiers == ["date_of_birth"]
    assert facts.risk_with_unchanged.k == 1 and facts.risk_with_unchanged.sample_uniques > 1000
    result = export_release(release, tmp_path / "dob.csv")
    report = json.loads(result.report_json.read_text())
    assert "date_of_birth (detected as quasi-identifying) is released unchanged" in report["status_reason"]
    assert "not covering date_of_birth" in report["dataset_level"]["k_anonymity"]
    age = next(c for c in report["columns"] if c["name"] == "age")
    assert age["result"] == "generalized" and age["output_dtype"] == "String"
    assert age["facts"]["generalized_by"].startswith("k-anonymity, level ")
    assert "k-anonymity incomplete" in result.report_html.read_text()
