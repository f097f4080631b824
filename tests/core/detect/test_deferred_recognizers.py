"""The detection context builds Presidio's recognizers only when a value passes one's prefilter."""

from __future__ import annotations

import polars as pl

from sanitas.core.detect.classify import classify_columns
from sanitas.core.detect.context import make_context
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.settings import Settings


def test_generalized_values_classify_without_building_the_recognizers() -> None:
    ctx = make_context(Settings(spacy_model="none"))
    columns = [pl.Series("zip", ["021**", "100**", "945**"] * 50), pl.Series("age", ["30-39", "40-49", "90+"] * 50),
               pl.Series("year", [1980, 1991, 2001] * 50)]
    findings = classify_columns(columns, ctx)
    assert [f.name for f in findings] == ["zip", "age", "year"]
    assert ctx.recognizers._loaded is None  # type: ignore[attr-defined]


def test_recognizers_built_on_first_use_find_what_they_found_before() -> None:
    ctx = make_context(Settings(spacy_model="none"))
    emails = pl.Series("contact", [f"person{i}@example.org" for i in range(100)])
    [finding] = classify_columns([emails], ctx)
    assert finding.kind is ColumnKind.IDENTIFIER and finding.entities[0].entity == "EMAIL_ADDRESS"
    assert ctx.recognizers._loaded is not None  # type: ignore[attr-defined]
    missing = ctx.recognizers["NoSuchRecognizer"]
    assert "NoSuchRecognizer" in ctx.recognizers
    assert missing.supported_entities == [] and missing.analyze(text="x", entities=[], nlp_artifacts=None) == []
    assert ctx.recognizers["EmailRecognizer"].supported_entities == ["EMAIL_ADDRESS"]


def test_known_entities_are_presidios() -> None:
    from sanitas.core.detect.context import KNOWN_ENTITIES
    from sanitas.core.detect.patterns import WEAK_RECOGNIZERS

    ctx = make_context(Settings(spacy_model="none"))
    real = ctx.recognizers.load()  # type: ignore[attr-defined]
    assert set(WEAK_RECOGNIZERS) <= set(KNOWN_ENTITIES)
    for name, entities in KNOWN_ENTITIES.items():
        assert name in real and list(real[name].supported_entities) == list(entities)


def test_mac_prefilter_passes_every_address_presidio_finds() -> None:
    import re

    from sanitas.core.detect.patterns import STRONG_RECOGNIZERS

    ctx = make_context(Settings(spacy_model="none"))
    mac = ctx.recognizers["MacAddressRecognizer"]
    prefilter = re.compile(STRONG_RECOGNIZERS["MacAddressRecognizer"])
    for text in ["00:1A:2b:3C:4d:5E", "00-1a-2b-3c-4d-5e", "see 0a:0b:0c:0d:0e:0f now", "30-39", "ab:cd"]:
        found = mac.analyze(text=text, entities=mac.supported_entities, nlp_artifacts=None)
        colon_or_hyphen = [r for r in found if text[r.start:r.end].count(".") == 0]
        assert not colon_or_hyphen or prefilter.search(text), text
