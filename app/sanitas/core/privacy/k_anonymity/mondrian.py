"""Mondrian multidimensional partitioning (LeFevre, DeWitt and Ramakrishnan, ICDE 2006).

The local alternative to global recoding (anonymize.py) when there are many quasi-identifiers: the
lattice of hierarchy levels grows as the product of the heights, while Mondrian needs no hierarchy
and cuts the records themselves (a recipe asks for it with ``k_anonymity: {method: mondrian}``; release.py
runs it and verifies the output). Strict Mondrian: a partition is cut on the quasi-identifier with
the widest normalized range, at the median, when both halves keep at least ``k`` records (and at
least ``l`` distinct values of every sensitive column when ``l`` is given). When the widest one
cannot be cut, the next widest is tried, so partitions end as fine as the models allow; a partition
no quasi-identifier can cut is final.

Why the implementation looks the way it does: every quasi-identifier is rank-encoded once (integer
codes in sorted value order), and the recursion runs breadth-first over *all* open partitions at
once with numpy (one sort of (partition, code) keys per round), never a Python loop over rows or
partitions. A million rows are about twenty rounds.

Each quasi-identifier of the release is replaced by its partition's label (a String column):

- numeric columns: ``"lo-hi"``, the smallest and largest value in the partition (just ``"lo"`` when
  they are equal; ``"lo to hi"`` when the range starts below zero, so ``-9 to -3`` is not ambiguous);
- categorical columns: the partition's distinct values in sorted order joined by ``"|"``, or ``"*"``
  when there are more than five (``MAX_LISTED``).

Null quasi-identifiers are refused (fill or drop them first): a null has no place in a range.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sanitas.core.errors import SanitasError
from sanitas.core.progress import CancelToken, Progress

MAX_LISTED = 5
STAR = "*"


class MondrianError(SanitasError):
    """Mondrian cannot run as asked: bad columns or parameters, or the whole table fails k or l."""


@dataclass(frozen=True)
class MondrianResult:
    """The release (quasi-identifiers replaced by their partition's label) and its partitioning."""

    frame: pl.DataFrame
    partitions: int
    smallest: int  # records in the smallest partition
    seconds: float
    certainty_penalty: dict[str, float] = field(default_factory=dict)  # per quasi-identifier, see _penalty


@dataclass(frozen=True)
class _Column:
    """One quasi-identifier rank-encoded: ``codes[i]`` indexes ``values`` (distinct, sorted)."""

    codes: np.ndarray
    values: pl.Series
    numeric: bool
    position: np.ndarray  # where each code sits on the normalized 0..1 axis used to compare widths


def mondrian(frame: pl.DataFrame, quasi_identifiers: list[str], k: int, *, sensitive: list[str] | None = None,
             l: int | None = None, numeric: set[str] | None = None, progress: Progress | None = None,  # noqa: E741
             cancel: CancelToken | None = None) -> MondrianResult:
    """Partition ``frame`` with strict Mondrian so every partition has ``k`` records (and distinct ``l``).

    ``numeric`` names the columns treated as ordered numbers; ``None`` means every column with a
    numeric dtype. The others are categorical, ordered by their sorted values.
    """
    started = time.perf_counter()
    sensitive = list(sensitive or [])
    numeric = {c for c in quasi_identifiers if frame.schema.get(c, pl.String).is_numeric()} if numeric is None \
        else set(numeric)
    _check(frame, quasi_identifiers, k, sensitive, l, numeric)
    columns = [_encode(frame[c], c in numeric) for c in quasi_identifiers]
    secret = [_sensitive_codes(frame[c]) for c in sensitive]
    if l is not None:
        poor = [c for c, codes in zip(sensitive, secret, strict=True) if np.unique(codes).size < l]
        if poor:
            raise MondrianError(f"The whole table has fewer than {l} distinct values of "
                                f"{', '.join(repr(c) for c in poor)}, so no partition can be {l}-diverse.")
    final = _partition(columns, secret, k, l or 0, progress, cancel)
    count = int(final.max()) + 1 if final.size else 0
    sizes = np.bincount(final, minlength=count)
    labels, penalty = [], {}
    for name, column in zip(quasi_identifiers, columns, strict=True):
        owner, code = _distinct_per_partition(column, final)
        labels.append(_labels(column, owner, code, count).gather(pl.Series(final)).alias(name))
        penalty[name] = _penalty(column, owner, code, count, sizes)
    out = frame.with_columns(labels)
    if progress is not None:
        progress(1.0, f"Mondrian: {count:,} partitions")
    return MondrianResult(out, count, int(sizes.min()) if count else 0, time.perf_counter() - started, penalty)


def null_quasi_identifier_problems(frame: pl.LazyFrame | pl.DataFrame, quasi_identifiers: list[str]) -> list[str]:
    """Mondrian's refusal of null quasi-identifiers, as a check to run before the release starts.

    One streaming pass that counts nulls (a LazyFrame over the input is not read into memory), so the
    engine or the workbench can report it with the recipe's other problems instead of mid-run. A
    quasi-identifier's column action is ``keep``, so the input's nulls are the ones Mondrian would meet.
    """
    lazy = frame.lazy()
    present = [c for c in dict.fromkeys(quasi_identifiers) if c in lazy.collect_schema().names()]
    if not present:
        return []
    counts = lazy.select(pl.col(present).null_count()).collect(engine="streaming").row(0, named=True)
    return [f"k_anonymity.quasi_identifiers: column '{c}' has {n:,} empty value(s), and Mondrian cannot place an "
            "empty value in a range; fill or drop them first, or use method 'global'"
            for c, n in counts.items() if n]


def _check(frame: pl.DataFrame, qis: list[str], k: int, sensitive: list[str], l: int | None,  # noqa: E741
           numeric: set[str]) -> None:
    problems = []
    if not qis:
        problems.append("name at least one quasi-identifier")
    missing = [c for c in dict.fromkeys([*qis, *sensitive, *numeric]) if c not in frame.columns]
    if missing:
        problems.append(f"no column {', '.join(repr(c) for c in missing)} in the table")
    if k < 1:
        problems.append("k must be at least 1")
    if l is not None and (l < 1 or not sensitive):
        problems.append("l-diversity needs l >= 1 and at least one sensitive column")
    both = [c for c in sensitive if c in qis]
    if both:
        problems.append(f"column {', '.join(repr(c) for c in both)} cannot be both quasi-identifying and sensitive")
    wrong = [c for c in numeric if c in frame.columns and not frame.schema[c].is_numeric()]
    if wrong:
        problems.append(f"column {', '.join(repr(c) for c in wrong)} is not numeric")
    nulls = [c for c in qis if c in frame.columns and frame[c].null_count()]
    if nulls:
        problems.append(f"quasi-identifier {', '.join(repr(c) for c in nulls)} has nulls (fill or drop them first)")
    if problems:
        raise MondrianError("Cannot run Mondrian: " + "; ".join(problems) + ".")
    for c in dict.fromkeys([*qis, *sensitive]):  # as hierarchy.py words it for global recoding
        if frame.schema[c].is_nested() or frame.schema[c] == pl.Object:
            raise MondrianError(f"Column '{c}' holds {frame.schema[c]} values; Mondrian needs one value per cell.")
    if frame.height < k:
        raise MondrianError(f"The table has {frame.height:,} records, fewer than k = {k}: no partition can hold k.")


def _encode(column: pl.Series, numeric: bool) -> _Column:
    codes = (column.rank("dense").cast(pl.Int64) - 1).to_numpy()
    values = column.unique().sort()
    if numeric:
        axis = values.cast(pl.Float64).to_numpy()
        span = axis[-1] - axis[0] if axis.size else 0.0
        position = (axis - axis[0]) / span if span > 0 else np.zeros_like(axis)
    else:
        position = np.arange(values.len(), dtype=np.float64) / max(values.len() - 1, 1)
    return _Column(codes, values, numeric, position)


def _sensitive_codes(column: pl.Series) -> np.ndarray:
    """Dense codes where a null is one more value, as risk.py counts it."""
    ranks = column.rank("dense").cast(pl.Int64)
    return ranks.fill_null(0).to_numpy()


def _partition(columns: list[_Column], secret: list[np.ndarray], k: int, l: int, progress: Progress | None,  # noqa: E741
               cancel: CancelToken | None) -> np.ndarray:
    """Every row's final partition (0..count-1), cutting all open partitions each round."""
    n = columns[0].codes.size
    codes = np.vstack([c.codes for c in columns])  # one contiguous row per quasi-identifier, one column per open row
    positions = [c.position for c in columns]
    wide = int(codes.max()) + 2 if n else 2
    final = np.zeros(n, dtype=np.int64)
    rows = np.arange(n, dtype=np.int64)  # open rows, sorted by their partition; codes[:, i] belongs to rows[i]
    part = np.zeros(n, dtype=np.int64)
    done = 0
    while rows.size:
        if cancel is not None:
            cancel.raise_if_cancelled()
        sizes = np.bincount(part)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        width = np.column_stack([pos[np.maximum.reduceat(codes[d], starts)] - pos[np.minimum.reduceat(codes[d], starts)]
                                 for d, pos in enumerate(positions)])
        dim, cut = _cuts(codes, secret, rows, part, sizes, width, k, l, wide)
        stop = dim < 0
        if stop.any():
            closing = stop[part]
            ids = np.cumsum(stop) - 1 + done
            final[rows[closing]] = ids[part[closing]]
            done += int(stop.sum())
            rows, part, codes = rows[~closing], part[~closing], codes[:, ~closing]
        if rows.size:
            dim, cut = dim[~stop], cut[~stop]
            renumber = np.cumsum(~stop) - 1
            part = renumber[part]
            side = codes[dim[part], np.arange(rows.size)] > cut[part]
            part = 2 * part + side
            order = np.argsort(part, kind="stable")
            rows, part, codes = rows[order], part[order], codes[:, order]
        if progress is not None:
            progress(1.0 - rows.size / max(n, 1), f"Mondrian: {done:,} partitions final")
    return final


def _cuts(codes: np.ndarray, secret: list[np.ndarray], rows: np.ndarray, part: np.ndarray, sizes: np.ndarray,
          width: np.ndarray, k: int, l: int, wide: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: E741
    """Per open partition, the dimension to cut (-1: none allowed) and the cut (left holds codes <= cut).

    ``codes[d, i]`` is quasi-identifier ``d`` of open row ``rows[i]``, rows grouped by ``part``.

    Dimensions are tried widest first; at each, the median cut and the one just below it (which
    matters when many records share the median value), keeping the allowed one closer to halving.
    """
    count = sizes.size
    ranked = np.argsort(-width, axis=1, kind="stable")
    dim = np.full(count, -1, dtype=np.int64)
    cut = np.zeros(count, dtype=np.int64)
    index = np.arange(count)
    for r in range(width.shape[1]):
        trying = (dim < 0) & (width[index, ranked[:, r]] > 0)
        if not trying.any():
            break
        picked = np.flatnonzero(trying)
        inside = trying[part]
        sub_rows, sub_part = rows[inside], part[inside]
        key = codes[ranked[sub_part, r], np.flatnonzero(inside)]
        ordered = np.sort(sub_part * wide + key)
        m = sizes[picked]
        start = np.concatenate(([0], np.cumsum(m)[:-1]))
        base = picked * wide
        median = ordered[start + (m - 1) // 2] - base
        low = np.searchsorted(ordered, base + median - 1, side="right") - start  # left count, cut at median - 1
        high = np.searchsorted(ordered, base + median, side="right") - start  # left count, cut at median
        ok_high = (high >= k) & (m - high >= k)
        ok_low = (low >= k) & (m - low >= k)
        if l:
            for values in secret:
                ok_high &= _diverse(values, sub_rows, sub_part, key, median[np.searchsorted(picked, sub_part)], l,
                                    count)[picked]
                ok_low &= _diverse(values, sub_rows, sub_part, key, median[np.searchsorted(picked, sub_part)] - 1, l,
                                   count)[picked]
        use_high = ok_high & (~ok_low | (np.abs(2 * high - m) <= np.abs(2 * low - m)))
        chosen = ok_high | ok_low
        dim[picked[chosen]] = ranked[picked[chosen], r]
        cut[picked] = np.where(use_high, median, median - 1)
    return dim, cut


def _diverse(values: np.ndarray, rows: np.ndarray, part: np.ndarray, key: np.ndarray, cut: np.ndarray, l: int,  # noqa: E741
             count: int) -> np.ndarray:
    """Per partition (of ``count``): do both sides of ``key <= cut`` hold ``l`` distinct ``values``?"""
    sides = part * 2 + (key > cut)
    spread = int(values.max()) + 1
    pairs = np.unique(sides * spread + values[rows])
    distinct = np.bincount(pairs // spread, minlength=2 * count).reshape(count, 2)
    return (distinct >= l).all(axis=1)


def _distinct_per_partition(column: _Column, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (partition, value code) pair once, sorted by partition then code: what labels and penalties need."""
    wide = column.values.len()
    pairs = np.unique(final * wide + column.codes)
    return pairs // wide, pairs % wide


def _penalty(column: _Column, owner: np.ndarray, code: np.ndarray, count: int, sizes: np.ndarray) -> float:
    """Mean normalized certainty penalty of a cell (Xu et al., KDD 2006), the usual utility measure of
    local recoding, where distinct labels and their entropy mean little (partitions overlap).

    Numeric: the partition's range over the column's whole range; categorical: (values in the
    partition - 1) / (distinct values - 1), or 1 when the label is '*'. 0 is the exact value, 1 the
    whole domain.
    """
    if not count or owner.size == 0:
        return 0.0
    wide = column.values.len()
    if column.numeric:
        low = np.full(count, np.inf)
        high = np.full(count, -np.inf)
        np.minimum.at(low, owner, column.position[code])
        np.maximum.at(high, owner, column.position[code])
        per_partition = high - low
    else:
        listed = np.bincount(owner, minlength=count)
        # A partition with more than MAX_LISTED values is released as '*': the cell tells nothing.
        per_partition = np.where(listed > MAX_LISTED, 1.0, (listed - 1) / max(wide - 1, 1))
    return float((per_partition * sizes).sum() / sizes.sum())


def _labels(column: _Column, owner: np.ndarray, code: np.ndarray, count: int) -> pl.Series:
    """One label per partition, in partition order: 'lo-hi', or 'lo to hi' from a negative 'lo' ('-50 to -46',
    where '-50--46' would be ambiguous)."""
    if column.numeric:
        starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        ends = np.concatenate((starts[1:], [owner.size])) - 1
        lowest = column.values.gather(pl.Series(code[starts]))
        low, high = lowest.cast(pl.String), column.values.gather(pl.Series(code[ends])).cast(pl.String)
        joined = (low + " to " + high).zip_with(lowest < 0, low + "-" + high)
        return pl.select(pl.when(low == high).then(low).otherwise(joined)).to_series()
    listed = pl.DataFrame({"owner": owner, "value": column.values.cast(pl.String).gather(pl.Series(code))})
    joined = listed.group_by("owner", maintain_order=True).agg(pl.col("value").str.join("|"), pl.len().alias("n"))
    assert joined.height == count
    return joined.select(pl.when(pl.col("n") > MAX_LISTED).then(pl.lit(STAR)).otherwise(pl.col("value"))).to_series()
