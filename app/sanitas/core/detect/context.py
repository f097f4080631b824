"""What one detection run needs at hand: recognizers, the spaCy pipeline (loaded only on first use),
the phone region, the cancel check, and notes for the analyst."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


# What Presidio's weak recognizers find (tests/core/detect/test_deferred_recognizers.py checks it)
KNOWN_ENTITIES = {"UsBankRecognizer": ("US_BANK_NUMBER",), "UsLicenseRecognizer": ("US_DRIVER_LICENSE",),
                  "UsItinRecognizer": ("US_ITIN",), "UsPassportRecognizer": ("US_PASSPORT",),
                  "NhsRecognizer": ("UK_NHS",), "MedicalLicenseRecognizer": ("MEDICAL_LICENSE",)}


class _Deferred:
    """A Presidio recognizer by name, built with the others the first time one is run or asked what it
    finds: a sample whose values pass no recognizer's prefilter (a release's re-scan of generalized
    columns: 021**, 30-39) never imports Presidio and spaCy (about 2.5 s). A name the registry does not
    have finds nothing."""

    def __init__(self, name: str, registry: _Registry) -> None:
        self.name, self._registry = name, registry

    @property
    def _real(self) -> EntityRecognizer | None:
        return self._registry.load().get(self.name)

    @property
    def supported_entities(self) -> list[str]:
        if self.name in KNOWN_ENTITIES:  # asked of every weak recognizer when a header names an entity
            return list(KNOWN_ENTITIES[self.name])
        real = self._real
        return list(real.supported_entities) if real is not None else []

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        real = self._real
        return real.analyze(*args, **kwargs) if real is not None else []


class _Registry(dict):  # type: ignore[type-arg]
    """``DetectContext.recognizers``: name -> recognizer, each a ``_Deferred`` until the analyzer is built."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        self._loaded: dict[str, EntityRecognizer] | None = None
        self._lock = threading.Lock()

    def load(self) -> dict[str, EntityRecognizer]:
        with self._lock:
            if self._loaded is None:
                analyzer, _ = get_analyzer(self._settings)
                self._loaded = {type(r).__name__: r for r in analyzer.registry.recognizers
                                if not type(r).__name__.startswith("Pattern")}
            return self._loaded

    def __missing__(self, name: str) -> _Deferred:
        deferred = self[name] = _Deferred(name, self)
        return deferred

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name]


def make_context(settings: Settings, cancel: CancelToken | None = None) -> DetectContext:
    """Pattern recognizers come from a pattern-only analyzer (no spaCy load), built when a value first
    passes a recognizer's prefilter; NER loads on demand."""
    patterns_only = settings.model_copy(update={"spacy_model": NO_MODEL})
    ctx = DetectContext(
        settings=settings,
        recognizers=_Registry(patterns_only),  # type: ignore[arg-type]
        customs=custom_recognizers(settings),
        region=region_of(settings.locale),
        cancel=cancel,
    )
    if not ctx.has_model:
        _, info = get_analyzer(settings)
        ctx.notes.append(info.note)
    return ctx
