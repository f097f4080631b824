"""scan_cells: spans of personal data inside free-text cells, batched, with progress and cancel."""

from __future__ import annotations

import itertools
import random

import polars as pl
import pytest
from faker import Faker

from sanitas.core.detect import scan_cells
from sanitas.core.errors import DetectionError
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.settings import Settings


@pytest.fixture(scope="module")
def notes() -> tuple[pl.Series, list[dict[str, str]]]:
    fake = Faker("en_US")
    fake.seed_instance(8)
    rnd = random.Random(8)
    cells: list[str | None] = []
    truth: list[dict[str, str]] = []
    for i in range(120):
        name, phone, email = fake.name(), fake.phone_number(), fake.email()
        if i % 10 == 9:
            cells.append(None)
            truth.append({})
            continue
        if rnd.random() < 0.5:
            cells.append(f"Called {name} on {phone} about the refund.")
            truth.append({"PERSON": name, "PHONE_NUMBER": phone})
        else:
            cells.append(f"Email from {name} ({email}) asking for an invoice.")
            truth.append({"PERSON": name, "EMAIL_ADDRESS": email})
    return pl.Series("notes", cells), truth


def test_spans_are_found_and_point_at_the_entity(notes: tuple[pl.Series, list[dict[str, str]]]) -> None:
    cells, truth = notes
    seen: list[float] = []
    spans = scan_cells(cells, settings=Settings(), batch_size=32, progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4  # one report per batch
    texts = cells.to_list()
    hit = {"PERSON": 0, "PHONE_NUMBER": 0, "EMAIL_ADDRESS": 0}
    wanted = {k: sum(1 for t in truth if k in t) for k in hit}
    for span in spans:
        text = texts[span.row]
        assert text is not None and 0 <= span.start < span.end <= len(text)
        expected = truth[span.row].get(span.entity)
        if expected is not None and text[span.start : span.end] in expected:
            hit[span.entity] += 1
    assert hit["EMAIL_ADDRESS"] == wanted["EMAIL_ADDRESS"]
    assert hit["PHONE_NUMBER"] == wanted["PHONE_NUMBER"]
    assert hit["PERSON"] >= 0.8 * wanted["PERSON"], (hit, wanted)
    # Overlapping spans are resolved: one entity per stretch of text.
    by_row: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        by_row.setdefault(span.row, []).append((span.start, span.end))
    for ranges in by_row.values():
        ranges.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(ranges))
    assert not any(span.row % 10 == 9 for span in spans)  # null cells


def test_entity_filter_threshold_and_pattern_only(notes: tuple[pl.Series, list[dict[str, str]]]) -> None:
    cells, _ = notes
    only = scan_cells(cells.head(20), settings=Settings(), entities=["EMAIL_ADDRESS"])
    assert only and {s.entity for s in only} == {"EMAIL_ADDRESS"}
    assert scan_cells(cells.head(20), settings=Settings(), score_threshold=1.01) == []
    patterns = scan_cells(cells.head(20), settings=Settings(spacy_model="none"))
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS"} <= {s.entity for s in patterns}
    # Without NER, names come only from the lexicon recognizer, at its lower score.
    assert {s.score for s in patterns if s.entity == "PERSON"} <= {0.55}


def test_errors_cancel_and_empty(notes: tuple[pl.Series, list[dict[str, str]]]) -> None:
    cells, _ = notes
    with pytest.raises(DetectionError, match=r"column 'notes'.*FOO"):
        scan_cells(cells, settings=Settings(), entities=["FOO"])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        scan_cells(cells, settings=Settings(), cancel=token)
    assert scan_cells(pl.Series("x", [None, "", "  "], dtype=pl.String), settings=Settings()) == []
    numbers = scan_cells(pl.Series("x", [5, None, 7], dtype=pl.Int64), settings=Settings())
    assert all(s.row in (0, 2) for s in numbers)  # non-text columns are read as text
