"""scrub: find personal data inside free text and replace just those spans (Presidio).

Each distinct cell is analysed once: the spaCy pipeline runs over batches of cells (``nlp.pipe``
through Presidio's ``process_batch``) and the analyzer reuses those NLP artifacts, instead of one
full analyze call per cell. Progress is reported and cancel checked between batches.

The ``hash`` operator is the keyed HMAC token of pseudonymize (same key, same normalization), so a
name scrubbed out of a note gets the token the same name got in a pseudonymized column. Presidio's
own hash is unkeyed (or randomly salted per call), which is either guessable or inconsistent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Self

import numpy as np
import polars as pl
from pydantic import Field

from sanitas.core.detect.long_text import text_pieces
from sanitas.core.transforms._keyed import MIN_KEY_BYTES, KeyedHasher, hex_token
from sanitas.core.transforms._text import as_text, default_normalization, is_null_dtype, is_text, normalize
from sanitas.core.transforms.base import Transform, TransformContext, TransformParams, broadcast

CHUNK = 512  # cells per progress/cancel step
PIPE_BATCH = 128  # spaCy batch size
SHARED_READINGS = 200_000  # text pieces whose scrubbed output a release keeps for its other columns
LANGUAGE = "en"
# Recall first: a sanitizer that misses a name is worse than one that removes a word too many.
# At 0.35, names found only by the lexicons (0.55) and phone numbers possible only in a neighbouring
# region (0.45) are replaced; Presidio's weakest national-number patterns (0.01-0.3) are not.
# Recipes that omit score_threshold get this value; `sanitas plan` writes it out explicitly.
DEFAULT_SCORE_THRESHOLD = 0.35


class OperatorSpec(TransformParams):
    type: Literal["replace", "redact", "mask", "hash"] = Field(
        default="replace",
        description="replace: write a text (default '<ENTITY>'); redact: remove the span; mask: overwrite "
        "characters; hash: a keyed token, the same as pseudonymize gives.",
    )
    new_value: str | None = Field(default=None, description="replace: the text written; empty writes <ENTITY>.")
    masking_char: str = Field(default="*", min_length=1, max_length=1, description="mask: the character written.")
    chars_to_mask: int | None = Field(default=None, ge=1, description="mask: how many characters; empty masks all.")
    from_end: bool = Field(default=False, description="mask: mask from the end of the span instead of the start.")
    key: str = Field(default="default", min_length=1, description="hash: name of the secret key.")
    length: int = Field(default=16, ge=6, le=64, description="hash: hex characters of the token.")


class ScrubParams(TransformParams):
    entities: list[str] | None = Field(
        default=None, description="Entities to look for (PERSON, EMAIL_ADDRESS, ...); empty looks for all."
    )
    operators: dict[str, OperatorSpec] = Field(
        default={}, description="What to do with each entity type; others use default_operator."
    )
    default_operator: OperatorSpec = Field(
        default=OperatorSpec(), description="What to do with entity types not listed in operators."
    )
    score_threshold: float = Field(
        default=DEFAULT_SCORE_THRESHOLD, ge=0.0, le=1.0,
        description="Minimum detection score to replace a span (default 0.35: recall first; raise it to "
        "replace fewer words).",
    )
    entity_thresholds: dict[str, float] = Field(
        default={},
        description="Per-entity minimum scores that override score_threshold, e.g. PHONE_NUMBER: 0.4.",
    )
    allow_list: list[str] = Field(default=[], description="Words never replaced (e.g. your product's name).")
    known_values_from: list[str] = Field(
        default=[],
        description="Columns of the same table whose values are also removed wherever they appear in the text "
        "(e.g. the name, email and phone columns): catches what detection misses.",
    )


class Scrub(Transform):
    """Presidio analysis + anonymization of free-text cells, batched and once per distinct cell."""

    name: ClassVar[str] = "scrub"
    removes_identity: ClassVar[bool] = True
    runs_in: ClassVar[Literal["thread", "analysis_process"]] = "analysis_process"
    per: ClassVar[Literal["value", "row", "column"]] = "row"
    reads_table: ClassVar[bool] = True  # known_values_from reads other columns of the whole table
    label: ClassVar[str] = "Scrub text"
    description: ClassVar[str] = (
        "Find names, emails, phone numbers and other personal data inside free text and replace them."
    )
    Params: ClassVar[type[TransformParams]] = ScrubParams
    # The output is the original text with spans replaced: the residual check should scan it again.
    generates_values: ClassVar[bool] = False

    params: ScrubParams

    def check(self, dtype: pl.DataType) -> list[str]:
        if is_text(dtype) or is_null_dtype(dtype):
            return []
        return [f"scrub works on text columns, not {dtype}"]

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        from sanitas.core.detect.engine import get_analyzer
        from sanitas.core.settings import load_settings

        super().fit(column, context)
        self.ensure_fits(column)
        self._analyzer, self._info = get_analyzer(context.settings or load_settings())
        supported = set(self._analyzer.get_supported_entities(LANGUAGE))
        named = set(self.params.entities or []) | set(self.params.operators) | set(self.params.entity_thresholds)
        unknown = sorted(named - supported)
        if unknown:
            raise self.error(
                f"unknown entities {', '.join(unknown)}; this analyzer finds: {', '.join(sorted(supported))}"
            )
        self._entities = sorted(self.params.entities) if self.params.entities else sorted(supported)
        self._operators = {e: self._operator_config(e, self._spec(e), context) for e in self._entities}
        self._known = known_values(context, self.params.known_values_from, self.error)
        self._prefixes = None
        if self._known is not None and len(self._known[0]) >= INDEXED_FROM:
            key = ("scrub.known_prefixes", id(self._known))
            if key not in context.shared:  # built once per release, like the known values
                context.shared[key] = prefix_index(self._known[0])
            self._prefixes = context.shared[key]
        return self

    def _artifacts(self, texts: list[str]) -> list[tuple[str, Any]]:
        """spaCy's artifacts of each text, for the analyzer. A text the scan already read with NER
        (the same model, NER only: the same entities as the full pipeline, whose NER has its own
        token vectors) runs without the NER component, its entities set from that reading."""
        from sanitas.core.detect.ner import known_entities

        engine = self._analyzer.nlp_engine
        nlp = engine.get_nlp(LANGUAGE) if self._info.has_ner else None
        out: dict[str, Any] = {}
        if nlp is not None and "ner" in nlp.pipe_names:
            known = {t: ents for t, ents in zip(texts, known_entities(nlp, texts), strict=True) if ents is not None}
            read = list(known)
            for text, doc in zip(read, nlp.pipe(read, batch_size=PIPE_BATCH, disable=["ner"]), strict=True):
                spans = [doc.char_span(start, end, label=label) for label, start, end in known[text]]
                if all(span is not None for span in spans):  # else read below with the NER component
                    doc.ents = spans
                    out[text] = engine._doc_to_nlp_artifact(doc, LANGUAGE)  # what process_batch builds
        rest = [t for t in texts if t not in out]
        out.update(engine.process_batch(rest, LANGUAGE, batch_size=PIPE_BATCH))
        return [(t, out[t]) for t in texts]

    def _readings(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Output and entities of each text piece already scrubbed in this release with the same
        settings: a wide table's many note columns repeat phrases, read once (the same piece always
        gives the same output: the operators, keyed hash included, depend only on the text)."""
        settings = self.params.model_dump_json(exclude={"known_values_from"})
        key = ("scrub.readings", id(self._analyzer), settings)
        return self.ctx.shared.setdefault(key, {})  # type: ignore[no-any-return]

    def _spec(self, entity: str) -> OperatorSpec:
        return self.params.operators.get(entity, self.params.default_operator)

    def _threshold(self, entity: str) -> float:
        return self.params.entity_thresholds.get(entity, self.params.score_threshold)

    def _operator_config(self, entity: str, spec: OperatorSpec, context: TransformContext) -> Any:
        from presidio_anonymizer.entities import OperatorConfig

        if spec.type == "replace":
            return OperatorConfig("replace", {"new_value": spec.new_value or f"<{entity}>"})
        if spec.type == "redact":
            return OperatorConfig("redact", {})
        if spec.type == "mask":
            count = spec.chars_to_mask or 1_000_000
            return OperatorConfig(
                "mask", {"masking_char": spec.masking_char, "chars_to_mask": count, "from_end": spec.from_end}
            )
        return OperatorConfig("custom", {"lambda": self._hash_function(entity, spec, context)})

    def _hash_function(self, entity: str, spec: OperatorSpec, context: TransformContext) -> Callable[[str], str]:
        key = context.keys(spec.key)
        if len(key) < MIN_KEY_BYTES:
            raise self.error(f"key '{spec.key}' has {len(key)} bytes; use a random key of at least {MIN_KEY_BYTES}")
        hasher, mode, length = KeyedHasher(key), default_normalization(entity), spec.length
        return lambda text: hex_token(hasher.digest(normalize(text, mode)), length)

    def apply(self, column: pl.Series) -> pl.Series:
        from presidio_anonymizer import AnonymizerEngine

        text = as_text(column) if not is_null_dtype(column.dtype) else column.cast(pl.String)
        known_replaced = 0
        if self._known is not None:
            patterns, tags = _present(*self._known, text, self._prefixes)
            if patterns:
                before = text
                text = text.str.replace_many(patterns, tags, leftmost=True)
                known_replaced = int((before != text).fill_null(False).sum())
        counts = text.alias("v").drop_nulls().value_counts(name="n")
        values: list[str] = counts.get_column("v").to_list()
        weights: list[int] = counts.get_column("n").to_list()
        anonymizer = AnonymizerEngine()
        floor = min([self.params.score_threshold, *self.params.entity_thresholds.values()])
        allow = self.params.allow_list or None
        found: Counter[str] = Counter()
        cancel, progress = self.ctx.cancel, self.ctx.progress
        # a long cell is read in pieces spaCy accepts; its output is its pieces' outputs joined
        pieces = [(index, piece) for index, value in enumerate(values) for _, piece in text_pieces(value)]
        done_before = self._readings()
        todo = list(dict.fromkeys(p for _, p in pieces if p not in done_before))
        readings: dict[str, tuple[str, tuple[str, ...]]] = {}
        for start in range(0, len(todo), CHUNK):
            cancel.raise_if_cancelled()
            progress(start / max(len(todo), 1), "scrubbing free text")
            chunk = todo[start : start + CHUNK]
            for cell, artifacts in self._artifacts(chunk):
                results = self._analyzer.analyze(
                    text=cell,
                    language=LANGUAGE,
                    entities=self._entities,
                    nlp_artifacts=artifacts,
                    score_threshold=floor,
                    allow_list=allow,
                )
                results = [r for r in results if r.score >= self._threshold(r.entity_type)]
                if not results:
                    readings[cell] = (cell, ())
                    continue
                done = anonymizer.anonymize(text=cell, analyzer_results=results, operators=self._operators)
                readings[cell] = (done.text, tuple(item.entity_type for item in done.items))
        if len(done_before) + len(readings) <= SHARED_READINGS:
            done_before.update(readings)
        piece_outputs: list[list[str]] = [[] for _ in values]
        changed: set[int] = set()
        for index, piece in pieces:
            output, entities = readings[piece] if piece in readings else done_before[piece]
            for entity in entities:
                found[entity] += weights[index]
            if output != piece:
                changed.add(index)
            piece_outputs[index].append(output)
        outputs = ["".join(parts) for parts in piece_outputs]
        cells_changed = sum(weights[index] for index in changed)
        progress(1.0, "scrubbing free text")
        self._facts = {
            "cells_changed": cells_changed,
            "distinct_cells": len(values),
            "entities": dict(sorted(found.items())),
            "ner_model": self._info.model is not None,
            "score_threshold": self.params.score_threshold,
            **({"entity_thresholds": dict(self.params.entity_thresholds)} if self.params.entity_thresholds else {}),
            **({"cells_with_known_values": known_replaced} if self._known is not None else {}),
        }
        return broadcast(text, pl.Series(values, dtype=pl.String), outputs, pl.String).alias(column.name)


