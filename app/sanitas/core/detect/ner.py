"""Named-entity recognition on a column sample, batched with ``nlp.pipe``, only where it is needed.

Short values alone ("Lake Jennifer", "Rachel") are ambiguous to a small model; in a carrier
sentence they are not. Each distinct value is read twice: "I met {v} yesterday." (is it a person?)
and "She moved to {v} last year." (is it a place?). Only entities inside the value count. Only the
NER component runs (tagger, parser and lemmatizer are disabled): the same entities, four times
faster. Prose cells are read as they are.

A wide table has thousands of columns of twenty values each: read one column at a time, spaCy runs
thousands of small batches. Inside ``ner_batch`` a read whose texts are not known yet only notes
them and raises ``NerPending``; the caller collects the texts of many columns, ``NerBatch.read``
reads them all in one ``nlp.pipe`` per model, and the columns are classified again from the
readings. A doc's entities do not depend on the batch it is read in, so the findings are the same.
Readings are also kept (bounded) per model, so the residual check's re-scan of unchanged cells
does not read them again.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from spacy.language import Language

PERSON_TEMPLATE = "I met {} yesterday."
PLACE_TEMPLATE = "She moved to {} last year."
_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
           "NORP": "NRP", "ORG": "ORG"}
MAX_CELL_CHARS = 1000
SURELY_PEOPLE = 0.9
PIPE_BATCH = 256
CACHE_LIMIT = 50_000  # readings kept per model between scans (the residual re-scan reuses them)

Ents = tuple[tuple[str, int, int], ...]  # (spaCy label, start, end) of the entities a doc holds
_CACHE: weakref.WeakKeyDictionary[Language, dict[str, Ents]] = weakref.WeakKeyDictionary()


class NerPending(Exception):
    """Raised inside ``ner_batch``: the texts of this read were noted, read them and try again."""


@dataclass
class NerBatch:
    """Texts wanted by the columns of one pass, and everything read during the batch (never dropped,
    so a column retried after ``read`` finds its readings)."""

    check: Callable[[], None] | None = None
    wanted: dict[Language, dict[str, None]] = field(default_factory=dict)
    known: dict[Language, dict[str, Ents]] = field(default_factory=dict)

    def read(self) -> None:
        """Read every wanted text, one ``nlp.pipe`` per model."""
        for nlp, texts in self.wanted.items():
            self.known.setdefault(nlp, {}).update(_read(nlp, list(texts), self.check))
        self.wanted = {}


_batch: ContextVar[NerBatch | None] = ContextVar("sanitas_ner_batch", default=None)


@contextmanager
def ner_batch(check: Callable[[], None] | None = None) -> Iterator[NerBatch]:
    """Collect NER reads instead of running them (see the module docstring)."""
    batch = NerBatch(check)
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)


@dataclass(frozen=True)
class ShortValueNer:
    """Which sampled values read as a person, a place or a group; ``probed`` marks the values read
    (the most frequent distinct ones), which shares are taken over."""

    person: pl.Series  # boolean masks aligned with the column's values
    location: pl.Series
    nrp: pl.Series
    org: pl.Series
    probed: pl.Series

    def share(self, mask: pl.Series) -> float:
        judged = int(self.probed.sum())
        return int((mask & self.probed).sum()) / judged if judged else 0.0


def _ner_only(nlp: Language) -> list[str]:
    return [name for name in nlp.pipe_names if name != "ner"]


def most_frequent(values: pl.Series, limit: int) -> list[str]:
    """The ``limit`` most frequent distinct values, ties in sample order (deterministic).

    Plain Python: a column sample is small, and a polars group-by per column dominated wide tables."""
    counts = Counter(values.to_list())  # insertion order is first occurrence; sorted() is stable
    return [v for v, _ in sorted(counts.items(), key=lambda item: -item[1])[:limit]]


def read_short_values(
    nlp: Language, values: pl.Series, *, limit: int = 200, check: Callable[[], None] | None = None
) -> ShortValueNer:
    """Person / place / group verdicts for the most frequent ``limit`` distinct values."""
    distinct = most_frequent(values, limit)
    person = _labels_in_template(nlp, distinct, PERSON_TEMPLATE, check)
    persons = sum(1 for labels in person if "PERSON" in labels)
    if persons >= SURELY_PEOPLE * len(distinct):
        place: list[set[str]] = [set() for _ in distinct]  # full names: no need to ask about places
    else:
        place = _labels_in_template(nlp, distinct, PLACE_TEMPLATE, check)

    cells = values.to_list()  # plain Python: a polars call per mask costs more than these few values
    looked = set(distinct)

    def having(labels: list[set[str]], label: str) -> pl.Series:
        chosen = {v for v, found in zip(distinct, labels, strict=True) if label in found}
        return pl.Series([v in chosen for v in cells], dtype=pl.Boolean)

    return ShortValueNer(
        person=having(person, "PERSON"),
        location=having(place, "LOCATION"),
        nrp=having(person, "NRP"),
        org=having(person, "ORG"),
        probed=pl.Series([v in looked for v in cells], dtype=pl.Boolean),
    )


def _labels_in_template(
    nlp: Language, values: list[str], template: str, check: Callable[[], None] | None
) -> list[set[str]]:
    offset = template.index("{}")
    texts = [template.format(v) for v in values]
    return [
        {_LABELS[label] for label, start, end in ents
         if label in _LABELS and start >= offset and end <= offset + len(value)}
        for value, ents in zip(values, entities_of(nlp, texts, check), strict=True)
    ]


def spans_in_cells(
    nlp: Language, cells: list[str], *, check: Callable[[], None] | None = None
) -> list[list[tuple[str, int, int]]]:
    """(entity, start, end) of persons, places and groups in each prose cell (first 1,000 chars)."""
    texts = [c[:MAX_CELL_CHARS] for c in cells]
    return [[(_LABELS[label], start, end) for label, start, end in ents
             if label in _LABELS and _LABELS[label] != "ORG"]
            for ents in entities_of(nlp, texts, check)]


def known_entities(nlp: Language, texts: list[str]) -> list[Ents | None]:
    """The entities already read in each text (every label), None where it was not read: scrub
    reuses the scan's readings instead of running the NER component again."""
    cache = _CACHE.get(nlp, {})
    return [cache.get(t) for t in texts]


