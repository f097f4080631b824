"""The synthetic section validates alone, with messages that name the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sanitas.core.privacy.synthetic import SyntheticSection


def test_the_minimal_section_is_whole() -> None:
    for data in ({"synthesizer": "gaussian_copula"}, {}):
        section = SyntheticSection.model_validate(data)
        assert section.synthesizer == "gaussian_copula" and section.holdout == 0.2 and section.rows is None
        assert section.evaluation.target is None and not section.constraints


def test_holdout_zero_is_allowed_and_bounds_are_checked() -> None:
    assert SyntheticSection(holdout=0).holdout == 0
    with pytest.raises(ValidationError, match="holdout"):
        SyntheticSection(holdout=0.9)


@pytest.mark.parametrize(("data", "words"), [
    ({"synthesiser": "ctgan"}, "synthesiser"),
    ({"synthesizer": "gan"}, "synthesizer"),
    ({"synthesizer": "ctgan", "batch_size": 55}, "multiple of 10"),
    ({"synthesizer": "tvae", "numerical_distributions": {"age": "beta"}}, "numerical_distributions"),
    ({"numerical_distributions": {"age": "lognormal"}}, "numerical_distributions.age"),
    ({"constraints": {"fixed_combinations": [["city"]]}}, "at least two different columns"),
    ({"constraints": {"positive": ["a"], "negative": ["a"]}}, "both positive and negative"),
    ({"constraints": {"inequalities": [{"low": "a"}]}}, "high"),
    ({"evaluation": {"target": "grade", "max_rows": 5}}, "max_rows"),
    ({"sdtypes": {"age": "not a type"}}, "sdtypes.age"),
])
def test_bad_sections_name_the_field(data: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        SyntheticSection.model_validate(data)
    assert words in str(info.value)


def test_referenced_columns_by_field() -> None:
    section = SyntheticSection.model_validate({
        "primary_key": "id", "sdtypes": {"zip": "categorical"},
        "constraints": {"inequalities": [{"low": "start", "high": "end"}], "positive": ["spend"]},
        "evaluation": {"target": "grade"},
    })
    refs = section.referenced_columns()
    assert refs["primary_key"] == ["id"] and refs["evaluation.target"] == ["grade"]
    assert refs["constraints"] == ["start", "end", "spend"] and refs["sdtypes"] == ["zip"]
