"""DifferentialPrivacyStep end to end on a Faker table: problems first, then records or aggregates, facts, report."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import yaml
from faker import Faker

from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.privacy.dp.section import DifferentialPrivacySection
from sanitas.core.privacy.dp.step import DifferentialPrivacyStep
from sanitas.core.report.render import _environment
from sanitas.core.steps.protocol import DatasetStep, StepContext
from sanitas.core.transforms import make_transform


def customers(n: int = 1500) -> pl.DataFrame:
    fake = Faker("en_US")
    fake.seed_instance(42)
    rows = [{"name": fake.name(), "race": fake.random_element(["Asian", "Black", "White", "Other"]),
             "sex": fake.random_element(["F", "M"]), "age": None if i % 17 == 0 else fake.random_int(17, 90),
             "income": float(fake.random_int(0, 150_000))} for i in range(n)]
    return pl.DataFrame(rows)


STEP: DatasetStep = DifferentialPrivacyStep()  # the protocol's shape, checked by the type checker


def _problems(section: DifferentialPrivacySection, frame: pl.DataFrame, **kw: object) -> list[str]:
    return STEP.section_problems(section, frame.schema, frame.columns, **kw)  # type: ignore[arg-type]


def test_the_step_declares_its_protocol_attributes() -> None:
    assert (STEP.name, STEP.order, STEP.template) == ("differential_privacy", 30, "steps/differential_privacy.html.j2")
    assert STEP.section_model is DifferentialPrivacySection and STEP.title


def test_records_release_noises_the_listed_columns_and_reports_the_budget() -> None:
    frame = customers()
    recipe = yaml.safe_load("""
columns:
  age: {action: dp_noise, params: {mechanism: laplace, epsilon: 0.5, lower: 17, upper: 90}}
  sex: {action: dp_noise, params: {mechanism: randomized_response, epsilon: 0.25, domain: [F, M]}}
differential_privacy: {epsilon: 1.0}
""")
    section = DifferentialPrivacySection.model_validate(recipe["differential_privacy"])
    params = {c: make_transform(a["action"], a["params"]).params for c, a in recipe["columns"].items()}
    assert _problems(section, frame, column_params=params) == []
    assert STEP.covered_columns(section) == set()
    result = STEP.run(frame, section, StepContext(source_name="customers.csv", rng=np.random.default_rng(1)),
                      column_params=params)  # type: ignore[call-arg]
    assert result.frame is not None and result.artifact is None and result.releases_real_records
    out = result.frame
    assert out.columns == frame.columns and out["name"].equals(frame["name"])
    assert out["age"].dtype == pl.Int64 and out["age"].is_between(17, 90).all()
    assert out["age"].is_null().equals(frame["age"].is_null())
    facts = json.loads(result.facts.model_dump_json())
    assert facts["epsilon_total"] == 1.0 and facts["epsilon_spent"] == 0.75 and facts["delta_spent"] == 0
    assert [m["column"] for m in facts["mechanisms"]] == ["age", "sex"]
    assert facts["mechanisms"][0]["noise_scale"] == 146.0 and "not reproducible" in facts["randomness"]
    assert "epsilon 0.75 of 1 spent" in result.summary[0]
    html = _environment().get_template(STEP.template).render(facts=result.facts)
    assert "0.75 spent of 1" in html and "<script" not in html and "146" in html and "randomized_response" in html


def test_aggregates_release_writes_the_table_and_no_record() -> None:
    frame = customers()
    section = DifferentialPrivacySection.model_validate(yaml.safe_load("""
epsilon: 2.0
delta: 1.0e-6
output: aggregates
aggregates:
  - {statistic: count, by: [race, sex], epsilon: 1.0}
  - {statistic: mean, column: age, by: [sex], epsilon: 1.0, lower: 17, upper: 90}
"""))
    assert _problems(section, frame) == []
    assert STEP.covered_columns(section) == {"race", "sex", "age"}
    result = STEP.run(frame, section, StepContext(source_name="customers.csv", rng=np.random.default_rng(2)))
    assert result.frame is None and not result.releases_real_records
    table = result.artifact
    assert table is not None and table.columns[:3] == ["statistic", "column", "group"]
    assert table.filter(pl.col("statistic") == "count").height == 8
    assert table.filter(pl.col("statistic") == "mean")["group"].to_list() == ["sex=F", "sex=M"]
    facts = result.facts.model_dump()
    assert facts["output"] == "aggregates" and facts["epsilon_spent"] == 2.0 and facts["delta_spent"] <= 1e-6
    assert "Add/remove one record" in facts["neighbourhood"]
    assert [m["key_threshold"] for m in facts["mechanisms"]] == [16, 30]
    html = _environment().get_template(STEP.template).render(facts=result.facts.model_dump())
    assert "aggregate release" in html and "group(s) released" in html and "no record" in html


def test_problems_are_found_before_any_work() -> None:
    frame = customers(50)
    section = DifferentialPrivacySection.model_validate({"epsilon": 1.0, "output": "aggregates", "aggregates": [
        {"statistic": "mean", "column": "name", "epsilon": 0.8, "lower": 0, "upper": 1},
        {"statistic": "count", "by": ["zip"], "epsilon": 0.8}]})
    problems = _problems(section, frame)
    assert any("ask for 1.6" in p for p in problems)
    assert any("numeric column; 'name'" in p for p in problems)
    assert any("no column 'zip'" in p for p in problems)
    assert any("groups of zip are not declared" in p for p in problems)
    records = DifferentialPrivacySection.model_validate({"epsilon": 1.0})
    params = {"name": DpNoiseParams(epsilon=0.5, lower=0, upper=1),
              "race": DpNoiseParams(epsilon=0.1, domain_from_hierarchy=True),
              "gone": DpNoiseParams(epsilon=0.1, lower=0, upper=1)}
    problems = _problems(records, frame, column_params=params)
    assert any(p.startswith("columns.name: dp_noise:") and "numeric" in p for p in problems)
    assert any(p.startswith("columns.race") and "hierarchy" in p for p in problems)
    assert any(p.startswith("columns.gone") for p in problems)
    assert _problems(records, frame, column_params={"race": params["race"]},
                     hierarchy_domains={"race": ["Asian", "Black", "White", "Other"]}) == []


def test_dp_noise_params_are_read_from_the_recipes_column_plans() -> None:
    from sanitas.core.privacy.dp.step import dp_noise_params, hierarchy_values
    from sanitas.core.privacy.hierarchies.hierarchy import Hierarchy
    from sanitas.core.recipe import ColumnPlan

    columns = yaml.safe_load("""
age: {action: dp_noise, params: {mechanism: laplace, epsilon: 0.5, lower: 17, upper: 90}}
name: {action: redact}
""")
    params = dp_noise_params(columns)
    assert list(params) == ["age"] and params["age"].share == (0.5, 0.0)
    plans = {c: ColumnPlan.model_validate(v) for c, v in columns.items()}
    assert dp_noise_params(plans) == params
    race = Hierarchy.from_rows("race", [["Asian", "*"], ["Black", "*"]])
    assert hierarchy_values({"race": race}) == {"race": ["Asian", "Black"]}
