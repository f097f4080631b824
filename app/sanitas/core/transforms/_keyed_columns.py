"""KeyedHasher over whole columns: HMAC-SHA256 hex digests and the formats built on them, vectorized.

The per-value loop (one Python call per distinct value) cost about 2 s per million values. polars-hash
computes HMAC-SHA256 in Rust over a whole column (RFC 2104 with the ``hmac`` crate), with the same
message as ``KeyedHasher`` (namespace, NUL, value), so the digests, and so the pseudonyms, are the
ones ``hmac.new(key, message, sha256)`` gives. Its key is passed as text: a key that is not UTF-8
(raw bytes in a key file) takes the per-value hashlib path, with the same result, more slowly.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanitas.core.transforms._keyed import KeyedHasher

try:  # registers the ``chash`` expression namespace
    import polars_hash  # noqa: F401

    HAVE_POLARS_HASH = True
except ImportError:  # pragma: no cover - the per-value path gives the same digests
    HAVE_POLARS_HASH = False

_M = "__sanitas_message__"
BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def _text_key(key: bytes) -> str | None:
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return None


def hmac_hex(values: pl.Series, key: bytes, namespace: str = "") -> pl.Series:
    """The hex HMAC-SHA256 of ``namespace + NUL + value`` for each value of a text Series (null stays null)."""
    text_key = _text_key(key) if HAVE_POLARS_HASH else None
    if text_key is None:
        hasher = KeyedHasher(key, namespace)
        return pl.Series(values.name, [None if v is None else hasher.digest(v).hex() for v in values.to_list()],
                         dtype=pl.String)
    message = pl.concat_str([pl.lit(namespace + "\x00"), pl.col(_M)])
    frame = values.alias(_M).to_frame()
    return frame.select(message.chash.hmac_sha256(key=text_key)).to_series().alias(values.name)  # type: ignore[attr-defined]


def digest_words(hexes: pl.Series, names: tuple[str, str]) -> pl.DataFrame:
    """The first 16 bytes of each digest as two UInt64 columns (big-endian words of the hex)."""
    frame = hexes.alias(_M).to_frame()
    return frame.select(
        pl.col(_M).str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64).alias(names[0]),
        pl.col(_M).str.slice(16, 16).str.to_integer(base=16, dtype=pl.UInt64).alias(names[1]),
    )


def digest_bytes(hexes: pl.Series, size: int = 32) -> np.ndarray:
    """The first ``size`` bytes (a multiple of 8, at most 32) of each digest, as an (n, size) uint8 array."""
    words = [
        hexes.str.slice(16 * i, 16).str.to_integer(base=16, dtype=pl.UInt64).to_numpy() for i in range(size // 8)
    ]
    if not words or hexes.len() == 0:
        return np.zeros((hexes.len(), size), dtype=np.uint8)
    big_endian = np.stack(words, axis=1).astype(">u8")  # stack gives native order: convert after it
    return big_endian.view(np.uint8).reshape(hexes.len(), size)


def base32_tokens(hexes: pl.Series, length: int) -> pl.Series:
    """``base32_token(digest, length)`` for each digest: lowercase RFC 4648 base32 of its first bytes.

    b32encode pads the input with zero bytes to a multiple of 5; the characters kept (``length`` of
    them, at most 52) never reach its '=' padding, so encoding 5-bit groups of the zero-padded bytes
    gives the same text.
    """
    n = hexes.len()
    if n == 0:
        return pl.Series(hexes.name, [], dtype=pl.String)
    raw = digest_bytes(hexes, 32)
    padded = np.zeros((n, 35), dtype=np.uint8)
    padded[:, :32] = raw
    bits = np.unpackbits(padded, axis=1)[:, : length * 5].reshape(n, length, 5)
    values = bits @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)
    chars = np.ascontiguousarray(BASE32[values])
    return pl.Series(hexes.name, chars.view(f"S{length}").ravel()).cast(pl.String)
