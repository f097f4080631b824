"""Checksum-valid national identifiers of several countries, made by rejection sampling.

Random digits in each country's format are drawn until python-stdnum accepts them (one try in ten
or so), so the corpora hold identifiers a real validator accepts, in the formats people write.
"""

from __future__ import annotations

import importlib
import random
import string
from collections.abc import Callable


def _digits(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(string.digits) for _ in range(n))


def _date(rnd: random.Random, order: str = "ymd") -> str:
    y, m, d = rnd.randint(40, 99), rnd.randint(1, 12), rnd.randint(1, 28)
    parts = {"y": f"{y:02d}", "m": f"{m:02d}", "d": f"{d:02d}"}
    return "".join(parts[c] for c in order)


def _until(module: str, make: Callable[[], str]) -> str:
    valid = importlib.import_module(f"stdnum.{module}").is_valid
    for _ in range(5000):
        value = make()
        if valid(value):
            return value
    raise RuntimeError(f"no valid {module} in 500 tries")


def _codice_fiscale(rnd: random.Random) -> str:
    from stdnum.it import codicefiscale

    letters = "".join(rnd.choice(string.ascii_uppercase) for _ in range(6))
    body = (f"{letters}{rnd.randint(40, 99):02d}{rnd.choice('ABCDEHLMPRST')}{rnd.randint(1, 28):02d}"
            f"{rnd.choice('ABCDEFGHILM')}{rnd.randint(100, 999)}")
    return body + codicefiscale.calc_check_digit(body)


def _cpf(rnd: random.Random) -> str:
    from stdnum.br import cpf

    body = _digits(rnd, 9)
    return body + cpf._calc_check_digits(body)


def _nino(rnd: random.Random) -> str:
    first, second = rnd.choice("ABCEGHJKLMNPRSTWXYZ"), rnd.choice("ABCEGHJKLMNPRSTWXYZ")
    d = _digits(rnd, 6)
    return f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {rnd.choice('ABCD')}"


MAKERS: dict[str, Callable[[random.Random], str]] = {
    "nl": lambda r: _until("nl.bsn", lambda: _digits(r, 9)),
    "es": lambda r: _until("es.dni", lambda: _digits(r, 8) + r.choice("TRWAGMYFPDXBNJZSQVHLCKE")),
    "it": _codice_fiscale,
    "fr": lambda r: _until("fr.nir", lambda: (
        f"{r.choice('12')} {_date(r, 'ym')[:2]} {_date(r, 'ym')[2:]} {r.randint(1, 95):02d} "
        f"{_digits(r, 3)} {_digits(r, 3)} {_digits(r, 2)}")),
    "se": lambda r: _until("se.personnummer", lambda: f"{_date(r)}-{_digits(r, 4)}"),
    "pl": lambda r: _until("pl.pesel", lambda: _date(r) + _digits(r, 5)),
    "fi": lambda r: _until("fi.hetu", lambda: f"{_date(r, 'dmy')}-{_digits(r, 3)}"
                           f"{r.choice('0123456789ABCDEFHJKLMNPRSTUVWXY')}"),
    "dk": lambda r: _until("dk.cpr", lambda: f"{_date(r, 'dmy')}-{_digits(r, 4)}"),
    "br": lambda r: (lambda d: f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}")(_cpf(r)),
    "ca": lambda r: _until("ca.sin", lambda: (lambda d: f"{d[:3]}-{d[3:6]}-{d[6:]}")("1" + _digits(r, 8))),
    "us": lambda r: f"{r.randint(101, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}",
    "gb": _nino,
    "ch": lambda r: _until("ch.ssn", lambda: f"756.{_digits(r, 4)}.{_digits(r, 4)}.{_digits(r, 2)}"),
}


def national_id(country: str, rnd: random.Random) -> str:
    return MAKERS[country](rnd)


def mangle(value: str, rnd: random.Random) -> str:
    """What a spreadsheet does to a long all-digit value: scientific notation, or a lost leading zero."""
    digits = "".join(c for c in value if c.isdigit())
    if not value.replace(" ", "").replace("-", "").isdigit() or len(digits) < 9:
        return value
    if digits.startswith("0"):
        return digits.lstrip("0")
    if len(digits) >= 12 and rnd.random() < 0.8:
        mantissa = f"{int(digits[:6]) / 100000:.5f}".rstrip("0").rstrip(".")
        return f"{mantissa}E+{len(digits) - 1}"
    return digits
