"""The residual check of a streamed release: the same checks and figures as ``residual.residual_check``,
gathered batch by batch so that neither the input nor the output is ever whole in memory.

- The original identifier values are hashed in a first pass over the input (``OriginalsBuilder``),
  before any output exists, so that each output batch is compared with all of them as it is made.
- Candidate hits (a cell whose hash is an original's) are kept with their row; they are confirmed on the
  original text at the end, which is kept while it is small and otherwise fetched for the candidates'
  hashes only, in one more pass over the identifier columns.
- The checks that look at the first rows only (substring search and second opinion: 200,000 rows;
  re-scan rows: 1,000) run on the first rows of the output, kept; the re-scan sample is the evenly
  spread rows ``classify_frame`` would take, picked as the batches go by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import polars as pl

from sanitas.core.detect import classify_frame
from sanitas.core.detect.findings import ColumnFinding, ColumnKind
from sanitas.core.detect.second_opinion import CELL_LIMIT, SecondOpinion
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.residual import (
    AHO_CORASICK_LIMIT,
    HASH_SEED,
    MIN_SUBSTRING_LENGTH,
    MIN_VALUE_LENGTH,
    RESCAN_CELL_LIMIT,
    SUBSTRING_ROW_LIMIT,
    Originals,
    ResidualCheck,
    _distinct,
    _member,
    _normalized,
    _rescan_finding,
    _second_opinion,
    hits_by_source,
    substring_hits,
    text_columns,
)
from sanitas.core.settings import Settings

HEAD_ROWS = max(SUBSTRING_ROW_LIMIT, CELL_LIMIT, RESCAN_CELL_LIMIT, 2_000)
TEXT_LIMIT = 500_000  # distinct original texts kept for the confirmations; beyond, fetched again when needed
COMPACT_EVERY = 1_000_000  # distinct hashes per batch gathered before the runs are merged


def identifier_columns(outcomes: Iterable[ColumnOutcome]) -> list[str]:
    """The columns whose original values must not survive: as ``residual_check`` picks them."""
    return [o.name for o in outcomes if o.kind is ColumnKind.IDENTIFIER and not o.kept_as_is]


class _Hashes:
    """Sorted distinct 64-bit hashes gathered batch by batch: each batch's hashes are sorted and made
    distinct on arrival, and the sorted runs merged into one when they hold more than ``COMPACT_EVERY``
    (numpy's stable sort is a merge of sorted runs: linear, not a new sort of everything). Memory is
    the distinct hashes plus at most ``COMPACT_EVERY`` pending ones, whatever the number of rows."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.pending = 0

    def add(self, hashes: np.ndarray) -> None:
        if not hashes.size:
            return
        part = _distinct(hashes)
        self.parts.append(part)
        self.pending += part.size
        if self.pending > COMPACT_EVERY and len(self.parts) > 1:
            self.parts = [_merged(self.parts)]
            self.pending = 0

    def copy(self) -> _Hashes:
        other = _Hashes()
        other.parts, other.pending = list(self.parts), self.pending
        return other

    def done(self) -> np.ndarray:
        if not self.parts:
            return np.zeros(0, dtype=np.uint64)
        merged = _merged(self.parts) if len(self.parts) > 1 else self.parts[0]
        self.parts, self.pending = [merged], 0
        return merged


def _merged(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct union of sorted distinct arrays (timsort merges the runs)."""
    ordered = np.sort(np.concatenate(parts), kind="stable")
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


class OriginalsBuilder:
    """The identifier columns' values hashed batch by batch (``residual.original_values`` over the batches)."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._all = {c: _Hashes() for c in columns}
        # None while every value of 4+ characters so far also had 6+ (emails, names, card numbers): the
        # long set is then the same set, kept once
        self._long: dict[str, _Hashes | None] = dict.fromkeys(columns)
        self._texts: dict[str, list[pl.Series]] | None = {c: [] for c in columns}
        self._text_count = 0

    def add(self, batch: pl.DataFrame) -> None:
        # One query for all the columns (polars runs them side by side): each value's hash and length as
        # ``original_values`` computes them on the normalized text (trimmed; nulls have a null length).
        exprs = []
        for i, name in enumerate(self.columns):
            text = pl.col(name).cast(pl.String).str.strip_chars()
            exprs += [text.hash(HASH_SEED).alias(f"h{i}"), text.str.len_chars().fill_null(0).alias(f"n{i}")]
        figures = batch.select(exprs)
        for i, name in enumerate(self.columns):
            hashes = figures.get_column(f"h{i}").to_numpy()
            lengths = figures.get_column(f"n{i}").to_numpy()
            kept, long = lengths >= MIN_VALUE_LENGTH, lengths >= MIN_SUBSTRING_LENGTH
            gathered = self._long[name]
            if gathered is None and not np.array_equal(kept, long):
                gathered = self._long[name] = self._all[name].copy()
            self._all[name].add(hashes[kept])
            if gathered is not None:
                gathered.add(hashes[long])
        del figures
        if self._texts is not None:
            for name in self.columns:
                values = _normalized(batch.get_column(name))
                unique = values.filter(values.str.len_chars() >= MIN_VALUE_LENGTH).unique()
                self._texts[name].append(unique)
                self._text_count += unique.len()
            if self._text_count > TEXT_LIMIT:
                self._texts = None  # too many to keep: fetched for the candidates at the end

    def done(self) -> Originals:
        by_column = [self._all[c].done() for c in self.columns]
        long_by_column = [every if (gathered := self._long[c]) is None else gathered.done()
                          for c, every in zip(self.columns, by_column, strict=True)]
        every = _merged(by_column) if by_column else np.zeros(0, dtype=np.uint64)
        texts = None
        if self._texts is not None:
            texts = _padded({c: pl.concat(parts).unique() if parts else pl.Series([], dtype=pl.String)
                             for c, parts in self._texts.items()})
        return Originals(source=texts if texts is not None else pl.DataFrame(), columns=self.columns, every=every,
                         by_column=by_column, long_by_column=long_by_column)

    @property
    def texts_kept(self) -> bool:
        return self._texts is not None


def _padded(columns: Mapping[str, pl.Series]) -> pl.DataFrame:
    """Columns of different lengths in one frame, padded with nulls (``_normalized`` drops them again)."""
    height = max((s.len() for s in columns.values()), default=0)
    return pl.DataFrame([pl.concat([s.cast(pl.String), pl.Series([None] * (height - s.len()), dtype=pl.String)])
                         .alias(name) for name, s in columns.items()])


class HashLookup:
    """Membership of 64-bit hashes in a sorted set, with a bit table in front of the binary search.

    Every output cell of every checked column is looked up (16 million on the 1M-row benchmark): a
    binary search into millions of originals costs cache misses at each of its ~23 steps. The table
    has one bit per bucket of the hash's top ``bits`` bits (about 16 buckets per original, at most
    2**28 bits = 32 MiB), set for each original's bucket; a cell whose bucket bit is clear is not an
    original (no false negative), and only the few others (about 1 in 16) go to the exact search.
    """

    def __init__(self, sorted_set: np.ndarray) -> None:
        self.sorted_set = sorted_set
        self.bits = int(min(28, max(10, np.ceil(np.log2(max(sorted_set.size, 1) * 16)))))
        self.shift = np.uint64(64 - self.bits)
        size = 1 << self.bits
        self.table = np.zeros(size // 8, dtype=np.uint8)
        bucket = (sorted_set >> self.shift).astype(np.int64)  # sorted, as the set is
        span = min(size, 1 << 23)  # filled a span of buckets at a time (8 MiB of flags)
        cuts = np.searchsorted(bucket, np.arange(0, size + 1, span))
        flags = np.zeros(span, dtype=bool)
        for i in range(size // span):
            flags[:] = False
            flags[bucket[cuts[i]:cuts[i + 1]] - i * span] = True
            self.table[i * span // 8:(i + 1) * span // 8] = np.packbits(flags, bitorder="little")

    def member(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` are in the set (exact)."""
        if self.sorted_set.size == 0 or hashes.size == 0:
            return np.zeros(hashes.size, dtype=bool)
        bucket = (hashes >> self.shift).astype(np.int64)
        maybe = ((self.table[bucket >> 3] >> (bucket & 7).astype(np.uint8)) & 1).astype(bool)
        at = np.flatnonzero(maybe)
        if at.size:
            maybe[at] = _member(hashes[at], self.sorted_set)
        return maybe


TextFetch = Callable[[np.ndarray], pl.DataFrame]  # sorted hashes -> the identifier columns' texts with those hashes


def fetch_texts(batches: Iterable[pl.DataFrame], columns: list[str], wanted: np.ndarray) -> pl.DataFrame:
    """The identifier values (normalized) whose hash is in ``wanted`` (sorted), per column, from the batches."""
    found: dict[str, list[pl.Series]] = {c: [] for c in columns}
    for batch in batches:
        for name in columns:
            values = _normalized(batch.get_column(name))
            keep = _member(values.hash(HASH_SEED).to_numpy(), wanted)
            if keep.any():
                found[name].append(values.filter(pl.Series(keep)).unique())
    return _padded({c: pl.concat(parts).unique() if parts else pl.Series([], dtype=pl.String)
                    for c, parts in found.items()})


class ResidualStream:
    """Gathers, batch by batch, what ``finish`` needs to write the residual check of the whole output."""

    def __init__(self, outcomes: list[ColumnOutcome], originals: Originals | None, texts_kept: bool,
                 source_schema: Mapping[str, pl.DataType], output_schema: Mapping[str, pl.DataType], rows: int,
                 *, settings: Settings, sample_size: int | None = None) -> None:
        self.outcomes = outcomes
        self.originals = originals
        self.texts_kept = texts_kept
        self.source_schema = source_schema
        self.output_schema = output_schema
        self.rows = rows
        self.settings = settings
        self.size = sample_size or settings.sample_size
        self.step = rows // self.size if rows > self.size else 1
        identifiers = identifier_columns(outcomes)
        numeric_ids = any(source_schema[c].is_numeric() for c in identifiers)
        self.checked = [] if not identifiers or not output_schema else [
            name for name, dtype in output_schema.items()
            if not ((dtype.is_numeric() and not numeric_ids) or dtype.is_temporal() or dtype == pl.Boolean)]
        self.rescan = [o for o in outcomes if not o.removed and not o.generates_values and o.name in output_schema]
        self.head_columns = [o.name for o in self.rescan]
        self.unchanged = {o.name: o.name in source_schema for o in self.rescan}
        self.candidates: dict[str, list[pl.DataFrame]] = {c: [] for c in self.checked}
        self.lookup = HashLookup(originals.every if originals is not None else np.zeros(0, dtype=np.uint64))
        self.head: list[pl.DataFrame] = []
        self.head_rows = 0
        self._opinion: Future[SecondOpinion] | None = None
        self._opinion_pool: ThreadPoolExecutor | None = None
        self.sample: list[pl.DataFrame] = []

    def add(self, source: pl.DataFrame, output: pl.DataFrame, offset: int) -> None:
        """One batch: ``source`` rows ``offset``... of the input and their ``output``."""
        if self.originals is not None:
            for name in self.checked:
                text = output.get_column(name).cast(pl.String).str.strip_chars()
                hashes = text.hash(HASH_SEED)
                found = self.lookup.member(hashes.to_numpy()) & text.is_not_null().to_numpy()
                if found.any():
                    keep = pl.Series(found)
                    self.candidates[name].append(pl.DataFrame({
                        "row": (np.flatnonzero(found) + offset).astype(np.uint32), "value": text.filter(keep),
                        "h": hashes.filter(keep)}))
        for name, same in self.unchanged.items():
            if same:
                before, after = source.get_column(name), output.get_column(name)
                self.unchanged[name] = before.dtype == after.dtype and before.equals(after)
        if self.head_rows < HEAD_ROWS and self.head_columns:
            part = output.select(self.head_columns).head(HEAD_ROWS - self.head_rows)
            self.head.append(part)
            self.head_rows += part.height
            if self.head_rows >= HEAD_ROWS:
                self._start_second_opinion()
        names = [o.name for o in self.rescan]
        if names:
            first = (-offset) % self.step
            picked = np.arange(first, output.height, self.step)
            picked = picked[(picked + offset) // self.step < self.size]
            if picked.size:
                self.sample.append(output.select(names)[picked])

    def _start_second_opinion(self) -> None:
        """The second opinion reads the first rows only: it runs in a worker thread as soon as they are all
        here, while the rest of the batches are computed (it is mostly Python; the batches mostly polars)."""
        if self._opinion is not None or not self.rescan:
            return
        head = pl.concat(self.head) if self.head else pl.DataFrame(
            schema={n: self.output_schema[n] for n in self.head_columns})
        self.head = [head]
        self._opinion_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanitas-second-opinion")
        self._opinion = self._opinion_pool.submit(_second_opinion, head, self.rescan, self.settings)

    def close(self) -> None:
        """Wait for the second opinion's thread, if one was started (on success or on any error)."""
        if self._opinion_pool is not None:
            self._opinion_pool.shutdown(wait=True, cancel_futures=True)
            self._opinion_pool = None

    def finish(self, *, findings: Mapping[str, ColumnFinding] | None, fetch: TextFetch | None,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> ResidualCheck:
        """The ResidualCheck ``residual_check`` writes for the whole output."""
        progress = progress or no_progress
        cancel = cancel or NEVER_CANCELLED
        outcomes = self.outcomes
        check = ResidualCheck(
            replaced=[o.name for o in outcomes if o.generates_values and not o.removed],
            dropped=[o.name for o in outcomes if o.removed],
        )
        identifiers = identifier_columns(outcomes)
        check.identifier_columns = identifiers
        head = pl.concat(self.head) if self.head else pl.DataFrame(schema={n: self.output_schema[n]
                                                                           for n in self.head_columns})
        if identifiers and self.output_schema and self.originals is not None:
            progress(0.0, "Looking for original identifier values in the output")
            originals = self.originals
            check.original_values = originals.count
            free_text = {o.name for o in outcomes if o.kind is ColumnKind.FREE_TEXT}
            released = [o.name for o in outcomes if not o.removed and not o.generates_values
                        and o.name in self.output_schema]
            check.substring_columns = text_columns(head, released, free_text)
            candidates = {n: pl.concat(parts) for n, parts in self.candidates.items() if parts}
            needs_all = bool(check.substring_columns) and originals.long_count <= AHO_CORASICK_LIMIT
            if (candidates or needs_all) and not self.texts_kept:
                assert fetch is not None
                wanted = originals.every if needs_all else _distinct(np.concatenate(
                    [c.get_column("h").to_numpy() for c in candidates.values()]))
                originals = replace(originals, source=fetch(wanted))
            for name in self.checked:
                cancel.raise_if_cancelled()
                if name in candidates:
                    check.value_hits += hits_by_source(name, "exact", originals.confirm(candidates[name]))
                check.columns_checked.append(name)
            for name in check.substring_columns:
                cancel.raise_if_cancelled()
                progress(0.3, f"Searching column {name} for original values")
                check.value_hits += substring_hits(head.get_column(name), originals)
            check.cells_checked = self.rows * len(check.columns_checked)
            check.rows_checked = self.rows
            check.substring_rows_checked = min(self.rows, SUBSTRING_ROW_LIMIT) if check.substring_columns else 0

        rescan = self.rescan
        check.rescanned = [o.name for o in rescan]
        if rescan:
            progress(0.5, "Re-scanning released columns for personal data")
            check.rescan_sample = min(self.size, self.rows)
            same = {o.name: findings[o.name] for o in rescan if findings and o.name in findings
                    and self.unchanged[o.name]}
            check.rescan_reused = list(same)
            changed = [name for name in check.rescanned if name not in same]
            sample = pl.concat(self.sample) if self.sample else pl.DataFrame(
                schema={o.name: self.output_schema[o.name] for o in rescan})
            found = [*same.values(), *(classify_frame(sample.select(changed), sample_size=self.size,
                                                      settings=self.settings) if changed else [])]
            by_name = {o.name: o for o in rescan}
            for finding in found:
                cancel.raise_if_cancelled()
                if finding.is_personal:
                    check.findings.append(_rescan_finding(finding, by_name[finding.name], head, self.settings))
            progress(0.8, "Second opinion: pattern, checksum and lexicon passes over every released text cell")
            self._start_second_opinion()
            assert self._opinion is not None
            check.second_opinion = self._opinion.result()
            self.close()
        progress(1.0, "Residual check done")
        return check

