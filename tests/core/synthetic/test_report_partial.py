"""The synthetic report partial and its real-vs-synthetic plots: inline SVG, no script, no raw value."""

from __future__ import annotations

import re

import jinja2
import numpy as np
import pandas as pd
import polars as pl
import pytest
from synthetic_data import people

from sanitas.core.privacy.synthetic import SyntheticSection, synthesize
from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.core.privacy.synthetic.plots import MIN_NAMED, distribution
from sanitas.core.report import render


def _environment() -> jinja2.Environment:
    """The report's own environment (the synthetic charts are registered there)."""
    return render._environment()


@pytest.fixture(scope="module")
def facts() -> tuple[pl.DataFrame, SyntheticFacts]:
    table = people(300, seed=51)
    release = synthesize(table, SyntheticSection.model_validate({"evaluation": {"target": "grade"}}),
                         identifiers={"name": "PERSON", "email": "EMAIL_ADDRESS"},
                         quasi_identifiers=["age", "sex", "zip3"], seed=2)
    return table, release.facts


def test_the_partial_renders_figures_and_charts_only(facts: tuple[pl.DataFrame, SyntheticFacts]) -> None:
    table, result = facts
    html = _environment().get_template("steps/synthetic.html.j2").render(facts=result)
    assert "<h2>Synthetic data</h2>" in html and "<script" not in html.lower()
    assert html.count("<svg") == len(result.plots) >= 1
    assert "Quality" in html and "Privacy" in html and "Utility" in html and "macro F1" in html
    for value in table["name"].to_list() + table["email"].to_list():
        assert value not in html
    assert re.search(r'banner (ok|warn|bad)', html)


def test_flagged_release_shows_the_bad_banner(facts: tuple[pl.DataFrame, SyntheticFacts]) -> None:
    _, result = facts
    assert result.privacy is not None
    flagged = result.model_copy(update={"privacy": result.privacy.model_copy(
        update={"flagged": True, "exact_copies": 0.4, "flags": ["exact_copies"]})})
    html = _environment().get_template("steps/synthetic.html.j2").render(facts=flagged)
    assert 'class="banner bad"' in html and "Exact copies above the baseline" in html


def test_rare_categories_and_extremes_never_reach_the_plot() -> None:
    rng = np.random.default_rng(0)
    cities = pd.Series(["Tinytown"] * (MIN_NAMED - 1) + list(rng.choice(["Bigville", "Midtown"], 300)))
    plot = distribution("city", cities, cities.sample(frac=1, random_state=1))
    assert plot is not None and "Tinytown" not in plot.labels and "other (1 categories)" in plot.labels
    incomes = pd.Series(np.r_[rng.normal(50_000, 5_000, 500), [987_654.32]])
    plot = distribution("income", incomes, incomes)
    assert plot is not None and plot.kind == "numeric"
    assert not any("987" in label for label in plot.labels)
    assert sum(plot.real) == pytest.approx(1.0)
