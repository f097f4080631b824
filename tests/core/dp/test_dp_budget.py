"""The section validates the issue's two shapes exactly; shares compose; over-budget plans are refused first."""

from __future__ import annotations

import pytest
import yaml
from diffprivlib.utils import BudgetError
from pydantic import ValidationError

from sanitas.core.privacy.dp.budget import aggregate_deltas, budget_problems, plan_shares, spend
from sanitas.core.privacy.dp.section import AggregateSpec, DifferentialPrivacySection
from sanitas.core.transforms import make_transform

RECORDS = """
columns:
  age: {action: dp_noise, params: {mechanism: laplace, epsilon: 0.5, lower: 17, upper: 90}}
differential_privacy:
  epsilon: 1.0
"""

AGGREGATES = """
differential_privacy:
  epsilon: 2.0
  delta: 1.0e-6
  output: aggregates
  aggregates:
    - {statistic: count, by: [race, sex], epsilon: 1.0}
    - {statistic: mean, column: age, by: [sex], epsilon: 1.0, lower: 17, upper: 90}
"""


def _section(data: dict[str, object]) -> DifferentialPrivacySection:
    return DifferentialPrivacySection.model_validate(data)


def test_the_records_shape_validates() -> None:
    recipe = yaml.safe_load(RECORDS)
    section = _section(recipe["differential_privacy"])
    assert section.epsilon == 1.0 and section.delta == 0 and section.output == "records" and not section.aggregates
    age = recipe["columns"]["age"]
    action = make_transform(age["action"], age["params"])
    assert action.params.share == (0.5, 0.0)
    assert budget_problems(section, {"age": action.params.share}) == []


def test_the_aggregates_shape_validates() -> None:
    section = _section(yaml.safe_load(AGGREGATES)["differential_privacy"])
    count, mean = section.aggregates
    assert (count.statistic, count.by, count.column, count.epsilon) == ("count", ["race", "sex"], None, 1.0)
    assert (mean.column, mean.lower, mean.upper, mean.by) == ("age", 17, 90, ["sex"])
    assert budget_problems(section, {}) == []
    assert aggregate_deltas(section, {}) == [5e-7, 5e-7]  # the delta split between the two figures


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"statistic": "mean", "column": "age", "epsilon": 1}, "never read from the data"),
        ({"statistic": "sum", "epsilon": 1, "lower": 0, "upper": 1}, "column"),
        ({"statistic": "count", "epsilon": 1, "lower": 0, "upper": 1}, "count takes no bounds"),
        ({"statistic": "quantile", "column": "a", "epsilon": 1, "lower": 0, "upper": 1}, "level"),
        ({"statistic": "quantile", "column": "a", "epsilon": 1, "lower": 0, "upper": 1, "quantile": 2}, "between"),
        ({"statistic": "histogram", "column": "a", "epsilon": 1, "lower": 0, "upper": 1}, "bins"),
        ({"statistic": "histogram", "column": "a", "epsilon": 1, "lower": 0, "upper": 1, "bins": [3, 1]}, "increasing"),
        ({"statistic": "count", "epsilon": 1, "by": ["a"], "domains": {"b": ["x"]}}, "not in by"),
        ({"statistic": "count", "epsilon": 0}, "greater than 0"),
        ({"statistic": "mean", "column": "a", "by": ["a"], "epsilon": 1, "lower": 0, "upper": 1}, "cannot also"),
        ({"statistic": "count", "epsilon": 1, "colour": "red"}, "colour"),
    ],
)
def test_aggregate_specs_name_what_is_wrong(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AggregateSpec.model_validate(spec)


def test_section_shapes_are_checked() -> None:
    with pytest.raises(ValidationError, match="at least one figure"):
        _section({"epsilon": 1, "output": "aggregates"})
    with pytest.raises(ValidationError, match="set output: aggregates"):
        _section({"epsilon": 1, "aggregates": [{"statistic": "count", "epsilon": 1}]})
    with pytest.raises(ValidationError, match="epsilon"):
        _section({"delta": 0.1})
    with pytest.raises(ValidationError, match="extra"):
        _section({"epsilon": 1, "budget": 3})
    spec = AggregateSpec.model_validate({"statistic": "quantile", "column": "a", "epsilon": 1, "lower": 0,
                                         "upper": 1, "quantile": 0.5, "by": ["g"], "domains": {"g": [1, True]}})
    assert spec.levels == [0.5] and spec.domains == {"g": ["1", "true"]}


def test_over_budget_plans_name_the_total_the_sum_and_the_biggest_shares() -> None:
    section = _section({"epsilon": 1.0})
    problems = budget_problems(section, {"age": (0.5, 0.0), "income": (0.4, 0.0), "zip": (0.3, 0.0)})
    assert len(problems) == 1
    text = problems[0]
    assert "differential_privacy.epsilon is 1" in text and "ask for 1.2" in text
    assert "column 'age' 0.5, column 'income' 0.4, column 'zip' 0.3" in text


def test_shares_compose_exactly_to_the_total_despite_floating_point() -> None:
    section = _section({"epsilon": 1.0, "delta": 1e-5})
    shares = {"a": (0.1, 0.0), "b": (0.2, 0.0), "c": (0.7, 0.0)}  # 1.0000000000000002 in floating point
    assert budget_problems(section, shares) == []
    assert spend(section, plan_shares(section, shares))[0] == pytest.approx(1.0)


def test_delta_is_accounted_too() -> None:
    section = _section({"epsilon": 5.0, "delta": 1e-6})
    problems = budget_problems(section, {"income": (1.0, 1e-5)})
    assert len(problems) == 1 and "differential_privacy.delta is 1e-06" in problems[0] and "income" in problems[0]
    with pytest.raises(BudgetError):
        spend(section, plan_shares(section, {"income": (1.0, 1e-5)}))


def test_undeclared_group_keys_need_a_delta_or_a_domain() -> None:
    data = {"epsilon": 1.0, "output": "aggregates",
            "aggregates": [{"statistic": "count", "by": ["race"], "epsilon": 1}]}
    problems = budget_problems(_section(data), {})
    assert len(problems) == 1 and "groups of race are not declared" in problems[0]
    assert "domains: {race: [...]}" in problems[0] and "delta > 0" in problems[0]
    declared = {**data, "aggregates": [{"statistic": "count", "by": ["race"], "epsilon": 1,
                                        "domains": {"race": ["A", "B"]}}]}
    assert budget_problems(_section(declared), {}) == []
    assert budget_problems(_section(data), {}, hierarchy_columns={"race"}) == []  # a hierarchy declares them
    assert budget_problems(_section({**data, "delta": 1e-6}), {}) == []
    # all of the delta already given to a column: nothing left for the keys
    left = budget_problems(_section({**data, "delta": 1e-6}), {"age": (0.0001, 1e-6)})
    assert any("not declared" in p for p in left)


def test_dp_noise_with_aggregates_output_is_refused() -> None:
    section = _section(yaml.safe_load(AGGREGATES)["differential_privacy"])
    problems = budget_problems(section, {"age": (0.1, 0.0)})
    assert any("no record is released" in p and "'age'" in p for p in problems)
    assert any("ask for 2.1" in p for p in problems)
