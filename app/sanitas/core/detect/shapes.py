"""Value checks Presidio lacks or does poorly on table cells, vectorized with polars.

Phone numbers (a strict shape, then ``phonenumbers`` on the distinct candidates), payment cards by
Luhn (Presidio's regex misses 15- and 19-digit cards), postal codes, dates, gender codes and street
addresses. Each check returns a boolean mask aligned with ``ColumnFacts.text``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
import polars as pl

from sanitas.core.detect.facts import ColumnFacts

# Digits in groups with separators, optional +/00 prefix and extension: not dates, IPs or plain ints.
_PHONE_SHAPE = (
    r"^(?:\+|00)?\s*(?:\(\d{1,5}\)|\d{1,5})(?:[\s.\-/]*(?:\(\d{1,5}\)|\d{1,5})){1,6}"
    r"(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?$"
)
_DATE_LIKE = r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$"
_IPV4_LIKE = r"^\d{1,3}(?:\.\d{1,3}){3}$"
_DATE_RE = re.compile(_DATE_LIKE)
_IPV4_RE = re.compile(_IPV4_LIKE)
_PHONE_IN_TEXT_RE = re.compile(
    r"(?<![\w.+])(?:\+|00|\()?\d[\d \t().\-/]{5,20}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?!\w)",
    re.IGNORECASE,
)
_EXTENSION_RE = re.compile(r"\s*(?:x|ext\.?)\s*\d{1,6}$", re.IGNORECASE)
_GROUP_RE = re.compile(r"\d+")
_US_ZIP4 = r"^\d{5}-\d{4}$"
_UK_POSTCODE = r"(?i)^(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$"
_CA_POSTCODE = r"(?i)^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$"
_NL_POSTCODE = r"(?i)^[1-9]\d{3} ?[A-Z]{2}$"
_PLAIN_POSTCODE = r"(?i)^(?:[A-Z]{1,2}-)?\d{4,5}$"
STREET_WORDS = (
    "street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|way|square|sq|"
    "terrace|ter|parkway|pkwy|highway|hwy|circle|cir|trail|trl|crossing|xing|path|row|alley|plaza|"
    "close|crescent|cres|grove|gardens|mews|walk|hill|hills|park|view|ridge|heights|loop|run|pike|"
    "route|rte|center|ctr|station|mills?|shoals?|unions?|estates?|manor|meadows?|springs?|creek|"
    "ports?|points?|ranch|harbor|harbour|valley|villages?|ville|vista|junction|knolls?|lakes?|"
    "landing|light|locks?|lodge|orchard|pass|passage|plains?|prairie|rapids?|rest|shores?|skyway|"
    "spur|stravenue|stream|summit|trace|track|tunnel|turnpike|underpass|viaduct|wall|wells?|"
    "apt\\.?|apartment|suite|ste|unit|floor|fl|flat|bldg|building|po box"
)
_ADDRESS_US = rf"(?i)^\d{{1,6}}[a-z]?(?:-\d+)?,?\s+\S+(?:\s+\S+){{0,6}}?\s+(?:{STREET_WORDS})s?\b"
# House number and two to four capitalised words: '43434 Smith Fields', '9 Rue Royale Apt. 3'.
_ADDRESS_TITLED = (
    r"^\d{1,6}[A-Za-z]?,?\s+(?:\p{Lu}[\p{L}'\-]*\.?\s+){1,3}\p{Lu}[\p{L}'\-]*\.?"
    r"(?:,?\s+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|#)\s*[\w\-]+)?(?:\s*[,\n].*)?$"
)
_ADDRESS_EU = (
    r"(?i)^(?:\S+\s+){0,4}?\S*(?:stra(?:ss|ß)e|str\.|weg|gasse|platz|allee|laan|straat|gade|vej|"
    r"gatan|katu)\s*\d{1,5}[a-z]?\b|^(?:\d{1,5}[a-z]?,?\s+)?(?:rue|avenue|boulevard|chemin|calle|"
    r"avenida|via|viale|piazza|rua|plaza|paseo)\s+\S+"
)
_GENDER = {
    "m", "f", "male", "female", "man", "woman", "men", "women", "boy", "girl", "non-binary",
    "nonbinary", "non binary", "nb", "x", "other", "diverse", "divers", "d", "w", "weiblich",
    "männlich", "maennlich", "masculino", "femenino", "masculin", "féminin", "feminin", "homme",
    "femme", "h", "hombre", "mujer", "unknown", "u", "prefer not to say", "transgender", "trans",
    "genderqueer", "agender", "intersex", "not stated", "unspecified",
}
_GENDER_PAIRS = ({"m", "male", "man", "men", "boy", "männlich", "maennlich", "masculino", "masculin",
                  "homme", "hombre", "h"},
                 {"f", "female", "woman", "women", "girl", "w", "weiblich", "femenino", "féminin",
                  "feminin", "femme", "mujer"})
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S%.f",
                 "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%d %B %Y", "%B %d, %Y", "%d %b %Y",
                 "%b %d, %Y", "%d/%m/%y", "%m/%d/%y")
_AGE_BAND = r"^\d{1,3}\s*(?:-|–|to)\s*\d{1,3}$|^\d{1,3}\s*\+$|^(?:under|over)\s+\d{1,3}$"


@dataclass(frozen=True)
class DateFacts:
    """Dates found in a column: which values parse, and whether they look like birth dates."""

    mask: pl.Series
    share: float
    birth_like: bool
    has_time: bool


def region_of(locale: str) -> str:
    """'en_US' -> 'US': the region phone numbers without a country code are read in."""
    part = locale.replace("-", "_").split("_")[-1].upper()
    return part if len(part) == 2 else "US"


def phone_mask(facts: ColumnFacts, region: str, *, lenient: bool) -> pl.Series:
    """Values shaped like phone numbers and of a possible length; ``lenient`` (header says phone)
    accepts any 6-15 digit number in phone shape."""
    shaped = facts.per_value(("phone_shape", lenient), lambda text: _phone_shaped(text, lenient))
    if lenient or not shaped.any():
        return shaped
    values = facts.text.filter(shaped).to_list()
    candidates = list(dict.fromkeys(values))
    regions = likely_regions(candidates, region)
    ok = {v for v in candidates if any(possible_phone(v, r) for r in regions)}
    if len(ok) == len(candidates):
        return shaped
    return pl.Series([hit and v in ok for v, hit in zip(facts.text.to_list(), shaped.to_list(), strict=True)],
                     dtype=pl.Boolean)


def _phone_shaped(text: pl.Series, lenient: bool) -> pl.Series:
    digits = text.str.replace_all(r"(?i)\s*(?:x|ext\.?|#)\s*\d{1,6}$", "").str.count_matches(r"\d")
    shaped = (
        text.str.contains(_PHONE_SHAPE)
        & ~text.str.contains(_DATE_LIKE)
        & ~text.str.contains(_IPV4_LIKE)
        & digits.is_between(6 if lenient else 7, 15)
    )
    if not lenient:
        grouped = text.str.contains(r"^\s*(?:\+|00|\()") | (text.str.count_matches(r"\d+") >= 3)
        shaped = shaped & grouped
    return shaped


def likely_regions(values: list[str], region: str, top: int = 2) -> list[str]:
    """The settings' region, then the regions of the country codes the column's +/00 numbers carry:
    a Spanish table writes some numbers as '+34 943 248 367' and others as '943 248 367'."""
    codes: dict[str, int] = {}
    for value in values[:300]:
        text = value.strip()
        if not text.startswith(("+", "00")):
            continue
        try:
            number = phonenumbers.parse("+" + text.lstrip("+0") if text.startswith("00") else text, None)
        except phonenumbers.NumberParseException:
            continue
        found = phonenumbers.region_code_for_country_code(number.country_code)
        if found and found != "ZZ":
            codes[found] = codes.get(found, 0) + 1
    ranked = sorted(codes, key=lambda r: -codes[r])[:top]
    return [region, *[r for r in ranked if r != region]]


def possible_phone(value: str, region: str) -> bool:
    """A possible number for its country (with +/00 prefix) or for the settings' region."""
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(number))


