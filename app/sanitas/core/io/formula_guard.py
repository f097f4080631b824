"""The formula-injection guard for spreadsheet-bound formats (CSV, TSV, XLSX).

A cell that starts like a formula (= + - @, or tab/CR) would run when the export is opened in a
spreadsheet; the guard prefixes ``'``, which spreadsheets themselves use to mark a cell as literal
text. Spreadsheets also start formulas after leading blanks and from the fullwidth forms (＝ ＋ － ＠,
which input methods type), so those count too. A plain number such as -5 or -1E+999 kept as text is
not a formula: it is left as it was read.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_START = r"^(?:[\t\r\n]|[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])"
PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)


def risky(text: pl.Expr) -> pl.Expr:
    """True for a text that a spreadsheet would take for a formula."""
    return text.str.contains(FORMULA_START) & ~text.str.contains(PLAIN_NUMBER)


# What a risky cell can start with: a formula character or a blank (Unicode White_Space, as the
# regex's \s): cells starting otherwise, nearly all of them, skip the two regexes.
FIRST_CHARACTERS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20",
                    *"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680", *(chr(c) for c in range(0x2000, 0x200B)),
                    "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]


def _risky_count(text: pl.Expr) -> pl.Expr:
    """How many of ``text`` are ``risky``: the regexes run only on cells whose first character may start one."""
    maybe = text.filter(text.str.head(1).is_in(FIRST_CHARACTERS))
    return risky(maybe).sum()


_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def _risky_name(name: str) -> bool:
    """``risky`` for a column name, in Python (the same patterns): one query per name would make a
    10,000-column table slow."""
    return bool(_FORMULA_START.search(name)) and not _PLAIN_NUMBER.search(name)


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if isinstance(dtype, TEXT_TYPES)]


def count_formula_cells(frame: pl.DataFrame) -> dict[str, int]:
    """How many cells per column ``guard_formulas`` would prefix (for the privacy report)."""
    names = _text_columns(frame)
    if not names or not frame.height:
        return {}
    counts = frame.select(_risky_count(pl.col(name).cast(pl.String)).alias(name) for name in names).row(0, named=True)
    return {name: int(hits) for name, hits in counts.items() if hits}


def guard_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells and column names that a spreadsheet would take for formulas.

    Only text columns are touched (a negative number stays a number); categorical columns with a risky
    cell become text. One pass finds the columns to rewrite, so a wide table costs its cells, not more.
    A guarded name that is already taken gets a number: ``'=a (2)``.
    """
    exprs = []
    for name in count_formula_cells(frame):  # only columns with a risky cell are rewritten
        text = pl.col(name).cast(pl.String)
        exprs.append(pl.when(risky(text)).then(pl.lit("'") + text).otherwise(text).alias(name))
    guarded = frame.with_columns(exprs) if exprs else frame
    taken = set(frame.columns)
    renames: dict[str, str] = {}
    for name in frame.columns:
        if not _risky_name(name):
            continue
        new, number = f"'{name}", 1
        while new in taken:
            number += 1
            new = f"'{name} ({number})"
        taken.add(new)
        renames[name] = new
    return guarded.rename(renames) if renames else guarded
