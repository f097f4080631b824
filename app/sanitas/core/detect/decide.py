"""Weigh what the values say against what the header says, for one structured column.

Rules, in order:
1. Each value is claimed by at most one entity: header-backed entities first, then by tier
   (checksummed formats before shapes before weak national-number patterns) and score.
2. A value entity is accepted when its share of the sample clears its tier's bar; weak patterns
   (9 bare digits as an SSN, 5-digit codes as ZIP codes) only when the header names the entity.
3. A header hint adds an entity the values did not show only when the values are compatible with
   it (header 'age' over whole numbers 0-120, 'first_name' over words) and no pattern explains most
   values: the header never invents an entity the values contradict.
4. A header that names a thing (product, order, batch...) drops the value guesses other codes
   share (phone-like order numbers, 5-digit product codes, names of products).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sanitas.core.detect.context import DetectContext
from sanitas.core.detect.evidence import Candidate, ValueEvidence, share_of
from sanitas.core.detect.facts import ColumnFacts
from sanitas.core.detect.findings import EntityScore, Evidence
from sanitas.core.detect.headers import HeaderFacts, HeaderHint
from sanitas.core.detect.shapes import age_mask

TIER_BASE = {3: 0.9, 2: 0.75, 1: 0.5, 0: 0.75}
MIN_SHARE = {3: 0.2, 2: 0.4, 1: 0.3, 0: 0.6}
SHARED_GUESSES = {"PHONE_NUMBER", "POSTAL_CODE", "US_SSN", "PERSON", "NRP", "LOCATION"}
NO_FALLBACK = {"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "MAC_ADDRESS", "URL",
               "CRYPTO", "PHONE_NUMBER", "US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE", "US_ITIN",
               "US_BANK_NUMBER", "UK_NHS", "MEDICAL_LICENSE"}


@dataclass
class Decision:
    """Accepted entities, best first, with the values that hit each (for examples)."""

    entities: list[EntityScore] = field(default_factory=list)
    masks: dict[str, pl.Series] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)


def decide(facts: ColumnFacts, header: HeaderFacts, evidence: ValueEvidence, ctx: DetectContext) -> Decision:
    hinted = {h.entity: h for h in header.hints}
    decision = Decision()
    ranked = _usable(evidence.candidates, header, hinted)
    ranked.sort(key=lambda c: (c.entity in hinted, c.tier, c.score, c.share), reverse=True)
    claimed = pl.Series([False] * facts.count)
    for cand in ranked:
        won = cand.mask & ~claimed
        claimed = claimed | won
        # A lexicon speaks for the whole column: NER may have claimed some of the same names.
        share = cand.share if cand.source == "lexicon" else share_of(won, cand.judged)
        hint = hinted.get(cand.entity)
        if not _accepted(cand, share, hint, evidence, facts):
            continue
        base = max(cand.score, TIER_BASE[cand.tier]) if cand.tier >= 2 else cand.score
        score = base * (0.6 + 0.4 * share)
        if hint is not None:
            score += (1 - score) * hint.weight * 0.6
        if header.not_person:
            score *= 0.7
        _add(decision, cand.entity, score, share, Evidence.BOTH if hint else Evidence.VALUES, won)
        label = ctx.spec(cand.entity).label
        decision.why.append(f"{share:.0%} of sampled values are {label}" + ("; header agrees" if hint else ""))
    explained = any(e.share >= 0.5 and e.entity not in {"PERSON", "LOCATION", "NRP"} for e in decision.entities)
    if not explained:
        _header_only(facts, header, evidence, decision, ctx)
    decision.entities.sort(key=lambda e: e.score, reverse=True)
    return decision


def _usable(candidates: list[Candidate], header: HeaderFacts, hinted: dict[str, HeaderHint]) -> list[Candidate]:
    usable = []
    for cand in candidates:
        if cand.needs_header and cand.entity not in hinted:
            continue
        if header.not_person and cand.entity in SHARED_GUESSES and cand.entity not in hinted:
            continue
        usable.append(cand)
    return usable


def _accepted(cand: Candidate, share: float, hint: HeaderHint | None, ev: ValueEvidence,
              facts: ColumnFacts) -> bool:
    if cand.entity == "GENDER":
        return share >= (0.5 if hint else 0.9)
    if cand.entity in {"DATE_TIME", "DATE_OF_BIRTH"}:
        return share >= (0.5 if hint else 0.8)
    if cand.entity == "STREET_ADDRESS":
        return share >= (0.25 if hint else 0.6)
    if cand.source == "custom":
        return share >= (0.1 if hint else 0.3)
    if cand.source == "checksum":
        return share >= (0.3 if hint else 0.8)
    if cand.source == "damaged":
        return share >= 0.3 if hint else share >= 0.9 and not facts.is_numeric_dtype
    if cand.source == "lexicon":
        return _lexicon_accepted(cand.entity, share, hint, ev, facts)
    if cand.source == "ner":
        return _ner_accepted(cand.entity, share, hint, ev, facts)
    bar = MIN_SHARE[cand.tier]
    if hint is not None and cand.tier == 2:
        bar = 0.25
    return share >= bar


def _ner_accepted(entity: str, share: float, hint: HeaderHint | None, ev: ValueEvidence,
                  facts: ColumnFacts) -> bool:
    if hint is not None:
        return share >= 0.2
    if entity == "PERSON":
        return share >= 0.6 and ev.ner_person > ev.ner_location and ev.ner_org < 0.3
    if entity == "LOCATION":
        bar = 0.75 if facts.distinct < 20 else 0.6
        return share >= bar and ev.ner_location >= ev.ner_person and ev.ner_person < 0.5
    return share >= 0.6


def _lexicon_accepted(entity: str, share: float, hint: HeaderHint | None, ev: ValueEvidence,
                      facts: ColumnFacts) -> bool:
    """Names or places by the lexicons: with the header's support a third of the values is enough;
    alone, most values must hit, the other lexicon must not explain them as well (Washington,
    Florence), and the column must look like names (capitalised, not a dozen categories)."""
    if hint is not None:
        return share >= 0.3
    ner = (ev.ner_person if entity == "PERSON" else ev.ner_location) if ev.ner_probed else 0.0
    if share >= 0.4 and ner >= 0.3 and facts.distinct >= 10:  # lexicon and NER agree on most values
        return True
    if share < 0.6 or facts.distinct < 10 or facts.title_share < 0.6:
        return False
    other = ev.lex_place if entity == "PERSON" else ev.lex_person
    if share >= other + 0.15:
        return True
    if ev.ner_probed:  # both lexicons explain the values: NER's reading decides
        return ev.ner_person > ev.ner_location if entity == "PERSON" else ev.ner_location > ev.ner_person
    return False


def _add(decision: Decision, entity: str, score: float, share: float, evidence: Evidence,
         mask: pl.Series | None) -> None:
    if any(e.entity == entity for e in decision.entities):
        return
    decision.entities.append(EntityScore(entity=entity, score=round(min(score, 1.0), 3),
                                         share=round(min(share, 1.0), 3), evidence=evidence))
    if mask is not None:
        decision.masks[entity] = mask


def _header_only(facts: ColumnFacts, header: HeaderFacts, ev: ValueEvidence, decision: Decision,
                 ctx: DetectContext) -> None:
    """The first header hint the values are compatible with, if the values did not show it."""
    for hint in header.hints:
        if any(e.entity == hint.entity for e in decision.entities):
            return
        if hint.entity in NO_FALLBACK:
            continue
        fit = _compatible(hint.entity, facts, ev)
        if fit is None:
            continue
        share, backed = fit
        score = hint.weight * (0.55 + 0.35 * share)
        _add(decision, hint.entity, score, share, Evidence.BOTH if backed else Evidence.HEADER, None)
        label = ctx.spec(hint.entity).label
        decision.why.append(f"header names {label}; values fit ({share:.0%})")
        return


def _compatible(entity: str, facts: ColumnFacts, ev: ValueEvidence) -> tuple[float, bool] | None:
    """(share of values that fit, whether the values themselves back it) or None if they contradict."""
    text_like = not facts.is_numeric_dtype and not facts.is_temporal and facts.numeric_share < 0.5
    code_like = facts.spaced_share <= 0.2 and facts.mean_length <= 64 and not (
        facts.is_float and facts.integer_share < 0.99)
    if entity == "PERSON":
        if not text_like or facts.alpha_share < 0.7 or (ev.ner_location >= 0.6 and ev.ner_person < 0.3):
            return None
        return facts.alpha_share, ev.ner_person >= 0.3
    if entity == "LOCATION":
        if not text_like or facts.alpha_share < 0.7 or (ev.ner_person >= 0.8 and ev.ner_location < 0.2):
            return None
        return facts.alpha_share, ev.ner_location >= 0.3
    if entity in {"NRP", "SEXUAL_ORIENTATION"}:
        return (facts.alpha_share, False) if text_like and facts.alpha_share >= 0.7 else None
    if entity == "MEDICAL_CONDITION":
        return (1.0, False) if text_like else None
    if entity == "STREET_ADDRESS":
        if not text_like:
            return None
        return (facts.alpha_share, False) if facts.alpha_share >= 0.5 else None
    many = facts.distinct > 10 or facts.distinct_share > 0.5  # ids, not a handful of tiers
    if entity == "PERSON_ID":
        return (1.0, False) if code_like and many and not facts.is_temporal else None
    if entity == "NATIONAL_ID":
        ok = code_like and many and facts.digit_share >= 0.8 and 5 <= facts.mean_length <= 25
        return (facts.digit_share, False) if ok else None
    if entity == "AGE":
        share = float(age_mask(facts).mean() or 0.0)
        return (share, False) if share >= 0.95 and not facts.is_temporal else None
    if entity == "DATE_OF_BIRTH":
        top = dt.date.today().year
        years = facts.per_number(("years", top),
                                 lambda n: (n.is_between(1900, top) & (n.round(0) == n)).fill_null(False))
        share = float(years.mean() or 0.0)
        return (share, False) if share >= 0.95 else None
    if entity == "GENDER":
        small = facts.distinct <= 12 and facts.mean_length <= 20
        return (1.0, ev.gender_both) if small else None
    if entity == "POSTAL_CODE":
        shaped = facts.contains(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$") & facts.contains(r"\d")
        share = float(shaped.mean() or 0.0)
        return (share, False) if share >= 0.8 else None
    if entity == "SALARY":
        money = facts.contains(r"^[^\d\s]{0,3}\s?[\d.,]+\s?[^\d\s]{0,3}$")
        share = float(money.mean() or 0.0)
        return (share, False) if share >= 0.9 else None
    return (1.0, False)  # custom entities: the analyst's own header words
