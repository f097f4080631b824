"""Free-text recall: lexicon names, street addresses, phones of neighbouring regions, the recall-first
scrub threshold (real Presidio, real spaCy), and the plan writing that threshold."""

from __future__ import annotations

import polars as pl
import pytest

from sanitas.core.detect.findings import ColumnFinding, ColumnKind, EntityScore
from sanitas.core.detect.text_names import name_spans
from sanitas.core.detect.text_recognizers import ADDRESS
from sanitas.core.plan import suggest_column
from sanitas.core.transforms import TransformContext, make_transform
from sanitas.core.transforms.scrub import DEFAULT_SCORE_THRESHOLD


@pytest.mark.parametrize(("text", "span"), [
    ("My order never arrived at 1166 Bradford Hills. Please", "1166 Bradford Hills"),
    ("moved to Bardelebenweg 1166 and wants", "Bardelebenweg 1166"),
    ("left at Rúa do Vagalume, 1166 but", "Rúa do Vagalume, 1166"),
    ("at 1166 Boulevard Rouvel, 24467 Mérignac.", "1166 Boulevard Rouvel, 24467 Mérignac"),
    ("ship to 3 Main Street Apt. 4, thanks", "3 Main Street Apt. 4"),
])
def test_address_patterns(text: str, span: str) -> None:
    assert span in [m.group(0).rstrip(".") for m in ADDRESS.finditer(text)]


def test_no_address_in_plain_sentences() -> None:
    assert not ADDRESS.search("I paid 200 euros for 3 items last week.")


@pytest.mark.parametrize(("text", "names"), [
    ("Customer Dagmar Huffmann complained", ["Dagmar Huffmann"]),
    ("Mr. Okafor phoned twice.", ["Okafor"]),
    ("Frau Baumann hat angerufen", ["Baumann"]),
    ("Please ask for Jan de Vries at the desk", ["Jan de Vries"]),
    ("The Pump Station is closed on Monday.", []),
    ("La consegna della centralina è in ritardo di 26 giorni.", []),
])
def test_name_spans(text: str, names: list[str]) -> None:
    assert [text[a:b] for a, b in name_spans(text)] == names


def test_scrub_default_is_recall_first_and_reported() -> None:
    cells = pl.Series("notes", [
        "Customer Dagmar Huffmann phoned from +49-670-0847047 about Bardelebenweg 1166.",
        "Ms. Vallée moved to 1166 Boulevard Rouvel and wants her contract updated.",
        "Delivery failed; driver tried 943 248 367 twice.",
        "The pump works fine after the repair.",
    ])
    transform = make_transform("scrub", {})
    out = transform.fit(cells, TransformContext(column="notes")).apply(cells).to_list()
    assert transform.params.score_threshold == DEFAULT_SCORE_THRESHOLD == 0.35
    for leaked in ("Huffmann", "0847047", "Bardelebenweg", "Vallée", "Rouvel", "248 367"):
        assert not any(leaked in o for o in out), leaked
    assert out[3] == cells[3]  # nothing personal: untouched
    assert transform.facts()["score_threshold"] == 0.35


def test_plan_writes_the_threshold() -> None:
    finding = ColumnFinding(name="notes", dtype="String", kind=ColumnKind.FREE_TEXT,
                            entities=[EntityScore(entity="PERSON", score=0.8, share=0.4)])
    plan, comment = suggest_column(finding)
    assert plan.action == "scrub" and plan.params["score_threshold"] == DEFAULT_SCORE_THRESHOLD
    assert "0.35" in comment
