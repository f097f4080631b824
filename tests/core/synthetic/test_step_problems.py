"""SyntheticStep.problems: everything wrong with a synthetic section is found before any work starts."""

from __future__ import annotations

from typing import Any

import polars as pl
from synthetic_data import decisions

from sanitas.core.privacy.synthetic import SyntheticSection, SyntheticStep, identifiers_from
from sanitas.core.steps.protocol import PlanView


def _problems(table: pl.DataFrame, section: dict[str, object], actions: dict[str, str] | None = None,
              sections: dict[str, Any] | None = None, corrected: frozenset[str] = frozenset()) -> list[str]:
    plan = PlanView(actions=actions or {}, unlisted_columns="keep-non-personal", sections=sections or {},
                    corrected=corrected)
    return SyntheticStep().problems(SyntheticSection.model_validate(section), plan, table.schema)


def test_a_plain_section_has_no_problem(table: pl.DataFrame) -> None:
    assert _problems(table, {}) == []
    assert _problems(table, {}, {"name": "mask", "email": "redact", "age": "generalize", "city": "drop",
                                 "zip3": "fake"}) == []


def test_unknown_and_dropped_columns_name_the_field(table: pl.DataFrame) -> None:
    problems = _problems(table, {"primary_key": "id", "constraints": {"positive": ["spend", "wage"]},
                                 "evaluation": {"target": "grade"}, "sdtypes": {"zip4": "categorical"}},
                         {"grade": "drop"})
    text = "\n".join(problems)
    assert "synthetic.primary_key: no column named 'id'" in text
    assert "synthetic.constraints: no column named 'wage'" in text
    assert "synthetic.sdtypes: no column named 'zip4'" in text
    assert "synthetic.evaluation.target: column 'grade' is dropped before training" in text


def test_keep_pseudonymize_and_dp_noise_are_refused_with_the_reason(table: pl.DataFrame) -> None:
    problems = _problems(table, {}, {"age": "keep", "email": "pseudonymize", "income": "dp_noise",
                                     "name": "mask", "grade": "synthesize"})
    assert len(problems) == 4
    assert any("column 'grade': action synthesize" in p and "synthesized already" in p for p in problems)
    assert any("column 'age': action keep" in p and "keeps no real value" in p for p in problems)
    assert any("column 'email': action pseudonymize" in p and "protect nobody" in p for p in problems)
    assert any("column 'income': action dp_noise" in p and "one release model at a time" in p for p in problems)
    assert _problems(table, {}, {"city": "keep"}, corrected=frozenset({"city"})) == [], "a correction only"


def test_other_release_models_together_are_refused(table: pl.DataFrame) -> None:
    for other in ("k_anonymity", "differential_privacy"):
        problems = _problems(table, {}, sections={other: object()})
        assert problems and other in problems[0] and "one release model at a time" in problems[0]


def test_identifiers_cannot_be_targets_or_constrained(table: pl.DataFrame) -> None:
    section = SyntheticSection.model_validate({"evaluation": {"target": "email"},
                                               "constraints": {"positive": ["name"]}})
    problems = SyntheticStep().identifier_problems(section, identifiers_from(decisions(table)))
    assert any("evaluation.target: column 'email' is a direct identifier" in p for p in problems)
    assert any("constraints: column 'name' is a direct identifier" in p for p in problems)
    faked = _problems(table, {"constraints": {"positive": ["spend"]}}, {"spend": "fake"})
    assert any("synthetic.constraints: column 'spend' is faked" in p for p in faked)


def test_a_fake_action_picks_the_entity(table: pl.DataFrame) -> None:
    decided = decisions(table)
    decided["city"] = decided["city"].__class__(name="city", action="fake", entity=None, kind=None, corrected=False)
    ids = identifiers_from(decided, {"city": {"entity": "location"}})
    assert ids == {"name": "PERSON", "email": "EMAIL_ADDRESS", "city": "LOCATION"}


def test_unsupported_dtypes_and_nothing_left(table: pl.DataFrame) -> None:
    frame = table.with_columns(pl.col("age").cast(pl.String).str.split("").alias("tags"))
    schema = frame.schema
    problems = _problems(frame, {})
    assert problems == [f"column 'tags': {schema['tags']} columns cannot be synthesized "
                        "(text, numbers, booleans, dates and date-times can); drop it"]
    everything = {n: "drop" for n in frame.columns}
    assert any("nothing is left" in p for p in _problems(frame, {}, everything))


def test_the_step_declares_itself() -> None:
    step = SyntheticStep()
    section = SyntheticSection.model_validate({"evaluation": {"target": "grade"}})
    assert (step.name, step.order, step.template) == ("synthetic", 20, "steps/synthetic.html.j2")
    assert step.section_model is SyntheticSection and step.covers_all_columns(section)
    assert step.covered_columns(section) == {"grade"}
    assert [step.defers(section, a) for a in ("mask", "redact", "generalize", "drop", "fake")] == [
        True, True, True, False, False]
    plan = PlanView(actions={"name": "fake", "city": "drop"}, unlisted_columns="keep")
    assert step.handles_columns(section, plan) == {"name"}
