"""Free-text evaluation: support tickets with labelled spans (names, street addresses, phone numbers,
emails), scrubbed by Sanitas's scrub (default parameters, as `sanitas plan` writes them) and by
Presidio's defaults (AnalyzerEngine + AnonymizerEngine, same small spaCy model).

A span counts as removed when none of its words of 3+ characters (digits for phone numbers) is
left in the output cell; "other words kept" is the share of the other words still there.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass

import polars as pl
from corpora import LOCALES
from mimesis import Address, Person

TEMPLATES = [
    "Hi, this is {name}. My order never arrived at {address}. Please call me on {phone}.",
    "Customer {name} phoned from {phone} asking to change the delivery address to {address}.",
    "{name} ({email}) says the parcel was left at {address} but nobody was home.",
    "Spoke to {name} today; callback number {phone}. Invoice to be resent to {email}.",
    "Please ship the replacement to {name}, {address}.",
    "Refund approved for {name}. Contact: {phone}.",
    "Mr. {surname} called twice about the warranty, reach him at {phone}.",
    "Ms. {surname} moved to {address} and wants her contract updated.",
    "Dear {first}, we received your request and will call you at {phone}.",
    "Escalated by {first} from the front desk: the customer {name} is still waiting.",
    "Delivery failed at {address}; driver tried {phone} twice.",
    "New contact person is {name}, email {email}, mobile {phone}.",
]


@dataclass(frozen=True)
class Ticket:
    text: str
    spans: list[tuple[str, str]]  # (kind, text)


def tickets(count: int = 400, seed: int = 3) -> list[Ticket]:
    rnd = random.Random(seed)
    gens = {lang: (Person(loc, seed=seed + i), Address(loc, seed=seed + i))
            for i, (lang, loc) in enumerate(LOCALES.items())}
    out = []
    for _ in range(count):
        lang = rnd.choice(["en", "en", "en", "de", "fr", "it", "es", "nl"])
        person, address = gens[lang]
        first, surname = person.first_name(), person.last_name()
        parts = {"first": first, "surname": surname, "name": f"{first} {surname}", "address": address.address(),
                 "phone": person.phone_number(), "email": person.email()}
        template = rnd.choice(TEMPLATES)
        text = template.format(**parts)
        kinds = {"first": "name", "surname": "name", "name": "name", "address": "address", "phone": "phone",
                 "email": "email"}
        spans = [(kinds[k], v) for k, v in parts.items() if "{" + k + "}" in template]
        out.append(Ticket(text, spans))
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _removed(kind: str, value: str, output: str) -> bool:
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        return digits[-6:] not in re.sub(r"\D", "", output)
    left = set(_words(output))
    checked = [w for w in _words(value) if len(w) >= 3 and (kind == "address" or not w.isdigit())]
    return not any(w in left for w in checked)


def measure(items: list[Ticket], outputs: list[str]) -> dict[str, float]:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    kept = others = 0
    for item, output in zip(items, outputs, strict=True):
        for kind, value in item.spans:
            total[kind] += 1
            found[kind] += _removed(kind, value, output)
        private = {w for _, v in item.spans for w in _words(v)}
        left = Counter(_words(output))
        for word in _words(item.text):
            if word in private:
                continue
            others += 1
            if left[word] > 0:
                kept += 1
                left[word] -= 1
    figures = {kind: found[kind] / total[kind] for kind in total}
    direct = [k for k in total if k != "email"]
    figures["identifiers"] = sum(found[k] for k in direct) / sum(total[k] for k in direct)
    figures["all"] = sum(found.values()) / sum(total.values())
    figures["kept"] = kept / others if others else 1.0
    return figures


def sanitas_scrub(texts: list[str]) -> tuple[list[str], float, float]:
    from sanitas.core.transforms import TransformContext, make_transform

    column = pl.Series("notes", texts)
    transform = make_transform("scrub", {})
    started = time.perf_counter()
    out = transform.fit(column, TransformContext(column="notes")).apply(column)
    return out.to_list(), time.perf_counter() - started, transform.params.score_threshold


def presidio_defaults(texts: list[str]) -> tuple[list[str], float]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_anonymizer import AnonymizerEngine

    from sanitas.core.detect import get_analyzer

    nlp_engine = get_analyzer()[0].nlp_engine
    analyzer, anonymizer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"]), AnonymizerEngine()
    started = time.perf_counter()
    out = [anonymizer.anonymize(t, analyzer.analyze(t, language="en")).text for t in texts]
    return out, time.perf_counter() - started


def text_table(with_presidio: bool) -> dict[str, object]:
    items = tickets()
    texts = [t.text for t in items]
    ours, secs, threshold = sanitas_scrub(texts)
    rows = [(f"sanitas scrub (threshold {threshold})", measure(items, ours), secs)]
    if with_presidio:
        theirs, psecs = presidio_defaults(texts)
        rows.append(("presidio defaults", measure(items, theirs), psecs))
    print(f"\n{'free text: ' + str(len(items)) + ' tickets':<34} {'names':>6} {'addr':>6} {'phone':>6} {'email':>6}"
          f" {'ids':>6} {'kept':>6} {'sec':>5}")
    for name, m, s in rows:
        print(f"{name:<34} {m['name']:6.1%} {m['address']:6.1%} {m['phone']:6.1%} {m['email']:6.1%}"
              f" {m['identifiers']:6.1%} {m['kept']:6.1%} {s:5.1f}")
    return {name: {k: round(v, 3) for k, v in m.items()} | {"seconds": round(s, 2)} for name, m, s in rows}
