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


def test_the_recipe_holds_a_typed_synthetic_section(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sanitas.core.errors import RecipeError
    from sanitas.core.recipe import load_recipe, save_recipe

    path = tmp_path / "only.yaml"
    path.write_text("version: 1\nseed: 4\nsynthetic: {synthesizer: gaussian_copula}\n")
    recipe = load_recipe(path)
    assert isinstance(recipe.synthetic, SyntheticSection) and recipe.columns == {}
    assert list(recipe.dataset_sections()) == ["synthetic"]
    tuned = recipe.model_copy(update={"synthetic": SyntheticSection.model_validate(
        {"synthesizer": "ctgan", "epochs": 20, "constraints": {"positive": ["spend"]}})})
    written = save_recipe(tuned, tmp_path / "tuned.yaml").read_text()
    assert "epochs: 20" in written and "holdout" not in written, "only what the analyst set is written"
    assert load_recipe(tmp_path / "tuned.yaml") == tuned
    path.write_text("version: 1\nsynthetic: {synthesizer: gan}\n")
    with pytest.raises(RecipeError, match=r"synthetic\.synthesizer"):
        load_recipe(path)
