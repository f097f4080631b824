"""The residual check: does the output still hold personal data?

Two parts, both reported with column and row:
(a) no original value of a direct-identifier column survives anywhere in the output: every output
    cell is compared exactly with every distinct original value (values shorter than
    ``MIN_VALUE_LENGTH`` are skipped, they match by chance), and text cells are searched for the
    original values as substrings (Aho-Corasick, up to ``SUBSTRING_ROW_LIMIT`` rows);
(b) columns released as they were (keep) or only partly rewritten (free-text scrub) are re-scanned by
    the detector. Columns whose values the release generated (fake, pseudonym, mask, redact) are
    listed as replaced, not flagged. A personal column the recipe kept on purpose is listed as kept
    by decision; it still counts as a finding when it holds direct identifiers;
(c) a second opinion that does not share the detector's blind spots: pattern, checksum and lexicon
    passes over every cell of the released text columns (``detect.second_opinion``), with what it
    can and cannot see. Its unmistakable hits (emails, Luhn-valid cards, IBANs) block in columns the
    recipe did not keep on purpose as that entity; other hits are listed for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.detect import classify_frame, scan_cells
from sanitas.core.detect.findings import ColumnFinding, ColumnKind
from sanitas.core.detect.second_opinion import SecondOpinion, second_opinion
from sanitas.core.detect.shapes import region_of
from sanitas.core.errors import SanitasError
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.settings import Settings

if TYPE_CHECKING:
    from sanitas.core.outcome import ColumnOutcome

MIN_VALUE_LENGTH = 4
MIN_SUBSTRING_LENGTH = 6
SUBSTRING_ROW_LIMIT = 200_000
ROWS_SHOWN = 10
RESCAN_CELL_LIMIT = 1_000
TEXT_WORDY_SHARE = 0.3  # share of cells with 3+ words that makes a column text worth searching
AHO_CORASICK_LIMIT = 200_000  # more original values than this: search by hashed word n-grams instead
MAX_NGRAM = 5  # names and addresses quoted in text span up to this many words
HASH_SEED = 20261123
TRAILING_PUNCTUATION = ".,;:!?"
ALL_PUNCTUATION = ".,;:!?()[]{}<>\"'"


class ValueHit(BaseModel):
    """Original values of ``source_column`` found in ``column`` of the output."""

    column: str
    source_column: str
    match: str = Field(description="'exact' (whole cell) or 'substring' (inside text)")
    count: int
    rows: list[int] = Field(description=f"first {ROWS_SHOWN} data rows (1-based) where it was found")


class RescanFinding(BaseModel):
    """Personal data the detector still finds in an output column."""

    column: str
    entity: str | None
    kind: ColumnKind
    score: float
    share: float
    rows: list[int] = Field(default_factory=list)
    by_decision: bool = Field(description="the recipe kept, coarsened or scrubbed this personal column on purpose")
    blocking: bool


class ResidualCheck(BaseModel):
    identifier_columns: list[str] = Field(default_factory=list)
    cells_checked: int = 0
    rows_checked: int = 0
    columns_checked: list[str] = Field(default_factory=list, description="output columns compared cell by cell")
    original_values: int = Field(default=0, description="distinct original identifier values compared")
    substring_columns: list[str] = Field(default_factory=list)
    substring_rows_checked: int = 0
    min_value_length: int = MIN_VALUE_LENGTH
    value_hits: list[ValueHit] = Field(default_factory=list)
    rescanned: list[str] = Field(default_factory=list)
    rescan_reused: list[str] = Field(default_factory=list, description="released exactly as read: the scan's "
                                     "findings stand for the re-scan")
    rescan_sample: int = 0
    findings: list[RescanFinding] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)
    second_opinion: SecondOpinion | None = None

    @property
    def blocking_count(self) -> int:
        second = sum(1 for h in self.second_opinion.hits if h.blocking) if self.second_opinion else 0
        return len(self.value_hits) + sum(1 for f in self.findings if f.blocking) + second

    @property
    def clean(self) -> bool:
        return self.blocking_count == 0


def residual_check(
    source: pl.DataFrame,
    output: pl.DataFrame,
    outcomes: list[ColumnOutcome],
    *,
    settings: Settings,
    findings: Mapping[str, ColumnFinding] | None = None,
    sample_size: int | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ResidualCheck:
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    check = ResidualCheck(
        replaced=[o.name for o in outcomes if o.generates_values and not o.removed],
        dropped=[o.name for o in outcomes if o.removed],
    )
    identifiers = [o.name for o in outcomes if o.kind is ColumnKind.IDENTIFIER and not o.kept_as_is]
    present = set(output.columns)  # a set once: ``output.columns`` is a new list per access
    check.identifier_columns = identifiers
    if identifiers and output.width:
        progress(0.0, "Looking for original identifier values in the output")
        originals = original_values(source, identifiers)
        source_schema = source.schema
        numeric_ids = any(source_schema[c].is_numeric() for c in identifiers)
        check.original_values = originals.count
        # such cells cannot spell a text identifier of 4+ characters
        check.columns_checked = [name for name, dtype in output.schema.items() if not (
            (dtype.is_numeric() and not numeric_ids) or dtype.is_temporal() or dtype == pl.Boolean)]
        check.value_hits += exact_hits_of(output, check.columns_checked, originals, cancel)
        free_text = {o.name for o in outcomes if o.kind is ColumnKind.FREE_TEXT}
        released = [o.name for o in outcomes if not o.removed and not o.generates_values and o.name in present]
        check.substring_columns = text_columns(output, released, free_text)
        progress(0.3, f"Searching {len(check.substring_columns)} text columns for original values")
        check.value_hits += substring_hits_of(output, check.substring_columns, originals, cancel)
        check.cells_checked = output.height * len(check.columns_checked)
        check.rows_checked = output.height
        check.substring_rows_checked = min(output.height, SUBSTRING_ROW_LIMIT) if check.substring_columns else 0

    rescan = [o for o in outcomes if not o.removed and not o.generates_values and o.name in present]
    check.rescanned = [o.name for o in rescan]
    if rescan:
        progress(0.5, "Re-scanning released columns for personal data")
        size = sample_size or settings.sample_size
        check.rescan_sample = min(size, output.height)
        # A column released exactly as read holds the values the scan already classified: its finding is
        # reused (no NER model is loaded for nothing); changed columns are classified on a sample.
        source_columns = set(source.columns)
        same = {o.name: findings[o.name] for o in rescan if findings and o.name in findings
                and _unchanged(source, output, o.name, source_columns)}
        check.rescan_reused = list(same)
        changed = [name for name in check.rescanned if name not in same]
        found = [*same.values(), *(classify_frame(output.select(changed), sample_size=size, settings=settings)
                                   if changed else [])]
        by_name = {o.name: o for o in rescan}
        for finding in found:
            cancel.raise_if_cancelled()
            if finding.is_personal:
                check.findings.append(_rescan_finding(finding, by_name[finding.name], output, settings))
        progress(0.8, "Second opinion: pattern, checksum and lexicon passes over every released text cell")
        check.second_opinion = _second_opinion(output, rescan, settings)
    progress(1.0, "Residual check done")
    return check


def _unchanged(source: pl.DataFrame, output: pl.DataFrame, name: str, source_columns: set[str]) -> bool:
    if name not in source_columns or source.height != output.height:
        return False
    before, after = source.get_column(name), output.get_column(name)
    return before.dtype == after.dtype and before.equals(after)


def _second_opinion(output: pl.DataFrame, rescan: list[ColumnOutcome], settings: Settings) -> SecondOpinion:
    opinion = second_opinion(output, [o.name for o in rescan], region_of(settings.locale))
    by_name = {o.name: o for o in rescan}
    for hit in opinion.hits:
        outcome = by_name[hit.column]
        on_purpose = outcome.entity == hit.entity and outcome.kind is not ColumnKind.FREE_TEXT
        hit.blocking = hit.strong and not on_purpose
    return opinion


def text_columns(frame: pl.DataFrame, candidates: list[str], free_text: set[str]) -> list[str]:
    """Released (not generated) text columns that can quote a name or an email inside a sentence."""
    schema = frame.schema  # once: polars builds it anew on every access (quadratic on wide tables)
    names = [n for n in candidates if schema.get(n) == pl.String]
    if not names or frame.height == 0:
        return []
    head = frame.head(2000)
    wordy = head.select((pl.col(names).str.count_matches(r"\S+") >= 3).mean())
    return [n for n in names if n in free_text or (wordy[n][0] or 0) >= TEXT_WORDY_SHARE]


@dataclass(frozen=True)
class Originals:
    """The distinct original values (4+ characters) of the identifier columns, kept as sorted 64-bit hashes.

    Hashes take 8 bytes a value whatever the text, so millions of emails fit in a few tens of MB. They
    are sorted once (numpy) and every output column is looked up in them with a binary search: a polars
    join rebuilt a hash table of all the originals (7 million on the 1M-row benchmark) for each of
    the output columns. Every candidate hit is confirmed on the text itself (``confirm``), so a hash
    collision cannot produce a false finding.
    """

    source: pl.DataFrame  # the input table, read-only
    columns: list[str]
    every: np.ndarray  # sorted distinct hashes of all the columns' values of 4+ characters
    by_column: list[np.ndarray]  # the same per column (sorted, distinct)
    long_by_column: list[np.ndarray]  # hashes of values of 6+ characters, per column (sorted, distinct)

    @property
    def count(self) -> int:
        return int(self.every.size)

    @property
    def long_count(self) -> int:
        return sum(int(a.size) for a in self.long_by_column)

    @cached_property
    def substring_patterns(self) -> pl.Series:
        """The distinct original values of 6+ characters, imploded for ``contains_any``: built once per
        check, not once per searched column (a wide table searches hundreds)."""
        patterns = pl.concat([_stacked(self.source, chunk).get_column("v").unique()
                              for chunk in _chunks(self.columns, self.source.height)]).unique()
        return patterns.filter(patterns.str.len_chars() >= MIN_SUBSTRING_LENGTH).implode()

    def long_hashes(self) -> pl.DataFrame:
        return pl.DataFrame({"h": _distinct(np.concatenate(self.long_by_column)) if self.long_by_column
                             else np.zeros(0, dtype=np.uint64)}, schema={"h": pl.UInt64})

    def confirm(self, candidates: pl.DataFrame) -> pl.DataFrame:
        """Keep the candidates (row, value, h) whose text equals an original value; add its source column."""
        if candidates.is_empty():
            return candidates.with_columns(pl.lit(None, pl.String).alias("source"))
        hashes = candidates.get_column("h").to_numpy()
        order = np.argsort(hashes)  # sorted once: thousands of identifier columns are each looked up
        queries = hashes[order]
        confirmed = []
        for index, name in enumerate(self.columns):
            hit = _member_sorted(queries, self.by_column[index])
            if not hit.any():  # numpy only: no polars call for the columns no candidate comes from
                continue
            mask = np.zeros(hashes.size, dtype=bool)
            mask[order] = hit
            group = candidates.filter(pl.Series(mask))
            texts = _normalized(self.source.get_column(name))
            wanted = texts.filter(texts.hash(HASH_SEED).is_in(group.get_column("h").unique().implode()))
            hit = group.filter(pl.col("value").is_in(wanted.implode()))
            confirmed.append(hit.with_columns(pl.lit(name).alias("source")))
        return pl.concat(confirmed) if confirmed else candidates.head(0).with_columns(
            pl.lit(None, pl.String).alias("source"))


def _member(hashes: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``hashes`` are in ``sorted_set`` (sorted, distinct), by binary search.

    The queries are sorted first: numpy's searchsorted then walks the set mostly forward, which was
    about 8x faster on a million queries into seven million values than random probes."""
    found = np.zeros(hashes.size, dtype=bool)
    if sorted_set.size == 0 or hashes.size == 0:
        return found
    order = np.argsort(hashes)
    found[order] = _member_sorted(hashes[order], sorted_set)
    return found


