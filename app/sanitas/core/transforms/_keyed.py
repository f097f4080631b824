"""Keyed HMAC-SHA256 and the output formats derived from it (tokens, integers; digits in _shape).

Shared by pseudonymize and scrub's ``hash`` operator, so a name scrubbed out of a note gets the same
token as the same name pseudonymized in a column (same key, same normalization).
"""

from __future__ import annotations

import base64
import hashlib

MIN_KEY_BYTES = 16
INT64_MAX = 2**63 - 1


class KeyedHasher:
    """HMAC-SHA256 under one key and namespace, with the key schedule computed once.

    The message is ``namespace + NUL + value``: no column name and no seed, so the same value gives
    the same digest in every column, dataset and run; a namespace separates uses on purpose. HMAC is
    built from two pre-keyed SHA-256 states (RFC 2104) because copying those is twice as fast as
    ``hmac.HMAC.copy()``; ``hmac.new(key, msg, sha256)`` gives the same digests.
    """

    def __init__(self, key: bytes, namespace: str = "") -> None:
        block = hashlib.sha256(key).digest() if len(key) > 64 else key
        block = block.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._inner.update(namespace.encode("utf-8") + b"\x00")
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, value: str) -> bytes:
        inner = self._inner.copy()
        inner.update(value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def expand(digest: bytes, size: int) -> bytes:
    """``size`` pseudo-random bytes starting with ``digest``, for outputs longer than 256 bits allow.

    The rest comes from SHAKE-256 over the digest: the digest is already keyed and secret, so this
    stretches it without another HMAC per 32 bytes.
    """
    if size <= len(digest):
        return digest
    return digest + hashlib.shake_256(b"\x01" + digest).digest(size - len(digest))


def hex_token(digest: bytes, length: int) -> str:
    return digest.hex()[:length]


def base32_token(digest: bytes, length: int) -> str:
    # Encode only the bytes needed: base64.b32encode is pure Python in 3.11.
    needed = min(len(digest), (length * 5 + 7) // 8)
    return base64.b32encode(digest[:needed]).decode("ascii").lower()[:length]


class DigitStream:
    """Uniform choices below large bounds drawn from a digest (stretched when it runs out)."""

    def __init__(self, digest: bytes) -> None:
        self._digest = digest
        self._pool = int.from_bytes(digest, "big")
        self._bits = 256
        self._used = len(digest)

    def below(self, n: int) -> int:
        # Refill when fewer than 64 spare bits remain, so the modulo bias stays below 2**-60.
        if self._bits < n.bit_length() + 64:
            more = expand(self._digest, self._used + 32)[-32:]
            self._used += 32
            self._pool = (self._pool << 256) | int.from_bytes(more, "big")
            self._bits += 256
        value = self._pool % n
        self._pool //= n
        self._bits -= n.bit_length()
        return value


def luhn_check_digit(digits: str) -> str:
    """The digit that makes ``digits + check`` pass the Luhn test (card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def integer_like(digest: bytes, value: int) -> int:
    """An Int64 with the same sign and number of digits as ``value`` (non-zero leading digit).

    Values of 19 or more digits map into [10**18, 2**63 - 1]: Int64 cannot hold every 19-digit
    number, and a 20-digit UInt64 input gets a 19-digit pseudonym.
    """
    stream = DigitStream(digest)
    magnitude = abs(value)
    digits = len(str(magnitude))
    if magnitude == 0:
        result = stream.below(10)
    elif digits >= 19:
        low = 10**18
        result = low + stream.below(INT64_MAX - low + 1)
    else:
        low = 10 ** (digits - 1)
        result = low + stream.below(9 * low)
    return -result if value < 0 else result
