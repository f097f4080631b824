"""The contract every column action follows.

A Transform has a recipe name, a pydantic ``Params`` model (the recipe validates against it and the
GUI builds its form from its JSON schema), ``fit`` where it learns from the column (bounds,
value maps) and ``apply`` that returns a new Series and never mutates its input. Per-value Python
work is done once per distinct value (see ``map_distinct``), never once per row.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from sanitas.core.errors import TransformError
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.settings import Settings
from sanitas.core.validation import validation_problems


class TransformParams(BaseModel):
    """Base of every Params model: unknown fields are errors, so a typo in a recipe is caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(TransformParams):
    """For actions without parameters (keep, drop)."""


KeyLookup = Callable[[str], bytes]

MAP_BLOCK = 50_000  # distinct values converted to Python objects at a time
HASH_SEED = 0x5A17A5  # any fixed seed: rows and distinct values are hashed with the same one
POSITION = "__position"


def _no_keys(name: str) -> bytes:
    raise TransformError(
        f"No key named '{name}' is available: add it under 'keys:' in the recipe "
        "(an environment variable or a key file), or pass --key-file."
    )


@dataclass
class TransformContext:
    """What a transform may know besides its column: the release's seed, locale, keys and shared state.

    ``shared`` lives for one release (one engine run) so that transforms can stay consistent across
    columns: the same input gets the same fake value in every column, pseudonym collisions are seen
    across columns.
    """

    column: str
    entity: str | None = None
    seed: int = 0
    locale: str = "en_US"
    keys: KeyLookup = _no_keys
    shared: dict[str, Any] = field(default_factory=dict)
    progress: Progress = no_progress
    cancel: CancelToken = NEVER_CANCELLED
    # The whole input table (read-only) and each column's entity, for actions that look across
    # columns (scrub removes the values of the name and email columns from the notes).
    source: pl.DataFrame | None = None
    column_entities: dict[str, str | None] = field(default_factory=dict)
    settings: Settings | None = None
    # Randomness that must not come from the recipe's seed (DP noise): the engine's secure generator.
    rng: np.random.Generator | None = None


class Transform(ABC):
    """One column action. Subclasses set the class variables and implement ``apply``."""

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[TransformParams]] = NoParams
    # True when the output values are made by the release (pseudonyms, fakes, masks, tags): the
    # residual check lists such columns as replaced instead of re-scanning them for personal data.
    generates_values: ClassVar[bool] = True
    # True for drop: the engine leaves the column out of the output.
    removes_column: ClassVar[bool] = False
    # What callers used to know by the action's name. ``keeps_values``: the column is released as read
    # (keep). ``removes_identity``: no original value of a direct identifier survives (drop, redact, mask,
    # pseudonymize, fake, scrub); generalize keeps part of a value, so it does not. ``takes_key``: params
    # name a key of the recipe's ``keys:``. ``runs_in``: "analysis_process" when the action needs the
    # Presidio analyzer (spaCy) and so runs in the workbench's analysis process, not a GUI thread.
    # ``per``: the unit of work ("value": once per distinct value; "row": once per cell; "column").
    # ``randomized``: the output is a draw (DP noise, synthesized values): previewed as a labelled sample.
    # ``stage``: "after_steps" for actions that run on what the dataset-level steps released (dp_noise).
    keeps_values: ClassVar[bool] = False
    removes_identity: ClassVar[bool] = False
    takes_key: ClassVar[bool] = False
    runs_in: ClassVar[Literal["thread", "analysis_process"]] = "thread"
    per: ClassVar[Literal["value", "row", "column"]] = "value"
    randomized: ClassVar[bool] = False
    stage: ClassVar[Literal["before_steps", "after_steps"]] = "before_steps"
    # ``reads_table``: the action reads other columns of the whole table (``context.source``), so it cannot
    # run batch by batch (scrub's known values, synthesize's conditioning columns): the streamed release
    # falls back to the in-memory one.
    reads_table: ClassVar[bool] = False

    def __init__(self, params: TransformParams | dict[str, Any] | None = None) -> None:
        self.params = self.parse_params(params)
        self.context: TransformContext | None = None
        self._facts: dict[str, Any] = {}

    @classmethod
    def parse_params(cls, params: TransformParams | dict[str, Any] | None) -> Any:
        """Validate parameters; the TransformError lists every problem with its field."""
        if isinstance(params, cls.Params):
            return params
        try:
            return cls.Params.model_validate(params or {})
        except ValidationError as exc:
            problems = validation_problems(exc, default="params")
            raise TransformError(f"{cls.name}: invalid parameters: " + "; ".join(problems)) from None

    def check(self, dtype: pl.DataType) -> list[str]:
        """Problems with applying this action to a column of ``dtype`` (empty when it fits)."""
        return []

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        """The dtype ``apply`` returns for an input of ``dtype``."""
        return pl.String

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        """Learn what the action needs from the column. The default only keeps the context."""
        self.context = context
        return self

    @abstractmethod
    def apply(self, column: pl.Series) -> pl.Series:
        """Return the transformed column (same name, same length). Never mutates ``column``."""

    def facts(self) -> dict[str, Any]:
        """Figures for the report (distinct values mapped, collisions...). No data values."""
        return dict(self._facts)

    def ensure_fits(self, column: pl.Series) -> None:
        """Raise the analyst-facing error when ``check`` finds the column's dtype unsuitable."""
        problems = self.check(column.dtype)
        if problems:
            raise self.error("; ".join(problems), column=column.name)

    def error(self, message: str, *, column: str | None = None) -> TransformError:
        """A TransformError that names the action and the column (never a data value)."""
        name = column or (self.context.column if self.context else None)
        where = f" on column '{name}'" if name else ""
        return TransformError(f"{self.name}{where}: {message}")

    def fit_apply(self, column: pl.Series, context: TransformContext) -> pl.Series:
        return self.fit(column, context).apply(column)

    @property
    def ctx(self) -> TransformContext:
        if self.context is None:
            raise RuntimeError(f"{self.name}: apply() called before fit()")
        return self.context


