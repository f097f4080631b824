"""SyntheticStep.problems: everything wrong with a synthetic section is found before any work starts."""

from __future__ import annotations

import polars as pl
from synthetic_data import decisions

from sanitas.core.privacy.synthetic import SyntheticSection, SyntheticStep
from sanitas.core.steps.protocol import ColumnDecision


def _problems(table: pl.DataFrame, section: dict[str, object], **kwargs: object) -> list[str]:
    return SyntheticStep().problems(SyntheticSection.model_validate(section), table.schema, decisions(table),
                                    table.columns, **kwargs)  # type: ignore[arg-type]


def test_a_plain_section_has_no_problem(table: pl.DataFrame) -> None:
    assert _problems(table, {}) == []
    assert _problems(table, {}, explicit_actions={"name": "mask", "email": "redact", "age": "generalize",
                                                  "city": "drop", "zip3": "fake"}) == []


def test_unknown_and_dropped_columns_name_the_field(table: pl.DataFrame) -> None:
    problems = _problems(table, {"primary_key": "id", "constraints": {"positive": ["spend", "wage"]},
                                 "evaluation": {"target": "grade"}, "sdtypes": {"zip4": "categorical"}},
                         explicit_actions={"grade": "drop"})
    text = "\n".join(problems)
    assert "synthetic.primary_key: no column named 'id'" in text
    assert "synthetic.constraints: no column named 'wage'" in text
    assert "synthetic.sdtypes: no column named 'zip4'" in text
    assert "synthetic.evaluation.target: column 'grade' is dropped before training" in text


def test_keep_pseudonymize_and_dp_noise_are_refused_with_the_reason(table: pl.DataFrame) -> None:
    problems = _problems(table, {}, explicit_actions={"age": "keep", "email": "pseudonymize", "income": "dp_noise",
                                                      "name": "mask", "grade": "synthesize"})
    assert len(problems) == 4
    assert any("column 'grade': action synthesize" in p and "synthesized already" in p for p in problems)
    assert any("column 'age': action keep" in p and "keeps no real value" in p for p in problems)
    assert any("column 'email': action pseudonymize" in p and "protect nobody" in p for p in problems)
    assert any("column 'income': action dp_noise" in p and "one release model at a time" in p for p in problems)


def test_k_anonymity_together_is_refused(table: pl.DataFrame) -> None:
    problems = _problems(table, {}, other_sections={"k_anonymity"})
    assert problems and "k_anonymity" in problems[0]


def test_identifiers_cannot_be_targets_or_constrained(table: pl.DataFrame) -> None:
    problems = _problems(table, {"evaluation": {"target": "email"}, "constraints": {"positive": ["name"]}})
    assert any("evaluation.target: column 'email' is a direct identifier" in p for p in problems)
    assert any("constraints: column 'name' is a direct identifier" in p for p in problems)


def test_unsupported_dtypes_and_nothing_left(table: pl.DataFrame) -> None:
    frame = table.with_columns(pl.col("age").cast(pl.String).str.split("").alias("tags"))
    schema = frame.schema
    decided = {n: ColumnDecision(n, str(t), "keep", None, None) for n, t in schema.items()}
    step = SyntheticStep()
    problems = step.problems(SyntheticSection(), schema, decided, frame.columns)
    assert problems == [f"column 'tags': {schema['tags']} columns cannot be synthesized "
                        "(text, numbers, booleans, dates and date-times can); drop it"]
    everything = {n: "drop" for n in frame.columns}
    assert any("nothing is left" in p for p in step.problems(SyntheticSection(), schema, decided, frame.columns,
                                                             explicit_actions=everything))


def test_the_step_declares_itself() -> None:
    step = SyntheticStep()
    assert (step.name, step.order, step.template) == ("synthetic", 20, "steps/synthetic.html.j2")
    assert step.section_model is SyntheticSection and step.covers_all_columns
    assert step.covered_columns(SyntheticSection.model_validate({"evaluation": {"target": "grade"}})) == {"grade"}
