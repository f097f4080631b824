"""Cheap facts about a sampled column, computed with polars in a few vectorized passes.

Every later check reads these instead of looping over values in Python: whether the column is
text, numbers or dates, how unique it is, whether its cells are prose, what range its numbers span.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

_TEMPORAL = (pl.Date, pl.Datetime)
_PROSE_WORDS = 5
_PLAIN_WORD = r"^[(\"']?\p{L}[\p{L}'\-]*[.,;:!?\")]*$"
# Lower-case particles inside names and place names: "Bosnia and Herzegovina", "Ludwig van Beethoven".
_CONNECTORS = (r"\b(?:and|of|the|de|del|della|la|le|les|los|las|el|van|von|der|den|da|di|du|dos|das|"
               r"des|y|e|zu|am|im|upon|on|en|sur|bin|ibn|al)\b")


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


def column_facts(series: pl.Series) -> ColumnFacts:
    """Facts of one sampled column (all of its sampled rows, nulls included)."""
    dtype = series.dtype
    rows = series.len()
    scannable = not (dtype.is_nested() or dtype in (pl.Binary, pl.Object, pl.Null) or isinstance(dtype, pl.Duration))
    if scannable:
        text = series.drop_nulls().cast(pl.String).str.strip_chars()
        text = text.filter(text.str.len_chars() > 0)
    else:
        text = pl.Series(series.name, [], dtype=pl.String)
    n = text.len()
    if n == 0:
        empty = pl.Series(series.name, [], dtype=pl.Float64)
        return ColumnFacts(series.name, dtype, rows, text, empty, scannable, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
                           0.0, 0.0, 0.0, 0.0, 0.0)
    plain = text.str.replace(r"^[+$€£¥]\s?", "").str.replace_all(r"(\d)[,_](\d{3})", "${1}${2}")
    numbers = plain.cast(pl.Float64, strict=False)
    if dtype == pl.Boolean:
        numbers = pl.Series(series.name, [None] * n, dtype=pl.Float64)
    words = text.str.count_matches(r"\S+")
    letters = text.str.count_matches(r"\p{L}")
    digits = text.str.count_matches(r"\d")
    lengths = text.str.len_chars()
    lower_words = text.str.replace_all(_CONNECTORS, "").str.count_matches(r"(?:^|[\s\-])\p{Ll}")
    plain_words = text.str.split(" ").list.eval(pl.element().str.contains(_PLAIN_WORD)).list.mean()
    frame = pl.DataFrame({"w": words, "l": letters, "d": digits, "n": lengths, "x": numbers,
                          "lw": lower_words, "pw": plain_words})
    stats = frame.select(
        mean_length=pl.col("n").mean(),
        mean_words=pl.col("w").mean(),
        prose=((pl.col("w") >= _PROSE_WORDS) & (pl.col("l") > 0)).mean(),
        alpha=((pl.col("l") > 0) & (pl.col("d") * 10 <= pl.col("n") * 3)).mean(),
        digit=(pl.col("d") > 0).mean(),
        numeric=pl.col("x").is_not_null().mean(),
        integer=(pl.col("x").is_not_null() & (pl.col("x").round(0) == pl.col("x"))).mean(),
        spaced=(pl.col("w") > 1).mean(),
        title=((pl.col("l") > 0) & (pl.col("lw") == 0)).mean(),
        wordy=pl.col("pw").mean(),
    ).row(0, named=True)
    return ColumnFacts(
        name=series.name,
        dtype=dtype,
        rows=rows,
        text=text,
        numbers=numbers,
        scannable=True,
        distinct=text.n_unique(),
        mean_length=float(stats["mean_length"]),
        mean_words=float(stats["mean_words"]),
        prose_share=float(stats["prose"]),
        alpha_share=float(stats["alpha"]),
        digit_share=float(stats["digit"]),
        numeric_share=float(stats["numeric"]),
        integer_share=float(stats["integer"]),
        spaced_share=float(stats["spaced"]),
        title_share=float(stats["title"]),
        wordy=float(stats["wordy"] or 0.0),
    )