def distinct_values(column: pl.Series) -> pl.Series:
    """The column's distinct non-null values (order not meaningful): the unit of per-value work."""
    return column.drop_nulls().unique()


def broadcast(
    column: pl.Series, distinct: pl.Series, mapped: pl.Series | list[Any], return_dtype: pl.DataType
) -> pl.Series:
    """Spread one result per distinct value back over the rows (nulls and unmapped values give null).

    The rows are matched to ``distinct`` by position (``_positions``) and the results gathered, so the
    output shares the results' string buffers; ``replace_strict`` is the fallback, for odd dtypes and
    hash ties, because its hash table of the distinct values needed about four times the memory.
    """
    values = mapped if isinstance(mapped, pl.Series) else pl.Series(mapped, dtype=return_dtype)
    if distinct.len() == 0:
        return pl.repeat(None, column.len(), dtype=return_dtype, eager=True).alias(column.name)
    positions = _positions(column, distinct) if values.dtype == return_dtype else None
    if positions is None:
        return column.replace_strict(distinct, values, default=None, return_dtype=return_dtype).alias(column.name)
    return values.gather(positions).alias(column.name)


def _positions(column: pl.Series, distinct: pl.Series) -> pl.Series | None:
    """Each row's position in ``distinct`` (null for nulls and values not in it), or None when this
    way does not apply (other dtypes, a null among the distinct values, two distinct values with the
    same 64-bit hash).

    The rows' hashes are looked up in the sorted hashes of the distinct values, and every candidate
    is then compared with the row's value, so a hash that merely matches never maps a row: the result
    is exact, with a few 8-byte arrays per row instead of a hash table of the values.
    """
    dtype = column.dtype
    if dtype != distinct.dtype or not (dtype == pl.String or dtype.is_integer()) or distinct.null_count():
        return None
    keys = distinct.hash(seed=HASH_SEED).to_numpy()
    order = np.argsort(keys)
    keys = keys[order]
    if keys.size > 1 and bool((keys[1:] == keys[:-1]).any()):
        return None
    at = np.searchsorted(keys, column.hash(seed=HASH_SEED).to_numpy())
    del keys
    np.minimum(at, order.size - 1, out=at)
    candidates = pl.Series(POSITION, order[at])
    del at, order
    same = distinct.gather(candidates) == column  # null for null rows
    return candidates.to_frame().select(pl.when(same).then(pl.col(POSITION))).to_series()


def map_distinct(
    column: pl.Series,
    func: Callable[[Any], Any],
    return_dtype: pl.DataType = pl.String,
    *,
    cancel: CancelToken = NEVER_CANCELLED,
    progress: Progress | None = None,
) -> pl.Series:
    """Apply a Python function once per distinct non-null value and broadcast the result.

    This is what keeps per-value work (HMAC, Faker, Presidio) proportional to the number of distinct
    values rather than rows. Nulls stay null. The values go through Python one block at a time
    (``MAP_BLOCK``), each block's results straight into a Series: Python lists of a million strings
    cost several times the Arrow memory of the same strings.
    """
    distinct = distinct_values(column)
    total = max(distinct.len(), 1)
    blocks: list[pl.Series] = []
    for start in range(0, distinct.len(), MAP_BLOCK):
        mapped = []
        for i, value in enumerate(distinct.slice(start, MAP_BLOCK).to_list(), start):
            if i % 10_000 == 0:
                cancel.raise_if_cancelled()
                if progress is not None:
                    progress(i / total, "mapping distinct values")
            mapped.append(func(value))
        blocks.append(pl.Series(mapped, dtype=return_dtype))
        del mapped
    values = pl.concat(blocks) if blocks else pl.Series([], dtype=return_dtype)
    return broadcast(column, distinct, values, return_dtype)
