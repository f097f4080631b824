"""Compact lexicons of given names, surnames and places, matched against whole columns with polars.

A column of surnames alone ("Okafor", "Lindqvist", "Rossi") is hard for NER, which reads sentences;
a lexicon says what share of the column's values are known names or places, which is evidence that
combines with the header and NER (never decisive alone: "Green" and "Lincoln" are both).

The lists are built by ``scripts/build_lexicons.py`` from public sources shipped in PyPI packages
(US Census 1990 names, Jörg Michael's first-name dictionary, GeoNames cities of 500+ inhabitants,
ISO 3166 country and region names); ``data/lexicons/PROVENANCE.md`` says which and under what
licence. Entries and values are folded the same way: lower case, accents removed, ß as ss.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import polars as pl

GIVEN = "given_names"
SURNAMES = "surnames"
PLACES = "places"


@lru_cache(maxsize=4)
def lexicon(name: str) -> frozenset[str]:
    """The folded entries of one lexicon (loaded once per process, about 0.2 s for places)."""
    raw = resources.files("sanitas.core.detect").joinpath(f"data/lexicons/{name}.txt.gz").read_bytes()
    return frozenset(gzip.decompress(raw).decode("utf-8").splitlines())


@lru_cache(maxsize=1)
def sorted_lexicon(name: str) -> pl.Series:
    """The entries of a large lexicon, sorted, in one polars Series: about 6 MB for the 640,000 places,
    where a frozenset of as many Python strings holds 70 MB for the rest of the process."""
    raw = resources.files("sanitas.core.detect").joinpath(f"data/lexicons/{name}.txt.gz").read_bytes()
    words = pl.Series(name, [gzip.decompress(raw).decode("utf-8")]).str.split("\n").explode()
    return words.filter(words != "").unique().sort()


def in_lexicon(values: pl.Series, name: str) -> pl.Series:
    """Which values are entries: looked up once per distinct value (a Python set probe, or a binary search
    of the sorted places, is cheaper than building polars' hash table of half a million entries for every
    column)."""
    distinct = values.drop_nulls().unique()
    if name == PLACES:
        words = sorted_lexicon(name)
        found = words.gather(words.search_sorted(distinct).clip(0, words.len() - 1))
        hits = distinct.filter(found == distinct)
        return values.is_in(hits.cast(pl.String).implode()).fill_null(False)
    words = lexicon(name)
    hits = [v for v in distinct.to_list() if v in words]
    return values.is_in(pl.Series(hits, dtype=pl.String).implode()).fill_null(False)


def fold(text: pl.Series) -> pl.Series:
    """Lower case, accents removed, ß as ss, runs of spaces as one (vectorized)."""
    return (
        text.str.replace_all("ß", "ss").str.normalize("NFKD").str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    )


@dataclass(frozen=True)
class NameHits:
    """Per value: a known given name, a known surname, or a full name (given first, known last)."""

    given: pl.Series
    surname: pl.Series
    full: pl.Series

    @property
    def any(self) -> pl.Series:
        return self.given | self.surname | self.full


def name_hits(text: pl.Series) -> NameHits:
    """Which values read as names by the lexicons. Single words must be a given name or a surname;
    two to four words ("Maria del Carmen Ruiz", "Smith, John") must start with a given name and end
    with a known name, or be "Surname, Given"."""
    folded = fold(text.str.replace_all(r"[.()\"]", " "))
    comma = folded.str.contains(",")
    words = folded.str.replace_all(",", " ").str.replace_all(r"\s+", " ").str.strip_chars().str.split(" ")
    count = words.list.len()
    first, last = words.list.first(), words.list.last()
    first_given, first_surname = in_lexicon(first, GIVEN), in_lexicon(first, SURNAMES)
    last_given, last_surname = in_lexicon(last, GIVEN), in_lexicon(last, SURNAMES)
    single = count == 1
    several = count.is_between(2, 4)
    full = several & ((first_given & (last_surname | last_given)) | (comma & first_surname & last_given))
    hyphen = folded.str.contains(r"^[a-z]+-[a-z]+$") & single
    parts = folded.str.split("-")
    double = hyphen & in_lexicon(parts.list.first(), SURNAMES) & in_lexicon(parts.list.last(), SURNAMES)
    return NameHits(
        given=(single & first_given).fill_null(False),
        surname=((single & first_surname) | double).fill_null(False),
        full=full.fill_null(False),
    )


def place_hits(text: pl.Series) -> pl.Series:
    """Values that are a known city, region or country (the part before a comma counts alone:
    'Springfield, IL')."""
    folded = fold(text)
    head = folded.str.split(",").list.first().str.strip_chars()
    return in_lexicon(folded, PLACES) | in_lexicon(head, PLACES)
