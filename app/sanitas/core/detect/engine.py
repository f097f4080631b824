"""One offline Presidio AnalyzerEngine per process, built lazily and cached.

``AnalyzerEngine()`` with no arguments tries to download en_core_web_lg; we always build it from a
named, installed spaCy pipeline (a setting), or with pattern recognizers only when no model is
installed, and say which in ``AnalyzerInfo``.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sanitas.core.detect import offline  # noqa: F401  (sets the tldextract guard before presidio loads)
from sanitas.core.errors import DetectionError
from sanitas.core.settings import NO_MODEL, Settings, load_settings

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

# spaCy labels that are not personal data, or that Presidio's NER confuses with IDs (SSN and IBAN
# come back as ORGANIZATION without this).
LABELS_TO_IGNORE = ["ORG", "ORGANIZATION", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT",
                    "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "FAC"]


@dataclass(frozen=True)
class AnalyzerInfo:
    """Which analyzer runs: the spaCy model, or patterns only (and why)."""

    model: str | None
    note: str

    @property
    def has_ner(self) -> bool:
        return self.model is not None


_lock = threading.Lock()
_cache: dict[str, tuple[AnalyzerEngine, AnalyzerInfo]] = {}


def model_installed(name: str) -> bool:
    if name == NO_MODEL:
        return False
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def get_analyzer(settings: Settings | None = None) -> tuple[AnalyzerEngine, AnalyzerInfo]:
    """The cached analyzer for the configured model (thread-safe; first call takes a few seconds)."""
    settings = settings or load_settings()
    name = settings.spacy_model
    with _lock:
        if name not in _cache:
            _cache[name] = _build(name)
        return _cache[name]


def _build(name: str) -> tuple[AnalyzerEngine, AnalyzerInfo]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider, NoOpNlpEngine
    from presidio_analyzer.recognizer_registry import RecognizerRegistry

    if model_installed(name):
        config = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": name}],
            "ner_model_configuration": {"labels_to_ignore": LABELS_TO_IGNORE},
        }
        try:
            nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
        except (OSError, ValueError) as exc:
            raise DetectionError(
                f"spaCy model '{name}' could not be loaded ({exc}). Install it from a local wheel, "
                "or set spacy_model to 'none' for pattern recognizers only."
            ) from None
        info = AnalyzerInfo(model=name, note=f"names and places by spaCy model '{name}'")
    else:
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        why = "disabled in settings" if name == NO_MODEL else f"spaCy model '{name}' is not installed"
        info = AnalyzerInfo(
            model=None,
            note=f"pattern recognizers only ({why}): person names and places are not detected "
            "from values, only from column headers",
        )
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    return engine, info
