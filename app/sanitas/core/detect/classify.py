"""Classify columns: kind, ranked personal entities, a short reason and masked examples.

``classify_frame`` works on any in-memory frame (the residual check re-scans sanitized output with
it); ``scan_dataset`` feeds it an evenly spread sample of a file.
"""

from __future__ import annotations

import polars as pl

from sanitas.core.dataset import ROW_INDEX
from sanitas.core.detect.batch_facts import batch_facts
from sanitas.core.detect.context import DetectContext, make_context
from sanitas.core.detect.decide import Decision, decide
from sanitas.core.detect.evidence import value_evidence
from sanitas.core.detect.facts import ColumnFacts
from sanitas.core.detect.findings import ColumnFinding, ColumnKind, EntityScore, Evidence
from sanitas.core.detect.headers import HeaderFacts, HeaderHint, read_header
from sanitas.core.detect.masking import mask_example
from sanitas.core.detect.ner import NerPending, ner_batch
from sanitas.core.detect.prose import ProseEvidence, prose_evidence
from sanitas.core.detect.shapes import address_mask
from sanitas.core.progress import CancelToken, Progress, no_progress
from sanitas.core.settings import Settings, load_settings

MAX_EXAMPLES = 3
NER_CHUNK_COLUMNS = 500  # columns whose NER reads are batched together (bounds the texts held)
MAX_NER_ROUNDS = 4
SENSITIVE_HINTS = {"MEDICAL_CONDITION", "NRP", "SEXUAL_ORIENTATION", "SALARY"}


