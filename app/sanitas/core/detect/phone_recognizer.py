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
    OTHER_REGION_SCORE = 0.45  # possible only as a national number of a neighbouring region
    OTHER_REGIONS = ("GB", "DE", "FR", "ES", "IT", "NL", "US")
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
        spans = {(start, end): (self.SCORE, self.region) for start, end in phones_in_text_spans(text, self.region)}
        if sum(c.isdigit() for c in text) >= 7:
            for region in self.OTHER_REGIONS:
                if region == self.region:
                    continue
                for start, end in phones_in_text_spans(text, region):
                    if not any(a < end and start < b for a, b in spans):
                        spans[(start, end)] = (self.OTHER_REGION_SCORE, region)
        results = [
            RecognizerResult(
                entity_type="PHONE_NUMBER", start=start, end=end, score=score,
                analysis_explanation=AnalysisExplanation(
                    recognizer=type(self).__name__, original_score=score,
                    textual_explanation=f"possible phone number (region {region})",
                ),
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for (start, end), (score, region) in spans.items()
        ]
        return EntityRecognizer.remove_duplicates(results)
