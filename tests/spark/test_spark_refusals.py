"""What the Spark engine cannot run yet is refused up front, every problem in one message naming its column
or step (no session needed: ``refuse_unsupported`` runs before Spark reads anything)."""

from __future__ import annotations

import pytest

from sanitas.core.errors import RecipeError
from sanitas.core.recipe import parse_recipe


def _problems(data: dict) -> list[str]:
    pytest.importorskip("pyspark")
    from sanitas.spark.engine import refuse_unsupported

    with pytest.raises(RecipeError) as raised:
        refuse_unsupported(parse_recipe({"version": 1, **data}))
    assert "Spark engine cannot run this recipe" in str(raised.value)
    return list(raised.value.problems) if hasattr(raised.value, "problems") else [str(raised.value)]


def test_every_refusal_is_named_in_one_message() -> None:
    problems = " | ".join(_problems({
        "columns": {"note": {"action": "scrub"},
                    "race": {"action": "dp_noise", "params": {"epsilon": 0.5, "domain_from_hierarchy": True}}},
        "differential_privacy": {"epsilon": 1.0},
        "k_anonymity": {"k": 5, "quasi_identifiers": ["age"], "method": "mondrian"}}))
    assert "column 'note', action 'scrub'" in problems
    assert "column 'race', action 'dp_noise': domain_from_hierarchy" in problems
    assert "method 'mondrian'" in problems


def test_synthetic_refuses_the_actions_applied_after_sampling() -> None:
    problems = " | ".join(_problems({"synthetic": {}, "columns": {
        "email": {"action": "mask"}, "ssn": {"action": "redact"}, "age": {"action": "generalize",
                                                                          "params": {"width": 10}},
        "name": {"action": "fake"}}}))
    for column, action in (("email", "mask"), ("ssn", "redact"), ("age", "generalize")):
        assert f"column '{column}', action '{action}'" in problems
    assert "'name'" not in problems
