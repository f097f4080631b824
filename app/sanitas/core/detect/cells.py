"""Cell-level detection in free-text columns, on demand: every entity span in every cell.

spaCy reads the cells in batches (``nlp.pipe`` through Presidio's ``process_batch``) and each cell
is analyzed with its precomputed NLP artifacts, so context words still raise scores. Overlapping
spans of different entities keep the more trustworthy one (a phone number is not also an NHS number).
Findings carry positions and scores, never text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from sanitas.core.detect.engine import get_analyzer
from sanitas.core.detect.entities import spec
from sanitas.core.detect.findings import CellFinding
from sanitas.core.detect.long_text import text_pieces
from sanitas.core.errors import DetectionError
from sanitas.core.progress import CancelToken, Progress, no_progress
from sanitas.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult


def scan_cells(
    values: pl.Series,
    *,
    settings: Settings | None = None,
    entities: list[str] | None = None,
    score_threshold: float = 0.5,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = 256,
) -> list[CellFinding]:
    """Spans of personal data in each cell of ``values`` (row = position in the series)."""
    settings = settings or load_settings()
    analyzer, _ = get_analyzer(settings)
    if entities is not None:
        supported = set(analyzer.get_supported_entities(language="en"))
        unknown = sorted(set(entities) - supported)
        if unknown:
            raise DetectionError(
                f"column '{values.name}': cannot look for {', '.join(unknown)}; "
                f"supported entities: {', '.join(sorted(supported))}."
            )
    report = progress or no_progress
    texts = values.cast(pl.String).to_list()
    # (row, offset of the piece in its cell, piece): a long cell is read in pieces spaCy accepts
    pieces = [(i, offset, piece) for i, t in enumerate(texts) if t and t.strip() for offset, piece in text_pieces(t)]
    total = len(pieces)
    findings: list[CellFinding] = []
    for begin in range(0, total, max(batch_size, 1)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = pieces[begin : begin + batch_size]
        artifacts = analyzer.nlp_engine.process_batch([p for _, _, p in batch], language="en", batch_size=batch_size)
        for (row, offset, _), (text, nlp_artifacts) in zip(batch, artifacts, strict=True):
            results = analyzer.analyze(
                text=text, language="en", entities=entities, score_threshold=score_threshold,
                nlp_artifacts=nlp_artifacts,
            )
            findings.extend(
                CellFinding(row=row, entity=r.entity_type, start=r.start + offset, end=r.end + offset,
                            score=round(float(r.score), 4))
                for r in _resolve_overlaps(results)
            )
        done = min(begin + batch_size, total)
        report(done / total if total else 1.0, f"Scanned {done}/{total} cells of column '{values.name}'")
    if total == 0:
        report(1.0, f"Column '{values.name}' has no text to scan")
    return findings


def _rank(result: RecognizerResult) -> float:
    """Checksummed formats first, then shapes, then NER (which reads '8277346468' as a date),
    then Presidio's weak national-number patterns."""
    if (result.recognition_metadata or {}).get(result.RECOGNIZER_NAME_KEY) == "SpacyRecognizer":
        return float(result.score)
    bonus = {3: 0.5, 2: 0.3, 1: -0.5}.get(spec(result.entity_type).tier, 0.0)
    return float(result.score) + bonus


def _resolve_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Keep, among overlapping spans, the best ranked one."""
    kept: list[RecognizerResult] = []
    for res in sorted(results, key=lambda r: (-_rank(r), r.start, -(r.end - r.start))):
        if any(res.start < k.end and k.start < res.end for k in kept):
            continue
        kept.append(res)
    return sorted(kept, key=lambda r: (r.start, r.end))
