"""Whole-table synthetic data with SDV 2.0 (the ``synthetic`` step), judged by quality, privacy and utility.

SDV, SDMetrics and torch are imported only when a table is synthesized (``offline.load_sdv``).
"""

from sanitas.core.privacy.synthetic.facts import SyntheticFacts
from sanitas.core.privacy.synthetic.release import SynthesisError, SyntheticRelease, detect_metadata, synthesize
from sanitas.core.privacy.synthetic.section import SyntheticSection
from sanitas.core.privacy.synthetic.step import AFTER_SAMPLING, SyntheticStep, identifiers_from, quasi_identifiers_from

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
