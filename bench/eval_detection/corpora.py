"""Column corpora for the detection evaluation, made with Mimesis (not Faker, which the tests use,
and not the lists the lexicons were built from) and hand-written generators.

Each corpus is a polars frame and a truth per column: a set of acceptable first entities, ANY (any
personal entity), NONE (must list no entity) or SKIP (not scored).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from mimesis import Address, Datetime, Finance, Payment, Person
from mimesis.enums import Gender
from mimesis.locales import Locale
from national_ids import mangle, national_id
from prose import notes

ANY, NONE, SKIP = "ANY", "NONE", "SKIP"
PERSON, LOCATION = frozenset({"PERSON"}), frozenset({"LOCATION"})
BIRTH = frozenset({"DATE_OF_BIRTH", "DATE_TIME"})
NATIONAL = frozenset({"NATIONAL_ID", "US_SSN", "UK_NHS", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE"})
LOCALES = {"en": Locale.EN, "de": Locale.DE, "fr": Locale.FR, "it": Locale.IT, "es": Locale.ES, "nl": Locale.NL}
ID_COUNTRY = {"en": "us", "de": "ch", "fr": "fr", "it": "it", "es": "es", "nl": "nl"}
Truth = frozenset[str] | str


@dataclass(frozen=True)
class Corpus:
    name: str
    frame: pl.DataFrame
    truth: dict[str, Truth]


def _providers(lang: str, seed: int) -> dict[str, object]:
    loc = LOCALES[lang]
    return {"p": Person(loc, seed=seed), "a": Address(loc, seed=seed), "d": Datetime(loc, seed=seed),
            "f": Finance(loc, seed=seed), "pay": Payment(seed=seed)}


def people_export(rows: int = 400, seed: int = 7) -> Corpus:
    """A fake-identity export: CamelCase headers, rows from six locales, mangled card numbers and
    national IDs of several countries (some mangled too)."""
    rnd = random.Random(seed)
    gens = {lang: _providers(lang, seed + i) for i, lang in enumerate(LOCALES)}
    cols: dict[str, list[object]] = {}

    def add(name: str, value: object) -> None:
        cols.setdefault(name, []).append(value)

    for i in range(rows):
        lang = rnd.choice(list(LOCALES))
        g = gens[lang]
        p, a, d, pay = g["p"], g["a"], g["d"], g["pay"]
        sex = rnd.choice([Gender.MALE, Gender.FEMALE])
        card = pay.credit_card_number().replace(" ", "")  # type: ignore[attr-defined]
        birth = d.date(start=1940, end=2004)  # type: ignore[attr-defined]
        add("Number", i + 1)
        add("Gender", sex.value)
        add("GivenName", p.first_name(gender=sex))  # type: ignore[attr-defined]
        add("MiddleInitial", rnd.choice("ABCDEFGHJKLMNPRSTW"))
        add("Surname", p.last_name(gender=sex))  # type: ignore[attr-defined]
        add("StreetAddress", a.address())  # type: ignore[attr-defined]
        add("City", a.city())  # type: ignore[attr-defined]
        add("StateFull", a.state())  # type: ignore[attr-defined]
        add("ZipCode", a.postal_code())  # type: ignore[attr-defined]
        add("CountryFull", a.country())  # type: ignore[attr-defined]
        add("EmailAddress", p.email())  # type: ignore[attr-defined]
        add("Username", p.username())  # type: ignore[attr-defined]
        add("Password", p.password(length=10))  # type: ignore[attr-defined]
        add("TelephoneNumber", p.phone_number())  # type: ignore[attr-defined]
        add("MothersMaiden", p.last_name(gender=Gender.FEMALE))  # type: ignore[attr-defined]
        add("Birthday", f"{birth.month}/{birth.day}/{birth.year}")
        add("CCType", rnd.choice(["Visa", "MasterCard", "American Express"]))
        add("CCNumber", mangle(card, rnd) if rnd.random() < 0.9 else card)
        add("CVV2", f"{rnd.randint(100, 999)}")
        nid = national_id(rnd.choice([ID_COUNTRY[lang], "se", "pl", "dk", "fi", "gb", "br"]), rnd)
        add("NationalID", mangle(nid, rnd) if rnd.random() < 0.3 else nid)
        add("Color", rnd.choice(["Blue", "Green", "Red", "White", "Black", "Purple", "Yellow", "Orange", "Gray"]))
        add("Occupation", p.occupation())  # type: ignore[attr-defined]
        add("Company", g["f"].company())  # type: ignore[attr-defined]
        model = rnd.choice(["Ford Focus", "Toyota Yaris", "Fiat Panda", "VW Golf"])
        add("Vehicle", f"{rnd.randint(1995, 2020)} {model}")
        add("BloodType", rnd.choice(["A+", "A-", "B+", "O+", "O-", "AB+"]))
        add("Kilograms", round(rnd.uniform(45, 120), 1))
        add("Centimeters", rnd.randint(150, 200))
        add("Price", round(rnd.uniform(1, 500), 2))
    truth: dict[str, Truth] = {
        "Number": NONE, "Gender": frozenset({"GENDER"}), "GivenName": PERSON, "MiddleInitial": SKIP,
        "Surname": PERSON, "StreetAddress": ANY, "City": LOCATION, "StateFull": LOCATION, "ZipCode": ANY,
        "CountryFull": LOCATION, "EmailAddress": frozenset({"EMAIL_ADDRESS"}), "Username": SKIP,
        "Password": NONE, "TelephoneNumber": frozenset({"PHONE_NUMBER"}), "MothersMaiden": PERSON,
        "Birthday": BIRTH, "CCType": NONE, "CCNumber": frozenset({"CREDIT_CARD"}), "CVV2": NONE,
        "NationalID": NATIONAL, "Color": NONE, "Occupation": NONE, "Company": NONE, "Vehicle": NONE, "BloodType": NONE,
        "Kilograms": NONE, "Centimeters": NONE, "Price": NONE,
    }
    return Corpus("people export (CamelCase, 6 locales, mangled)", pl.DataFrame(cols, strict=False), truth)


def european_opaque(lang: str, rows: int = 300, seed: int = 11) -> Corpus:
    """One locale's customer table with opaque headers (c01, c02...): values alone must tell."""
    rnd = random.Random(seed)
    g = _providers(lang, seed)
    p, a, d = g["p"], g["a"], g["d"]
    date_fmt = "%d.%m.%Y" if lang in {"de", "nl"} else "%d/%m/%Y"
    spec: list[tuple[Truth, Callable[[], object]]] = [
        (PERSON, lambda: p.first_name()),  # type: ignore[attr-defined]
        (PERSON, lambda: p.last_name()),  # type: ignore[attr-defined]
        (PERSON, lambda: p.full_name()),  # type: ignore[attr-defined]
        (LOCATION, lambda: a.city()),  # type: ignore[attr-defined]
        (frozenset({"PHONE_NUMBER"}), lambda: p.phone_number()),  # type: ignore[attr-defined]
        (frozenset({"EMAIL_ADDRESS"}), lambda: p.email()),  # type: ignore[attr-defined]
        (ANY, lambda: a.address()),  # type: ignore[attr-defined]
        (BIRTH, lambda: d.date(start=1940, end=2004).strftime(date_fmt)),  # type: ignore[attr-defined]
        (NATIONAL, lambda: national_id(ID_COUNTRY[lang] if lang != "en" else "gb", rnd)),
        (NONE, lambda: notes(lang, 1, rnd)[0]),
        (NONE, lambda: f"{rnd.uniform(1, 900):.2f}"),
        (NONE, lambda: f"{rnd.choice('ABCDEFGH')}{rnd.randint(100, 999)}"),
        (NONE, lambda: rnd.choice(["standard", "premium", "basic", "pro"])),
        (NONE, lambda: rnd.randint(1, 40)),
    ]
    frame = pl.DataFrame({f"c{i:02d}": [make() for _ in range(rows)] for i, (_, make) in enumerate(spec)},
                         strict=False)
    truth = {f"c{i:02d}": t for i, (t, _) in enumerate(spec)}
    return Corpus(f"{lang} opaque headers", frame, truth)