def phones_in_text_spans(text: str, region: str) -> list[tuple[int, int]]:
    """Spans of possible phone numbers in one text: 7-15 digits in phone shape, not a date or IP."""
    spans: list[tuple[int, int]] = []
    for match in _PHONE_IN_TEXT_RE.finditer(text):
        cand = match.group(0)
        core = cand.rstrip(" .-/(") if cand.startswith("(") else cand.strip(" .-/()")
        ndigits = sum(c.isdigit() for c in _EXTENSION_RE.sub("", core))
        if not 7 <= ndigits <= 15 or _DATE_RE.match(core) or _IPV4_RE.match(core):
            continue
        if len(_GROUP_RE.findall(core)) < 3 and not core.startswith(("+", "(")) and ndigits < 10:
            continue
        if possible_phone(core, region):
            start = match.start() + cand.find(core)
            spans.append((start, start + len(core)))
    return spans


def luhn_card_mask(facts: ColumnFacts) -> pl.Series:
    """13-19 digit numbers (spaces or dashes allowed) that pass the Luhn check."""
    return facts.per_value("luhn_card", _luhn_cards)


def _luhn_cards(text: pl.Series) -> pl.Series:
    digits = text.str.replace_all(r"[\s\-]", "")
    shaped = digits.str.contains(r"^[3-6]\d{12,18}$") & text.str.contains(r"^[\d\s\-]+$")
    if not shaped.any():
        return shaped
    ok = {d for d in digits.filter(shaped).unique().to_list() if luhn_valid(d) and len(set(d)) > 2}
    return shaped & digits.is_in(list(ok))


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def postal_masks(facts: ColumnFacts) -> tuple[pl.Series, pl.Series]:
    """(distinctive postal codes: ZIP+4, UK, Canadian, Dutch; plain 4-5 digit codes, header only)."""
    distinctive = facts.per_value("postal_distinctive", lambda text: (
        text.str.contains(_US_ZIP4) | text.str.contains(_UK_POSTCODE) | text.str.contains(_CA_POSTCODE)
        | text.str.contains(_NL_POSTCODE)
    ))
    plain = facts.contains(_PLAIN_POSTCODE)
    if facts.is_numeric_dtype:
        plain = plain | facts.per_number("postal_number", lambda numbers: (
            numbers.is_between(0, 99999) & (numbers.round(0) == numbers)).fill_null(False))
    return distinctive, plain.fill_null(False) if plain.null_count() else plain


