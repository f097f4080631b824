"""The vectorized pseudonymize path gives exactly the pseudonyms of the per-value rules (hmac.new)."""

from __future__ import annotations

import hashlib
import hmac
import random
from typing import Any

import polars as pl
import pytest
from faker import Faker

from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms._keyed import base32_token, integer_like
from sanitas.core.transforms._keyed_columns import base32_tokens, digest_bytes, hmac_hex
from sanitas.core.transforms._shape import shape_one
from sanitas.core.transforms._text import normalize, normalize_series

TEXT_KEY = b"0123456789abcdef0123456789abcdef"
LONG_KEY = ("k\u00e9y-" * 30).encode()  # over one SHA-256 block: HMAC hashes the key first
BINARY_KEY = bytes(range(256))[128:160]  # not UTF-8: the per-value fallback
TRICKY = [
    "", " ", "a", "12345", "007", "-42", "3.14", "jan\u00e9", "A\u0301nn", "\u00c1nn", "Stra\u00dfe", "STRASSE",
    "\u0130stanbul", "\ufb01le", "\u65e5\u672c\u8a9e", "emoji \U0001f600", " \u3000padded\u00a0", "\x1cinfo\x1f",
    "tab\tinside", "line\nbreak", "Jane.Doe@Example.com", "  <JANE@EXAMPLE.COM> ", "mailto:Jane@Example.com",
    "MAILTO:<x@y.z>", "<>", "<", "a@b@c.d", "no-at-sign", "x" * 300, "\u00df@\u00e9xample.com",
]


def reference_hex(key: bytes, namespace: str, value: str) -> str:
    return hmac.new(key, (namespace + "\x00" + value).encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("key", [TEXT_KEY, LONG_KEY, BINARY_KEY])
@pytest.mark.parametrize("namespace", ["", "study-2"])
def test_hmac_hex_equals_hmac_new(key: bytes, namespace: str) -> None:
    rnd = random.Random(3)
    values: list[str | None] = [*TRICKY, None, *(str(rnd.randint(-10**12, 10**12)) for _ in range(200))]
    out = hmac_hex(pl.Series("v", values), key, namespace).to_list()
    assert out == [None if v is None else reference_hex(key, namespace, v) for v in values]


@pytest.mark.parametrize("mode", ["none", "trim", "casefold", "email"])
def test_normalize_series_equals_normalize(mode: Any) -> None:
    fake = Faker(["en_US", "de_DE", "tr_TR", "ja_JP"])
    fake.seed_instance(8)
    values: list[str | None] = [*TRICKY, None, *(fake.email().upper() for _ in range(100))]
    values += [f" {fake.name()} " for _ in range(100)]
    out = normalize_series(pl.Series("v", values), mode).to_list()
    assert out == [None if v is None else normalize(v, mode) for v in values]


def test_integer_columns_normalize_as_their_decimal_text() -> None:
    column = pl.Series("n", [0, -5, 10**18, None], dtype=pl.Int64)
    assert normalize_series(column, "trim").to_list() == ["0", "-5", str(10**18), None]


def test_base32_tokens_equal_base32_token() -> None:
    hexes = hmac_hex(pl.Series("v", [str(i) for i in range(300)]), TEXT_KEY)
    for length in (6, 7, 16, 52):
        expected = [base32_token(bytes.fromhex(h), length) for h in hexes.to_list()]
        assert base32_tokens(hexes, length).to_list() == expected
    assert digest_bytes(hexes).tobytes() == b"".join(bytes.fromhex(h) for h in hexes.to_list())


def run(values: list[Any], params: dict[str, Any], *, key: bytes, dtype: Any = pl.String,
        entity: str | None = None) -> list[Any]:
    column = pl.Series("c", values, dtype=dtype)
    transform = make_transform("pseudonymize", {"key": "k", **params})
    context = TransformContext(column="c", entity=entity, keys=lambda _: key)
    return transform.fit(column, context).apply(column).to_list()


def digest(key: bytes, domain: str, text: str) -> bytes:
    return bytes.fromhex(reference_hex(key, domain, text))


def reference(value: Any, params: dict[str, Any], key: bytes, mode: Any) -> Any:
    """Today's per-value rules (the code before vectorizing), on hmac.new digests."""
    if value is None:
        return None
    text = normalize(str(value), mode)
    d = digest(key, params.get("domain", ""), text)
    fmt, length = params["format"], params.get("length", 16)
    if fmt == "token":
        body = d.hex()[:length] if params.get("alphabet", "hex") == "hex" else base32_token(d, length)
        return params.get("prefix", "") + body
    if fmt == "email":
        at = text.rfind("@")
        if at < 0:
            return f"{d.hex()[:length]}@example.invalid"
        domain = text[at + 1:]
        if params.get("email_domain") == "pseudonymize":
            domain = base32_token(digest(key, params.get("domain", ""), "\x00domain\x00" + domain), 10) + ".example"
        return f"{d.hex()[:length]}@{domain}"
    if fmt == "integer":
        return integer_like(d, int(value))
    return shape_one(d, text, luhn=params.get("luhn", False))


CASES = [
    ({"format": "token"}, "trim"),
    ({"format": "token", "prefix": "cust_", "length": 10, "alphabet": "base32", "domain": "crm"}, "trim"),
    ({"format": "token", "normalize": "casefold", "length": 64}, "casefold"),
    ({"format": "token", "normalize": "none"}, "none"),
    ({"format": "email"}, "email"),
    ({"format": "email", "email_domain": "pseudonymize", "length": 20}, "email"),
    ({"format": "digits", "luhn": True}, "trim"),
]


@pytest.mark.parametrize(("params", "mode"), CASES)
@pytest.mark.parametrize("key", [TEXT_KEY, BINARY_KEY])
def test_pseudonyms_equal_the_per_value_rules(params: dict[str, Any], mode: str, key: bytes) -> None:
    fake = Faker("en_US")
    fake.seed_instance(4)
    values: list[Any] = [*TRICKY, None, *(fake.email() for _ in range(150)), *(fake.ssn() for _ in range(50))]
    values += [fake.credit_card_number() for _ in range(50)]
    out = run(values, params, key=key)
    assert out == [reference(v, params, key, mode) for v in values]


def test_integer_format_equals_the_per_value_rule() -> None:
    values = [7, 0, 12345, -987, 10**17, 2**63 - 1, None, 42, 42]
    out = run(values, {"format": "integer"}, key=TEXT_KEY, dtype=pl.Int64)
    assert out == [reference(v, {"format": "integer"}, TEXT_KEY, "trim") for v in values]
