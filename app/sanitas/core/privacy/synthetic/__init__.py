"""Whole-table synthetic data with SDV 2.0 (the ``synthetic`` step), judged by quality, privacy and utility.

The recipe and the step registry import this package, so it stays light: pandas comes with ``release``
(loaded on first use of its names here), SDV, SDMetrics and torch only when a table is synthesized
(``offline.load_sdv``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.core.privacy.synthetic.step import AFTER_SAMPLING, SyntheticStep, identifiers_from, quasi_identifiers_from

_LAZY = {"SynthesisError", "SyntheticRelease", "detect_metadata", "synthesize"}  # from .release (pandas)

__all__ = [
    "AFTER_SAMPLING",
    "SynthesisError",
    "SyntheticFacts",
    "SyntheticRelease",
    "SyntheticSection",
    "SyntheticStep",
    "detect_metadata",
    "identifiers_from",
    "quasi_identifiers_from",
    "synthesize",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module("sanitas.core.privacy.synthetic.release"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