MIN_KNOWN_LENGTH = 4
PRESENT_CHECK_LIMIT = 200_000_000  # characters x known values: above it, every value goes to replace_many
KNOWN_CHUNK_CELLS = 2_000_000
INDEXED_FROM = 500  # known values from which ``_present`` walks the text once (prefix_index)


def known_values(
    context: TransformContext, columns: list[str], error: Callable[[str], Exception]
) -> tuple[list[str], list[str]] | None:
    """Distinct values of ``columns`` (longest first, so a full name wins over a part) and their tags.

    Values shorter than MIN_KNOWN_LENGTH characters are skipped: they would match inside ordinary words.
    """
    if not columns:
        return None
    source = context.source
    present = set(source.columns) if source is not None else set()
    missing = [c for c in columns if c not in present]
    if missing:
        raise error(f"known_values_from names columns not in the table: {', '.join(missing)}")
    assert source is not None
    key = ("scrub.known_values", id(source), tuple(columns))
    if key not in context.shared:  # every scrubbed column of a release shares it: computed once
        context.shared[key] = _known_table(source, columns, context.column_entities)
    return context.shared[key]  # type: ignore[no-any-return]


def _known_table(source: pl.DataFrame, columns: list[str],
                 entities: Mapping[str, str | None]) -> tuple[list[str], list[str]]:
    """The columns stacked a few million cells at a time (a few polars calls for a table of 10,000
    narrow columns, not a few per column), each chunk made distinct before the next is stacked."""
    tags = [f"<{entities.get(name) or 'PERSONAL_DATA'}>" for name in columns]
    step = max(1, KNOWN_CHUNK_CELLS // max(source.height, 1))
    parts = []
    for start in range(0, len(columns), step):
        chunk = columns[start : start + step]
        stacked = pl.DataFrame({
            "value": pl.concat([source.get_column(name).cast(pl.String).alias("value") for name in chunk]),
            "c": np.repeat(np.arange(start, start + len(chunk), dtype=np.int64), source.height),
        })
        parts.append(
            stacked.lazy().drop_nulls("value").with_columns(pl.col("value").str.strip_chars())
            .filter(pl.col("value").str.len_chars() >= MIN_KNOWN_LENGTH)
            .unique("value", keep="first", maintain_order=True).collect()
        )
    table = (
        pl.concat(parts).unique("value", keep="first", maintain_order=True)
        .sort(pl.col("value").str.len_chars(), descending=True, maintain_order=True)
    )
    return table.get_column("value").to_list(), [tags[c] for c in table.get_column("c").to_list()]


def prefix_index(patterns: list[str]) -> dict[str, list[int]]:
    """The known values by their first MIN_KNOWN_LENGTH characters (every known value has that many)."""
    index: dict[str, list[int]] = {}
    for i, value in enumerate(patterns):
        index.setdefault(value[:MIN_KNOWN_LENGTH], []).append(i)
    return index


def _present(patterns: list[str], tags: list[str], text: pl.Series,
             prefixes: dict[str, list[int]] | None = None) -> tuple[list[str], list[str]]:
    """The known values that occur in the column's cells, in order, with their tags.

    ``replace_many`` builds its automaton over every value it is given: on a wide table (thousands of
    identifier columns, hundreds of scrubbed ones) that is quadratic. Keeping only the values found in
    the cells (a plain substring test on the joined distinct cells) gives the same replacements: a
    value that occurs in no cell replaces nothing, and the order, which decides overlaps, is kept.
    With many known values (``prefixes`` given), the joined cells are walked once instead: each place
    where a known value's first characters occur is checked against those values only, so the cost
    follows the column's text, not the number of known values times it."""
    cells = text.drop_nulls().unique().to_list()
    joined = "\n".join(cells)
    if len(joined) * len(patterns) > PRESENT_CHECK_LIMIT:
        return patterns, tags
    if prefixes is None or len(patterns) < INDEXED_FROM:
        chosen = [i for i, value in enumerate(patterns) if value in joined]
    else:
        hits = {i for at in range(len(joined) - MIN_KNOWN_LENGTH + 1)
                for i in prefixes.get(joined[at : at + MIN_KNOWN_LENGTH], ())
                if joined.startswith(patterns[i], at)}
        chosen = sorted(hits)
    return [patterns[i] for i in chosen], [tags[i] for i in chosen]
