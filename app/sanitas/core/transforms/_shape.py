"""Shape-preserving pseudonyms: each digit becomes a digit, each letter an ASCII letter of the same case.

Character i of a value takes the 16-bit number formed by bytes 2i and 2i+1 of the value's HMAC stream
(``expand``: the digest, stretched) modulo 10 or 26 (bias below 0.02%). A leading digit
that was not zero stays non-zero (modulo 9, plus one), so the value reads as the same kind of number.
``shape_many`` computes this for a whole block of values with numpy; ``shape_one`` is the same rule
one value at a time, used for long or non-ASCII values and as the reference the tests compare with.
"""

from __future__ import annotations

import numpy as np

from sanitas.core.transforms._keyed import expand, luhn_check_digit

FAST_MAX_CHARS = 64  # up to four 32-byte blocks of stream (two bytes per character)
STREAM_BYTES = 2 * FAST_MAX_CHARS


def _luhn(text: str) -> str:
    positions = [i for i, ch in enumerate(text) if "0" <= ch <= "9"]
    if len(positions) < 2:
        return text
    body = "".join(text[i] for i in positions[:-1])
    last = positions[-1]
    return text[:last] + luhn_check_digit(body) + text[last + 1 :]


def shape_one(digest: bytes, text: str, *, luhn: bool = False) -> str:
    """The pseudonym of one value ('123-45-6789' -> e.g. '804-13-2219')."""
    stream = expand(digest, 2 * len(text))
    out: list[str] = []
    first_digit = True
    for i, ch in enumerate(text):
        r = stream[2 * i] << 8 | stream[2 * i + 1]
        if "0" <= ch <= "9":
            out.append(chr(49 + r % 9) if first_digit and ch != "0" else chr(48 + r % 10))
            first_digit = False
        elif "a" <= ch <= "z":
            out.append(chr(97 + r % 26))
        elif "A" <= ch <= "Z":
            out.append(chr(65 + r % 26))
        elif ch.isalpha():  # other letters (only on this path): an ASCII letter, so 'Ü' does not stay
            out.append(chr(65 + r % 26) if ch.isupper() else chr(97 + r % 26))
        else:
            out.append(ch)
    result = "".join(out)
    return _luhn(result) if luhn else result


def shape_many(digests: list[bytes], texts: list[str], *, luhn: bool = False) -> list[str]:
    """``shape_one`` over a block of values, vectorized for short ASCII values."""
    results: list[str | None] = [None] * len(texts)
    fast: list[int] = []
    for i, text in enumerate(texts):
        if text.isascii() and len(text) <= FAST_MAX_CHARS:
            fast.append(i)
        else:
            results[i] = shape_one(digests[i], text, luhn=luhn)
    if fast:
        fast_texts = [texts[i] for i in fast]
        streams = [expand(digests[i], 2 * len(texts[i])).ljust(STREAM_BYTES, b"\x00") for i in fast]
        for i, value in zip(fast, _vectorized(fast_texts, streams), strict=True):
            results[i] = _luhn(value) if luhn else value
    return [r if r is not None else "" for r in results]


def _vectorized(texts: list[str], streams: list[bytes]) -> list[str]:
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    chars = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    if chars.size == 0:
        return ["" for _ in texts]
    row = np.repeat(np.arange(len(texts)), lengths)
    pos = np.arange(chars.size) - starts[row]
    rand = np.frombuffer(b"".join(streams), dtype=np.uint8).reshape(len(texts), STREAM_BYTES).astype(np.uint32)
    r = rand[row, 2 * pos] << 8 | rand[row, 2 * pos + 1]
    digit = (chars >= 48) & (chars <= 57)
    lower = (chars >= 97) & (chars <= 122)
    upper = (chars >= 65) & (chars <= 90)
    digits_so_far = np.concatenate(([0], np.cumsum(digit)))
    nth_digit = digits_so_far[1:] - digits_so_far[starts[row]]
    leading = digit & (nth_digit == 1) & (chars != 48)
    out = chars.copy()
    out[digit] = 48 + r[digit] % 10
    out[leading] = 49 + r[leading] % 9
    out[lower] = 97 + r[lower] % 26
    out[upper] = 65 + r[upper] % 26
    joined = out.tobytes().decode("ascii")
    return [joined[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
