"""One offline Presidio AnalyzerEngine per configuration, built lazily and cached.

``AnalyzerEngine()`` with no arguments tries to download the large English model; we always build it from a
named, installed spaCy pipeline (a setting), or with pattern recognizers only when no model is
installed, and say which in ``AnalyzerInfo``. The spaCy pipeline is loaded once per process and
shared by every analyzer (one per custom recognizer file and phone region).

The registry is Presidio's predefined English recognizers, with its PhoneRecognizer (eight regions,
slow, below threshold without context) replaced by ``TablePhoneRecognizer``, plus person names by
lexicons and cue words and street addresses (``text_recognizers``), plus the custom recognizers of
``settings.recognizers_file``.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanitas.core.detect import offline  # noqa: F401  (sets the tldextract guard before presidio loads)
from sanitas.core.detect.custom import CustomRecognizer, load_recognizers
from sanitas.core.detect.shapes import region_of
from sanitas.core.errors import DetectionError
from sanitas.core.settings import NO_MODEL, Settings, load_settings

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from spacy.language import Language

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
_nlp_engines: dict[str, tuple[Any, AnalyzerInfo]] = {}
_analyzers: dict[tuple[object, ...], tuple[AnalyzerEngine, AnalyzerInfo]] = {}


def model_installed(name: str) -> bool:
    if name == NO_MODEL:
        return False
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def get_analyzer(settings: Settings | None = None) -> tuple[AnalyzerEngine, AnalyzerInfo]:
    """The cached analyzer for these settings (thread-safe; the first call takes a few seconds)."""
    settings = settings or load_settings()
    customs = custom_recognizers(settings)
    key = (settings.spacy_model, region_of(settings.locale), tuple(id(c) for c in customs))
    with _lock:
        if key not in _analyzers:
            nlp_engine, info = _nlp_engine(settings.spacy_model)
            _analyzers[key] = (_build(nlp_engine, region_of(settings.locale), customs), info)
        return _analyzers[key]


def get_nlp(settings: Settings | None = None) -> Language | None:
    """The loaded spaCy pipeline behind the analyzer, or None in pattern-only mode."""
    settings = settings or load_settings()
    with _lock:
        nlp_engine, info = _nlp_engine(settings.spacy_model)
    if not info.has_ner:
        return None
    return nlp_engine.get_nlp("en")  # type: ignore[no-any-return]


def custom_recognizers(settings: Settings) -> list[CustomRecognizer]:
    """The custom recognizers of ``settings.recognizers_file`` (empty when none is set)."""
    if settings.recognizers_file is None:
        return []
    return load_recognizers(settings.recognizers_file)


def _nlp_engine(name: str) -> tuple[Any, AnalyzerInfo]:
    if name not in _nlp_engines:
        _nlp_engines[name] = _load_nlp_engine(name)
    return _nlp_engines[name]


def _load_nlp_engine(name: str) -> tuple[Any, AnalyzerInfo]:
    from presidio_analyzer.nlp_engine import NlpEngineProvider, NoOpNlpEngine

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
        return nlp_engine, AnalyzerInfo(model=name, note=f"names and places by spaCy model '{name}'")
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    why = "disabled in settings" if name == NO_MODEL else f"spaCy model '{name}' is not installed"
    info = AnalyzerInfo(
        model=None,
        note=f"pattern recognizers only ({why}): person names and places are found only by the "
        "name and place lexicons and column headers, not by NER",
    )
    return nlp_engine, info


def _build(nlp_engine: Any, region: str, customs: list[CustomRecognizer]) -> AnalyzerEngine:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.recognizer_registry import RecognizerRegistry

    from sanitas.core.detect.phone_recognizer import TablePhoneRecognizer
    from sanitas.core.detect.text_recognizers import LexiconNameRecognizer, StreetAddressRecognizer

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(TablePhoneRecognizer(region=region))
    registry.add_recognizer(LexiconNameRecognizer())
    registry.add_recognizer(StreetAddressRecognizer())
    for custom in customs:
        registry.add_recognizer(custom.recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