def date_facts(facts: ColumnFacts, today: dt.date | None = None) -> DateFacts:
    """Which values are dates, by dtype or the best of a few formats; birth-like when they span
    decades of the past and carry no time of day."""
    text = facts.text
    none = pl.Series([False] * text.len())
    if facts.is_temporal:
        parsed = text.str.to_datetime(strict=False)  # the format is inferred per column: not batched
    elif facts.digit_share >= 0.8 and 6 <= facts.mean_length <= 35 and facts.numeric_share < 0.5:
        parsed = _best_parse(facts)
    else:
        return DateFacts(none, 0.0, False, False)
    if parsed is None:
        return DateFacts(none, 0.0, False, False)
    mask = parsed.dt.year().is_between(1800, 2200).fill_null(False)
    parsed = parsed.filter(mask)
    share = float(mask.mean() or 0.0)
    valid = parsed
    if valid.is_empty():
        return DateFacts(mask, share, False, False)
    has_time = bool((valid.dt.hour() + valid.dt.minute() + valid.dt.second() > 0).any())
    today = today or dt.date.today()
    days = valid.dt.date()
    lo, hi, mid = days.min(), days.max(), days.sort()[days.len() // 2]
    birth_like = (
        not has_time
        and isinstance(lo, dt.date) and isinstance(hi, dt.date) and isinstance(mid, dt.date)
        and lo >= dt.date(1900, 1, 1) and hi <= today
        and (hi - lo).days >= 15 * 365
        and (today - mid).days >= 15 * 365
    )
    return DateFacts(mask, share, birth_like, has_time)


def _best_parse(facts: ColumnFacts) -> pl.Series | None:
    best: pl.Series | None = None
    best_share = 0.0
    for fmt in _DATE_FORMATS:
        parsed = facts.per_value(("datetime", fmt), lambda text, f=fmt: text.str.to_datetime(f, strict=False))
        share = 1.0 - parsed.null_count() / parsed.len() if parsed.len() else 0.0
        if share > best_share:
            best, best_share = parsed, share
        if share >= 0.95:
            break
    return best


def gender_mask(facts: ColumnFacts) -> tuple[pl.Series, bool]:
    """(values from the gender vocabulary, whether both a male and a female form occur)."""
    lower = facts.per_value("lower", lambda text: text.str.to_lowercase())
    mask = facts.per_value("gender", lambda text: text.str.to_lowercase().is_in(list(_GENDER)))
    present = set(lower.filter(mask).to_list()) if mask.any() else set()
    both = bool(present & _GENDER_PAIRS[0]) and bool(present & _GENDER_PAIRS[1])
    return mask, both


def address_mask(facts: ColumnFacts) -> pl.Series:
    """House number and street word ('12 Oak Street Apt. 4'), or European street forms."""
    return facts.per_value("address", _addresses)


def _addresses(text: pl.Series) -> pl.Series:
    # '2006 Fiat Panda' has the titled shape: a year before two capitalised words is a model, not a street.
    titled = text.str.contains(_ADDRESS_TITLED) & ~text.str.contains(r"^(?:19[5-9]\d|20[0-3]\d)\s+\S+\s+\S+$")
    return text.str.contains(_ADDRESS_US) | titled | text.str.contains(_ADDRESS_EU)


def age_mask(facts: ColumnFacts) -> pl.Series:
    """Whole numbers 0-120, or age bands ('30-39', '65+')."""
    whole = facts.per_number("age", lambda nums: (nums.is_between(0, 120) & (nums.round(0) == nums)).fill_null(False))
    return whole | facts.contains(_AGE_BAND)
