"""Custom recognizers from a YAML file (``settings.recognizers_file``): deny-lists and regexes.

File format (see ``resources/samples/recognizers.example.yaml``)::

    version: 1
    recognizers:
      - entity: EMPLOYEE_BADGE       # required: UPPER_CASE letters, digits, underscores
        name: employee badge         # optional label, defaults to the entity
        kind: identifier             # optional: identifier | quasi-identifier | sensitive
        score: 0.8                   # optional 0..1 (default 0.8): deny-list terms, patterns without one
        patterns:                    # regexes (Python `regex` syntax, matched case-insensitively)
          - regex: '\\bEMP-\\d{6}\\b'
            name: badge              # optional
            score: 0.9               # optional
        deny_list: [Falcon, Osprey]  # exact terms (whole words)
        context: [badge, employee]   # optional words near a match that raise its score in free text
        headers: [badge, badge_no]   # optional column headers (or header words) that hint at it

Each entry needs ``patterns`` or ``deny_list`` (or both). A column whose values match a recognizer is
classified with its entity and kind; its header hints count like the built-in ones. A bad file
raises DetectionError naming the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex
import yaml

from sanitas.core.detect import offline  # noqa: F401
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.errors import DetectionError

if TYPE_CHECKING:
    from presidio_analyzer import PatternRecognizer

_ENTITY = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
_KINDS = {ColumnKind.IDENTIFIER, ColumnKind.QUASI_IDENTIFIER, ColumnKind.SENSITIVE}
_KEYS = {"entity", "name", "kind", "score", "patterns", "deny_list", "context", "headers"}
_FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
DEFAULT_SCORE = 0.8


@dataclass(frozen=True)
class CustomRecognizer:
    """One loaded entry: the Presidio recognizer plus what detection needs beside it."""

    recognizer: PatternRecognizer
    entity: str
    kind: ColumnKind
    headers: tuple[str, ...]


_cache: dict[tuple[str, int, int], list[CustomRecognizer]] = {}


def load_recognizers(path: Path) -> list[CustomRecognizer]:
    """Read and validate the file (cached while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError:
        raise DetectionError(
            f"{path}: custom recognizer file not found; fix recognizers_file in the settings "
            "or remove it."
        ) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache[key] = _parse(path)
    return _cache[key]


def _parse(path: Path) -> list[CustomRecognizer]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DetectionError(f"{path}: cannot read the custom recognizer file ({exc}).") from None
    except yaml.YAMLError as exc:
        raise DetectionError(f"{path}: not valid YAML ({exc}); fix the file.") from None
    if not isinstance(data, dict) or not isinstance(data.get("recognizers"), list):
        raise DetectionError(
            f"{path}: expected a mapping with a 'recognizers' list (see recognizers.example.yaml)."
        )
    if data.get("version", 1) != 1:
        raise DetectionError(f"{path}: unsupported version {data.get('version')!r}; use version: 1.")
    loaded = [_entry(path, i, entry) for i, entry in enumerate(data["recognizers"], start=1)]
    entities = [c.entity for c in loaded]
    for i, entity in enumerate(entities, start=1):
        if entity in entities[: i - 1]:
            raise DetectionError(
                f"{path}: recognizer {i} ({entity}): entity defined twice; merge the two entries."
            )
    return loaded


def _entry(path: Path, index: int, entry: Any) -> CustomRecognizer:
    from presidio_analyzer import Pattern, PatternRecognizer

    where = f"{path}: recognizer {index}"
    if not isinstance(entry, dict):
        raise DetectionError(f"{where}: expected a mapping with 'entity' and 'patterns' or 'deny_list'.")
    entity = entry.get("entity")
    if isinstance(entity, str):
        where = f"{where} ({entity})"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise DetectionError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}.")
    if not isinstance(entity, str) or not _ENTITY.match(entity):
        raise DetectionError(f"{where}: 'entity' must be an UPPER_CASE name such as EMPLOYEE_BADGE.")
    kind = _kind(where, entry.get("kind", "identifier"))
    score = _score(where, entry.get("score", DEFAULT_SCORE), "score")
    patterns = []
    for j, item in enumerate(_list(where, entry, "patterns"), start=1):
        if isinstance(item, str):
            item = {"regex": item}
        if not isinstance(item, dict) or not isinstance(item.get("regex"), str) or not item["regex"]:
            raise DetectionError(f"{where}: pattern {j} needs a non-empty 'regex' string.")
        try:
            regex.compile(item["regex"], flags=_FLAGS)
        except regex.error as exc:
            raise DetectionError(f"{where}: pattern {j} is not a valid regex ({exc}).") from None
        if regex.compile(item["regex"], flags=_FLAGS).search(""):
            raise DetectionError(f"{where}: pattern {j} matches empty text; make it match something.")
        pattern_score = _score(where, item.get("score", score), f"pattern {j} score")
        patterns.append(Pattern(name=str(item.get("name", f"{entity.lower()}_{j}")),
                                regex=item["regex"], score=pattern_score))
    deny = [str(t).strip() for t in _list(where, entry, "deny_list") if str(t).strip()]
    if not patterns and not deny:
        raise DetectionError(f"{where}: give 'patterns' or 'deny_list' (neither is set).")
    context = [str(w).lower() for w in _list(where, entry, "context")]
    headers = tuple(str(h).lower() for h in _list(where, entry, "headers"))
    recognizer = PatternRecognizer(
        supported_entity=entity,
        name=f"custom:{entry.get('name') or entity}",
        patterns=patterns or None,
        deny_list=deny or None,
        deny_list_score=score,
        context=context or None,
    )
    return CustomRecognizer(recognizer=recognizer, entity=entity, kind=kind, headers=headers)


def _list(where: str, entry: dict[str, Any], key: str) -> list[Any]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise DetectionError(f"{where}: '{key}' must be a list.")
    return value


def _kind(where: str, value: Any) -> ColumnKind:
    try:
        kind = ColumnKind(str(value))
    except ValueError:
        kind = None
    if kind not in _KINDS:
        allowed = ", ".join(k.value for k in sorted(_KINDS))
        raise DetectionError(f"{where}: 'kind' must be one of {allowed}.")
    return kind  # type: ignore[return-value]


def _score(where: str, value: Any, label: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < float(value) <= 1:
        raise DetectionError(f"{where}: {label} must be a number in (0, 1].")
    return float(value)
