"""Whole-table synthetic releases with real SDV runs (Gaussian copula, small seeded tables)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from synthetic_data import CITIES, decisions

from sanitas.core.errors import RecipeError, SanitasError
from sanitas.core.privacy.synthetic import (
    SynthesisError,
    SyntheticFacts,
    SyntheticSection,
    SyntheticStep,
    detect_metadata,
    synthesize,
)
from sanitas.core.steps.protocol import PlanView, StepContext, StepResult

SECTION = {"constraints": {"positive": ["spend"], "inequalities": [{"low": "spend", "high": "income"}]},
           "evaluation": {"target": "grade"}}


def _run(table: pl.DataFrame, section: dict[str, object], seed: int = 5) -> StepResult:
    messages: list[tuple[float, str]] = []
    plan = PlanView(actions={}, unlisted_columns="keep-non-personal", seed=seed)
    context = StepContext(source_name="people.csv", plan=plan, source=table, decisions=decisions(table),
                          progress=lambda f, m: messages.append((f, m)))
    result = SyntheticStep().run(table, SyntheticSection.model_validate(section), context)
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # progress only moves forward
    return result


@pytest.fixture(scope="module")
def release(table: pl.DataFrame) -> StepResult:
    return _run(table, SECTION)


def test_the_release_has_the_input_shape_and_no_real_record(table: pl.DataFrame, release: StepResult) -> None:
    out = release.frame
    assert out is not None and out.schema == table.schema and out.height == table.height
    assert release.releases_real_records is False
    assert out.null_count().sum_horizontal().item() == 0
    assert set(out["sex"].unique()) <= {"F", "M"} and set(out["grade"].unique()) <= {"low", "mid", "high"}


def test_identifiers_are_generated_never_copied(table: pl.DataFrame, release: StepResult) -> None:
    out = release.frame
    assert out is not None
    for column in ("name", "email"):
        assert not set(out[column].to_list()) & set(table[column].to_list()), column
    assert out["email"].str.contains("@").all()
    facts = release.facts
    assert isinstance(facts, SyntheticFacts)
    assert facts.generated_columns == ["name", "email"]
    assert (facts.sdtypes["name"], facts.sdtypes["email"]) == ("name", "email")


def test_city_stays_a_learned_category(table: pl.DataFrame, release: StepResult) -> None:
    """SDV takes a city column for PII (fake cities); here it is not an identifier, so it is learned."""
    facts = release.facts
    assert isinstance(facts, SyntheticFacts) and facts.sdtypes["city"] == "categorical"
    assert release.frame is not None and set(release.frame["city"].unique()) <= set(CITIES)
    assert any(n.startswith("city: SDV took it for") for n in facts.metadata_notes)


def test_constraints_hold(release: StepResult) -> None:
    out = release.frame
    assert out is not None
    assert (out["spend"] >= 0).all() and (out["spend"] <= out["income"]).all()


def test_facts_quality_privacy_utility(release: StepResult) -> None:
    facts = release.facts
    assert isinstance(facts, SyntheticFacts)
    assert (facts.rows_input, facts.rows_trained, facts.rows_held_out, facts.rows_generated) == (400, 320, 80, 400)
    q = facts.quality
    assert q is not None and q.score is not None and 0.6 < q.score <= 1
    assert {s.column for s in q.column_shapes} == {"age", "sex", "zip3", "city", "income", "spend", "grade", "joined"}
    assert q.diagnostic is not None and q.diagnostic.score == 1.0
    assert q.worst_columns and len(facts.plots) == len(q.worst_columns)
    p = facts.privacy
    assert p is not None and not p.flagged and p.baseline is not None
    assert p.quasi_identifiers == ["age", "sex", "zip3"] and p.k is not None and p.dcr_share is not None
    assert 0.3 < p.dcr_share < 0.7
    u = facts.utility
    assert u is not None and u.metric == "macro F1" and u.task == "classification"
    assert u.tstr is not None and u.trtr is not None and 0 <= u.tstr <= 1 and u.trtr > 0.5
    assert facts.seconds["total"] > 0 and SyntheticStep().summary(facts)[0].startswith(
        "Synthetic data: 400 rows from gaussian_copula")


def test_facts_json_holds_no_data_value(table: pl.DataFrame, release: StepResult) -> None:
    text = json.dumps(release.facts.model_dump(mode="json"))
    for column in ("name", "email"):
        for value in table[column].to_list():
            assert value not in text
    facts = release.facts
    assert isinstance(facts, SyntheticFacts) and all(p.labels for p in facts.plots)


def test_same_seed_same_table_other_seed_other_table(table: pl.DataFrame, release: StepResult) -> None:
    again = _run(table, SECTION)
    other = _run(table, SECTION, seed=6)
    assert release.frame is not None and again.frame is not None and other.frame is not None
    assert again.frame.equals(release.frame)
    assert not other.frame.drop("name", "email").equals(release.frame.drop("name", "email"))


def test_rows_and_holdout_zero(table: pl.DataFrame) -> None:
    result = _run(table, {"rows": 150, "holdout": 0, "evaluation": {"target": "grade", "quality": False}})
    facts = result.facts
    assert isinstance(facts, SyntheticFacts) and result.frame is not None and result.frame.height == 150
    assert (facts.rows_trained, facts.rows_held_out) == (400, 0)
    assert facts.quality is None and facts.utility is None
    assert facts.privacy is not None and facts.privacy.baseline is None and facts.privacy.dcr_share is None
    missing = " ".join(facts.missing)
    assert "baseline" in missing and "DCR" in missing and "utility" in missing


def test_too_few_rows_and_bad_constraints_are_analyst_errors(table: pl.DataFrame) -> None:
    with pytest.raises(SynthesisError, match="at least 10"):
        synthesize(table.head(5), SyntheticSection())
    with pytest.raises(RecipeError, match=r"synthetic\.constraints"):
        synthesize(table, SyntheticSection.model_validate({"constraints": {"inequalities": [
            {"low": "income", "high": "sex"}]}}))
    with pytest.raises(SanitasError, match="positive"):
        synthesize(table.with_columns(pl.col("spend") - 10_000), SyntheticSection.model_validate(
            {"constraints": {"positive": ["spend"]}}))


def test_metadata_before_training_and_analyst_overrides(table: pl.DataFrame) -> None:
    sdtypes, generated, notes = detect_metadata(table, SyntheticSection(), identifiers={"name": "PERSON"})
    assert sdtypes["name"] == "name" and sdtypes["city"] == "categorical" and sdtypes["income"] == "numerical"
    assert "email" in generated and any("mostly unique text" in n for n in notes)  # not declared: still not learned
    section = SyntheticSection.model_validate({"sdtypes": {"city": "city", "age": "categorical"}})
    sdtypes, generated, _ = detect_metadata(table, section, identifiers={"name": "PERSON"})
    assert sdtypes["city"] == "city" and "city" in generated and sdtypes["age"] == "categorical"
