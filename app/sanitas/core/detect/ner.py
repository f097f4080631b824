"""Named-entity recognition on a column sample, batched with ``nlp.pipe``, only where it is needed.

Short values alone ("Lake Jennifer", "Rachel") are ambiguous to a small model; in a carrier
sentence they are not. Each distinct value is read twice: "I met {v} yesterday." (is it a person?)
and "She moved to {v} last year." (is it a place?). Only entities inside the value count. Only the
NER component runs (tagger, parser and lemmatizer are disabled): the same entities, four times
faster. Prose cells are read as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    """The ``limit`` most frequent distinct values, ties in sample order (deterministic)."""
    ranked = (
        values.to_frame("v").with_row_index("i")
        .group_by("v").agg(n=pl.len(), first=pl.col("i").min())
        .sort(["n", "first"], descending=[True, False])
    )
    return ranked["v"].head(limit).to_list()


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
    out: list[set[str]] = []
    for i, doc in enumerate(nlp.pipe(texts, batch_size=256, disable=_ner_only(nlp))):
        if check and i % 64 == 0:
            check()
        end = offset + len(values[i])
        out.append({
            _LABELS[e.label_] for e in doc.ents
            if e.label_ in _LABELS and e.start_char >= offset and e.end_char <= end
        })
    return out


def spans_in_cells(
    nlp: Language, cells: list[str], *, check: Callable[[], None] | None = None
) -> list[list[tuple[str, int, int]]]:
    """(entity, start, end) of persons, places and groups in each prose cell (first 1,000 chars)."""
    out: list[list[tuple[str, int, int]]] = []
    texts = [c[:MAX_CELL_CHARS] for c in cells]
    for i, doc in enumerate(nlp.pipe(texts, batch_size=256, disable=_ner_only(nlp))):
        if check and i % 64 == 0:
            check()
        out.append([(_LABELS[e.label_], e.start_char, e.end_char) for e in doc.ents
                    if e.label_ in _LABELS and _LABELS[e.label_] != "ORG"])
    return out