def classify_frame(
    frame: pl.DataFrame,
    *,
    sample_size: int | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> list[ColumnFinding]:
    """Findings for every column of an in-memory frame, on up to ``sample_size`` evenly spread rows."""
    settings = settings or load_settings()
    size = sample_size or settings.sample_size
    if frame.height > size:
        frame = frame.gather_every(frame.height // size).head(size)
    ctx = make_context(settings, cancel)
    return classify_columns([frame[c] for c in frame.columns if c != ROW_INDEX], ctx, progress=progress)


def classify_columns(
    columns: list[pl.Series], ctx: DetectContext, *, progress: Progress | None = None
) -> list[ColumnFinding]:
    """Findings for sampled columns, in order, reporting progress per column (at most ~200 times).

    The facts of all columns are computed together (batch_facts), so a wide table costs per cell; so
    do their NER reads: a chunk of columns is classified with reads collected (``ner_batch``), the
    texts of all its columns are read in one ``nlp.pipe``, and the columns that wanted them are
    classified again from the readings (twice at most: the place reading follows the person one)."""
    report = progress or no_progress
    findings: list[ColumnFinding] = []
    every = max(1, len(columns) // 200)
    facts = batch_facts(columns)
    for start in range(0, len(columns), NER_CHUNK_COLUMNS):
        chunk: dict[int, ColumnFinding] = {}
        pending = list(range(start, min(start + NER_CHUNK_COLUMNS, len(columns))))
        with ner_batch(ctx.check) as batch:
            for round_ in range(MAX_NER_ROUNDS):
                waiting = []
                for i in pending:
                    ctx.check()
                    if round_ == 0 and i % every == 0:
                        report(i / max(len(columns), 1), f"Classifying column {i + 1}/{len(columns)}: "
                               f"{columns[i].name}")
                    try:
                        chunk[i] = classify_column(columns[i], ctx, facts[i])
                    except NerPending:
                        waiting.append(i)
                batch.read()
                pending = waiting
        for i in pending:  # a reading still missing (not expected): read it column by column
            chunk[i] = classify_column(columns[i], ctx, facts[i])
        findings += [chunk[i] for i in sorted(chunk)]
    report(1.0, f"Classified {len(columns)} columns")
    return findings


def classify_column(series: pl.Series, ctx: DetectContext, facts: ColumnFacts | None = None) -> ColumnFinding:
    facts = facts if facts is not None else batch_facts([series])[0]
    header = _with_custom_hints(read_header(series.name), series.name, ctx)
    base = {"name": series.name, "dtype": str(series.dtype), "sampled": facts.count,
            "non_null_share": round(facts.non_null_share, 4), "distinct_share": round(facts.distinct_share, 4)}
    if not facts.scannable:
        return ColumnFinding(**base, kind=ColumnKind.NOT_PERSONAL, reason=f"not scanned: {series.dtype} values")
    if facts.count == 0:
        return ColumnFinding(**base, kind=ColumnKind.NOT_PERSONAL, reason="no values in the sample (all empty)")
    if _is_prose(facts, header):
        return _prose_finding(facts, header, ctx, base)
    decision = decide(facts, header, value_evidence(facts, header, ctx), ctx)
    if decision.entities:
        top = decision.entities[0].entity
        kind = ctx.spec(top).kind
        examples = _examples(facts.text, decision.masks.get(top))
        return ColumnFinding(**base, kind=kind, entities=decision.entities, examples=examples,
                             reason=_reason(decision))
    embedded = _embedded(facts, ctx)
    if embedded is not None:
        return embedded.model_copy(update=base)
    return _unexplained(facts, header, base)


def _is_prose(facts: ColumnFacts, header: HeaderFacts) -> bool:
    """Sentences, not addresses; under a notes/comments header a fifth of long cells is enough."""
    if facts.is_numeric_dtype or facts.is_temporal:
        return False
    prose = facts.is_prose and facts.mean_length >= 25
    prose = prose or (header.free_text and facts.prose_share >= 0.2 and facts.wordy >= 0.5)
    return prose and float(address_mask(facts).mean() or 0.0) < 0.5


def _with_custom_hints(header: HeaderFacts, name: str, ctx: DetectContext) -> HeaderFacts:
    if not ctx.customs:
        return header
    plain = "_".join(header.words)
    extra = tuple(
        HeaderHint(c.entity, 0.8, 2) for c in ctx.customs
        if any(h in (name.lower(), plain) or h in header.words for h in c.headers)
    )
    if not extra:
        return header
    return HeaderFacts(header.words, extra + header.hints, header.not_person, header.free_text,
                       header.person_noun)


def _prose_finding(facts: ColumnFacts, header: HeaderFacts, ctx: DetectContext,
                   base: dict[str, object]) -> ColumnFinding:
    evidence = prose_evidence(facts, ctx)
    entities, cells = _prose_entities(evidence, ctx)
    sensitive = next((h for h in header.hints if h.entity in SENSITIVE_HINTS), None)
    parts = [f"{ctx.spec(e.entity).label} in {e.share:.0%} of cells" for e in entities]
    if sensitive is not None:
        entities.insert(0, EntityScore(entity=sensitive.entity, score=sensitive.weight, share=1.0,
                                       evidence=Evidence.HEADER))
        return ColumnFinding(**base, kind=ColumnKind.SENSITIVE, entities=entities,
                             examples=_examples(facts.text, None),
                             reason="; ".join([f"header names {ctx.spec(sensitive.entity).label}; free text",
                                               *parts]))
    if entities:
        mask = pl.Series([i in cells for i in range(facts.count)])
        return ColumnFinding(**base, kind=ColumnKind.FREE_TEXT, entities=entities,
                             examples=_examples(facts.text, mask),
                             reason="free text: " + "; ".join(parts) + _unread(evidence))
    checked = f"{evidence.cells} sampled cells" + (f" ({evidence.ner_cells} read by NER)" if evidence.ner_cells else "")
    if evidence.unread_languages:
        checked += (f"; cells in {', '.join(evidence.unread_languages)} have no NER model here: names by "
                    "lexicons and patterns only")
    if header.free_text:
        return ColumnFinding(**base, kind=ColumnKind.FREE_TEXT, examples=_examples(facts.text, None),
                             reason=f"free text (header); nothing personal found in {checked}: review")
    return ColumnFinding(**base, kind=ColumnKind.NOT_PERSONAL,
                         reason=f"prose; nothing personal found in {checked}")


def _unread(evidence: ProseEvidence) -> str:
    if not evidence.unread_languages:
        return ""
    return (f" (cells in {', '.join(evidence.unread_languages)}: no NER model here, names by lexicons "
            "and patterns only)")


def _prose_entities(evidence: ProseEvidence, ctx: DetectContext) -> tuple[list[EntityScore], set[int]]:
    """Entities found in enough cells to trust: patterns in 2% (two cells at least), persons and
    places read by NER in 10% (three cells), groups (NRP) in 25%: the small model over-reads them."""
    accepted: list[EntityScore] = []
    cells: set[int] = set()
    for ent in evidence.entities:
        n = len(ent.cells)
        if ent.source == "ner":
            bar = 0.25 if ent.entity == "NRP" else 0.1
            ok = ent.share >= bar and n >= 3
        elif ent.source == "lexicon" or ent.entity == "DATE_TIME":
            ok = ent.share >= 0.1 and n >= 3
        else:
            ok = ent.share >= 0.02 and n >= 2
        if not ok:
            continue
        score = min(1.0, max(ent.score, 0.6) * (0.7 + 0.3 * min(1.0, ent.share * 2)))
        same = next((i for i, a in enumerate(accepted) if a.entity == ent.entity), None)
        if same is not None:  # NER and the lexicons both found names: keep the stronger reading
            if (ent.share * score) > accepted[same].share * accepted[same].score:
                accepted[same] = EntityScore(entity=ent.entity, score=round(score, 3), share=round(ent.share, 3))
        else:
            accepted.append(EntityScore(entity=ent.entity, score=round(score, 3), share=round(ent.share, 3)))
        cells.update(ent.cells)
    accepted.sort(key=lambda e: (e.share * e.score), reverse=True)
    return accepted, cells


def _embedded(facts: ColumnFacts, ctx: DetectContext) -> ColumnFinding | None:
    """Short strings that carry an email or phone inside ('Jane <jane@x.org>'): free text."""
    if facts.is_numeric_dtype or facts.is_temporal or facts.alpha_share < 0.3:
        return None
    evidence = prose_evidence(facts, ctx, use_ner=False, strict_urls=True)
    found = [e for e in evidence.entities if e.share >= 0.2 and e.entity != "DATE_TIME" and e.source != "lexicon"]
    if not found:
        return None
    entities = [EntityScore(entity=e.entity, score=round(0.7 * (0.6 + 0.4 * e.share), 3),
                            share=round(e.share, 3)) for e in found]
    entities.sort(key=lambda e: e.score, reverse=True)
    cells = {i for e in found for i in e.cells}
    mask = pl.Series([i in cells for i in range(facts.count)])
    parts = [f"{ctx.spec(e.entity).label} inside {e.share:.0%} of values" for e in entities]
    return ColumnFinding(name=facts.name, dtype=str(facts.dtype), kind=ColumnKind.FREE_TEXT, entities=entities,
                         examples=_examples(facts.text, mask), reason="; ".join(parts))


def _unexplained(facts: ColumnFacts, header: HeaderFacts, base: dict[str, object]) -> ColumnFinding:
    """No personal entity: a unique key may still link records (kind identifier, no entity)."""
    key_like = (
        facts.count >= 20 and facts.distinct_share >= 0.95 and facts.spaced_share <= 0.1
        and facts.mean_length <= 40 and not facts.is_temporal
        and not (facts.is_float or (facts.numeric_share > 0.9 and facts.integer_share < 0.9))
        and not facts.contains(r"^\d{1,2}:\d{2}|[/\\]").any()  # times of day, paths
    )
    if key_like and header.not_person:
        return ColumnFinding(**base, kind=ColumnKind.NOT_PERSONAL,
                             reason="unique codes of a thing the header names, not of a person")
    if key_like:
        return ColumnFinding(**base, kind=ColumnKind.IDENTIFIER, examples=_examples(facts.text, None),
                             reason="unique per row: a key that can link records; nothing says it "
                             "identifies a person")
    return ColumnFinding(**base, kind=ColumnKind.NOT_PERSONAL,
                         reason=f"nothing personal found in {facts.count} sampled values")


def _reason(decision: Decision) -> str:
    return "; ".join(decision.why) if decision.why else "header hint"


def _examples(text: pl.Series, mask: pl.Series | None) -> list[str]:
    values = text.filter(mask) if mask is not None and mask.any() else text
    first = list(dict.fromkeys(values.head(1000).to_list()))[:MAX_EXAMPLES]  # no polars call per column
    if len(first) < MAX_EXAMPLES and values.len() > 1000:
        first = values.unique(maintain_order=True).head(MAX_EXAMPLES).to_list()
    return [mask_example(value) for value in first]
