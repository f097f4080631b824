"""Presidio's pattern recognizers run once per column, not once per value.

The candidate values of a column are joined into one text (newline-separated, offsets kept), each
recognizer runs its regexes and validators (Luhn, IBAN checksum, ...) over that text, and every span
is mapped back to its value. A cheap polars prefilter picks each recognizer's candidates first, so
a names column never reaches the IBAN regexes. Weak recognizers (US bank, driver licence, NHS...)
run only when the header asks for them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

# Presidio recognizer class -> polars prefilter for candidate values.
STRONG_RECOGNIZERS: dict[str, str] = {
    "EmailRecognizer": r"@",
    "UrlRecognizer": r"\.[A-Za-z]|://",  # each of Presidio's URL patterns ends in a dot and a lettered TLD
    "IpRecognizer": r"\d\.\d|:[0-9A-Fa-f]*:",
    "CreditCardRecognizer": r"(?:\d[ -]?){12}",
    "IbanRecognizer": r"[A-Za-z]{2}\s?\d{2}",
    "UsSsnRecognizer": r"(?:\d[- .]?){9}",
    "MacAddressRecognizer": r"[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}",  # its pattern has six groups
    "CryptoRecognizer": r"\w{25}",
}
WEAK_RECOGNIZERS: dict[str, str] = {
    "UsBankRecognizer": r"\d{8}",
    "UsLicenseRecognizer": r"\d{3}",
    "UsItinRecognizer": r"9\d{2}",
    "UsPassportRecognizer": r"\d{8}",
    "NhsRecognizer": r"\d{3}",
    "MedicalLicenseRecognizer": r"[A-Za-z]{2}\d{7}",
}
TEXT_ONLY_RECOGNIZERS: dict[str, str] = {"DateRecognizer": r"\d"}
# Below this Presidio score a match is one of its "very weak" patterns (9 bare digits as an SSN):
# it counts only when the header names the entity.
WEAK_SCORE = 0.3


@dataclass(frozen=True)
class PatternHits:
    """Per value: the best Presidio score for one entity (0 where it did not match)."""

    entity: str
    scores: list[float]
    weak: bool  # only weak matches: needs the header's support

    def mask(self) -> pl.Series:
        return pl.Series([s > 0 for s in self.scores], dtype=pl.Boolean)


@dataclass(frozen=True)
class Span:
    """An entity inside one value (``index`` into the scanned values)."""

    index: int
    entity: str
    start: int
    end: int
    score: float


def find_spans(
    values: list[str], recognizers: list[tuple[EntityRecognizer, str | None]],
    prefiltered: Callable[[str], pl.Series] | None = None,
) -> list[Span]:
    """Spans of every recognizer in every value, from one joined text per recognizer.

    ``prefiltered(regex)``: the values' prefilter mask when the caller has it batched (ColumnFacts)."""
    texts = pl.Series(values, dtype=pl.String) if prefiltered is None else None
    spans: list[Span] = []
    for recognizer, prefilter in recognizers:
        if prefilter is None:
            picked = list(range(len(values)))
        else:
            mask = prefiltered(prefilter) if texts is None else texts.str.contains(prefilter)
            picked = [i for i, hit in enumerate(mask.to_list()) if hit]
        if not picked:
            continue
        spans.extend(_run(recognizer, values, picked))
    return spans


def _run(recognizer: EntityRecognizer, values: list[str], picked: list[int]) -> list[Span]:
    starts: list[int] = []
    pos = 0
    for i in picked:
        starts.append(pos)
        pos += len(values[i]) + 1
    text = "\n".join(values[i] for i in picked)
    results = recognizer.analyze(text=text, entities=recognizer.supported_entities, nlp_artifacts=None)
    out: list[Span] = []
    for res in results or []:
        k = bisect.bisect_right(starts, res.start) - 1
        begin = starts[k]
        value = values[picked[k]]
        if res.end > begin + len(value):
            continue  # crosses into the next value
        out.append(Span(picked[k], res.entity_type, res.start - begin, res.end - begin, float(res.score)))
    return out


def whole_value_hits(values: list[str], spans: list[Span], *, cover: float = 0.8) -> list[PatternHits]:
    """Spans that cover most of their value, grouped by entity: the value *is* that entity."""
    by_entity: dict[str, list[float]] = {}
    weak_only: dict[str, bool] = {}
    for span in spans:
        length = len(values[span.index])
        if length == 0 or (span.end - span.start) < cover * length:
            continue
        scores = by_entity.setdefault(span.entity, [0.0] * len(values))
        scores[span.index] = max(scores[span.index], span.score)
        weak_only[span.entity] = weak_only.get(span.entity, True) and span.score < WEAK_SCORE
    return [PatternHits(e, s, weak_only[e]) for e, s in by_entity.items()]


def drop_nested(spans: list[Span]) -> list[Span]:
    """Within one value, drop spans inside a longer span of another entity (an email's domain is
    not a URL; an IP inside a URL is the URL)."""
    by_value: dict[int, list[Span]] = {}
    for span in spans:
        by_value.setdefault(span.index, []).append(span)
    kept: list[Span] = []
    for group in by_value.values():
        for span in group:
            inside = any(
                o is not span and o.entity != span.entity and o.start <= span.start and span.end <= o.end
                and (o.end - o.start) > (span.end - span.start)
                for o in group
            )
            if not inside:
                kept.append(span)
    return kept
