"""The entity catalogue: which kind of column each entity makes, and how far its values can be trusted.

Presidio's names are used where Presidio has one. The tier says how much a value match alone proves:

- 3 (distinctive): checksummed or unmistakable formats (card with Luhn, IBAN, email, IP, MAC, URL).
- 2 (structured): clear shapes that other things can share (phone, SSN, date, postal code, address).
- 1 (weak): Presidio's broad national-number patterns (US bank number, US driver licence, UK NHS...).
  They match phone numbers and order numbers alike, so they count only when the header agrees.
- 0 (judged): no value pattern; named-entity recognition or the header decides (person, place, age).

Kinds, decided here once: identifiers point at one person on their own (including IP and MAC
addresses, which single out a subscriber or device, and PERSON_ID / NATIONAL_ID); quasi-identifiers
identify in combination (age, gender, postal code, every date, places, URLs, which often name a
person's page but also organisations); sensitive entities are the special categories (health,
religion, ethnicity, politics, sexual orientation) and salary.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanitas.core.detect.findings import ColumnKind

ID = ColumnKind.IDENTIFIER
QUASI = ColumnKind.QUASI_IDENTIFIER
SENSITIVE = ColumnKind.SENSITIVE


@dataclass(frozen=True)
class EntitySpec:
    """What an entity means for a column, in words for reasons and reports."""

    name: str
    kind: ColumnKind
    tier: int
    label: str


_SPECS = [
    EntitySpec("PERSON", ID, 0, "person names"),
    EntitySpec("EMAIL_ADDRESS", ID, 3, "email addresses"),
    EntitySpec("PHONE_NUMBER", ID, 2, "phone numbers"),
    EntitySpec("US_SSN", ID, 2, "US social security numbers"),
    EntitySpec("CREDIT_CARD", ID, 3, "payment card numbers"),
    EntitySpec("IBAN_CODE", ID, 3, "IBANs"),
    EntitySpec("IP_ADDRESS", ID, 3, "IP addresses"),
    EntitySpec("MAC_ADDRESS", ID, 3, "MAC addresses"),
    EntitySpec("CRYPTO", ID, 3, "crypto wallet addresses"),
    EntitySpec("STREET_ADDRESS", ID, 2, "street addresses"),
    EntitySpec("PERSON_ID", ID, 0, "identifiers of people (customer, patient, account numbers)"),
    EntitySpec("NATIONAL_ID", ID, 0, "national identity numbers"),
    EntitySpec("US_PASSPORT", ID, 1, "US passport numbers"),
    EntitySpec("US_DRIVER_LICENSE", ID, 1, "US driver licence numbers"),
    EntitySpec("US_ITIN", ID, 1, "US taxpayer numbers"),
    EntitySpec("US_BANK_NUMBER", ID, 1, "US bank account numbers"),
    EntitySpec("UK_NHS", ID, 1, "UK NHS numbers"),
    EntitySpec("MEDICAL_LICENSE", ID, 1, "medical licence numbers"),
    EntitySpec("URL", QUASI, 3, "URLs"),
    EntitySpec("DATE_OF_BIRTH", QUASI, 2, "birth dates"),
    EntitySpec("DATE_TIME", QUASI, 2, "dates"),
    EntitySpec("POSTAL_CODE", QUASI, 2, "postal codes"),
    EntitySpec("LOCATION", QUASI, 0, "places"),
    EntitySpec("AGE", QUASI, 0, "ages"),
    EntitySpec("GENDER", QUASI, 2, "gender"),
    EntitySpec("NRP", SENSITIVE, 0, "nationality, religion, ethnicity or politics"),
    EntitySpec("MEDICAL_CONDITION", SENSITIVE, 0, "health data"),
    EntitySpec("SEXUAL_ORIENTATION", SENSITIVE, 0, "sexual orientation"),
    EntitySpec("SALARY", SENSITIVE, 0, "salary or income"),
]

CATALOGUE: dict[str, EntitySpec] = {spec.name: spec for spec in _SPECS}
ORDER: dict[str, int] = {spec.name: i for i, spec in enumerate(_SPECS)}


def spec(entity: str, kind: ColumnKind | None = None) -> EntitySpec:
    """The spec of a known entity, or of a custom one (an identifier unless its file says otherwise)."""
    found = CATALOGUE.get(entity)
    if found is not None:
        return found
    return EntitySpec(entity, kind or ID, 2, entity.lower().replace("_", " "))

