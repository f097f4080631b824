"""Which language a free-text cell is written in, and which NER model (if any) can read it.

English NER over Italian or Dutch prose fires on capitalised words ("Domanda", "Graag") and calls
them persons and places. Cells are therefore sorted by language first (lingua, whose models ship in
its wheel; the low-accuracy mode loads in 0.4 s, uses ~35 MB and reads 300 cells in 30 ms), and
NER runs only on cells in a language that has an installed spaCy model. Other cells rely on
patterns, checksums and the name lexicons, and the finding says so.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector
    from spacy.language import Language as SpacyLanguage

# ISO 639-1 codes lingua tells apart here: the languages of the tables we meet most.
LANGUAGES = ("en", "fr", "de", "es", "it", "nl", "pt", "sv", "da", "pl")
# spaCy models by language, beside the English one the settings name. Installed ones are used.
MODELS = {"fr": "fr_core_news_sm"}
_lock = threading.Lock()
_models: dict[str, SpacyLanguage | None] = {}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def languages_of(texts: list[str]) -> list[str | None]:
    """The ISO 639-1 code of each text's language, None where lingua cannot tell (too short)."""
    if not texts:
        return []
    found = _detector().detect_languages_in_parallel_of(texts)
    return [lang.iso_code_639_1.name.lower() if lang is not None else None for lang in found]


def model_for(language: str) -> SpacyLanguage | None:
    """The installed spaCy pipeline for a language other than English, loaded once (NER only)."""
    name = MODELS.get(language)
    if name is None:
        return None
    with _lock:
        if language not in _models:
            _models[language] = _load(name)
        return _models[language]


def has_model(language: str) -> bool:
    name = MODELS.get(language)
    return name is not None and importlib.util.find_spec(name) is not None


def _load(name: str) -> SpacyLanguage | None:
    if importlib.util.find_spec(name) is None:
        return None
    import spacy

    return spacy.load(name, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"])