def english_plain(rows: int = 400, seed: int = 5) -> Corpus:
    """English snake_case headers: the shape the project's own samples have (no regression)."""
    rnd = random.Random(seed)
    g = _providers("en", seed)
    p, a, d = g["p"], g["a"], g["d"]
    spec: dict[str, tuple[Truth, Callable[[], object]]] = {
        "customer_id": (SKIP, lambda: f"C{rnd.randint(100000, 999999)}"),
        "first_name": (PERSON, lambda: p.first_name()),  # type: ignore[attr-defined]
        "last_name": (PERSON, lambda: p.last_name()),  # type: ignore[attr-defined]
        "email": (frozenset({"EMAIL_ADDRESS"}), lambda: p.email()),  # type: ignore[attr-defined]
        "phone": (frozenset({"PHONE_NUMBER"}), lambda: p.phone_number()),  # type: ignore[attr-defined]
        "street_address": (ANY, lambda: a.address()),  # type: ignore[attr-defined]
        "city": (LOCATION, lambda: a.city()),  # type: ignore[attr-defined]
        "state": (LOCATION, lambda: a.state()),  # type: ignore[attr-defined]
        "zip": (ANY, lambda: a.zip_code()),  # type: ignore[attr-defined]
        "date_of_birth": (BIRTH, lambda: d.date(start=1940, end=2004).isoformat()),  # type: ignore[attr-defined]
        "ssn": (NATIONAL, lambda: national_id("us", rnd)),
        "notes": (NONE, lambda: notes("en", 1, rnd)[0]),
        "amount": (NONE, lambda: round(rnd.uniform(1, 900), 2)),
        "plan": (NONE, lambda: rnd.choice(["standard", "premium", "basic"])),
    }
    frame = pl.DataFrame({k: [make() for _ in range(rows)] for k, (_, make) in spec.items()}, strict=False)
    return Corpus("english snake_case", frame, {k: t for k, (t, _) in spec.items()})


def all_corpora() -> list[Corpus]:
    return [english_plain(), people_export(), *(european_opaque(lang) for lang in ("de", "fr", "es", "it", "nl"))]
