"""mask: hide most characters of a value but keep its shape, so the data still looks like itself.

Separators stay where they are and only letters and digits count towards ``keep_first`` /
``keep_last``: an SSN '123-45-6789' becomes '***-**-6789' and a card '4111 1111 1111 1234' keeps
its spaces. Emails keep the first character of the local part and the domain
('jane.doe@example.com' -> 'j***@example.com'); the masked local part always has three mask
characters, so its length is not revealed. A value with no more letters and digits than would be
kept is masked entirely, since showing all of it would mask nothing. Everything runs as polars
string expressions (no per-value Python); integer columns are masked as their decimal text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Literal

import polars as pl
from pydantic import Field

from sanitas.core.transforms._mask_bytes import mask_ascii
from sanitas.core.transforms._text import as_text, is_null_dtype, is_numeric, is_temporal, is_text
from sanitas.core.transforms.base import Transform, TransformParams

ALNUM = r"[\p{L}\p{N}]"
NON_ALNUM = r"[^\p{L}\p{N}]"
ANY_CHAR = r"(?s)."
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_V = "v"  # internal column name: a user's column name could read as a regex in pl.col()


class MaskParams(TransformParams):
    style: Literal["auto", "characters", "email"] = Field(
        default="auto",
        description="auto: emails are masked as emails, other values character by character; "
        "characters: every value character by character; email: emails as emails.",
    )
    keep_first: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Letters/digits left visible at the start. Empty: 0 for characters, 1 for the "
        "local part of an email.",
    )
    keep_last: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Letters/digits left visible at the end. Empty: 4 for characters (the last four of "
        "a card or SSN), 0 for the local part of an email.",
    )
    mask_char: str = Field(default="*", min_length=1, max_length=1, description="Character written over hidden ones.")
    keep_separators: bool = Field(
        default=True,
        description="Keep spaces, dashes, dots and other separators in place and count only letters "
        "and digits, so '123-45-6789' becomes '***-**-6789'. Off: every character counts and is masked.",
    )
    mask_domain: bool = Field(
        default=False, description="For emails, also mask the domain; its top-level part (.com) stays."
    )


class Mask(Transform):
    """Mask characters while keeping separators, a few leading/trailing characters, and email domains."""

    name: ClassVar[str] = "mask"
    removes_identity: ClassVar[bool] = True
    label: ClassVar[str] = "Mask"
    description: ClassVar[str] = "Hide characters but keep the value's shape, e.g. ***-**-6789 or j***@example.com."
    Params: ClassVar[type[TransformParams]] = MaskParams

    params: MaskParams

    def check(self, dtype: pl.DataType) -> list[str]:
        if is_text(dtype) or is_numeric(dtype) or is_temporal(dtype) or is_null_dtype(dtype):
            return []
        return [f"cannot mask a {dtype} column; mask works on text, numbers and dates"]

    def _char_keep(self) -> tuple[int, int]:
        first = 0 if self.params.keep_first is None else self.params.keep_first
        last = 4 if self.params.keep_last is None else self.params.keep_last
        return first, last

    def _email_keep(self) -> tuple[int, int]:
        first = 1 if self.params.keep_first is None else self.params.keep_first
        last = 0 if self.params.keep_last is None else self.params.keep_last
        return first, last

    def _replacement(self) -> str:
        # '$' refers to a capture group in a regex replacement; '$$' writes a literal dollar.
        return "$$" if self.params.mask_char == "$" else self.params.mask_char

    def _mask_characters(self, c: pl.Expr) -> pl.Expr:
        first, last = self._char_keep()
        rep = self._replacement()
        if not self.params.keep_separators:
            n = c.str.len_chars()
            middle = c.str.slice(first, n - first - last).str.replace_all(ANY_CHAR, rep)
            kept = pl.concat_str([c.str.slice(0, first), middle, c.str.tail(last) if last else pl.lit("")])
            return pl.when(n > first + last).then(kept).otherwise(c.str.replace_all(ANY_CHAR, rep))
        total = c.str.count_matches(ALNUM)
        head = c.str.extract(rf"^((?:{NON_ALNUM}*{ALNUM}){{{first}}})", 1) if first else pl.lit("")
        # The leftmost match of "last letters/digits, each followed by separators, then the end"
        # starts exactly at the last-th letter/digit from the end.
        tail = c.str.extract(rf"((?:{ALNUM}{NON_ALNUM}*){{{last}}})$", 1) if last else pl.lit("")
        head_len, tail_len = head.str.len_chars(), tail.str.len_chars()
        middle = c.str.slice(head_len, c.str.len_chars() - head_len - tail_len).str.replace_all(ALNUM, rep)
        kept = pl.concat_str([head, middle, tail])
        return pl.when(total > first + last).then(kept).otherwise(c.str.replace_all(ALNUM, rep))

    def _mask_email(self, c: pl.Expr) -> pl.Expr:
        first, last = self._email_keep()
        mask3 = self.params.mask_char * 3
        # Only rows of EMAIL_SHAPE (exactly one '@') reach this branch's result.
        parts = c.str.split_exact("@", 1)
        local, domain = parts.struct.field("field_0"), parts.struct.field("field_1")
        n = local.str.len_chars()
        # Never show the whole local part: a short one keeps at most all but its last character.
        short_head = local.str.head(-1).str.head(first) if first else pl.lit("")
        head = pl.when(n > first + last).then(local.str.head(first) if first else pl.lit("")).otherwise(short_head)
        tail = pl.when(n > first + last).then(local.str.tail(last)).otherwise(pl.lit("")) if last else pl.lit("")
        if self.params.mask_domain:
            tld = domain.str.extract(r"(\.[^.]+)$", 1)
            domain = pl.when(tld.is_not_null()).then(pl.concat_str([pl.lit(mask3), tld])).otherwise(pl.lit(mask3))
        return pl.concat_str([head, pl.lit(mask3), tail, pl.lit("@"), domain])

    def _characters(self, text: pl.Series) -> pl.Series:
        """Character masking of a text Series: ASCII rows over their bytes (``mask_ascii``, same
        rule), the others by the general expression."""
        slow = lambda t: _select(t, self._mask_characters(pl.col(_V)))  # noqa: E731
        if not self.params.mask_char.isascii():
            return slow(text)
        first, last = self._char_keep()
        ascii_rows = _select(text, pl.col(_V).str.len_bytes() == pl.col(_V).str.len_chars()).fill_null(True)
        return _piecewise(text, ascii_rows, lambda t: mask_ascii(
            t, first, last, self.params.mask_char, separators_count=not self.params.keep_separators), slow)

    def apply(self, column: pl.Series) -> pl.Series:
        text = (as_text(column) if not is_null_dtype(column.dtype) else column.cast(pl.String)).alias(_V)
        c = pl.col(_V)
        non_null = column.len() - column.null_count()
        is_email = pl.repeat(False, text.len(), eager=True)
        if self.params.style != "characters":
            is_email = _select(text, c.str.contains(EMAIL_SHAPE).fill_null(False))
        emails = int(is_email.sum())
        out = _piecewise(text, is_email, lambda t: _select(t, self._mask_email(c)), self._characters)
        self._facts = {"cells_masked": non_null, "emails_masked": emails}
        return out.alias(column.name)


def _select(text: pl.Series, expr: pl.Expr) -> pl.Series:
    return text.to_frame().select(expr).to_series()


def _piecewise(text: pl.Series, mask: pl.Series, when_true: Callable[[pl.Series], pl.Series],
               when_false: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``when_true`` on the rows where ``mask`` holds and ``when_false`` on the others, in row order.

    when/then would compute both expressions on every row; a column is usually all of one kind.
    """
    hits = int(mask.sum())
    if hits == text.len():
        return when_true(text)
    if hits == 0:
        return when_false(text)
    out = pl.Series(_V, [None] * text.len(), dtype=pl.String)
    yes, no = mask.arg_true(), (~mask).arg_true()
    out = out.scatter(yes, when_true(text.gather(yes)))
    return out.scatter(no, when_false(text.gather(no)))
