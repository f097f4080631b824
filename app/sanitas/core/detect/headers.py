"""What a column's header says: entity hints from its words, in several spellings and languages.

The word lists live in ``data/header_hints.yaml`` so they can grow without code changes. Headers are
split into words (snake, camel, kebab case, spaces); glued words ("zipcode", "dateofbirth",
"customerid") are split with the lists' own vocabulary, so "postage" or "image" never read as "age".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
# Pieces too short or too common to be trusted inside a glued word ("post|age", "mo|tel").
_UNGLUEABLE = {"age", "sex", "tel", "ort", "rue", "nom", "web", "cp", "land", "race", "mac", "pan",
               "cc", "nie", "nif", "nin", "sin", "tin", "rut", "dob", "ddn", "mail", "link", "born",
               "cell", "lot", "car", "org", "app", "unit", "tag", "doc", "part"}
_SHORT_OK_FIRST = {"e", "ip", "cc"}
_SHORT_OK_LAST = {"id", "no", "nr"}


@dataclass(frozen=True)
class HeaderHint:
    """One entity a header suggests, with how much the header alone says (weight 0..1)."""

    entity: str
    weight: float
    words: int  # length of the matched phrase: longer phrases are more specific


@dataclass(frozen=True)
class HeaderFacts:
    """Everything detection reads from a header."""

    words: tuple[str, ...]
    hints: tuple[HeaderHint, ...] = ()
    not_person: bool = False  # names a thing (product, order, batch...), not a person
    free_text: bool = False  # notes, comments, description: prose expected
    person_noun: bool = False  # names a kind of person (customer, patient...) without an id word

    def hint(self, entity: str) -> HeaderHint | None:
        return next((h for h in self.hints if h.entity == entity), None)

    @property
    def entities(self) -> list[str]:
        return [h.entity for h in self.hints]


@dataclass
class _Vocabulary:
    phrases: list[tuple[tuple[str, ...], HeaderHint]] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    not_person: set[str] = field(default_factory=set)
    free_text: set[str] = field(default_factory=set)
    person_nouns: set[str] = field(default_factory=set)
    by_first_word: dict[str, list[int]] = field(default_factory=dict)  # phrase indices by their first word


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    text = resources.files("sanitas.core.detect").joinpath("data/header_hints.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    vocab = _Vocabulary()
    for group in data["hints"]:
        for phrase in group["phrases"]:
            words = tuple(str(phrase).split())
            vocab.phrases.append((words, HeaderHint(group["entity"], float(group["weight"]), len(words))))
    nouns = [str(n) for n in data["person_nouns"]]
    for noun in nouns:
        for id_word in data["id_words"]:
            vocab.phrases.append(((noun, str(id_word)), HeaderHint("PERSON_ID", 0.8, 2)))
        vocab.phrases.append(((noun, "name"), HeaderHint("PERSON", 0.8, 2)))
    vocab.person_nouns = set(nouns)
    vocab.not_person = {w for item in data["not_person"] for w in str(item).split()}
    vocab.free_text = {str(w) for w in data["free_text"]}
    for words, _ in vocab.phrases:
        vocab.words.update(words)
    vocab.words |= vocab.not_person | vocab.free_text | {str(w) for w in data["id_words"]}
    vocab.words |= {"of", "de", "date", "home", "work", "primary", "secondary", "line"}
    for order, (words, _) in enumerate(vocab.phrases):
        vocab.by_first_word.setdefault(words[0], []).append(order)
    return vocab


def split_header(header: str) -> tuple[str, ...]:
    """Lower-case words of a header; glued words split when every piece is a known word."""
    plain = unicodedata.normalize("NFKD", header.replace("ß", "ss"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    vocab = _vocabulary()
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", plain):
        for raw in _CAMEL.findall(chunk):
            token = raw.lower()
            if token.isdigit():
                continue
            words.extend(_normalise(token, vocab))
    return tuple(words)


def _normalise(token: str, vocab: _Vocabulary) -> list[str]:
    for candidate in (token, token.rstrip("0123456789")):
        if candidate in vocab.words:
            return [candidate]
        if candidate.endswith("s") and candidate[:-1] in vocab.words:
            return [candidate[:-1]]
    pieces = _segment(token.rstrip("0123456789"), vocab.words)
    return pieces or [token]


def _segment(token: str, vocab: set[str]) -> list[str] | None:
    """Split a glued word into at most three known words, or None."""
    best: list[str] | None = None

    def allowed(piece: str, first: bool, last: bool) -> bool:
        if piece not in vocab or piece in _UNGLUEABLE:
            return False
        if len(piece) >= 3 or piece == "of":
            return True
        return (first and piece in _SHORT_OK_FIRST) or (last and piece in _SHORT_OK_LAST)

    def walk(rest: str, done: list[str]) -> None:
        nonlocal best
        if not rest:
            if len(done) > 1 and (best is None or len(done) < len(best)):
                best = list(done)
            return
        if len(done) >= 3:
            return
        for cut in range(len(rest), 0, -1):
            piece = rest[:cut]
            if allowed(piece, not done, cut == len(rest)):
                walk(rest[cut:], [*done, piece])

    walk(token, [])
    return best


@lru_cache(maxsize=65536)
def read_header(header: str) -> HeaderFacts:
    """The hints in a header, most specific first (longest phrase, then the lists' order)."""
    vocab = _vocabulary()
    words = split_header(header)
    found: list[tuple[int, float, int, tuple[str, ...], HeaderHint]] = []
    for order in _phrases_in(words, vocab):
        phrase, hint = vocab.phrases[order]
        found.append((-len(phrase), -hint.weight, order, phrase, hint))
    found.sort(key=lambda item: item[:3])
    things = {w for w in words if w in vocab.not_person}
    hints: list[HeaderHint] = []
    covered: set[str] = set()
    for *_, phrase, hint in found:
        if any(h.entity == hint.entity for h in hints):
            continue
        if things - set(phrase) and _weak_hint(hint):
            continue
        hints.append(hint)
        covered.update(phrase)
    not_person = bool(things - covered)
    person_noun = any(w in vocab.person_nouns for w in words)
    if person_noun and not not_person and not hints:
        hints.append(HeaderHint("PERSON_ID", 0.5, 1))
    return HeaderFacts(
        words=words,
        hints=tuple(hints),
        not_person=not_person,
        free_text=any(w in vocab.free_text for w in words),
        person_noun=person_noun,
    )


def _weak_hint(hint: HeaderHint) -> bool:
    """Words that also name things ('name', 'account number', 'state', 'condition'): a header that
    names a thing beside them ('product_name', 'order_state') cancels them."""
    return (hint.entity in {"PERSON", "PERSON_ID"} and hint.weight < 0.8) or hint.weight <= 0.5


def _phrases_in(words: tuple[str, ...], vocab: _Vocabulary) -> set[int]:
    """Indices of the vocabulary's phrases found in ``words``: looked up by each word (a phrase index),
    not by trying every phrase on every header, which cost ~4 ms a header on a 10,000-column table."""
    found: set[int] = set()
    for i, word in enumerate(words):
        for order in vocab.by_first_word.get(word, ()):
            phrase = vocab.phrases[order][0]
            if words[i : i + len(phrase)] == phrase:
                found.add(order)
    return found
