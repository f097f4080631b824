"""A Presidio phone recognizer for the analyzer's registry, in place of Presidio's own.

Presidio's PhoneRecognizer runs libphonenumber's matcher once per region (eight by default), which
made it the slowest recognizer by far (half a second per 1,000 short notes), and gives 0.4, under
the usual 0.5 threshold, unless a context word is near. This one finds digit groups in phone shape
and keeps those that are possible numbers for their country code or the settings' region.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from sanitas.core.detect.shapes import phones_in_text_spans


class TablePhoneRecognizer(LocalRecognizer):
    """PHONE_NUMBER from a shape check plus ``phonenumbers.is_possible_number``."""

    SCORE = 0.6
    CONTEXT: ClassVar[list[str]] = ["phone", "number", "telephone", "tel", "cell", "cellphone", "mobile", "call", "fax"]

    def __init__(self, region: str = "US") -> None:
        self.region = region
        super().__init__(supported_entities=["PHONE_NUMBER"], supported_language="en",
                         context=self.CONTEXT, name="TablePhoneRecognizer")

    def load(self) -> None:
        """Nothing to load."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = [
            RecognizerResult(
                entity_type="PHONE_NUMBER", start=start, end=end, score=self.SCORE,
                analysis_explanation=AnalysisExplanation(
                    recognizer=type(self).__name__, original_score=self.SCORE,
                    textual_explanation=f"possible phone number (region {self.region})",
                ),
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for start, end in phones_in_text_spans(text, self.region)
        ]
        return EntityRecognizer.remove_duplicates(results)
