"""Entities inside free-text cells: which kinds occur, and in what share of the sampled cells.

Patterns (emails, cards, IBANs, dates, custom recognizers...) run over all sampled cells in one
joined text per recognizer; phone numbers by the phone shape check on cells with digits; spaCy reads
an evenly spread subset of cells for persons, places and groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanitas.core.detect.context import DetectContext
from sanitas.core.detect.facts import ColumnFacts
from sanitas.core.detect.language import has_model, languages_of, model_for
from sanitas.core.detect.ner import spans_in_cells
from sanitas.core.detect.patterns import (
    STRONG_RECOGNIZERS,
    TEXT_ONLY_RECOGNIZERS,
    WEAK_SCORE,
    Span,
    drop_nested,
    find_spans,
)
from sanitas.core.detect.shapes import phones_in_text_spans
from sanitas.core.detect.text_names import name_spans

NER_CELLS = 200


@dataclass(frozen=True)
class ProseEntity:
    """One entity found inside cells: the cells it is in (indices into the sample) and their share."""

    entity: str
    cells: list[int]
    judged: int
    score: float
    source: str  # pattern | ner | custom

    @property
    def share(self) -> float:
        return len(self.cells) / self.judged if self.judged else 0.0


@dataclass(frozen=True)
class ProseEvidence:
    entities: list[ProseEntity] = field(default_factory=list)
    cells: int = 0
    ner_cells: int = 0
    unread_languages: tuple[str, ...] = ()  # languages of sampled cells no NER model reads


def prose_evidence(
    facts: ColumnFacts, ctx: DetectContext, *, use_ner: bool = True, strict_urls: bool = False
) -> ProseEvidence:
    """``strict_urls``: only URLs with a scheme or www. count ('report.zip' is a file name)."""
    values = facts.text.to_list()
    entities = list(facts.memo(("prose_patterns", strict_urls), lambda: _pattern_entities(
        facts, values, ctx, strict_urls)))
    ner_cells, unread = 0, ()
    if use_ner:
        ner_cells, unread, ner_found = _ner_by_language(facts, values, ctx)
        entities += [ProseEntity(e, sorted(c), ner_cells, 0.8, "ner") for e, c in ner_found.items()]
    return ProseEvidence(entities=entities, cells=len(values), ner_cells=ner_cells, unread_languages=unread)


def _pattern_entities(facts: ColumnFacts, values: list[str], ctx: DetectContext,
                      strict_urls: bool) -> list[ProseEntity]:
    """What patterns, phone shapes and the name lexicons find in the cells (no NER)."""
    recognizers = [(ctx.recognizers[name], prefilter)
                   for name, prefilter in {**STRONG_RECOGNIZERS, **TEXT_ONLY_RECOGNIZERS}.items()
                   if name in ctx.recognizers]
    recognizers += [(c.recognizer, None) for c in ctx.customs]
    found_spans = find_spans(values, recognizers, prefiltered=lambda p: facts.contains(p))  # type: ignore[arg-type]
    spans = [s for s in found_spans if s.score >= WEAK_SCORE]
    for i, value in enumerate(values):
        if sum(ch.isdigit() for ch in value) >= 7:
            spans.extend(Span(i, "PHONE_NUMBER", a, b, 0.6) for a, b in phones_in_text_spans(value, ctx.region))
    spans = drop_nested(spans)
    if strict_urls:
        spans = [s for s in spans if s.entity != "URL" or _schemed(values[s.index][s.start : s.end])]
    ctx.check()
    customs = {c.entity for c in ctx.customs}
    found: dict[str, tuple[set[int], list[float]]] = {}
    for span in spans:
        cells, scores = found.setdefault(span.entity, (set(), []))
        cells.add(span.index)
        scores.append(span.score)
    entities = [
        ProseEntity(e, sorted(cells), len(values), sorted(scores)[len(scores) // 2],
                    "custom" if e in customs else "pattern")
        for e, (cells, scores) in found.items()
    ]
    named = [i for i, value in enumerate(values) if name_spans(value)]
    if named:
        entities.append(ProseEntity("PERSON", named, len(values), 0.7, "lexicon"))
    return entities


def _ner_by_language(
    facts: ColumnFacts, values: list[str], ctx: DetectContext
) -> tuple[int, tuple[str, ...], dict[str, set[int]]]:
    """NER over an evenly spread subset of cells, each read by the model of its language: English
    cells (and cells too short to tell) by the settings' model, French ones by the French model when
    installed; cells in other languages are not read (returned as unread languages)."""
    step = max(1, len(values) // NER_CELLS)
    picked = list(range(0, len(values), step))[:NER_CELLS]
    languages = facts.memo(("languages", step), lambda: languages_of([values[i] for i in picked]))
    groups: dict[str, list[int]] = {}
    for i, lang in zip(picked, languages, strict=True):
        groups.setdefault(lang or "en", []).append(i)
    found: dict[str, set[int]] = {}
    read, unread = 0, []
    for lang, cells in groups.items():
        nlp = ctx.nlp if lang == "en" else (model_for(lang) if has_model(lang) else None)
        if nlp is None:
            if lang != "en":
                unread.append(lang)
            continue
        read += len(cells)
        for i, cell_spans in zip(cells, spans_in_cells(nlp, [values[i] for i in cells], check=ctx.check),
                                 strict=True):
            for entity, _, _ in cell_spans:
                found.setdefault(entity, set()).add(i)
    return read, tuple(sorted(unread)), found


def _schemed(url: str) -> bool:
    lower = url.lower()
    return "://" in lower or lower.startswith("www.")
