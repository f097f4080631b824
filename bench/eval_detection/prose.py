"""Hand-written sentences in six languages that name nobody: notes about things, not people.

Slots are filled from small word lists, so a column of 300 notes has many distinct cells. German
capitalises its nouns and every language capitalises the first word: an English NER model reads
such words as names or places, which is exactly what these notes test.
"""

from __future__ import annotations

import random

NOTES: dict[str, dict[str, list[str]]] = {
    "de": {
        "t": ["Die {n} wurde am {d} geliefert und funktioniert einwandfrei.",
              "Kunde meldet, dass die {n} nach {k} Tagen nicht mehr startet.",
              "Bitte die {n} vor der nächsten Wartung gründlich reinigen.",
              "Die Lieferung der {n} verzögert sich wegen {g} um {k} Tage.",
              "Rückfrage zur Rechnung: die {n} wurde doppelt berechnet.",
              "Austausch der {n} erfolgt im Rahmen der Garantie, Versand folgt."],
        "n": ["Waschmaschine", "Kaffeemaschine", "Heizung", "Spülmaschine", "Bohrmaschine", "Pumpe",
              "Steuereinheit", "Dichtung", "Fernbedienung", "Batterie"],
        "g": ["Lieferengpässen", "Streik", "Hochwasser", "Personalmangel", "Inventur"],
        "d": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
    },
    "fr": {
        "t": ["La {n} a été livrée {d} et fonctionne parfaitement.",
              "Le client signale que la {n} ne démarre plus après {k} jours.",
              "Merci de nettoyer la {n} avant la prochaine révision.",
              "La livraison de la {n} est retardée de {k} jours à cause {g}.",
              "Question sur la facture : la {n} a été facturée deux fois.",
              "Remplacement de la {n} sous garantie, envoi prévu la semaine prochaine."],
        "n": ["machine à laver", "cafetière", "chaudière", "pompe", "télécommande", "batterie",
              "perceuse", "imprimante", "hotte", "serrure"],
        "g": ["d'une grève", "des intempéries", "d'un inventaire", "d'une rupture de stock"],
        "d": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    },
    "es": {
        "t": ["La {n} se entregó el {d} y funciona sin problemas.",
              "El cliente indica que la {n} no arranca después de {k} días.",
              "Por favor, limpiar la {n} antes del próximo mantenimiento.",
              "La entrega de la {n} se retrasa {k} días por {g}.",
              "Consulta sobre la factura: la {n} se cobró dos veces.",
              "Cambio de la {n} en garantía, el envío sale la semana que viene."],
        "n": ["lavadora", "cafetera", "caldera", "bomba", "batería", "impresora", "nevera",
              "campana", "cerradura", "taladradora"],
        "g": ["una huelga", "el temporal", "el inventario", "falta de existencias"],
        "d": ["lunes", "martes", "miércoles", "jueves", "viernes"],
    },
    "it": {
        "t": ["La {n} è stata consegnata {d} e funziona perfettamente.",
              "Il cliente segnala che la {n} non si accende dopo {k} giorni.",
              "Si prega di pulire la {n} prima della prossima manutenzione.",
              "La consegna della {n} è in ritardo di {k} giorni a causa di {g}.",
              "Domanda sulla fattura: la {n} è stata addebitata due volte.",
              "Sostituzione della {n} in garanzia, spedizione prevista la prossima settimana."],
        "n": ["lavatrice", "caffettiera", "caldaia", "pompa", "batteria", "stampante", "lavastoviglie",
              "serratura", "cappa", "centralina"],
        "g": ["uno sciopero", "maltempo", "un inventario", "mancanza di scorte"],
        "d": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì"],
    },
    "nl": {
        "t": ["De {n} is op {d} geleverd en werkt prima.",
              "Klant meldt dat de {n} na {k} dagen niet meer opstart.",
              "Graag de {n} schoonmaken voor het volgende onderhoud.",
              "De levering van de {n} loopt {k} dagen vertraging op door {g}.",
              "Vraag over de factuur: de {n} is dubbel berekend.",
              "Vervanging van de {n} valt onder de garantie, verzending volgt."],
        "n": ["wasmachine", "koffiezetapparaat", "verwarmingsketel", "pomp", "afstandsbediening",
              "accu", "boormachine", "printer", "afzuigkap", "vaatwasser"],
        "g": ["een staking", "het weer", "de inventaris", "een tekort aan onderdelen"],
        "d": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"],
    },
    "en": {
        "t": ["The {n} was delivered on {d} and works fine.",
              "Customer reports the {n} stops starting after {k} days.",
              "Please clean the {n} before the next service visit.",
              "Delivery of the {n} is delayed by {k} days because of {g}.",
              "Question about the invoice: the {n} was charged twice.",
              "Replacement {n} under warranty, shipping next week."],
        "n": ["washing machine", "coffee maker", "boiler", "pump", "remote control", "battery",
              "drill", "printer", "cooker hood", "dishwasher"],
        "g": ["a strike", "the weather", "stocktaking", "a parts shortage"],
        "d": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    },
}


def note(language: str, rnd: random.Random) -> str:
    words = NOTES[language]
    template = rnd.choice(words["t"])
    return template.format(n=rnd.choice(words["n"]), g=rnd.choice(words["g"]), d=rnd.choice(words["d"]),
                           k=rnd.randint(2, 30))


def notes(language: str, count: int, rnd: random.Random, sentences: int = 2) -> list[str]:
    return [" ".join(note(language, rnd) for _ in range(rnd.randint(1, sentences))) for _ in range(count)]
