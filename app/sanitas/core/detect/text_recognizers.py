"""Presidio recognizers for free text that the predefined English set lacks: person names by the
lexicons and cue words (any Latin-script language), and street addresses in common US and European
forms. Both feed scrub through the analyzer's registry, so they add recall where NER is blind
(unseen names, languages without a model) and Presidio has no address recognizer at all.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from sanitas.core.detect.address_patterns import ADDRESS, TITLED
from sanitas.core.detect.text_names import name_spans


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
