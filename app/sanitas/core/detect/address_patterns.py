"""Street address patterns (US and European forms), apart from the Presidio recognizer that uses them.

The second opinion of the residual check runs them over released text; keeping them here means the
release does not import Presidio (and spaCy, torch) to read two regular expressions.
"""

from __future__ import annotations

import regex

from sanitas.core.detect.shapes import STREET_WORDS

_WORD = r"[\p{Lu}\d][\p{L}'’.\-]*"
_ANY_WORD = r"[\p{L}\d][\p{L}'’.\-]*"
_LINK = r"(?:(?:de|del|della|degli|dei|di|du|des|la|le|les|do|da|dos|das|d'|of|the)\s*)"
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#|No|Nr|n[°º]|bis)\.?\s*[\w\-]+)?"
_POSTAL_CITY = r"(?:,?\s+(?:[A-Z]{1,2}-)?\d{4,5}(?:\s?[A-Z]{2})?\s+\p{Lu}[\p{L}\-]+(?:\s+\p{Lu}[\p{L}\-]+)?)?"
_US = rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_WORD}\s+){{0,3}}(?i:{STREET_WORDS})\b\.?{_UNIT}"
_SUFFIXED = (r"\b\p{Lu}[\p{L}\-]*(?i:stra(?:ss|ß)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|laan|straat|"
             r"gracht|plein|kade|singel|dijk|steeg|gade|vej|gatan|vägen|katu|tie|chaussee|pfad|steig|markt|tunnel)"
             r"\s+\d{1,5}[a-zA-Z]?\b"
             r"|\b(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Platz der|Platz des)\s+"
             r"[\p{Lu}\d][\p{L}.\-]*(?:\s+[\p{Lu}][\p{L}.\-]*)?\s+\d{1,5}[a-zA-Z]?\b")
_PREFIXED = (r"(?:\b\d{1,5}[a-zA-Z]?,?\s+)?\b(?:Rue|Avenue|Av\.|Boulevard|Bd|Chemin|Impasse|Allée|Place|Quai|"
             r"Cours|Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Camino|Carrer|Rúa|Rua|Travessa|Via|Viale|Piazza|Corso|"
             r"Largo|Vicolo|Strada|Contrada|Travesía|Ronda|Glorieta|Cour|Venelle|Ruelle|Passage|Sentier|Grand Rue|"
             r"Grande Rue|Route|Rond-Point|Vía|Sendero|Callejón|Pasaje)\s+"
             + rf"{_LINK}*{_ANY_WORD}(?:\s+{_LINK}*{_ANY_WORD}){{0,3}}"
             r"(?:,?\s+\d{1,5}[a-zA-Z]?\b)?")
# House number and two or three capitalised words before punctuation: '799 Annie Bypass,' (scored lower).
TITLED = regex.compile(r"\b\d{1,5}[A-Za-z]?\s+\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){1,2}(?=[.,;:!?)]|\s*$)")
ADDRESS = regex.compile(rf"(?:{_US}|{_SUFFIXED}|{_PREFIXED}){_POSTAL_CITY}", flags=regex.POSIX)  # longest match
