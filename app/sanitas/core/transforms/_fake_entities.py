"""Which Faker generator stands in for which entity.

Each generator takes the Faker instance and the real (normalized) value, so shape-based entities (IDs,
licence numbers) can produce a fake of the same shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

Generator = Callable[[Any, str], Any]


def _method(name: str) -> Generator:
    def generate(faker: Any, real: str) -> Any:
        return getattr(faker, name)()

    generate.__name__ = name
    return generate


def same_shape(faker: Any, real: str) -> str:
    """Digits become random digits, letters random letters of the same case, the rest stays.

    A leading non-zero digit stays non-zero so the fake reads as the same kind of identifier.
    """
    rnd = faker.random
    out: list[str] = []
    first_digit = True
    for ch in real:
        if ch.isdigit():
            low = 1 if first_digit and ch != "0" else 0
            out.append(str(rnd.randint(low, 9)))
            first_digit = False
        elif ch.isalpha() and ch.isascii():
            letter = chr(ord("a") + rnd.randrange(26))
            out.append(letter.upper() if ch.isupper() else letter)
        else:
            out.append(ch)
    return "".join(out)


def ip_address(faker: Any, real: str) -> str:
    return faker.ipv6() if ":" in real else faker.ipv4()


def date_of_birth(faker: Any, real: str) -> dt.date:
    return faker.date_of_birth(minimum_age=0, maximum_age=100)


GENERATORS: dict[str, Generator] = {
    "PERSON": _method("name"),
    "NAME": _method("name"),
    "FIRST_NAME": _method("first_name"),
    "LAST_NAME": _method("last_name"),
    "EMAIL_ADDRESS": _method("email"),
    "PHONE_NUMBER": _method("phone_number"),
    "LOCATION": _method("city"),
    "CITY": _method("city"),
    "COUNTRY": _method("country"),
    "STREET_ADDRESS": _method("street_address"),
    "ADDRESS": _method("street_address"),
    "POSTAL_CODE": _method("postcode"),
    "ZIP_CODE": _method("postcode"),
    "US_SSN": _method("ssn"),
    "CREDIT_CARD": _method("credit_card_number"),
    "IBAN_CODE": _method("iban"),
    "IP_ADDRESS": ip_address,
    "URL": _method("url"),
    "DOMAIN_NAME": _method("domain_name"),
    "USERNAME": _method("user_name"),
    "DATE_OF_BIRTH": date_of_birth,
    "DATE_TIME": date_of_birth,
    "ORGANIZATION": _method("company"),
    "COMPANY": _method("company"),
    "JOB": _method("job"),
    "PERSON_ID": same_shape,
    "ID": same_shape,
    "US_DRIVER_LICENSE": same_shape,
    "US_PASSPORT": same_shape,
    "US_BANK_NUMBER": same_shape,
    "US_ITIN": same_shape,
    "ACCOUNT_NUMBER": same_shape,
}

DATE_ENTITIES = frozenset({"DATE_OF_BIRTH", "DATE_TIME"})


def supported_entities() -> list[str]:
    return sorted(GENERATORS)
