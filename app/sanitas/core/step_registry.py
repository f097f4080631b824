"""The dataset-level steps, from an explicit list in release order (no import-time discovery)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import BaseModel

from sanitas.core.privacy.dp.step import DifferentialPrivacyStep
from sanitas.core.privacy.k_anonymity.step import KAnonymityStep
from sanitas.core.steps.protocol import DatasetStep

if TYPE_CHECKING:
    from sanitas.core.recipe import Recipe

_STEPS: list[DatasetStep] = sorted([KAnonymityStep(), DifferentialPrivacyStep()], key=lambda step: step.order)

STEPS: Mapping[str, DatasetStep] = MappingProxyType({step.name: step for step in _STEPS})


def steps_in(recipe: Recipe) -> list[tuple[DatasetStep, BaseModel]]:
    """The recipe's dataset-level sections that a registered step runs, in release order."""
    sections = recipe.dataset_sections()
    return [(step, sections[step.name]) for step in _STEPS if step.name in sections]


def releases_records(recipe: Recipe) -> bool:
    """False when a step releases another artifact instead of records (DP aggregates)."""
    return all(step.releases_records(section) for step, section in steps_in(recipe))


def covered_columns(recipe: Recipe) -> dict[str, str]:
    """Column -> the step that covers it (counts as listed, action keep unless the recipe says otherwise)."""
    covered: dict[str, str] = {}
    for step, section in steps_in(recipe):
        for column in step.covered_columns(section):
            covered.setdefault(column, step.name)
    return covered
