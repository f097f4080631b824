"""Name and place lexicons, header tokenization and the lexicon evidence in column classification."""

from __future__ import annotations

import random

import polars as pl
import pytest

from sanitas.core.detect import classify_frame
from sanitas.core.detect.headers import read_header
from sanitas.core.detect.lexicons import GIVEN, PLACES, SURNAMES, fold, lexicon, name_hits, place_hits
from sanitas.core.settings import Settings

SURNAMES_SAMPLE = ["Okafor", "Müller", "Rossi", "García-López", "Nguyen", "Kowalski", "Jensen", "Dubois",
                   "Schmidt", "Fernández", "Bianchi", "Johansson", "Novak", "Moreau", "Kelly", "Walsh"]
CITIES = ["München", "Zaragoza", "Nieuwegein", "Saint-Étienne", "Bologna", "Leeds", "Kraków", "Aarhus",
          "Groningen", "Toulouse", "Sevilla", "Torino", "Utrecht", "Hamburg", "Lyon", "Bilbao"]


def test_lexicons_load_folded_and_non_empty() -> None:
    assert len(lexicon(GIVEN)) > 50_000 and len(lexicon(SURNAMES)) > 80_000 and len(lexicon(PLACES)) > 300_000
    assert {"maria", "jose", "jurgen"} <= lexicon(GIVEN)
    assert fold(pl.Series(["Straße  Émile"])).to_list() == ["strasse emile"]


def test_name_hits_single_full_and_reversed() -> None:
    values = pl.Series(["Okafor", "Maria Schmidt", "Smith, John", "García-López", "Accountant", "Quickly"])
    hits = name_hits(values)
    assert hits.surname.to_list() == [True, False, False, True, False, False]
    assert hits.full.to_list() == [False, True, True, False, False, False]
    assert not hits.any[4]


def test_place_hits_accents_and_suffix() -> None:
    values = pl.Series(["München", "Springfield, IL", "Ciudad de México", "Barbecue sauce"])
    assert place_hits(values).to_list() == [True, True, True, False]


@pytest.mark.parametrize(("header", "entity"), [
    ("GivenName", "PERSON"), ("MothersMaiden", "PERSON"), ("TelephoneNumber", "PHONE_NUMBER"),
    ("CCNumber", "CREDIT_CARD"), ("NationalID", "NATIONAL_ID"), ("date-of-birth", "DATE_OF_BIRTH"),
    ("cust.email", "EMAIL_ADDRESS"), ("telefono_cliente", "PHONE_NUMBER"), ("woonplaats", "LOCATION"),
    ("numero_documento", "NATIONAL_ID"), ("Geburtsort", "LOCATION"), ("ZIPCode", "POSTAL_CODE"),
])
def test_headers_in_any_style_and_language(header: str, entity: str) -> None:
    assert entity in read_header(header).entities


def test_opaque_surname_and_city_columns_found_by_lexicons() -> None:
    rnd = random.Random(4)
    frame = pl.DataFrame({
        "c1": [rnd.choice(SURNAMES_SAMPLE) for _ in range(200)],
        "c2": [rnd.choice(CITIES) for _ in range(200)],
        "c3": [rnd.choice(["Blue", "Green", "Red", "White"]) for _ in range(200)],
    })
    found = {f.name: f for f in classify_frame(frame, settings=Settings(spacy_model="none"))}
    assert found["c1"].top_entity == "PERSON"
    assert found["c2"].top_entity == "LOCATION"
    assert found["c3"].entities == []  # four colours: a category, even if 'Green' is a surname


def test_header_is_evidence_not_a_verdict() -> None:
    frame = pl.DataFrame({"surname": [f"{i * 37 % 1000:04d}" for i in range(100)]})
    [finding] = classify_frame(frame, settings=Settings(spacy_model="none"))
    assert "PERSON" not in [e.entity for e in finding.entities]  # digits under a name header
