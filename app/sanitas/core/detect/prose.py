"""Entities inside free-text cells: which kinds occur, and in what share of the sampled cells.

Patterns (emails, cards, IBANs, dates, custom recognizers...) run over all sampled cells in one
joined text per recognizer; phone numbers by the phone shape check on cells with digits; spaCy reads
an evenly spread subset of cells for persons, places and groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanitas.core.detect.context import DetectContext
from sanitas.core.detect.facts import ColumnFacts
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


def prose_evidence(
    facts: ColumnFacts, ctx: DetectContext, *, use_ner: bool = True, strict_urls: bool = False
) -> ProseEvidence:
    """``strict_urls``: only URLs with a scheme or www. count ('report.zip' is a file name)."""
    values = facts.text.to_list()
    recognizers = [(ctx.recognizers[name], prefilter)
                   for name, prefilter in {**STRONG_RECOGNIZERS, **TEXT_ONLY_RECOGNIZERS}.items()
                   if name in ctx.recognizers]
    recognizers += [(c.recognizer, None) for c in ctx.customs]
    spans = [s for s in find_spans(values, recognizers) if s.score >= WEAK_SCORE]  # type: ignore[arg-type]
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
    ner_cells = 0
    nlp = ctx.nlp if use_ner else None
    if nlp is not None:
        step = max(1, len(values) // NER_CELLS)
        picked = list(range(0, len(values), step))[:NER_CELLS]
        ner_cells = len(picked)
        per_cell = spans_in_cells(nlp, [values[i] for i in picked], check=ctx.check)
        ner_found: dict[str, set[int]] = {}
        for i, cell_spans in zip(picked, per_cell, strict=True):
            for entity, _, _ in cell_spans:
                ner_found.setdefault(entity, set()).add(i)
        entities += [ProseEntity(e, sorted(c), ner_cells, 0.8, "ner") for e, c in ner_found.items()]
    return ProseEvidence(entities=entities, cells=len(values), ner_cells=ner_cells)


def _schemed(url: str) -> bool:
    lower = url.lower()
    return "://" in lower or lower.startswith("www.")