def _member_sorted(queries: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``_member`` of queries already sorted, in their order."""
    if sorted_set.size == 0 or queries.size == 0:
        return np.zeros(queries.size, dtype=bool)
    at = np.searchsorted(sorted_set, queries)
    np.minimum(at, sorted_set.size - 1, out=at)
    return sorted_set[at] == queries


def _distinct(hashes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash-based path took seconds per million here)."""
    ordered = np.sort(hashes)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _normalized(column: pl.Series) -> pl.Series:
    return column.cast(pl.String).str.strip_chars().drop_nulls()


def original_values(source: pl.DataFrame, columns: list[str]) -> Originals:
    """Hash each identifier column's values once (no distinct pass on the text: the hashes are made
    distinct with numpy, which sorts 8-byte integers instead of hashing strings). The columns are
    stacked a few million cells at a time: a table of 10,000 narrow columns is hashed in a few polars
    calls, not a few per column."""
    by_column: list[np.ndarray] = []
    long_by_column: list[np.ndarray] = []
    for chunk in _chunks(columns, source.height):
        frame = _stacked(source, chunk).select(
            "c", pl.col("v").hash(HASH_SEED).alias("h"), pl.col("v").str.len_chars().alias("n"))
        frame = frame.filter(pl.col("n") >= MIN_VALUE_LENGTH)
        owner, hashes, lengths = (frame.get_column(k).to_numpy() for k in ("c", "h", "n"))
        bounds = np.searchsorted(owner, np.arange(len(chunk) + 1))  # stacked in column order
        for c in range(len(chunk)):
            mine, long = hashes[bounds[c] : bounds[c + 1]], lengths[bounds[c] : bounds[c + 1]]
            by_column.append(_distinct(mine))
            long_by_column.append(_distinct(mine[long >= MIN_SUBSTRING_LENGTH]))
        del frame
    every = _distinct(np.concatenate(by_column)) if by_column else np.zeros(0, dtype=np.uint64)
    return Originals(source=source, columns=columns, every=every, by_column=by_column, long_by_column=long_by_column)


def _chunks(columns: list[str], rows: int) -> list[list[str]]:
    step = max(1, EXACT_CHUNK_CELLS // max(rows, 1))
    return [columns[start : start + step] for start in range(0, len(columns), step)]


def _stacked(source: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The ``_normalized`` values of ``columns`` end to end ("v"), with their column's index ("c")."""
    return pl.DataFrame({
        "c": np.repeat(np.arange(len(columns), dtype=np.int64), source.height),
        "v": pl.concat([source.get_column(name).cast(pl.String).alias("v") for name in columns]),
    }).with_columns(pl.col("v").str.strip_chars()).drop_nulls("v")


EXACT_CHUNK_CELLS = 2_000_000


def exact_hits_of(output: pl.DataFrame, names: list[str], originals: Originals,
                  cancel: CancelToken = NEVER_CANCELLED) -> list[ValueHit]:
    """``exact_hits`` of every named column, stacked a few million cells at a time: a table of 10,000
    narrow columns is looked up in a few passes, not 10,000 (tall tables still go column by column)."""
    hits: list[ValueHit] = []
    rows = output.height
    step = max(1, EXACT_CHUNK_CELLS // max(rows, 1))
    for start in range(0, len(names), step):
        cancel.raise_if_cancelled()
        chunk = names[start : start + step]
        if len(chunk) == 1:
            hits += exact_hits(output.get_column(chunk[0]), originals)
            continue
        stacked = pl.concat([output.get_column(n).cast(pl.String).alias("v") for n in chunk])
        found = _member(stacked.str.strip_chars().hash(HASH_SEED).to_numpy(), originals.every)
        for c in sorted({int(i) // rows for i in np.flatnonzero(found)}):
            hits += exact_hits(output.get_column(chunk[c]), originals)  # the few columns with a candidate
    return hits


def exact_hits(cells: pl.Series, originals: Originals) -> list[ValueHit]:
    """Output cells equal to an original identifier value (after trimming), by source column.

    Every cell's hash is looked up in the sorted originals; rows are gathered only for the few that match.
    """
    text = cells.cast(pl.String).str.strip_chars()
    hashes = text.hash(HASH_SEED)
    found = _member(hashes.to_numpy(), originals.every) & text.is_not_null().to_numpy()
    if not found.any():
        return []
    rows = pl.DataFrame({"row": np.flatnonzero(found).astype(np.uint32), "value": text.filter(pl.Series(found)),
                         "h": hashes.filter(pl.Series(found))})
    return hits_by_source(cells.name, "exact", originals.confirm(rows))


def substring_hits_of(output: pl.DataFrame, names: list[str], originals: Originals,
                      cancel: CancelToken = NEVER_CANCELLED) -> list[ValueHit]:
    """``substring_hits`` of every named column. With few original values (Aho-Corasick), the columns are
    stacked a few million cells at a time and searched and confirmed together: one automaton and one
    confirmation per chunk, not per column (quadratic on a table of thousands of columns)."""
    rows = min(output.height, SUBSTRING_ROW_LIMIT)
    if originals.long_count == 0 or rows == 0 or not names:
        return []
    if originals.long_count > AHO_CORASICK_LIMIT:
        hits: list[ValueHit] = []
        for name in names:
            cancel.raise_if_cancelled()
            hits += substring_hits(output.get_column(name), originals)
        return hits
    patterns = originals.substring_patterns
    step = max(1, EXACT_CHUNK_CELLS // rows)
    by_column: dict[int, list[ValueHit]] = {}
    for start in range(0, len(names), step):
        cancel.raise_if_cancelled()
        chunk = names[start : start + step]
        stacked = pl.DataFrame({
            "c": np.repeat(np.arange(start, start + len(chunk), dtype=np.int64), rows),
            "row": np.tile(np.arange(rows, dtype=np.uint32), len(chunk)),
            "text": pl.concat([output.get_column(n).head(rows).cast(pl.String).alias("text") for n in chunk]),
        })
        found = stacked.filter(pl.col("text").str.contains_any(patterns).fill_null(False))
        if found.is_empty():
            continue
        candidates = (
            found.with_columns(pl.col("text").str.extract_many(patterns, overlapping=True).alias("value"))
            .explode("value").drop_nulls("value")
            .select("c", "row", "value", pl.col("value").hash(HASH_SEED).alias("h"))
        )
        matched = originals.confirm(candidates)
        for (c,), group in matched.group_by("c", maintain_order=True):
            by_column[int(c)] = hits_by_source(names[int(c)], "substring", group.drop("c").unique(["row", "source"]))
    return [hit for c in sorted(by_column) for hit in by_column[c]]


def substring_hits(cells: pl.Series, originals: Originals) -> list[ValueHit]:
    """Original values (6+ characters) quoted inside text cells, by source column.

    Few values: Aho-Corasick over the cells finds them anywhere. Many values (a million emails):
    the cells' word n-grams are hashed and joined with the values' hashes instead, which scales with
    the text, not with the number of values.
    """
    text = cells.head(SUBSTRING_ROW_LIMIT).cast(pl.String)
    if originals.long_count == 0 or text.is_empty():
        return []
    if originals.long_count <= AHO_CORASICK_LIMIT:
        patterns = originals.substring_patterns
        mask = text.str.contains_any(patterns).fill_null(False)
        if not mask.any():
            return []
        found = pl.DataFrame({"row": mask.arg_true(), "text": text.filter(mask)}).with_columns(
            pl.col("text").str.extract_many(patterns, overlapping=True).alias("value"))
        candidates = found.explode("value").drop_nulls("value").select(
            "row", "value", pl.col("value").hash(HASH_SEED).alias("h"))
    else:
        candidates = _ngram_candidates(text, originals.long_hashes())
    matched = originals.confirm(candidates)
    return hits_by_source(cells.name, "substring", matched.unique(["row", "source"]))


def _ngram_candidates(text: pl.Series, long_hashes: pl.DataFrame) -> pl.DataFrame:
    tokens = (
        pl.DataFrame({"text": text}).with_row_index("row")
        .select("row", pl.col("text").str.split(" ").alias("tok")).explode("tok").drop_nulls("tok")
        .filter(pl.col("tok") != "")
    )
    grams = [pl.col("tok")]
    for n in range(1, MAX_NGRAM):
        grams.append(pl.concat_str([grams[-1], pl.col("tok").shift(-n).over("row")], separator=" "))
    variants = [
        tokens.select("row", gram.str.strip_chars(strip).alias("value"))
        for gram in grams for strip in (TRAILING_PUNCTUATION, ALL_PUNCTUATION)
    ]
    ngrams = pl.concat(variants).drop_nulls("value").unique()
    ngrams = ngrams.with_columns(pl.col("value").hash(HASH_SEED).alias("h"))
    return ngrams.join(long_hashes.select("h"), on="h", how="semi")


def hits_by_source(column: str, match: str, matched: pl.DataFrame) -> list[ValueHit]:
    """One ValueHit per source column, rows 1-based, the first few shown."""
    hits = []
    for source, group in matched.sort("row").group_by("source", maintain_order=True):
        rows = group.get_column("row").unique(maintain_order=True)
        hits.append(ValueHit(column=column, source_column=str(source[0]), match=match, count=rows.len(),
                             rows=(rows.head(ROWS_SHOWN) + 1).to_list()))
    return hits


def _rescan_finding(finding, outcome: ColumnOutcome, output: pl.DataFrame, settings: Settings) -> RescanFinding:
    # The recipe knew this column was personal and chose to keep, coarsen or scrub it.
    kept_personal = outcome.entity is not None
    blocking = finding.kind in (ColumnKind.IDENTIFIER, ColumnKind.FREE_TEXT) or not kept_personal
    rows: list[int] = []
    top = finding.entities[0] if finding.entities else None
    if top is not None and blocking:
        cells = output.get_column(outcome.name).head(RESCAN_CELL_LIMIT).cast(pl.String)
        try:
            hits = scan_cells(cells, settings=settings, entities=[top.entity])
        except SanitasError:  # an entity only the column classifier knows (DATE_OF_BIRTH, AGE...)
            hits = []
        rows = sorted({h.row + 1 for h in hits})[:ROWS_SHOWN]
    return RescanFinding(
        column=outcome.name, entity=top.entity if top else None, kind=finding.kind,
        score=top.score if top else 0.0, share=top.share if top else 0.0, rows=rows,
        by_decision=kept_personal, blocking=blocking,
    )
