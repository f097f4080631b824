"""pseudonymize: replace each value by a keyed HMAC-SHA256 pseudonym.

The same normalized value and key give the same pseudonym in every column, dataset and run (no
column name or seed enters the HMAC), so pseudonymized tables still join; ``domain`` separates
namespaces on purpose. Without the key nobody can recompute or reverse a pseudonym; with it, a
candidate value can be checked, so the key is a secret kept outside the recipe.

Before hashing, values are normalized (``normalize``): trim = Unicode NFC and surrounding whitespace
removed; casefold = trim plus case folding; email = casefold plus 'mailto:' and <> removed; none =
the exact value. The default is email for EMAIL_ADDRESS columns (or the email format) and trim
otherwise.

Formats: token (prefix + hex/base32 characters), email (a valid-looking address whose local part
is HMAC hex), digits (each digit and letter replaced, separators kept), integer (an Int64 of
the same number of digits). Short outputs can collide: the digits of a 4-digit code have only 9,000
possible values. Collisions (two distinct normalized inputs with one pseudonym) are counted across
all columns sharing key, domain and format in this release and reported, or refused with
``on_collision: error``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from sanitas.core.transforms._keyed import MIN_KEY_BYTES, integer_like
from sanitas.core.transforms._keyed_columns import base32_tokens, digest_words, hmac_hex
from sanitas.core.transforms._shape import shape_many
from sanitas.core.transforms._text import (
    Normalization,
    as_text,
    default_normalization,
    is_integer,
    is_null_dtype,
    is_text,
    normalize_series,
)
from sanitas.core.transforms.base import (
    HASH_SEED,
    Transform,
    TransformContext,
    TransformParams,
    broadcast,
    distinct_values,
)

SHARED_KEY = "pseudonymize.outputs"
PAIRS_KEY = "pseudonymize.pairs"  # set to {} to be given each column's digests and pseudonyms: see pseudonym_pairs
CHUNK = 250_000  # distinct values per block (between cancel checks and progress reports)
DIGEST = ("digest_0", "digest_1")  # its two 8-byte halves
OUTPUT = "output"


class PseudonymizeParams(TransformParams):
    key: str = Field(
        default="default",
        min_length=1,
        description="Name of the secret key (from the recipe's keys).",
    )
    format: Literal["auto", "token", "email", "digits", "integer"] = Field(
        default="auto",
        description="auto: integer for integer columns, token otherwise. token: prefix + HMAC "
        "characters; email: a valid-looking address; digits: digits and letters replaced, "
        "separators kept; integer: an integer of the same number of digits.",
    )
    length: int = Field(
        default=16, ge=6, le=64, description="Characters of a token, or hex characters of an email's local part."
    )
    alphabet: Literal["hex", "base32"] = Field(
        default="hex", description="Characters of a token: hex (0-9a-f, up to 64) or base32 (a-z2-7, up to 52)."
    )
    prefix: str = Field(default="", max_length=32, description="Text put before every token, e.g. 'cust_'.")
    normalize: Literal["auto", "none", "trim", "casefold", "email"] = Field(
        default="auto",
        description="Normalization before hashing: trim (NFC, no surrounding spaces), casefold "
        "(also ignore case), email (also drop mailto: and <>), none. auto: email for email "
        "columns, trim otherwise.",
    )
    domain: str = Field(
        default="",
        max_length=64,
        description="Namespace: the same value gets unrelated pseudonyms in different domains.",
    )
    email_domain: Literal["keep", "pseudonymize"] = Field(
        default="keep", description="Email format: keep the real domain, or replace it by a pseudonym under .example."
    )
    luhn: bool = Field(
        default=False, description="Digits format: make the last digit a Luhn check digit (card numbers)."
    )
    on_collision: Literal["report", "error"] = Field(
        default="report",
        description="When two different values get the same pseudonym: report it, or stop with an error.",
    )

    @model_validator(mode="after")
    def _length_fits_alphabet(self) -> Self:
        if self.alphabet == "base32" and self.length > 52:
            raise ValueError("length: base32 tokens have at most 52 characters")
        return self


class Pseudonymize(Transform):
    """Keyed, deterministic, non-reversible pseudonyms with collision reporting."""

    name: ClassVar[str] = "pseudonymize"
    removes_identity: ClassVar[bool] = True
    takes_key: ClassVar[bool] = True
    label: ClassVar[str] = "Pseudonymize"
    description: ClassVar[str] = (
        "Replace each value with a keyed pseudonym: the same value always gets the same pseudonym."
    )
    Params: ClassVar[type[TransformParams]] = PseudonymizeParams

    params: PseudonymizeParams

    def _format(self, dtype: pl.DataType) -> str:
        if self.params.format == "auto":
            return "integer" if is_integer(dtype) else "token"
        return self.params.format

    def check(self, dtype: pl.DataType) -> list[str]:
        if is_null_dtype(dtype):
            return []
        fmt = self._format(dtype)
        if fmt == "integer" and not is_integer(dtype):
            return [f"format 'integer' needs an integer column, not {dtype}; use token or digits"]
        if fmt == "email" and not is_text(dtype):
            return [f"format 'email' needs a text column, not {dtype}"]
        if is_text(dtype) or is_integer(dtype) or dtype == pl.Date:
            return []
        return [f"cannot pseudonymize a {dtype} column; round or cast it to text or integers first"]

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Int64 if self._format(dtype) == "integer" else pl.String

    def _normalization(self) -> Normalization:
        if self.params.normalize != "auto":
            return self.params.normalize
        if self.params.format == "email":
            return "email"
        return default_normalization(self.ctx.entity)

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        super().fit(column, context)
        self.ensure_fits(column)
        key = context.keys(self.params.key)
        if len(key) < MIN_KEY_BYTES:
            raise self.error(
                f"key '{self.params.key}' has {len(key)} bytes; use a random key of at least "
                f"{MIN_KEY_BYTES} bytes (32 recommended)"
            )
        self._key = key
        return self

    def _outputs(self, fmt: str, hexes: pl.Series, texts: pl.Series, values: pl.Series) -> pl.Series:
        """Pseudonyms for one block of distinct values from their hex digests, as polars expressions
        where the format allows (token, email); digits and integer keep their per-value rules."""
        p = self.params
        if fmt == "token":
            body = hexes.str.slice(0, p.length) if p.alphabet == "hex" else base32_tokens(hexes, p.length)
            return body.to_frame(OUTPUT).select(pl.lit(p.prefix) + pl.col(OUTPUT)).to_series().alias(OUTPUT)
        if fmt == "email":
            return self._emails(hexes, texts)
        digests = [bytes.fromhex(h) for h in hexes.to_list()]
        if fmt == "integer":
            return pl.Series(OUTPUT, [integer_like(d, int(v)) for d, v in zip(digests, values.to_list(), strict=True)],
                             dtype=pl.Int64)
        return pl.Series(OUTPUT, shape_many(digests, texts.to_list(), luhn=p.luhn), dtype=pl.String)

    def _emails(self, hexes: pl.Series, texts: pl.Series) -> pl.Series:
        """``local@domain``: the local part comes from the whole address's digest, so one person's
        addresses at two providers do not share a local part; the domain after the last '@' is kept
        (or pseudonymized under .example); a value without '@' gets example.invalid."""
        frame = pl.DataFrame({"hex": hexes, "text": texts})
        domain = frame.select(pl.col("text").str.extract(r"@([^@]*)$", 1)).to_series().alias("domain")
        if self.params.email_domain == "pseudonymize":
            names = domain.drop_nulls().unique()
            tokens = base32_tokens(hmac_hex("\x00domain\x00" + names, self._key, self.params.domain), 10)
            domain = broadcast(domain, names, tokens + ".example", pl.String).alias("domain")
        local = pl.col("hex").str.slice(0, self.params.length)
        return frame.with_columns(domain).select(
            pl.concat_str([local, pl.lit("@"), pl.col("domain").fill_null("example.invalid")]).alias(OUTPUT)
        ).to_series()

    def apply(self, column: pl.Series) -> pl.Series:
        fmt = self._format(column.dtype)
        out_dtype = self.output_dtype(column.dtype)
        mode = self._normalization()
        source = column if fmt == "integer" else as_text(column)
        distinct = distinct_values(source)
        total = distinct.len()
        # A block of distinct values at a time (cancel and progress between blocks): normalized in
        # polars (Python only for non-ASCII values), hashed in Rust, formatted with expressions.
        outputs: list[pl.Series] = []
        digests: list[pl.DataFrame] = []
        cancel, progress = self.ctx.cancel, self.ctx.progress
        for start in range(0, total, CHUNK):
            cancel.raise_if_cancelled()
            progress(start / max(total, 1), "pseudonymizing distinct values")
            block = distinct.slice(start, CHUNK)
            texts = normalize_series(block, mode)
            hexes = hmac_hex(texts, self._key, self.params.domain)
            outputs.append(self._outputs(fmt, hexes, texts, block).cast(out_dtype).alias(OUTPUT))
            digests.append(digest_words(hexes, DIGEST))
            del block, texts, hexes
        mapped = pl.concat(outputs) if outputs else pl.Series(OUTPUT, [], dtype=out_dtype)
        digest = pl.concat(digests) if digests else pl.DataFrame(schema={d: pl.UInt64 for d in DIGEST})
        del outputs, digests
        pairs = digest.with_columns(mapped.cast(pl.String).alias(OUTPUT))
        del digest
        wanted = self.ctx.shared.get(PAIRS_KEY)
        if wanted is not None:  # a part of a column: its figures come from facts_of_whole over the parts
            wanted[self.ctx.column] = pairs
            self._facts = {"format": fmt, "normalize": mode, "key": self.params.key, "distinct_values": total}
        else:
            self._set_facts(fmt, mode, distinct, _one_per_digest(pairs))
        return broadcast(source, distinct, mapped, out_dtype).alias(column.name)

    def facts_of_whole(self, dtype: pl.DataType, distinct: pl.Series, pairs: pl.DataFrame) -> dict[str, Any]:
        """The figures ``apply`` gives for a whole column, from what its runs on parts of it gathered: the
        column's ``distinct`` non-null values and ``pairs``, one row per digest (``pseudonym_pairs`` of the
        parts, concatenated): no value is hashed again. Raises as ``apply`` under ``on_collision: error``."""
        fmt = self._format(dtype)
        distinct = distinct if fmt == "integer" else as_text(distinct)
        self._set_facts(fmt, self._normalization(), distinct, _one_per_digest(pairs))
        return self.facts()

    def _set_facts(self, fmt: str, mode: str, distinct: pl.Series, mine: pl.DataFrame) -> None:
        total = distinct.len()
        collided, inputs = self._collisions(fmt, mine)
        self._facts = {
            "format": fmt,
            "normalize": mode,
            "key": self.params.key,
            "distinct_values": total,
            "distinct_inputs": inputs,
            "collisions": collided,
        }
        if fmt == "email":
            self._facts["not_email"] = total - int(distinct.str.contains("@", literal=True).sum())
        if collided and self.params.on_collision == "error":
            raise self.error(
                f"{collided} distinct values share a pseudonym with a different value; use a longer "
                "format (token, or a longer length) or set on_collision to 'report'"
            )

    def _collisions(self, fmt: str, mine: pl.DataFrame) -> tuple[int, int]:
        """Count this column's inputs (``mine``: one row per digest, with its pseudonym) whose pseudonym
        another input (here or in an earlier column with the same key, domain and format) also got.
        Returns (collisions, distinct inputs).

        An input is its digest. The store kept for later columns has one row per digest: the digest
        as two integers and the pseudonym as the strings of the outputs (not copies). Duplicates are
        found by sorting integers with numpy: polars' unique and group_by on a million rows needed
        about 250 MiB of hash tables for a moment."""
        p = self.params
        namespace = (p.key, p.domain, fmt, p.length, p.alphabet, p.prefix, p.email_domain, p.luhn)
        store: dict[tuple[Any, ...], pl.DataFrame] = self.ctx.shared.setdefault(SHARED_KEY, {})
        seen = store.get(namespace)
        everything = mine if seen is None else _one_per_digest(pl.concat([seen, mine]))
        store[namespace] = everything
        shared = _shared_outputs(everything.get_column(OUTPUT))
        collided = mine.filter(pl.col(OUTPUT).is_in(shared.implode())).height if shared.len() else 0
        return collided, mine.height


def pseudonym_pairs(shared: dict[str, Any], column: str) -> pl.DataFrame | None:
    """The last ``apply`` of ``column`` in this ``shared`` state (where ``shared[PAIRS_KEY]`` was set to {}
    before it: that apply then counts no collisions, its part's figures are not the column's): a row per
    distinct value (two UInt64 words of its digest and the pseudonym as text). A release run on parts of
    a column (a streamed release's batches) gathers them so that ``facts_of_whole`` counts collisions
    without hashing the values again."""
    return shared.get(PAIRS_KEY, {}).get(column)


def one_per_digest(frame: pl.DataFrame) -> pl.DataFrame:
    """``pseudonym_pairs`` gathered from several parts, one row per digest again."""
    return _one_per_digest(frame)


def _one_per_digest(frame: pl.DataFrame) -> pl.DataFrame:
    """One row of each digest (the frame itself when no digest repeats). Rows of one digest come
    from one normalized input, so they have the same pseudonym: which row stays does not matter."""
    d0, d1 = frame.get_column(DIGEST[0]).to_numpy(), frame.get_column(DIGEST[1]).to_numpy()
    order = np.argsort(d0)
    a, b = d0[order], d1[order]
    same = a[1:] == a[:-1]
    if bool((same & (b[1:] != b[:-1])).any()):  # two digests share their first half: sort by both
        order = np.lexsort((d1, d0))
        a, b = d0[order], d1[order]
        same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
    if not same.any():
        return frame
    return frame[np.sort(order[np.concatenate(([True], ~same))])]


def _shared_outputs(outputs: pl.Series) -> pl.Series:
    """The pseudonyms that occur more than once in ``outputs`` (one per digest: so held by two or
    more inputs). Candidates are the rows whose 64-bit hash repeats; their strings decide."""
    hashes = outputs.hash(seed=HASH_SEED).to_numpy()
    order = np.argsort(hashes)
    hashes = hashes[order]
    ties = hashes[1:] == hashes[:-1]
    del hashes
    if not ties.any():
        return outputs.clear()
    tied = np.zeros(order.size, dtype=bool)
    tied[1:] |= ties
    tied[:-1] |= ties
    candidates = outputs.gather(order[tied]).to_frame(OUTPUT)
    return candidates.group_by(OUTPUT).len().filter(pl.col("len") > 1).get_column(OUTPUT)
