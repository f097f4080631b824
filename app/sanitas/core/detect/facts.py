"""Cheap facts about a sampled column (computed by ``batch_facts``, for many columns at once).

Every later check reads these instead of looping over values in Python: whether the column is
text, numbers or dates, how unique it is, whether its cells are prose, what range its numbers span.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

_TEMPORAL = (pl.Date, pl.Datetime)
_PROSE_WORDS = 5
_PLAIN_WORD = r"^[(\"']?\p{L}[\p{L}'\-]*[.,;:!?\")]*$"
# Lower-case particles inside names and place names: "Bosnia and Herzegovina", "Ludwig van Beethoven".
_CONNECTORS = (r"\b(?:and|of|the|de|del|della|la|le|les|los|las|el|van|von|der|den|da|di|du|dos|das|"
               r"des|y|e|zu|am|im|upon|on|en|sur|bin|ibn|al)\b")


class ValueBatch:
    """The sampled values of many columns end to end (``batch_facts``): a per-value check runs once over
    all of them, the first time any column asks for it, and each column reads its slice. A polars call
    costs ~0.1 ms whatever its size, so a table of 10,000 narrow columns pays it once, not 10,000 times."""

    def __init__(self, text: pl.Series, numbers: pl.Series) -> None:
        self.text = text
        self.numbers = numbers
        self._cache: dict[Hashable, Any] = {}

    def full(self, key: Hashable, compute: Callable[[pl.Series], Any]) -> Any:
        if key not in self._cache:
            result = compute(self.text)
            self._cache[key] = result.rechunk() if isinstance(result, pl.Series) else result
        return self._cache[key]


@dataclass(frozen=True)
class ColumnFacts:
    """What the sample of one column looks like. ``text`` holds the non-null values as trimmed strings."""

    name: str
    dtype: pl.DataType
    rows: int  # sampled rows, nulls included
    text: pl.Series  # non-null, non-empty values as stripped strings
    numbers: pl.Series  # ``text`` parsed as numbers (null where not a number)
    scannable: bool  # False for nested and binary columns, which detection leaves alone
    distinct: int
    mean_length: float
    mean_words: float
    prose_share: float  # values of five words or more, with letters
    alpha_share: float  # values with letters and few digits: names, places, words
    digit_share: float  # values with at least one digit
    numeric_share: float  # values that are numbers
    integer_share: float  # values that are whole numbers
    spaced_share: float  # values with a space inside
    title_share: float  # values whose words all start with a capital ('Lake Jennifer', 'DE LA CRUZ')
    wordy: float  # mean share of a value's tokens that are plain words (prose ~0.9, user agents ~0.3)
    batch: ValueBatch | None = field(default=None, repr=False, compare=False)
    offset: int = 0  # where ``text`` starts in ``batch.text``

    def per_value(self, key: Hashable, compute: Callable[[pl.Series], pl.Series]) -> pl.Series:
        """``compute(text)`` for a check of each value alone (never of the column as a whole): done once
        over the whole batch and sliced, so narrow columns cost no polars call each. ``key`` names it."""
        if self.batch is None:
            return compute(self.text)
        return self.batch.full(key, compute).slice(self.offset, self.count)

    def per_number(self, key: Hashable, compute: Callable[[pl.Series], pl.Series]) -> pl.Series:
        """``compute(numbers)`` for a check of each parsed number alone, batched like ``per_value``."""
        if self.batch is None or self.dtype == pl.Boolean:
            return compute(self.numbers)
        return self.batch.full(("numbers", key), lambda _: compute(self.batch.numbers)).slice(  # type: ignore[union-attr]
            self.offset, self.count)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` for a check of the column as a whole, done once per batch: a column classified
        again once its NER reads are done (``classify_columns``) does not repeat its pattern passes."""
        if self.batch is None:
            return compute()
        return self.batch.full(("column", self.offset, key), lambda _: compute())

    def contains(self, pattern: str) -> pl.Series:
        """Which values match the regex ``pattern`` (per value, batched)."""
        return self.per_value(("contains", pattern), lambda t: t.str.contains(pattern))

    @property
    def count(self) -> int:
        return self.text.len()

    @property
    def non_null_share(self) -> float:
        return self.count / self.rows if self.rows else 0.0

    @property
    def distinct_share(self) -> float:
        return self.distinct / self.count if self.count else 0.0

    @property
    def is_temporal(self) -> bool:
        return isinstance(self.dtype, _TEMPORAL)

    @property
    def is_float(self) -> bool:
        return self.dtype.is_float()

    @property
    def is_numeric_dtype(self) -> bool:
        return self.dtype.is_numeric()

    @property
    def is_prose(self) -> bool:
        """Multi-word sentences of plain words: notes, comments, descriptions (not user agents)."""
        return self.prose_share >= 0.5 and self.mean_words >= _PROSE_WORDS and self.wordy >= 0.6
