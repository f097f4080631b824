"""What one detection run needs at hand: recognizers, the spaCy pipeline (loaded only on first use),
the phone region, the cancel check, and notes for the analyst."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sanitas.core.detect.custom import CustomRecognizer
from sanitas.core.detect.engine import custom_recognizers, get_analyzer, get_nlp, model_installed
from sanitas.core.detect.entities import EntitySpec, spec
from sanitas.core.detect.shapes import region_of
from sanitas.core.progress import CancelToken
from sanitas.core.settings import NO_MODEL, Settings

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer
    from spacy.language import Language


@dataclass
class DetectContext:
    """Shared by every column of one scan. ``nlp`` loads spaCy the first time a column needs it."""

    settings: Settings
    recognizers: dict[str, EntityRecognizer]
    customs: list[CustomRecognizer]
    region: str
    cancel: CancelToken | None = None
    notes: list[str] = field(default_factory=list)
    used_ner: bool = False
    _nlp: Language | None = None
    _nlp_loaded: bool = False

    @property
    def has_model(self) -> bool:
        return model_installed(self.settings.spacy_model)

    @property
    def nlp(self) -> Language | None:
        if not self._nlp_loaded:
            self._nlp = get_nlp(self.settings) if self.has_model else None
            self._nlp_loaded = True
        if self._nlp is not None:
            self.used_ner = True
        return self._nlp

    def check(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def spec(self, entity: str) -> EntitySpec:
        custom = next((c for c in self.customs if c.entity == entity), None)
        return spec(entity, custom.kind if custom else None)


def make_context(settings: Settings, cancel: CancelToken | None = None) -> DetectContext:
    """Pattern recognizers come from a pattern-only analyzer (no spaCy load); NER loads on demand."""
    patterns_only = settings.model_copy(update={"spacy_model": NO_MODEL})
    analyzer, _ = get_analyzer(patterns_only)
    recognizers = {type(r).__name__: r for r in analyzer.registry.recognizers
                   if not type(r).__name__.startswith("Pattern")}
    ctx = DetectContext(
        settings=settings,
        recognizers=recognizers,
        customs=custom_recognizers(settings),
        region=region_of(settings.locale),
        cancel=cancel,
    )
    if not ctx.has_model:
        _, info = get_analyzer(settings)
        ctx.notes.append(info.note)
    return ctx