def entities_of(nlp: Language, texts: list[str], check: Callable[[], None] | None = None) -> list[Ents]:
    """The entities (every label) of each text: remembered, or read now, or, inside ``ner_batch``,
    noted for the batch's next read (``NerPending``)."""
    batch = _batch.get()
    known = batch.known.get(nlp, {}) if batch is not None else {}
    cache = _CACHE.get(nlp, {})
    found = [known.get(t, cache.get(t)) for t in texts]
    missing = list(dict.fromkeys(t for t, ents in zip(texts, found, strict=True) if ents is None))
    if not missing:
        return found  # type: ignore[return-value]
    if batch is not None:
        batch.wanted.setdefault(nlp, {}).update(dict.fromkeys(missing))
        raise NerPending
    read = _read(nlp, missing, check)
    return [ents if ents is not None else read[t] for t, ents in zip(texts, found, strict=True)]


def _read(nlp: Language, texts: list[str], check: Callable[[], None] | None) -> dict[str, Ents]:
    """One ``nlp.pipe`` over distinct texts, NER only; the readings are also kept in the cache."""
    out: dict[str, Ents] = {}
    for i, doc in enumerate(nlp.pipe(texts, batch_size=PIPE_BATCH, disable=_ner_only(nlp))):
        if check and i % 64 == 0:
            check()
        out[texts[i]] = tuple((e.label_, e.start_char, e.end_char) for e in doc.ents)
    cache = _CACHE.setdefault(nlp, {})
    if len(cache) + len(out) > CACHE_LIMIT:
        cache.clear()
    if len(out) <= CACHE_LIMIT:
        cache.update(out)
    return out
