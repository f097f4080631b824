"""Masked examples keep a value's shape and never show the value; header words split correctly."""

from __future__ import annotations

import pytest
from faker import Faker

from sanitas.core.detect import mask_example
from sanitas.core.detect.headers import read_header, split_header


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("john.doe@example.com", "j*******@e******.com"),
        ("Maria Keller", "M**** K*****"),
        ("123-45-6789", "***-**-*789"),
        ("4532015112830366", "************0366"),
        ("1985-03-12", "****-**-12"),
        ("M", "*"),
        ("34", "**"),
    ],
)
def test_mask_keeps_shape(value: str, masked: str) -> None:
    assert mask_example(value) == masked


def test_masked_examples_never_equal_the_value() -> None:
    fake = Faker("en_US")
    fake.seed_instance(1)
    values = [fake.name() for _ in range(50)] + [fake.email() for _ in range(50)]
    values += [fake.phone_number() for _ in range(50)] + [fake.iban() for _ in range(20)]
    values += ["a", "ab", "a b", "-", "  ", "...", "x@y", "@", "12", fake.paragraph(nb_sentences=8)]
    for value in values:
        masked = mask_example(value)
        assert masked != value
        visible = sum(c.isalnum() for c in masked)
        assert visible * 2 <= max(len(value), 2), (value, masked)
    assert mask_example("x" * 200).endswith("…") and len(mask_example("x" * 200)) < 60


@pytest.mark.parametrize(
    ("header", "entity"),
    [
        ("E-Mail", "EMAIL_ADDRESS"), ("correo_electronico", "EMAIL_ADDRESS"), ("courriel", "EMAIL_ADDRESS"),
        ("mobilePhone", "PHONE_NUMBER"), ("Telefon", "PHONE_NUMBER"), ("firstname", "PERSON"),
        ("LastName", "PERSON"), ("vorname", "PERSON"), ("nombre", "PERSON"), ("DateOfBirth", "DATE_OF_BIRTH"),
        ("fecha_nacimiento", "DATE_OF_BIRTH"), ("zipcode", "POSTAL_CODE"), ("postal-code", "POSTAL_CODE"),
        ("social_security_number", "US_SSN"), ("personnummer", "NATIONAL_ID"), ("IBAN", "IBAN_CODE"),
        ("cc_number", "CREDIT_CARD"), ("IPAddress", "IP_ADDRESS"), ("Straße", "STREET_ADDRESS"),
        ("ville", "LOCATION"), ("edad", "AGE"), ("Geschlecht", "GENDER"), ("CustomerID", "PERSON_ID"),
        ("patient_no", "PERSON_ID"), ("account_number", "PERSON_ID"), ("diagnosis", "MEDICAL_CONDITION"),
        ("religion", "NRP"), ("salary", "SALARY"),
    ],
)
def test_header_hints(header: str, entity: str) -> None:
    assert read_header(header).entities[0] == entity


@pytest.mark.parametrize("header", ["postage", "image", "page", "mileage", "product_name", "sku", "c01",
                                    "order_id", "hostname", "product_condition", "order_state"])
def test_headers_without_person_hints(header: str) -> None:
    assert read_header(header).entities == []


def test_split_header() -> None:
    assert split_header("dateOfBirth") == ("date", "of", "birth")
    assert split_header("customer-ID_2") == ("customer", "id")
    assert split_header("ZIPCode") == ("zip", "code")
    assert read_header("sku").not_person and read_header("notes").free_text
