"""A second opinion on released text: pattern, checksum and lexicon passes over every cell.

The detector that planned a release reads a sample, weighs headers and trusts NER; a re-scan by the
same detector shares its blind spots. This pass is built differently on purpose: no sampling (every
cell up to ``CELL_LIMIT`` rows), no header, no NER, no column-level share bar (one hit is reported),
and its own recognizers: emails, payment cards (Luhn), IBANs (checksum), national identifiers of
about 40 countries (python-stdnum checksums), phone numbers possible in the settings' region or a
neighbouring one, street addresses, and person names by lexicons and cue words.

What it cannot see is stated with its result: names that are in no lexicon and follow no cue word,
identifiers without a check digit or a distinctive format, and quasi-identifiers (ages, dates,
places) whose risk lies in their combination (the k-anonymity risk figures cover those).
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.detect.address_patterns import ADDRESS
from sanitas.core.detect.national_ids import validate
from sanitas.core.detect.shapes import luhn_valid, phones_in_text_spans
from sanitas.core.detect.text_names import name_spans

CELL_LIMIT = 200_000
ROWS_SHOWN = 10
STRONG = ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE")  # one random number in ten passes some ID checksum
SEES = ("email addresses", "payment card numbers (Luhn)", "IBANs (checksum)",
        "national identifiers of about 40 countries (check digits)",
        "phone numbers (settings' region and neighbouring ones)", "street addresses (US and European forms)",
        "person names from name lexicons and cue words (Mr., Frau, 'name is'...)")
CANNOT_SEE = ("names that are in no lexicon and follow no cue word (NER is left to the first scan)",
              "identifiers without a check digit or a distinctive format (customer numbers, usernames)",
              "quasi-identifiers whose risk lies in combination (ages, dates, places): see the risk figures")
_EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
_CARD_RE = re.compile(r"(?<!\d)(?:\d[ \-]?){12,18}\d(?!\d)")
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_DATE_RE = re.compile(r"^\d{1,4}[./\- ]\d{1,2}[./\- ]\d{1,4}$")
_ID_RE = re.compile(r"(?<![\w])[A-Z0-9][A-Z0-9.\- /]{6,22}[A-Z0-9](?![\w])")


class SecondOpinionHit(BaseModel):
    """One entity the second opinion found in one column: how many cells, and the first rows."""

    column: str
    entity: str
    cells: int
    rows: list[int] = Field(description=f"first {ROWS_SHOWN} data rows (1-based)")
    strong: bool = Field(description="a checksummed or unmistakable format (email, card, IBAN)")
    blocking: bool = False


class SecondOpinion(BaseModel):
    columns: list[str] = Field(default_factory=list)
    cells_checked: int = 0
    hits: list[SecondOpinionHit] = Field(default_factory=list)
    sees: list[str] = Field(default_factory=lambda: list(SEES))
    cannot_see: list[str] = Field(default_factory=lambda: list(CANNOT_SEE))


CHUNK_CELLS = 2_000_000  # cells stacked per pass: wide tables in a few passes, tall ones column by column


def second_opinion(frame: pl.DataFrame, columns: list[str], region: str = "US") -> SecondOpinion:
    """Run every pass over every cell (first ``CELL_LIMIT`` rows) of the text ``columns``.

    The columns are stacked (column number, row, value) a few million cells at a time, so a table of
    10,000 narrow columns costs a few polars calls, not a few per column."""
    result = SecondOpinion()
    schema = frame.schema  # once: polars builds it anew on every access (quadratic on wide tables)
    names = [n for n in columns if schema[n] == pl.String]
    rows = min(frame.height, CELL_LIMIT)
    result.columns = names
    result.cells_checked = rows * len(names)
    step = max(1, CHUNK_CELLS // max(rows, 1))
    for start in range(0, len(names), step):
        result.hits += _chunk_hits(frame, names[start : start + step], rows, region)
    return result


def _chunk_hits(frame: pl.DataFrame, names: list[str], rows: int, region: str) -> list[SecondOpinionHit]:
    stacked = pl.DataFrame({
        "c": np.repeat(np.arange(len(names), dtype=np.int64), rows),
        "row": np.tile(np.arange(rows, dtype=np.int64), len(names)),
        "v": pl.concat([frame.get_column(n).head(rows).alias("v") for n in names]),
    }).drop_nulls("v")
    found: list[pl.DataFrame] = []
    emails = stacked.filter(pl.col("v").str.contains(_EMAIL))
    if emails.height:
        found.append(emails.select("c", "row", entity=pl.lit("EMAIL_ADDRESS")))
    # Per-value passes run once per distinct cell with digits or capitals (cheap prefilters first).
    candidates = stacked.filter(pl.col("v").str.contains(r"\d{2}|\p{Lu}\p{Ll}"))
    by_value: dict[str, list[str]] = {}
    for value in candidates.get_column("v").unique().to_list():
        entities = _entities_in(value, region)
        if entities:
            by_value[value] = sorted(entities)
    if by_value:
        lookup = pl.DataFrame({"v": list(by_value), "entity": list(by_value.values())},
                              schema={"v": pl.String, "entity": pl.List(pl.String)})
        found.append(candidates.join(lookup, on="v").explode("entity").select("c", "row", "entity"))
    if not found:
        return []
    hits = pl.concat(found).group_by("c", "entity").agg(pl.len().alias("cells"), pl.col("row").sort().head(ROWS_SHOWN))
    return [
        SecondOpinionHit(column=names[c], entity=entity, cells=cells, rows=[r + 1 for r in first],
                         strong=entity in STRONG)
        for c, entity, cells, first in hits.sort("c", "entity").iter_rows()
    ]


def _entities_in(value: str, region: str) -> set[str]:
    found: set[str] = set()
    digits = sum(c.isdigit() for c in value)
    if digits >= 12:
        for match in _CARD_RE.finditer(value):
            number = re.sub(r"\D", "", match.group(0))
            if 13 <= len(number) <= 19 and luhn_valid(number) and len(set(number)) > 2:
                found.add("CREDIT_CARD")
    if digits >= 6:
        from stdnum import iban

        if any(iban.is_valid(m.group(0)) for m in _IBAN_RE.finditer(value)):
            found.add("IBAN_CODE")
        ids = [m.group(0).strip() for m in _ID_RE.finditer(value)]
        if any(validate(i) for i in ids if sum(c.isdigit() for c in i) >= 6 and not _DATE_RE.match(i)):
            found.add("NATIONAL_ID")
        if any(phones_in_text_spans(value, r) for r in dict.fromkeys((region, "GB", "DE", "FR", "ES", "IT", "NL"))):
            found.add("PHONE_NUMBER")
    if digits and ADDRESS.search(value):
        found.add("STREET_ADDRESS")
    if name_spans(value):
        found.add("PERSON")
    return found

