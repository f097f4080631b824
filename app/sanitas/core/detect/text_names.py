"""Person names inside free text without NER: lexicons and the words people put before names.

NER misses names it has not seen in context and reads none in languages without a model. Two
patterns catch most of what remains, in any Latin-script language:

- a known given name followed by one or two capitalised words ("Maria Lindqvist", "Jan de Vries"),
  or two capitalised words ending in a known surname after a capitalised given-looking word;
- a title or context word before one to three capitalised words ("Mr. Okafor", "Frau Baumann",
  "Mme Vallée", "name is Tomasz Wójcik", "Dear Rossi").

Spans are (start, end) character offsets. Sentence-initial capitals alone never make a name.
"""

from __future__ import annotations

import unicodedata

import regex  # the stdlib re has no \p{..} classes; Presidio already depends on regex

from sanitas.core.detect.lexicons import GIVEN, SURNAMES, lexicon

_CAP = r"\p{Lu}[\p{Ll}'’\-]+(?:-\p{Lu}[\p{Ll}'’]+)?"
_PARTICLE = r"(?:(?:de|da|del|della|di|van|von|der|den|te|ten|ter|le|la|du|dos|das|y|zu|op)\s+){0,2}"
_TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Herr|Frau|Hr|Fr|Mme|Mlle|M|Monsieur|Madame|Sr|Sra|Srta|"
           r"Señor|Señora|Don|Doña|Sig|Sig\.ra|Signor|Signora|Dhr|Mevr|Mevrouw|Meneer|Dott|Dott\.ssa|Ing|Avv")
_CONTEXT = (r"(?i:name is|named|called|contact(?:ed)?|ask for|speak to|spoke (?:to|with)|dear|hi|hello|"
            r"thanks|thank you|regards|from|by|with|signed|cc|attn|customer|client|patient|"
            r"je m'appelle|je suis|mi chiamo|me llamo|ik ben|ich bin|mein name ist|bonjour|hola|ciao|"
            r"hallo|beste|geachte|sehr geehrte[rs]?|cher|chère|estimad[oa]|gentile|caro|cara)")
_GREETING = regex.compile(r"(?i:dear|hi|hello|bonjour|hola|ciao|hallo|beste|geachte|cher|chère|caro|cara)\b")
_NAME_SEQ = rf"{_CAP}(?:\s+{_PARTICLE}{_CAP}){{0,2}}"
_AFTER_TITLE = regex.compile(rf"\b(?:{_TITLES})\.?\s+({_PARTICLE}{_NAME_SEQ})")
_AFTER_CONTEXT = regex.compile(rf"\b{_CONTEXT}[:,]?\s+({_NAME_SEQ})")
_SEQUENCE = regex.compile(rf"(?<![\p{{L}}])({_CAP})((?:\s+{_PARTICLE}{_CAP}){{1,2}})")


# Capitalised function words that some given-name lists hold ("The", "Will", "Do"): never a name start.
_STOP = frozenset((
    "the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "his", "her", "their", "its",
    "please", "thanks", "thank", "will", "may", "can", "do", "did", "is", "are", "was", "were", "be", "if",
    "when", "then", "so", "but", "and", "or", "not", "no", "yes", "all", "any", "each", "every", "new",
    "old", "die", "der", "das", "den", "dem", "des", "ein", "eine", "einen", "und", "oder", "bitte", "le",
    "la", "les", "un", "une", "des", "et", "ou", "merci", "el", "los", "las", "uno", "una", "y", "o",
    "gracias", "il", "lo", "gli", "uno", "grazie", "het", "een", "en", "of", "dank",
))


_STOP = _STOP | {t.lower().replace("\\", "") for t in _TITLES.split("|")}


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.replace("ß", "ss"))
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of person names found by lexicons and cue words (merged, sorted)."""
    given, surnames = lexicon(GIVEN), lexicon(SURNAMES)
    spans: list[tuple[int, int]] = []
    for pattern in (_AFTER_TITLE, _AFTER_CONTEXT):
        for match in pattern.finditer(text):
            words = match.group(1).split()
            if any(_fold(w) in given or _fold(w.strip("'’")) in surnames for w in words) or pattern is _AFTER_TITLE \
                    or (_fold(words[0]) not in _STOP and _GREETING.match(match.group(0))):
                spans.append(match.span(1))
    for match in _SEQUENCE.finditer(text):
        first = _fold(match.group(1))
        rest = match.group(2).split()
        last = _fold(rest[-1])
        if first not in _STOP and ((first in given and (last in surnames or last in given or len(rest) == 1))
                                   or (len(rest) == 1 and last in surnames and len(first) >= 3)):
            spans.append(match.span(0))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
