"""Presidio recognizers for free text that the predefined English set lacks: person names by the
lexicons and cue words (any Latin-script language), and street addresses in common US and European
forms. Both feed scrub through the analyzer's registry, so they add recall where NER is blind
(unseen names, languages without a model) and Presidio has no address recognizer at all.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from sanitas.core.detect.shapes import STREET_WORDS
from sanitas.core.detect.text_names import name_spans

_WORD = r"[\p{Lu}\d][\p{L}'’.\-]*"
_ANY_WORD = r"[\p{L}\d][\p{L}'’.\-]*"
_LINK = r"(?:(?:de|del|della|degli|dei|di|du|des|la|le|les|do|da|dos|das|d'|of|the)\s*)"
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#|No|Nr|n[°º]|bis)\.?\s*[\w\-]+)?"
_POSTAL_CITY = r"(?:,?\s+(?:[A-Z]{1,2}-)?\d{4,5}(?:\s?[A-Z]{2})?\s+\p{Lu}[\p{L}\-]+(?:\s+\p{Lu}[\p{L}\-]+)?)?"
_US = rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_WORD}\s+){{0,3}}(?i:{STREET_WORDS})\b\.?{_UNIT}"
_SUFFIXED = (r"\b\p{Lu}[\p{L}\-]*(?i:stra(?:ss|ß)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|laan|straat|"
             r"gracht|plein|kade|singel|dijk|steeg|gade|vej|gatan|vägen|katu|tie|chaussee|pfad|steig|markt|tunnel)"
             r"\s+\d{1,5}[a-zA-Z]?\b"
             r"|\b(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Platz der|Platz des)\s+"
             r"[\p{Lu}\d][\p{L}.\-]*(?:\s+[\p{Lu}][\p{L}.\-]*)?\s+\d{1,5}[a-zA-Z]?\b")
_PREFIXED = (r"(?:\b\d{1,5}[a-zA-Z]?,?\s+)?\b(?:Rue|Avenue|Av\.|Boulevard|Bd|Chemin|Impasse|Allée|Place|Quai|"
             r"Cours|Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Camino|Carrer|Rúa|Rua|Travessa|Via|Viale|Piazza|Corso|"
             r"Largo|Vicolo|Strada|Contrada|Travesía|Ronda|Glorieta|Cour|Venelle|Ruelle|Passage|Sentier|Grand Rue|"
             r"Grande Rue|Route|Rond-Point|Vía|Sendero|Callejón|Pasaje)\s+"
             + rf"{_LINK}*{_ANY_WORD}(?:\s+{_LINK}*{_ANY_WORD}){{0,3}}"
             r"(?:,?\s+\d{1,5}[a-zA-Z]?\b)?")
# House number and two or three capitalised words before punctuation: '799 Annie Bypass,' (scored lower).
TITLED = regex.compile(r"\b\d{1,5}[A-Za-z]?\s+\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){1,2}(?=[.,;:!?)]|\s*$)")
ADDRESS = regex.compile(rf"(?:{_US}|{_SUFFIXED}|{_PREFIXED}){_POSTAL_CITY}", flags=regex.POSIX)  # longest match


def _result(recognizer: LocalRecognizer, entity: str, start: int, end: int, score: float, why: str) -> RecognizerResult:
    return RecognizerResult(
        entity_type=entity, start=start, end=end, score=score,
        analysis_explanation=AnalysisExplanation(recognizer=type(recognizer).__name__, original_score=score,
                                                 textual_explanation=why),
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
                              RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id},
    )


class LexiconNameRecognizer(LocalRecognizer):
    """PERSON spans from the name lexicons and cue words (titles, 'name is', greetings)."""

    SCORE = 0.55

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], supported_language="en", name="LexiconNameRecognizer")

    def load(self) -> None:
        """The lexicons load on first use (cached per process)."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        return [_result(self, "PERSON", a, b, self.SCORE, "name lexicon or cue word") for a, b in name_spans(text)]


class StreetAddressRecognizer(LocalRecognizer):
    """STREET_ADDRESS: house number and street word (US), street name ending in -straße/-weg/-laan and
    a number, or Rue/Calle/Via... and a name (FR, ES, IT, PT), with an optional postal code and city."""

    SCORE = 0.6
    TITLED_SCORE = 0.4
    CONTEXT: ClassVar[list[str]] = ["address", "street", "ship", "deliver", "delivery", "live", "lives", "moved"]

    def __init__(self) -> None:
        super().__init__(supported_entities=["STREET_ADDRESS"], supported_language="en",
                         context=self.CONTEXT, name="StreetAddressRecognizer")

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        results = [_result(self, "STREET_ADDRESS", m.start(), m.end(), self.SCORE, "street address pattern")
                   for m in ADDRESS.finditer(text)]
        results += [_result(self, "STREET_ADDRESS", m.start(), m.end(), self.TITLED_SCORE,
                            "house number and capitalised words") for m in TITLED.finditer(text)]
        return EntityRecognizer.remove_duplicates(results)
