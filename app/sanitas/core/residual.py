"""The residual check: does the output still hold personal data?

Two parts, both reported with column and row:
(a) no original value of a direct-identifier column survives anywhere in the output: every output
    cell is compared exactly with every distinct original value (values shorter than
    ``MIN_VALUE_LENGTH`` are skipped, they match by chance), and text cells are searched for the
    original values as substrings (Aho-Corasick, up to ``SUBSTRING_ROW_LIMIT`` rows);
(b) columns released as they were (keep) or only partly rewritten (free-text scrub) are re-scanned by
    the detector. Columns whose values the release generated (fake, pseudonym, mask, redact) are
    listed as replaced, not flagged. A personal column the recipe kept on purpose is listed as kept
    by decision; it still counts as a finding when it holds direct identifiers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.detect import classify_frame, scan_cells
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import SanitasError
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.settings import Settings

if TYPE_CHECKING:
    from sanitas.core.engine import ColumnOutcome

MIN_VALUE_LENGTH = 4
MIN_SUBSTRING_LENGTH = 6
SUBSTRING_ROW_LIMIT = 200_000
ROWS_SHOWN = 10
RESCAN_CELL_LIMIT = 1_000
TEXT_MEAN_LENGTH = 12


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
    substring_columns: list[str] = Field(default_factory=list)
    substring_rows_checked: int = 0
    min_value_length: int = MIN_VALUE_LENGTH
    value_hits: list[ValueHit] = Field(default_factory=list)
    rescanned: list[str] = Field(default_factory=list)
    rescan_sample: int = 0
    findings: list[RescanFinding] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)

    @property
    def blocking_count(self) -> int:
        return len(self.value_hits) + sum(1 for f in self.findings if f.blocking)

    @property
    def clean(self) -> bool:
        return self.blocking_count == 0


def residual_check(
    source: pl.DataFrame,
    output: pl.DataFrame,
    outcomes: list[ColumnOutcome],
    *,
    settings: Settings,
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
    check.identifier_columns = identifiers
    if identifiers and output.width:
        progress(0.0, "Looking for original identifier values in the output")
        originals = _original_values(source, identifiers)
        released_text = [o.name for o in outcomes if not o.removed and not o.generates_values]
        check.substring_columns = _text_columns(output, released_text)
        for name in output.columns:
            cancel.raise_if_cancelled()
            check.value_hits += _exact_hits(output.get_column(name), originals)
        long_values = originals.filter(pl.col("value").str.len_chars() >= MIN_SUBSTRING_LENGTH)
        for name in check.substring_columns:
            cancel.raise_if_cancelled()
            check.value_hits += _substring_hits(output.get_column(name), long_values)
        check.cells_checked = output.height * output.width
        check.substring_rows_checked = min(output.height, SUBSTRING_ROW_LIMIT) if check.substring_columns else 0

    rescan = [o for o in outcomes if not o.removed and not o.generates_values]
    check.rescanned = [o.name for o in rescan]
    if rescan:
        progress(0.5, "Re-scanning released columns for personal data")
        size = sample_size or settings.sample_size
        check.rescan_sample = min(size, output.height)
        found = classify_frame(output.select(check.rescanned), sample_size=size, settings=settings)
        by_name = {o.name: o for o in rescan}
        for finding in found:
            cancel.raise_if_cancelled()
            if finding.is_personal:
                check.findings.append(_rescan_finding(finding, by_name[finding.name], output, settings))
    progress(1.0, "Residual check done")
    return check


def _text_columns(frame: pl.DataFrame, candidates: list[str]) -> list[str]:
    """Released (not generated) text columns long enough to quote a name or an email."""
    names = [n for n in candidates if frame.schema.get(n) == pl.String]
    if not names or frame.height == 0:
        return []
    means = frame.head(2000).select(pl.col(names).str.len_chars().mean())
    return [n for n in names if (means[n][0] or 0) >= TEXT_MEAN_LENGTH]


def _original_values(source: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Distinct original values of the identifier columns, with the column each came from."""
    parts = [
        source.select(pl.col(c).cast(pl.String).str.strip_chars().alias("value"))
        .drop_nulls()
        .unique()
        .with_columns(pl.lit(c).alias("source"))
        for c in columns
    ]
    values = pl.concat(parts)
    return values.filter(pl.col("value").str.len_chars() >= MIN_VALUE_LENGTH)


def _exact_hits(cells: pl.Series, originals: pl.DataFrame) -> list[ValueHit]:
    text = cells.cast(pl.String).str.strip_chars()
    mask = text.is_in(originals.get_column("value").implode()).fill_null(False)
    if not mask.any():
        return []
    rows = pl.DataFrame({"row": mask.arg_true(), "value": text.filter(mask)})
    matched = rows.join(originals, on="value")
    return _hits_by_source(cells.name, "exact", matched)


def _substring_hits(cells: pl.Series, originals: pl.DataFrame) -> list[ValueHit]:
    if originals.is_empty():
        return []
    text = cells.head(SUBSTRING_ROW_LIMIT)
    patterns = originals.get_column("value")
    mask = text.str.contains_any(patterns.implode()).fill_null(False)
    if not mask.any():
        return []
    found = pl.DataFrame({"row": mask.arg_true(), "text": text.filter(mask)}).with_columns(
        pl.col("text").str.extract_many(patterns.implode()).alias("value")
    )
    matched = found.explode("value").drop_nulls("value").join(originals, on="value").unique(["row", "source"])
    return _hits_by_source(cells.name, "substring", matched)


def _hits_by_source(column: str, match: str, matched: pl.DataFrame) -> list[ValueHit]:
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
