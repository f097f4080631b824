"""Generalization hierarchies: for one quasi-identifier, each original value and its coarser labels.

The k-anonymity search walks a lattice of generalization levels and groups rows many times over, so a
hierarchy hands it integer codes rather than strings: ``encode`` maps each row to a UInt32 code per
level once, and the search groups on those. Labels are needed again only to write the release
(``generalize``) or to show a result (``labels``). Level 0 is the original value. Each level must
group whole groups of the level below (a coarsening): the search's pruning relies on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Self

import polars as pl

from sanitas.core.errors import SanitasError

STAR = "*"
MAX_LISTED = 5
VALUE = "value"
CODE_DTYPE = pl.UInt32


class HierarchyError(SanitasError):
    """A hierarchy is malformed or does not cover a column: names the file, line, level or values."""


def level_name(level: int) -> str:
    return f"level{level}"


def quoted(values: Sequence[str], total: int | None = None) -> str:
    """Up to MAX_LISTED configuration values for a message, with how many more there are."""
    total = len(values) if total is None else total
    shown = ", ".join(f"'{v}'" for v in values[:MAX_LISTED])
    return shown + (f" and {total - MAX_LISTED} more" if total > MAX_LISTED else "")


def value_text(column: pl.Series) -> pl.Series:
    """The column's values as the strings a hierarchy is keyed by; nulls stay null.

    Builders, ``encode`` and ``generalize`` all go through here so their keys agree: whole floats
    print like integers (30.0 -> '30', as a CSV or an ARX file writes them), datetimes in ISO form.
    """
    dtype = column.dtype
    if dtype == pl.String:
        return column
    if dtype.is_float():
        x = pl.col(column.name)
        whole = (x == x.floor()) & (x.abs() < 2.0**53)
        text = pl.when(whole).then(x.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(x.cast(pl.String))
        return column.to_frame().select(text.alias(column.name)).to_series()
    if isinstance(dtype, pl.Datetime):
        return column.dt.to_string("%Y-%m-%dT%H:%M:%S%.f")
    if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object):
        raise HierarchyError(f"Column '{column.name}' holds {dtype} values; a hierarchy needs one value per cell.")
    return column.cast(pl.String)


@dataclass(frozen=True, eq=False, repr=False)
class HierarchyEncoding:
    """A column as integer codes per level, for the lattice search (codes follow ``labels`` order)."""

    column: str
    codes: pl.DataFrame  # one row per input row: level0..levelN (UInt32), null where the value is null
    table: pl.DataFrame  # one row per distinct value: value, level0..levelN, to join once instead
    label_sets: tuple[tuple[str, ...], ...]

    @property
    def height(self) -> int:
        return len(self.label_sets)

    def labels(self, level: int) -> list[str]:
        return list(self.label_sets[level])

    def decode(self, level: int, codes: pl.Series) -> pl.Series:
        """Codes of one level back to their labels (nulls stay null)."""
        return pl.Series(codes.name, self.label_sets[level], dtype=pl.String).gather(codes)

    def __repr__(self) -> str:
        return f"HierarchyEncoding(column={self.column!r}, height={self.height}, rows={self.codes.height})"


@dataclass(frozen=True, eq=False, repr=False)
class Hierarchy:
    """One column's hierarchy: ``levels`` has level0 (original values as text) .. levelN, as strings.

    ``unknown_as_star`` is the analyst's choice to let values the hierarchy lacks through as '*' at
    every level above 0; otherwise such a value is an error that lists them. ``source`` is the file it
    was read from, so that messages can name it and its lines.
    """

    column: str
    levels: pl.DataFrame
    unknown_as_star: bool = False
    source: str | None = None

    def __post_init__(self) -> None:
        expected = [level_name(i) for i in range(self.levels.width)]
        if not expected or self.levels.columns != expected:
            raise HierarchyError(f"{self._where}: columns must be named level0, level1, ...; got {self.levels.columns}")
        object.__setattr__(self, "levels", self.levels.select(pl.all().cast(pl.String)))
        self._check_labels()
        self._check_unique()
        self._check_coarsening()

    # construction -------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, column: str, rows: Sequence[Sequence[str]], *, source: str | None = None) -> Self:
        """Rows of ``value, label1, ...`` all of one length, as in the ARX format or an editor."""
        height = len(rows[0]) if rows else 1
        for i, row in enumerate(rows):
            if len(row) != height:
                raise HierarchyError(f"Hierarchy for '{column}': row {i + 1} has {len(row)} labels, not {height}.")
        data = {level_name(i): [row[i] for row in rows] for i in range(height)}
        return cls(column, pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)), source=source)

    def rows(self) -> list[list[str]]:
        return [list(row) for row in self.levels.iter_rows()]

    def with_unknown_as_star(self, enabled: bool = True) -> Hierarchy:
        """The same hierarchy, letting values it lacks through as '*' above level 0."""
        if enabled:
            for i in range(1, self.height - 1):
                starred = self.levels.filter(pl.col(level_name(i)) == STAR)[level_name(i + 1)]
                if (starred != STAR).any():
                    raise HierarchyError(
                        f"{self._where}: '*' at level {i} becomes another label at level {i + 1}, so values the "
                        "hierarchy lacks cannot be mapped to '*'; make it '*' at every level above."
                    )
        return dataclasses.replace(self, unknown_as_star=enabled)

    # queries ------------------------------------------------------------------------------------
    @property
    def height(self) -> int:
        """Number of levels, level 0 (the original values) included."""
        return self.levels.width

    @property
    def values(self) -> list[str]:
        return self.levels[level_name(0)].to_list()

    @property
    def suppresses_at_top(self) -> bool:
        """True when the last level is '*' for every value (ARX's usual top)."""
        return self.height > 1 and bool((self.levels[level_name(self.height - 1)] == STAR).all())

    def labels(self, level: int) -> list[str]:
        """Distinct labels of a level; a label's position is its code in ``encode``."""
        self._check_level(level)
        return list(self._coded[1][level])

    def missing_values(self, column: pl.Series) -> list[str]:
        """Distinct non-null values of the column that the hierarchy lacks, in order of appearance."""
        return self._missing(value_text(column))

    def encode(self, column: pl.Series, *, rows_at: Sequence[int] | None = None) -> HierarchyEncoding:
        """Every row's code at every level (null rows get null codes), plus the per-value table.

        ``rows_at``: only these levels get per-row codes (the search needs level 0 alone; the table maps
        it up), so a million-row column does not carry a UInt32 column per level it never reads."""
        text = value_text(column)
        table, label_sets = self._coded
        missing = self._refuse_missing(text)
        if missing:
            table, label_sets = self._with_stars(table, label_sets, missing)
        wanted = table if rows_at is None else table.select(VALUE, *(level_name(i) for i in rows_at))
        codes = text.alias(VALUE).to_frame().join(wanted, on=VALUE, how="left", maintain_order="left").drop(VALUE)
        return HierarchyEncoding(self.column, codes, table, label_sets)

    def generalize(self, column: pl.Series, level: int) -> pl.Series:
        """The column at a level as text labels; level 0 returns the column itself, unchanged (after the
        same check for values the hierarchy lacks, so that every level accepts the same columns)."""
        self._check_level(level)
        text = value_text(column)
        missing = self._refuse_missing(text)
        if level == 0:
            return column
        old, new = self.levels[level_name(0)], self.levels[level_name(level)]
        if not missing:
            return text.replace_strict(old, new, return_dtype=pl.String).alias(column.name)
        lookup = text.replace_strict(old, new, default=STAR, return_dtype=pl.String)
        return lookup.zip_with(text.is_not_null(), text).alias(column.name)  # the default would also hit nulls

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hierarchy):
            return NotImplemented
        same = self.column == other.column and self.unknown_as_star == other.unknown_as_star
        return same and self.levels.equals(other.levels)

    __hash__ = None  # type: ignore[assignment]  (holds a DataFrame)

    def __repr__(self) -> str:
        return f"Hierarchy(column={self.column!r}, height={self.height}, values={self.levels.height})"

    # internals ----------------------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"Hierarchy for '{self.column}'" + (f" ({self.source})" if self.source else "")

    def _row(self, index: int) -> str:
        """A row as the analyst finds it: a line of the file it came from, or a row of the editor."""
        return f"line {index + 1}" if self.source else f"row {index + 1}"

    def _check_level(self, level: int) -> None:
        if not 0 <= level < self.height:
            raise HierarchyError(f"{self._where}: level {level} does not exist; levels are 0 to {self.height - 1}.")

    def _check_labels(self) -> None:
        for i, name in enumerate(self.levels.columns):
            # An empty original value is data (an empty text cell); an empty label above it would hide a level.
            blank = pl.col(name).is_null() | (pl.col(name) == "") if i else pl.col(name).is_null()
            empty = self.levels.with_row_index("row").filter(blank)["row"]
            if empty.len():
                more = f" (and {empty.len() - 1} more rows)" if empty.len() > 1 else ""
                raise HierarchyError(f"{self._where}, {self._row(empty[0])}: empty label at level {i}{more}.")

    def _check_unique(self) -> None:
        indexed = self.levels.with_row_index("row")
        repeated = indexed.filter(pl.col(level_name(0)).is_duplicated())
        if repeated.height:
            first = repeated.group_by(level_name(0), maintain_order=True).agg(pl.col("row"))
            value, rows = first.row(0)
            raise HierarchyError(
                f"{self._where}: {first.height} values appear more than once: {quoted(first[level_name(0)].to_list())}"
                f" ('{value}' on {self._row(rows[0])} and {self._row(rows[1])}); each value needs exactly one row."
            )

    def _check_coarsening(self) -> None:
        indexed = self.levels.with_row_index("row")
        for i in range(1, self.height - 1):
            fine, coarse = level_name(i), level_name(i + 1)
            split = (
                indexed.group_by(fine, maintain_order=True)
                .agg(pl.col(coarse).unique(maintain_order=True), pl.col("row").first())
                .filter(pl.col(coarse).list.len() > 1)
            )
            if split.height:
                label, targets, row = split.row(0)
                raise HierarchyError(
                    f"{self._where}: level {i + 1} is not a coarsening of level {i}: '{label}' (first on "
                    f"{self._row(row)}) becomes {len(targets)} labels at level {i + 1} ({quoted(targets)})"
                    f"{f', and {split.height - 1} more labels split' if split.height > 1 else ''}. "
                    f"Values that share a label at one level must share one at the next."
                )

    @cached_property
    def _coded(self) -> tuple[pl.DataFrame, tuple[tuple[str, ...], ...]]:
        """The per-value code table and each level's labels in code order (order of first appearance)."""
        columns: list[pl.Series] = [self.levels[level_name(0)].alias(VALUE)]
        label_sets: list[tuple[str, ...]] = []
        for name in self.levels.columns:
            labels = self.levels[name].unique(maintain_order=True)
            codes = pl.Series(name, range(labels.len()), dtype=CODE_DTYPE)
            columns.append(self.levels[name].replace_strict(labels, codes, return_dtype=CODE_DTYPE).alias(name))
            label_sets.append(tuple(labels.to_list()))
        return pl.DataFrame(columns), tuple(label_sets)

    def _with_stars(
        self, table: pl.DataFrame, label_sets: tuple[tuple[str, ...], ...], missing: list[str]
    ) -> tuple[pl.DataFrame, tuple[tuple[str, ...], ...]]:
        """Extend the table with the values it lacks: own codes at level 0, the '*' code above."""
        extra: dict[str, pl.Series] = {VALUE: pl.Series(VALUE, missing, dtype=pl.String)}
        grown: list[tuple[str, ...]] = [label_sets[0] + tuple(missing)]
        first = len(label_sets[0])
        extra[level_name(0)] = pl.Series(range(first, first + len(missing)), dtype=CODE_DTYPE)
        for i in range(1, self.height):
            labels = label_sets[i] if STAR in label_sets[i] else (*label_sets[i], STAR)
            extra[level_name(i)] = pl.Series([labels.index(STAR)] * len(missing), dtype=CODE_DTYPE)
            grown.append(labels)
        return pl.concat([table, pl.DataFrame(extra)]), tuple(grown)

    def _missing(self, text: pl.Series) -> list[str]:
        distinct = text.drop_nulls().unique(maintain_order=True)
        return distinct.filter(~distinct.is_in(self.levels[level_name(0)].implode())).to_list()

    def _refuse_missing(self, text: pl.Series) -> list[str]:
        """The values the hierarchy lacks, or an error listing them unless they may become '*'."""
        missing = self._missing(text)
        if missing and not self.unknown_as_star:
            raise HierarchyError(
                f"{self._where}: {len(missing)} values of the column are not in the hierarchy: {quoted(missing)}. "
                "Add them to the hierarchy, or choose to map values it lacks to '*'."
            )
        return missing
