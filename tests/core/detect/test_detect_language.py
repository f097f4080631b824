"""Language-aware prose: NER reads only cells in a language with an installed model (real lingua,
real spaCy), so foreign prose that names nobody is not called PERSON or LOCATION."""

from __future__ import annotations

import random

import polars as pl
import pytest

from sanitas.core.detect import classify_frame
from sanitas.core.detect.language import has_model, languages_of, model_for
from sanitas.core.settings import Settings

NOTES = {
    "it": ["La {n} è stata consegnata lunedì e funziona perfettamente.",
           "Domanda sulla fattura: la {n} è stata addebitata due volte.",
           "Sostituzione della {n} in garanzia, spedizione prevista la prossima settimana."],
    "nl": ["De {n} is op maandag geleverd en werkt prima.",
           "Graag de {n} schoonmaken voor het volgende onderhoud.",
           "Vraag over de factuur: de {n} is dubbel berekend."],
    "de": ["Die {n} wurde am Montag geliefert und funktioniert einwandfrei.",
           "Bitte die {n} vor der nächsten Wartung gründlich reinigen.",
           "Rückfrage zur Rechnung: die {n} wurde doppelt berechnet."],
}
NOUNS = {"it": ["lavatrice", "caldaia", "pompa", "stampante"], "nl": ["wasmachine", "pomp", "printer", "accu"],
         "de": ["Waschmaschine", "Heizung", "Pumpe", "Fernbedienung"]}


def _notes(lang: str, n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [" ".join(rnd.choice(NOTES[lang]).format(n=rnd.choice(NOUNS[lang])) for _ in range(2)) for _ in range(n)]


def test_languages_of_cells() -> None:
    found = languages_of(["Die Pumpe wurde am Montag geliefert.", "The pump was delivered on Monday.",
                          "La pompa è stata consegnata lunedì.", "ok"])
    assert found[:3] == ["de", "en", "it"]


@pytest.mark.parametrize("lang", ["it", "nl", "de"])
def test_foreign_prose_without_names_lists_no_person(lang: str) -> None:
    frame = pl.DataFrame({"c9": _notes(lang, 150, seed=len(lang))})
    [finding] = classify_frame(frame, settings=Settings())
    assert [e.entity for e in finding.entities if e.entity in {"PERSON", "LOCATION"}] == []
    assert f"{lang}" in finding.reason and "no NER model" in finding.reason


@pytest.mark.skipif(not has_model("fr"), reason="French spaCy model not installed")
def test_french_cells_are_read_by_the_french_model() -> None:
    nlp = model_for("fr")
    assert nlp is not None
    doc = nlp("Jean Dupont a appelé depuis Marseille pour sa commande.")
    assert {e.label_ for e in doc.ents} >= {"PER"}
    rnd = random.Random(3)
    people = ["Jean Dupont", "Camille Lefèvre", "Hugo Marchand", "Léa Rousseau"]
    cells = [f"{rnd.choice(people)} a appelé pour la facture de la chaudière, merci de rappeler." for _ in range(80)]
    [finding] = classify_frame(pl.DataFrame({"remarques": cells}), settings=Settings())
    assert finding.top_entity == "PERSON"
