"""pseudonymize: determinism, key sensitivity, normalization, formats, collisions."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import string
from typing import Any

import polars as pl
import pytest
from faker import Faker

from sanitas.core.errors import TransformError
from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms._keyed import KeyedHasher, luhn_check_digit
from sanitas.core.transforms._shape import shape_many, shape_one

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
EMAIL_RE = re.compile(r"^[0-9a-f]{16}@[a-z0-9.-]+\.[a-z]+$")


def keys(mapping: dict[str, bytes] | None = None) -> Any:
    table = mapping or {"default": KEY}

    def lookup(name: str) -> bytes:
        if name not in table:
            raise TransformError(f"No key named '{name}'")
        return table[name]

    return lookup


def run(
    column: pl.Series,
    params: dict[str, Any] | None = None,
    *,
    entity: str | None = None,
    key: bytes = KEY,
    shared: dict[str, Any] | None = None,
    seed: int = 0,
):
    transform = make_transform("pseudonymize", params or {})
    context = TransformContext(
        column=column.name,
        entity=entity,
        seed=seed,
        keys=keys({"default": key}),
        shared={} if shared is None else shared,
    )
    out = transform.fit(column, context).apply(column)
    return out, transform.facts()


def faker_values(kind: str, n: int, seed: int = 5) -> list[str]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [getattr(fake, kind)() for _ in range(n)]


def test_same_value_same_token_across_columns_runs_and_seeds() -> None:
    values = faker_values("email", 50)
    a, _ = run(pl.Series("email", values), seed=1)
    b, _ = run(pl.Series("contact", list(reversed(values))), seed=99)
    assert a.to_list() == list(reversed(b.to_list()))
    assert a.n_unique() == len(set(values))
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t in a.to_list())


def test_key_and_domain_change_every_token() -> None:
    column = pl.Series("name", faker_values("name", 50))
    base, _ = run(column)
    other_key, _ = run(column, key=OTHER_KEY)
    other_domain, _ = run(column, {"domain": "study-2"})
    assert all(x != y for x, y in zip(base.to_list(), other_key.to_list(), strict=True))
    assert all(x != y for x, y in zip(base.to_list(), other_domain.to_list(), strict=True))


def test_normalization_by_entity() -> None:
    column = pl.Series("email", ["Jane.Doe@Example.com", "  jane.doe@example.com ", "mailto:JANE.DOE@example.com"])
    out, facts = run(column, entity="EMAIL_ADDRESS")
    assert out.n_unique() == 1 and facts["normalize"] == "email" and facts["distinct_inputs"] == 1
    exact, _ = run(column, {"normalize": "none"}, entity="EMAIL_ADDRESS")
    assert exact.n_unique() == 3
    trimmed, _ = run(pl.Series("n", ["Ann", " Ann ", "ann"]))
    assert trimmed[0] == trimmed[1] and trimmed[0] != trimmed[2]
    folded, _ = run(pl.Series("n", ["Straße", "STRASSE"]), {"normalize": "casefold"})
    assert folded[0] == folded[1]
    nfc, _ = run(pl.Series("n", ["\u00c1nn", "A\u0301nn"]))
    assert nfc[0] == nfc[1]


def test_integer_and_text_columns_of_the_same_id_agree() -> None:
    ints, _ = run(pl.Series("id", [12345, 67890]), {"format": "token"})
    text, _ = run(pl.Series("id_text", ["12345", " 67890"]))
    assert ints.to_list() == text.to_list()


def test_token_prefix_length_and_base32() -> None:
    column = pl.Series("c", ["a", "b"])
    out, _ = run(column, {"prefix": "cust_", "length": 10, "alphabet": "base32"})
    assert all(re.fullmatch(r"cust_[a-z2-7]{10}", t) for t in out.to_list())
    with pytest.raises(TransformError, match="length"):
        make_transform("pseudonymize", {"alphabet": "base32", "length": 60})


def test_email_format_is_valid_and_keeps_or_hides_domain() -> None:
    values = faker_values("email", 500)
    out, facts = run(pl.Series("email", values), {"format": "email"})
    assert all(EMAIL_RE.match(v) for v in out.to_list())
    assert [v.split("@")[1] for v in out.to_list()] == [v.split("@")[1].lower() for v in values]
    assert out.n_unique() == len({v.lower() for v in values}) and facts["collisions"] == 0
    hidden, _ = run(pl.Series("email", values), {"format": "email", "email_domain": "pseudonymize"})
    assert all(EMAIL_RE.match(v) and v.endswith(".example") for v in hidden.to_list())
    same_domain = {
        v.split("@")[1] for v, real in zip(hidden.to_list(), values, strict=True) if real.endswith("@example.org")
    }
    assert len(same_domain) == 1


def test_digits_format_preserves_shape() -> None:
    out, _ = run(pl.Series("ssn", ["123-45-6789"]), {"format": "digits"})
    assert re.fullmatch(r"[1-9]\d\d-\d\d-\d{4}", out[0]) and out[0] != "123-45-6789"
    ssns = faker_values("ssn", 300)
    out, _ = run(pl.Series("ssn", ssns), {"format": "digits"})
    for real, fake in zip(ssns, out.to_list(), strict=True):
        assert len(real) == len(fake)
        assert [c.isdigit() for c in real] == [c.isdigit() for c in fake]
        assert [c for c in real if not c.isdigit()] == [c for c in fake if not c.isdigit()]
        assert (real[0] == "0") or fake[0] != "0"
    mixed, _ = run(pl.Series("passport", ["AB123456", "x-9"]), {"format": "digits"})
    assert re.fullmatch(r"[A-Z]{2}[1-9]\d{5}", mixed[0]) and re.fullmatch(r"[a-z]-[1-9]", mixed[1])


def test_digits_with_luhn_gives_valid_card_numbers() -> None:
    cards = faker_values("credit_card_number", 200)
    out, _ = run(pl.Series("card", cards), {"format": "digits", "luhn": True})
    for card in out.to_list():
        digits = re.sub(r"\D", "", card)
        assert luhn_check_digit(digits[:-1]) == digits[-1]


def test_integer_format_keeps_digit_count_and_sign() -> None:
    values = [7, 0, 12345, -987, 10**17, 2**63 - 1, None]
    out, _ = run(pl.Series("n", values, dtype=pl.Int64))
    assert out.dtype == pl.Int64
    got = out.to_list()
    assert got[-1] is None
    for real, fake in zip(values[:-1], got[:-1], strict=True):
        assert len(str(abs(real))) == len(str(abs(fake))) and (real < 0) == (fake < 0)
    small, _ = run(pl.Series("n", [5], dtype=pl.UInt8))
    assert small.dtype == pl.Int64


def test_collisions_are_reported_and_can_be_refused() -> None:
    codes = [f"{i:04d}" for i in range(3000)]
    _, facts = run(pl.Series("pin", codes), {"format": "digits"})
    assert facts["distinct_inputs"] == 3000 and facts["collisions"] > 100
    with pytest.raises(TransformError, match="on_collision") as info:
        run(pl.Series("pin", codes), {"format": "digits", "on_collision": "error"})
    assert "0001" not in str(info.value)
    _, clean = run(pl.Series("pin", codes))
    assert clean["collisions"] == 0


def test_collisions_are_seen_across_columns() -> None:
    codes = [str(i) for i in range(100, 1000)]
    out, _ = run(pl.Series("all", codes), {"format": "digits"})
    by_output: dict[str, list[str]] = {}
    for code, pseudo in zip(codes, out.to_list(), strict=True):
        by_output.setdefault(pseudo, []).append(code)
    first, second = next(v for v in by_output.values() if len(v) > 1)[:2]
    shared: dict[str, Any] = {}
    _, facts_a = run(pl.Series("a", [first]), {"format": "digits"}, shared=shared)
    _, facts_b = run(pl.Series("b", [second]), {"format": "digits"}, shared=shared)
    assert facts_a["collisions"] == 0 and facts_b["collisions"] == 1
    _, alone = run(pl.Series("b", [second]), {"format": "digits"})
    assert alone["collisions"] == 0
    # The same value in two columns is a join, not a collision.
    joined: dict[str, Any] = {}
    run(pl.Series("a", [first]), {"format": "digits"}, shared=joined)
    _, again = run(pl.Series("c", [first]), {"format": "digits"}, shared=joined)
    assert again["collisions"] == 0


def test_nulls_stay_null_and_categoricals_work() -> None:
    column = pl.Series("c", ["x", None, "x"], dtype=pl.Categorical)
    out, facts = run(column)
    assert out[1] is None and out[0] == out[2] and facts["distinct_values"] == 1


def test_missing_or_short_key_is_a_transform_error() -> None:
    column = pl.Series("c", ["x"])
    transform = make_transform("pseudonymize", {"key": "research"})
    with pytest.raises(TransformError, match="research"):
        transform.fit(column, TransformContext(column="c", keys=keys()))
    with pytest.raises(TransformError, match="at least 16 bytes"):
        run(column, key=b"short")
    with pytest.raises(TransformError, match="column 'c'"):
        run(pl.Series("c", [1.5]), {"format": "token"})


def test_vectorized_shape_path_matches_the_reference() -> None:
    hasher = KeyedHasher(KEY)
    rnd = random.Random(1)
    texts = ["123-45-6789", "", "0", "AB123456", "jane.doe99@example.com", "x" * 40, "Ünï-123", "a1" * 16]
    texts += ["".join(rnd.choice(string.printable[:94]) for _ in range(rnd.randint(0, 40))) for _ in range(500)]
    digests = [hasher.digest(t) for t in texts]
    for luhn in (False, True):
        assert shape_many(digests, texts, luhn=luhn) == [
            shape_one(d, t, luhn=luhn) for d, t in zip(digests, texts, strict=True)
        ]
    assert re.fullmatch(r"[A-Z][a-z][a-z]-[1-9]\d\d", shape_one(digests[6], texts[6]))


def test_keyed_hasher_is_standard_hmac_sha256() -> None:
    for key in (KEY, b"k" * 100):
        expected = hmac.new(key, b"ns\x00" + "jan\u00e9".encode(), hashlib.sha256).digest()
        assert KeyedHasher(key, "ns").digest("jan\u00e9") == expected


def test_blocks_of_distinct_values_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanitas.core.transforms import pseudonymize

    emails = [f"User{i % 90}@Example.com" if i % 11 else None for i in range(400)]
    emails += [f" user{i}@example.com" for i in range(20)]  # same normalized inputs, other spellings
    codes = [f"{i % 700:03d}" for i in range(1500)]
    cases = [(pl.Series("e", emails), {"format": "email"}), (pl.Series("pin", codes), {"format": "digits"})]
    whole = [run(column, params) for column, params in cases]
    monkeypatch.setattr(pseudonymize, "CHUNK", 7)
    for (column, params), (out, facts) in zip(cases, whole, strict=True):
        blocked, blocked_facts = run(column, params)
        assert blocked.to_list() == out.to_list() and blocked_facts == facts
    assert whole[0][1]["distinct_inputs"] == 90 and whole[1][1]["collisions"] > 0


def test_one_row_per_digest_and_shared_outputs_are_exact() -> None:
    from sanitas.core.transforms.pseudonymize import DIGEST, OUTPUT, _one_per_digest, _shared_outputs

    # Equal first halves with different second halves take the exact (two-key) path.
    frame = pl.DataFrame(
        {DIGEST[0]: [5, 5, 5, 1], DIGEST[1]: [1, 2, 1, 9], OUTPUT: ["a", "b", "a", "c"]},
        schema={DIGEST[0]: pl.UInt64, DIGEST[1]: pl.UInt64, OUTPUT: pl.String},
    )
    assert sorted(_one_per_digest(frame).rows()) == [(1, 9, "c"), (5, 1, "a"), (5, 2, "b")]
    unique = frame.slice(0, 2)
    assert _one_per_digest(unique) is unique
    outputs = pl.Series(OUTPUT, ["x", "y", "x", "z", "y", "w"])
    assert sorted(_shared_outputs(outputs).to_list()) == ["x", "y"]
    assert _shared_outputs(pl.Series(OUTPUT, ["x", "y"])).len() == 0
