"""National identifiers of many countries, validated by checksum, and numbers a spreadsheet damaged.

python-stdnum validates each country's format and check digits (Italian codice fiscale, Dutch BSN,
Swedish personnummer, PESEL, NIR...). One column may mix countries (a people export), so a value
counts when any validator accepts it. Only validators with a real check digit are used: about one
random number in ten passes each of them, so a column of order numbers passes the union for at
most ~45% of values, against ~100% for genuine identifiers.

Spreadsheets damage identifiers in two ways, both seen in real exports: long numbers shown in
scientific notation with six significant digits ("5.54563E+15", the digits are lost for good) and
leading zeros dropped ("0101901234" becomes 101901234). The first are recognised by their shape;
the second are validated again padded back to the column's usual width.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import polars as pl
from stdnum.exceptions import InvalidLength

from sanitas.core.detect.facts import ColumnFacts

# stdnum modules with check digits (country.module); US SSNs are Presidio's (format, no checksum).
CHECKSUMMED = (
    "at.vnr", "be.nn", "bg.egn", "br.cpf", "ca.sin", "ch.ssn", "cl.rut", "cn.ric", "cz.rc", "de.idnr",
    "dk.cpr", "ee.ik", "es.dni", "es.nie", "fi.hetu", "fr.nir", "gr.amka", "hr.oib", "ie.pps",
    "in_.aadhaar", "is_.kennitala", "it.codicefiscale", "lt.asmens", "mx.curp", "nl.bsn",
    "no.fodselsnummer", "pl.pesel", "pt.cc", "ro.cnp", "se.personnummer", "si.emso", "sk.rc",
    "tr.tckimlik", "za.idnr", "kr.rrn", "il.idnr", "au.tfn", "nz.ird",
)
MAX_DISTINCT = 400  # distinct values validated per column (about 0.15 s)
EARLY_LOOK = 40  # after this many, a column where fewer than half pass is not validated further
# UK National Insurance numbers have no check digit but a distinctive format.
_NINO = r"(?i)^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$"
_SSN = r"^\d{3}-\d{2}-\d{4}$"
# Excel's General format shows long numbers with at most six significant digits.
SCIENTIFIC = r"(?i)^[1-9](?:[.,]\d{1,14})?e\+?(\d{1,2})$"
# The same damage after a reader parsed it: 5545630000000000 (six digits, then only zeros).
ROUNDED = r"^[1-9]\d{0,5}0{3,}(?:\.0)?$"
_CANDIDATE = r"^[\w .\-/+]{6,30}$"


@dataclass(frozen=True)
class IdEvidence:
    """Per value: a checksum-valid national identifier, or a long number in scientific notation."""

    valid: pl.Series
    damaged: pl.Series
    countries: tuple[str, ...]  # the validators that accepted most values, most frequent first
    exponents: pl.Series  # the power of ten of damaged numbers (15 for a 16-digit card), else null
    judged: pl.Series  # the values the checksums judged (all but distinct values past MAX_DISTINCT)
    checksummed: pl.Series  # the subset of ``valid`` a stdnum check digit accepted (not SSN/NINO formats)

    def share(self, mask: pl.Series) -> float:
        judged = int(self.judged.sum())
        return int((mask & self.judged).sum()) / judged if judged else 0.0

    @property
    def valid_share(self) -> float:
        return self.share(self.valid)

    @property
    def damaged_share(self) -> float:
        return float(self.damaged.mean() or 0.0) if self.damaged.len() else 0.0


@lru_cache(maxsize=1)
def _validators() -> tuple[tuple[str, ModuleType], ...]:
    return tuple((name, importlib.import_module(f"stdnum.{name}")) for name in CHECKSUMMED)


# Validators of all-digit numbers: compact() keeps ASCII letters (no letter prefix is stripped) and
# validate() checks that the whole compacted number is digits (python-stdnum 2.2, read module by
# module), so a value with a letter is refused by each of them: not worth cleaning 21 times.
DIGITS_ONLY = frozenset({
    "at.vnr", "be.nn", "bg.egn", "br.cpf", "ca.sin", "cz.rc", "de.idnr", "dk.cpr", "ee.ik", "gr.amka",
    "lt.asmens", "nl.bsn", "no.fodselsnummer", "pl.pesel", "ro.cnp", "si.emso", "tr.tckimlik", "za.idnr",
    "kr.rrn", "au.tfn", "il.idnr",
})
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_DIGITS_AS_NINE = str.maketrans("123456789", "999999999")
_WRONG_LENGTH: set[tuple[str, str]] = set()  # (validator, shape) pairs a validator refused for their length
_WRONG_LENGTH_LIMIT = 200_000


def _accepts(name: str, module: ModuleType, text: str) -> bool:
    """``module.is_valid(text)``, remembering the value shapes a validator refuses for their length.

    Most of a validator's cost is cleaning the value before it looks at the length; a wide table has
    thousands of columns of the same shapes (phones, SKUs), so a shape refused once for its length
    (digits 1-9 read as 9: zeros and letters, which prefixes and stripping depend on, are kept) is
    refused again without calling it."""
    shape = (name, text.translate(_DIGITS_AS_NINE))
    if shape in _WRONG_LENGTH:
        return False
    try:
        return bool(module.validate(text))
    except InvalidLength:
        if len(_WRONG_LENGTH) >= _WRONG_LENGTH_LIMIT:
            _WRONG_LENGTH.clear()
        _WRONG_LENGTH.add(shape)
        return False
    except Exception:
        return False


def validate(value: str, width: int | None = None) -> str | None:
    """The validator (``country.module``) that accepts ``value``, or None. ``width``: the usual digit
    count of the column; shorter all-digit values are also tried with their lost zeros restored."""
    candidates = [value]
    digits = value.strip()
    if width and digits.isdigit() and len(digits) < width <= len(digits) + 2:
        candidates.insert(0, digits.zfill(width))  # the column's own width is the likelier reading
    for text in candidates:
        lettered = _ASCII_LETTER.search(text) is not None
        for name, module in _validators():
            if lettered and name in DIGITS_ONLY:
                continue
            if _accepts(name, module, text):
                return name
    return None


def id_evidence(facts: ColumnFacts) -> IdEvidence:
    """Checksum and damage evidence for one column (cheap no-op on columns that are not codes).

    Per-value checks run batched (``ColumnFacts.per_value``); what depends on the column as a whole
    (its usual width, which distinct values to validate) is plain Python over its few values."""
    text = facts.text
    if facts.is_numeric_dtype:
        exponents = facts.per_value("rounded_exponent", _rounded_exponents)
    else:
        exponents = facts.per_value("scientific_exponent",
                                    lambda t: t.str.extract(SCIENTIFIC, 1).cast(pl.Int32, strict=False))
    damaged = facts.per_value(("damaged", facts.is_numeric_dtype), lambda _: (
        exponents_of(facts, _).is_between(7, 19).fill_null(False)))
    if facts.is_temporal or (not damaged.any() and not _code_like(facts)):
        none = pl.Series([False] * text.len(), dtype=pl.Boolean)
        return IdEvidence(none, damaged, (), exponents, ~none, none)
    shaped = facts.per_value("id_shaped", _id_shaped) & ~damaged
    values = text.to_list()
    distinct = list(dict.fromkeys(v for v, hit in zip(values, shaped.to_list(), strict=True) if hit))[:MAX_DISTINCT]
    lengths = Counter(len(v) for v in values if v.isdecimal())
    width = max(n for n, c in lengths.items() if c == max(lengths.values())) if lengths else None
    accepted: dict[str, str] = {}
    for i, value in enumerate(distinct):
        if i == EARLY_LOOK and len(accepted) < EARLY_LOOK * 0.5:  # codes, not IDs: stop paying
            distinct = distinct[:i]
            break
        name = validate(value, width)
        if name is not None:
            accepted[value] = name
    looked = set(distinct)
    judged = pl.Series([not hit or v in looked for v, hit in zip(values, shaped.to_list(), strict=True)],
                       dtype=pl.Boolean)
    checksummed = pl.Series([v in accepted for v in values], dtype=pl.Boolean)
    valid = checksummed | facts.per_value("nino_or_ssn", lambda t: t.str.contains(_NINO) | t.str.contains(_SSN))
    counts = Counter(accepted.values())
    return IdEvidence(valid, damaged, tuple(n for n, _ in counts.most_common(5)), exponents,
                      judged, checksummed)


def exponents_of(facts: ColumnFacts, text: pl.Series) -> pl.Series:
    """The power of ten of damaged numbers over ``text`` (the batch's or the column's values)."""
    if facts.is_numeric_dtype:
        return _rounded_exponents(text)
    return text.str.extract(SCIENTIFIC, 1).cast(pl.Int32, strict=False)


def _rounded_exponents(text: pl.Series) -> pl.Series:
    whole = text.str.replace(r"\.0$", "")
    rounded = text.str.contains(ROUNDED) & whole.str.len_chars().is_between(10, 20)
    frame = pl.DataFrame({"r": rounded, "n": (whole.str.len_chars() - 1).cast(pl.Int32)})
    return frame.select(pl.when("r").then("n")).to_series()


def _id_shaped(text: pl.Series) -> pl.Series:
    dates = text.str.contains(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$|^\d{1,3}(?:\.\d{1,3}){3}$")
    return (text.str.contains(_CANDIDATE) & (text.str.count_matches(r"\d") >= 6) & ~dates).fill_null(False)


def _code_like(facts: ColumnFacts) -> bool:
    return facts.digit_share >= 0.5 and 6 <= facts.mean_length <= 30 and facts.alpha_share < 0.9
