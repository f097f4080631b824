"""What the values of a structured (non-prose) column say, before the header is weighed in.

Each ``Candidate`` is an entity with a mask of the values that hit it. Patterns and shapes run
first; spaCy runs only on mostly-alphabetic short values that no pattern explained.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sanitas.core.detect.context import DetectContext
from sanitas.core.detect.facts import ColumnFacts
from sanitas.core.detect.headers import HeaderFacts
from sanitas.core.detect.lexicons import name_hits, place_hits
from sanitas.core.detect.national_ids import IdEvidence, id_evidence
from sanitas.core.detect.ner import read_short_values
from sanitas.core.detect.patterns import STRONG_RECOGNIZERS, WEAK_RECOGNIZERS, find_spans, whole_value_hits
from sanitas.core.detect.shapes import (
    address_mask,
    date_facts,
    gender_mask,
    luhn_card_mask,
    phone_mask,
    postal_masks,
)

NER_SAMPLE = 150
# A header with one of these words and no birth word names some other date (hire_date, visit_day).
_DATE_WORDS = {"date", "datum", "fecha", "time", "timestamp", "day", "created", "updated", "modified",
               "hired", "hire", "joined", "start", "end", "visit", "admission", "discharge", "order"}


@dataclass(frozen=True)
class Candidate:
    """An entity the values suggest: which values hit it, and how sure a single hit is."""

    entity: str
    mask: pl.Series
    score: float
    tier: int
    source: str  # pattern | shape | ner | custom
    needs_header: bool = False
    judged: pl.Series | None = None  # the values this check looked at (NER reads a subset)

    @property
    def share(self) -> float:
        return share_of(self.mask, self.judged)


def share_of(mask: pl.Series, judged: pl.Series | None = None) -> float:
    """Share of the judged values (all values when ``judged`` is None) that ``mask`` marks."""
    if judged is None:
        return float(mask.mean() or 0.0) if mask.len() else 0.0
    total = int(judged.sum())
    return int((mask & judged).sum()) / total if total else 0.0


@dataclass(frozen=True)
class ValueEvidence:
    """Everything the values of one column said."""

    candidates: list[Candidate]
    gender_both: bool  # both a male and a female form occur
    ner_probed: int = 0
    ner_person: float = 0.0
    ner_location: float = 0.0
    ner_org: float = 0.0
    lex_person: float = 0.0  # share of values the name lexicons know
    lex_place: float = 0.0  # share of values the gazetteer knows
    id_countries: tuple[str, ...] = ()  # national-ID validators that accepted values


def value_evidence(facts: ColumnFacts, header: HeaderFacts, ctx: DetectContext) -> ValueEvidence:
    values = facts.text.to_list()
    candidates: list[Candidate] = []
    spans = find_spans(values, _recognizers(header, ctx), prefiltered=lambda p: facts.contains(p))
    for hits in whole_value_hits(values, spans):
        spec = ctx.spec(hits.entity)
        custom = any(c.entity == hits.entity for c in ctx.customs)
        scores = [s for s in hits.scores if s > 0]
        score = sorted(scores)[len(scores) // 2] if scores else 0.0
        weak = hits.weak or spec.tier == 1
        mask = hits.mask()
        if hits.entity == "URL":  # 'report.zip' is a valid domain; a scheme or www. makes it a URL
            sure = facts.contains(r"(?i)^(?:[a-z][a-z0-9+.\-]*://|www\.)")
            candidates.append(Candidate("URL", mask & ~sure, score, 1, "pattern", needs_header=True))
            mask = mask & sure
        candidates.append(Candidate(hits.entity, mask, score, 1 if weak and not custom else spec.tier,
                                    "custom" if custom else "pattern", needs_header=weak and not custom))
    ctx.check()

    lenient_phone = header.hint("PHONE_NUMBER") is not None
    candidates.append(Candidate("PHONE_NUMBER", phone_mask(facts, ctx.region, lenient=lenient_phone),
                                0.7, 2, "shape"))
    candidates.append(Candidate("CREDIT_CARD", luhn_card_mask(facts), 0.9, 3, "shape"))
    distinctive, plain = postal_masks(facts)
    candidates.append(Candidate("POSTAL_CODE", distinctive, 0.7, 2, "shape"))
    candidates.append(Candidate("POSTAL_CODE", plain & ~distinctive, 0.5, 1, "shape", needs_header=True))
    dates = date_facts(facts)
    other_date = not header.hint("DATE_OF_BIRTH") and bool(set(header.words) & _DATE_WORDS)
    birth = header.hint("DATE_OF_BIRTH") is not None or (dates.birth_like and not other_date)
    date_entity = "DATE_OF_BIRTH" if birth else "DATE_TIME"
    candidates.append(Candidate(date_entity, dates.mask, 0.8 if dates.share >= 0.9 else 0.6, 2, "shape"))
    genders, both = gender_mask(facts)
    if facts.distinct <= 12:
        candidates.append(Candidate("GENDER", genders, 0.8 if both else 0.5, 2, "shape",
                                    needs_header=not both))
    if facts.alpha_share > 0 and facts.digit_share > 0:
        candidates.append(Candidate("STREET_ADDRESS", address_mask(facts), 0.7, 2, "shape"))
    ids = id_evidence(facts)
    candidates += _id_candidates(ids, header)
    lex_person, lex_place = 0.0, 0.0
    if _lexicon_worthy(facts):
        names = facts.per_value("lexicon_names", lambda text: name_hits(text).any)
        places = facts.per_value("lexicon_places", place_hits)
        lex_person, lex_place = share_of(names), share_of(places)
        candidates.append(Candidate("PERSON", names, 0.75, 0, "lexicon"))
        candidates.append(Candidate("LOCATION", places, 0.75, 0, "lexicon"))
    candidates = [c for c in candidates if c.mask.any()]

    evidence = ValueEvidence(candidates, both, lex_person=lex_person, lex_place=lex_place,
                             id_countries=ids.countries)
    about_things = header.not_person and not {"PERSON", "LOCATION", "NRP"} & set(header.entities)
    if not about_things and _needs_ner(facts, candidates) and ctx.nlp is not None:
        evidence = _with_ner(facts, evidence, ctx)
    return evidence


_ID_HINTS = ("CREDIT_CARD", "NATIONAL_ID", "US_SSN", "PHONE_NUMBER", "IBAN_CODE", "US_BANK_NUMBER",
             "PERSON_ID")


def _id_candidates(ids: IdEvidence, header: HeaderFacts) -> list[Candidate]:
    """Checksum-valid national IDs, and long numbers a spreadsheet turned into 5.54563E+15: the
    header says what they were (card, national ID, phone...); without one, 13-19 digit numbers
    starting 3-6 are read as cards and others as identifiers of people."""
    found: list[Candidate] = []
    # Random numbers pass some country's check digit up to ~45% of the time, and US SSNs are Presidio's:
    # emit the candidate only when check digits accept a fifth of the values and the formats most of them.
    id_header = bool({"NATIONAL_ID", "US_SSN"} & set(header.entities))
    checked = ids.share(ids.checksummed)
    if checked >= 0.2 and (id_header or ids.share(ids.valid | ids.damaged) >= 0.5):
        found.append(Candidate("NATIONAL_ID", ids.valid | ids.damaged, 0.85, 2, "checksum", judged=ids.judged))
    if ids.damaged.any():
        hinted = next((e for e in header.entities if e in _ID_HINTS), None)
        if hinted is None:
            cards = ids.exponents.is_between(12, 18).fill_null(False)
            hinted = "CREDIT_CARD" if float(cards.mean() or 0.0) >= 0.9 else "PERSON_ID"
        if hinted == "US_SSN":
            hinted = "NATIONAL_ID"
        found.append(Candidate(hinted, ids.damaged, 0.7, 2, "damaged"))
    return found


def _lexicon_worthy(facts: ColumnFacts) -> bool:
    """Short words, mostly letters: a column the name and place lists can speak for."""
    return (not facts.is_numeric_dtype and not facts.is_temporal and facts.alpha_share >= 0.6
            and facts.mean_words <= 4 and facts.mean_length <= 40)


def _recognizers(header: HeaderFacts, ctx: DetectContext) -> list[tuple[object, str | None]]:
    """Strong recognizers always; weak ones only when the header names their entity."""
    chosen: list[tuple[object, str | None]] = []
    for name, prefilter in STRONG_RECOGNIZERS.items():
        if name in ctx.recognizers:
            chosen.append((ctx.recognizers[name], prefilter))
    wanted = set(header.entities)
    for name, prefilter in WEAK_RECOGNIZERS.items():
        rec = ctx.recognizers.get(name)
        if rec is not None and wanted & set(rec.supported_entities):
            chosen.append((rec, prefilter))
    chosen.extend((c.recognizer, None) for c in ctx.customs)
    return chosen  # type: ignore[return-value]


def _needs_ner(facts: ColumnFacts, candidates: list[Candidate]) -> bool:
    """Capitalised words (names and places are: 'Lake Jennifer', not 'mesh world-class
    partnerships'), short, and no pattern explains at least half of the values."""
    if facts.is_numeric_dtype or facts.is_temporal or facts.alpha_share < 0.6 or facts.mean_words > 6:
        return False
    if facts.title_share < 0.5:
        return False
    if any(c.share >= 0.5 and not c.needs_header and c.source != "lexicon" for c in candidates):
        return False
    lex = {c.entity: c.share for c in candidates if c.source == "lexicon"}
    person, place = lex.get("PERSON", 0.0), lex.get("LOCATION", 0.0)
    return not (max(person, place) >= 0.8 and min(person, place) <= 0.2)  # the lexicons settled it


def _with_ner(facts: ColumnFacts, evidence: ValueEvidence, ctx: DetectContext) -> ValueEvidence:
    nlp = ctx.nlp
    assert nlp is not None
    reading = read_short_values(nlp, facts.text, limit=NER_SAMPLE, check=ctx.check)
    candidates = list(evidence.candidates)
    for entity, mask in (("PERSON", reading.person), ("LOCATION", reading.location), ("NRP", reading.nrp)):
        if mask.any():
            candidates.append(Candidate(entity, mask, 0.8, 0, "ner", judged=reading.probed))
    return ValueEvidence(
        candidates, evidence.gender_both, lex_person=evidence.lex_person, lex_place=evidence.lex_place,
        id_countries=evidence.id_countries,
        ner_probed=int(reading.probed.sum()),
        ner_person=reading.share(reading.person),
        ner_location=reading.share(reading.location),
        ner_org=reading.share(reading.org),
    )
