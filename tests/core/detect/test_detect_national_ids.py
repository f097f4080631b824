"""National identifiers by check digits (python-stdnum) and numbers a spreadsheet damaged."""

from __future__ import annotations

import random

import polars as pl
from stdnum import luhn
from stdnum.es import dni
from stdnum.it import codicefiscale
from stdnum.pl import pesel

from sanitas.core.detect import classify_frame
from sanitas.core.detect.batch_facts import column_facts
from sanitas.core.detect.national_ids import id_evidence, validate
from sanitas.core.settings import Settings


def _ids(rnd: random.Random, n: int) -> list[str]:
    """Valid identifiers of four countries, by each module's own check-digit function."""
    out = []
    while len(out) < n:
        kind = len(out) % 4
        if kind == 0:
            body = f"{rnd.randint(100_000_00, 999_999_99)}"
            value = body + luhn.calc_check_digit(body)  # a Canadian SIN
        elif kind == 1:
            body = f"{rnd.randint(10_000_000, 99_999_999)}"
            value = body + dni.calc_check_digit(body)
        elif kind == 2:
            body = f"RSSMRA{rnd.randint(40, 99)}T{rnd.randint(10, 28)}H{rnd.randint(100, 999)}"
            value = body + codicefiscale.calc_check_digit(body)
        else:
            body = f"{rnd.randint(40, 99)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(1000, 9999)}"
            value = body + pesel.calc_check_digit(body)
        if value and validate(value):
            out.append(value)
    return out


def _cards(rnd: random.Random, n: int) -> list[str]:
    cards = []
    for _ in range(n):
        body = f"4{rnd.randint(10**13, 10**14 - 1)}"
        cards.append(body + luhn.calc_check_digit(body))
    return cards


def test_validate_restores_lost_leading_zero() -> None:
    cpr = "0101901234"  # a Danish CPR of someone born 1 January 1990, as a spreadsheet shows it: 101901234
    assert validate(cpr) == "dk.cpr"
    assert validate(cpr.lstrip("0")) != "dk.cpr"
    assert validate(cpr.lstrip("0"), width=10) == "dk.cpr"  # the column's usual width restores the zero
    assert validate("12345") is None


def test_mixed_country_column_is_national_id_without_header() -> None:
    values = _ids(random.Random(1), 120)
    [finding] = classify_frame(pl.DataFrame({"c7": values}), settings=Settings(spacy_model="none"))
    assert finding.top_entity == "NATIONAL_ID"


def test_random_numbers_are_not_national_ids() -> None:
    rnd = random.Random(2)
    values = [f"{rnd.randint(10**8, 10**9 - 1)}" for _ in range(300)]
    evidence = id_evidence(column_facts(pl.Series("n", values)))
    assert evidence.share(evidence.checksummed) < 0.5
    [finding] = classify_frame(pl.DataFrame({"order_ref": values}), settings=Settings(spacy_model="none"))
    assert "NATIONAL_ID" not in [e.entity for e in finding.entities]


def test_damaged_card_numbers_with_and_without_header() -> None:
    rnd = random.Random(3)
    cards = _cards(rnd, 100)
    damaged = [f"{int(c[:6]) / 100000:.5f}E+{len(c) - 1}" for c in cards]
    evidence = id_evidence(column_facts(pl.Series("x", damaged)))
    assert evidence.damaged_share == 1.0 and set(evidence.exponents.to_list()) == {15}
    found = classify_frame(pl.DataFrame({"CCNumber": damaged, "c2": damaged}), settings=Settings(spacy_model="none"))
    assert [f.top_entity for f in found] == ["CREDIT_CARD", "CREDIT_CARD"]
    floats = pl.DataFrame({"CCNumber": [float(d) for d in damaged], "amount": [float(d) for d in damaged]})
    found = classify_frame(floats, settings=Settings(spacy_model="none"))
    assert found[0].top_entity == "CREDIT_CARD"  # a reader parsed them: the header says what they were
    assert found[1].entities == []  # big round floats without a header are only numbers


def test_national_id_header_with_damaged_and_spaced_values() -> None:
    rnd = random.Random(5)
    values = _ids(rnd, 60) + ["AB 12 34 56 C", "ZH 13 93 89 C"] * 10 + ["1.23457E+11"] * 20
    [finding] = classify_frame(pl.DataFrame({"NationalID": values}), settings=Settings(spacy_model="none"))
    assert finding.top_entity == "NATIONAL_ID"


def test_digit_only_validators_are_skipped_only_where_they_refuse() -> None:
    """A value with a letter skips the validators of all-digit numbers: each of them refuses it."""
    import importlib

    from sanitas.core.detect.national_ids import DIGITS_ONLY

    lettered = ["C1355210", "AB123456789", "12345678901X", "X7801250", "HR12345678901", "8001015009a87",
                "ab 123-45-678", "SKU-1234567890"]
    for name in DIGITS_ONLY:
        module = importlib.import_module(f"stdnum.{name}")
        assert not any(module.is_valid(v) for v in lettered), name
        assert "X" in module.compact("12 x34").upper()  # compact keeps letters: validate sees them
