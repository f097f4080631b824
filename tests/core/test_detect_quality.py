"""Detection quality on a generated table, with real headers and with opaque ones (c00, c01, ...).

Scoring: a column counts as found when its ``entities`` list is not empty; it is typed right when
its first entity is in the column's truth set. Truths, decided here:

- A column with no truth is not personal: it must have no entity (a unique key such as row_id, a
  UUID or a SKU may still be kind identifier, with no entity).
- Birth dates: DATE_OF_BIRTH; with an opaque header DATE_TIME counts too (values alone say "dates
  of the past spanning decades", not "birth").
- Free-text notes: PERSON, PHONE_NUMBER or EMAIL_ADDRESS first (each note names a person and most
  carry a phone number or an email).
- Columns only their header can reveal (age as plain integers, 5-digit ZIP codes, customer ids,
  user names, surnames alone, diagnosis, salary) are scored with real headers and left out with
  opaque headers ("skip"): nothing in their values says what they are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import polars as pl
import pytest
import urllib3  # noqa: F401  (imported at collection: its import-time IPv6 probe opens a local socket)
from faker import Faker

from sanitas.core.dataset import Dataset
from sanitas.core.detect import ScanResult, scan_dataset
from sanitas.core.settings import Settings

ROWS = 600
SEED = 20241123
SKIP = "skip"


@dataclass(frozen=True)
class Truth:
    real: frozenset[str] | None
    opaque: frozenset[str] | str | None


def _t(real: set[str] | None, opaque: set[str] | str | None = "same") -> Truth:
    frozen = frozenset(real) if real else None
    if opaque == "same":
        return Truth(frozen, frozen)
    return Truth(frozen, opaque if isinstance(opaque, str) else (frozenset(opaque) if opaque else None))


def build_table(seed: int = SEED, rows: int = ROWS) -> tuple[pl.DataFrame, dict[str, Truth]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    gb = Faker("en_GB")
    gb.seed_instance(seed)
    rnd = random.Random(seed)
    categories = ["Books", "Garden", "Toys", "Electronics", "Home & Kitchen", "Sports"]

    def note() -> str:
        return rnd.choice([
            f"Called {fake.name()} on {fake.phone_number()} about the refund",
            f"Email from {fake.name()} ({fake.email()}) asking for an invoice",
            f"{fake.name()} visited the {fake.city()} store and complained about the delay",
            f"Spoke with {fake.first_name()} at {fake.phone_number()}, will call back tomorrow",
        ])

    notes_truth = {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"}
    columns: dict[str, tuple[list[object], Truth]] = {
        "row_id": (list(range(1, rows + 1)), _t(None)),
        "full_name": ([fake.name() for _ in range(rows)], _t({"PERSON"})),
        "first_name": ([fake.first_name() for _ in range(rows)], _t({"PERSON"})),
        "last_name": ([fake.last_name() for _ in range(rows)], _t({"PERSON"}, SKIP)),
        "uk_name": ([gb.name() for _ in range(rows)], _t({"PERSON"})),
        "email": ([fake.email() for _ in range(rows)], _t({"EMAIL_ADDRESS"})),
        "phone": ([fake.phone_number() for _ in range(rows)], _t({"PHONE_NUMBER"})),
        "uk_phone": ([gb.phone_number() for _ in range(rows)], _t({"PHONE_NUMBER"})),
        "ssn": ([fake.ssn() for _ in range(rows)], _t({"US_SSN"})),
        "card_number": ([fake.credit_card_number() for _ in range(rows)], _t({"CREDIT_CARD"})),
        "iban": ([fake.iban() for _ in range(rows)], _t({"IBAN_CODE"})),
        "ip_address": ([fake.ipv4() for _ in range(rows)], _t({"IP_ADDRESS"})),
        "mac_address": ([fake.mac_address() for _ in range(rows)], _t({"MAC_ADDRESS"})),
        "website": ([fake.url() for _ in range(rows)], _t({"URL"})),
        "city": ([fake.city() for _ in range(rows)], _t({"LOCATION"})),
        "country": ([fake.country() for _ in range(rows)], _t({"LOCATION"})),
        "birth_date": ([fake.date_of_birth(minimum_age=18, maximum_age=90) for _ in range(rows)],
                       _t({"DATE_OF_BIRTH"}, {"DATE_OF_BIRTH", "DATE_TIME"})),
        "created_at": ([fake.date_time_this_decade() for _ in range(rows)], _t({"DATE_TIME"})),
        "street_address": ([fake.street_address() for _ in range(rows)], _t({"STREET_ADDRESS"})),
        "zip": ([fake.zipcode() for _ in range(rows)], _t({"POSTAL_CODE"}, SKIP)),
        "uk_postcode": ([gb.postcode() for _ in range(rows)], _t({"POSTAL_CODE"})),
        "age": ([rnd.randint(18, 90) for _ in range(rows)], _t({"AGE"}, SKIP)),
        "gender": ([rnd.choice(["M", "F"]) for _ in range(rows)], _t({"GENDER"})),
        "customer_id": ([f"C{rnd.randint(100000, 999999)}" for _ in range(rows)], _t({"PERSON_ID"}, SKIP)),
        "username": ([fake.user_name() for _ in range(rows)], _t({"PERSON_ID"}, SKIP)),
        "diagnosis": ([rnd.choice(["Type 2 diabetes", "Asthma", "Hypertension", "Migraine"])
                       for _ in range(rows)], _t({"MEDICAL_CONDITION"}, SKIP)),
        "salary": ([rnd.randint(30_000, 150_000) for _ in range(rows)], _t({"SALARY"}, SKIP)),
        "notes": ([note() for _ in range(rows)], _t(notes_truth)),
        "sku": ([f"SKU-{rnd.randint(10000, 99999)}" for _ in range(rows)], _t(None)),
        "amount": ([round(rnd.uniform(1, 2000), 2) for _ in range(rows)], _t(None)),
        "price": ([f"${rnd.randint(1, 999)}.{rnd.randint(0, 99):02d}" for _ in range(rows)], _t(None)),
        "quantity": ([rnd.randint(1, 20) for _ in range(rows)], _t(None)),
        "rating": ([rnd.randint(1, 5) for _ in range(rows)], _t(None)),
        "category": ([rnd.choice(categories) for _ in range(rows)], _t(None)),
        "product": ([fake.catch_phrase() for _ in range(rows)], _t(None)),
        "tagline": ([fake.bs() for _ in range(rows)], _t(None)),
        "description": ([fake.sentence(nb_words=10) for _ in range(rows)], _t(None)),
        "colour": ([fake.color_name() for _ in range(rows)], _t(None)),
        "job_title": ([fake.job() for _ in range(rows)], _t(None)),
        "status": ([rnd.choice(["open", "closed", "pending"]) for _ in range(rows)], _t(None)),
        "in_stock": ([rnd.random() < 0.5 for _ in range(rows)], _t(None)),
        "uuid": ([fake.uuid4() for _ in range(rows)], _t(None)),
        "ean": ([fake.ean13() for _ in range(rows)], _t(None)),
        "file_name": ([fake.file_name() for _ in range(rows)], _t(None)),
        "order_number": ([str(rnd.randint(10**9, 10**10 - 1)) for _ in range(rows)], _t(None)),
    }
    frame = pl.DataFrame({name: values for name, (values, _) in columns.items()}, strict=False)
    return frame, {name: truth for name, (_, truth) in columns.items()}


@dataclass
class Score:
    f1: float
    typed: float
    lines: list[str]

    def report(self) -> str:
        return f"F1={self.f1:.3f} typed-right={self.typed:.3f}\n" + "\n".join(self.lines)


def score(result: ScanResult, truths: dict[str, Truth], *, opaque: bool) -> Score:
    tp = fp = fn = typed = personal = 0
    lines = []
    for (name, truth), finding in zip(truths.items(), result.columns, strict=True):
        expected = truth.opaque if opaque else truth.real
        if expected == SKIP:
            continue
        found = bool(finding.entities)
        ok = found == bool(expected)
        if expected:
            personal += 1
            if found:
                tp += 1
                typed += finding.top_entity in expected  # type: ignore[operator]
                ok = finding.top_entity in expected  # type: ignore[operator]
            else:
                fn += 1
        elif found:
            fp += 1
        got = [(e.entity, e.share, e.evidence.value) for e in finding.entities]
        lines.append(f"{'  ' if ok else '!!'} {name:15s} as {finding.name:15s} "
                     f"truth={sorted(expected) if expected else '-'} got={got} kind={finding.kind.value}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(f1, typed / personal if personal else 1.0, lines)


@pytest.fixture(scope="module")
def table() -> tuple[pl.DataFrame, dict[str, Truth]]:
    return build_table()


@pytest.fixture(scope="module")
def real_scan(table: tuple[pl.DataFrame, dict[str, Truth]]) -> ScanResult:
    return scan_dataset(Dataset.from_frame(table[0]), settings=Settings())


@pytest.mark.slow
def test_quality_with_real_headers(table: tuple[pl.DataFrame, dict[str, Truth]], real_scan: ScanResult) -> None:
    got = score(real_scan, table[1], opaque=False)
    print(got.report())
    assert got.f1 >= 0.95, got.report()
    assert got.typed >= 0.90, got.report()


@pytest.mark.slow
def test_quality_with_opaque_headers(table: tuple[pl.DataFrame, dict[str, Truth]]) -> None:
    frame, truths = table
    opaque = frame.rename({c: f"c{i:02d}" for i, c in enumerate(frame.columns)})
    result = scan_dataset(Dataset.from_frame(opaque), settings=Settings())
    got = score(result, truths, opaque=True)
    print(got.report())
    assert got.f1 >= 0.90, got.report()
    assert got.typed >= 0.90, got.report()


@pytest.mark.slow
def test_kinds_follow_the_entities(real_scan: ScanResult) -> None:
    result = real_scan
    kinds = {f.name: f.kind.value for f in result.columns}
    assert kinds["email"] == kinds["full_name"] == kinds["customer_id"] == "identifier"
    assert kinds["age"] == kinds["zip"] == kinds["birth_date"] == kinds["city"] == "quasi-identifier"
    assert kinds["diagnosis"] == kinds["salary"] == "sensitive"
    assert kinds["notes"] == "free-text"
    for name in ("amount", "category", "product", "tagline", "colour", "description", "sku"):
        assert kinds[name] == "not-personal", (name, result.finding(name))
    for finding in result.columns:
        if finding.entities:
            assert finding.examples and len(finding.examples) <= 3
            assert finding.reason
        else:
            assert finding.kind in {"identifier", "not-personal", "free-text"}
