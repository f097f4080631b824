"""The column actions of a streamed release, batch by batch, with the figures of a whole-column run.

Each action is the in-process transform itself (``column_actions.apply_column``) run on each batch, so
the output is what the whole-column run gives, value for value. Three ways, as on Spark:

- ``batch``: the output of a value depends only on that value, its params and key (keep, redact, mask,
  keyed pseudonymize, most generalizations);
- ``witness``: generalizations that read one fact of the whole column (the widest code of an integer
  ZIP column, whether a number column holds a fraction, the first date written as text, from which
  polars infers the format) get one value holding that fact put in front of each batch, found by the
  streamed release's first pass; it is taken off again;
- ``drop``: nothing to compute.

Figures that add up over batches (cells masked, rows redacted) are summed. Figures about a column's
set of values (distinct values, pseudonym collisions, classes after generalizing) come from the
column's distinct values gathered batch by batch: a pseudonymized column's collisions are counted at
the end from the digests and pseudonyms each batch's run made (collisions are a property of the whole
set; nothing is hashed twice), a generalized column's distinct inputs and outputs are counted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from sanitas.core.column_actions import apply_column
from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnFinding
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.recipe import ColumnPlan
from sanitas.core.transforms._text import is_integer
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.pseudonymize import OUTPUT, PAIRS_KEY, one_per_digest, pseudonym_pairs
from sanitas.core.transforms.registry import get_transform

How = Literal["batch", "witness", "drop"]
PER_VALUE = {"keep", "redact", "mask", "pseudonymize", "drop", "generalize"}
NUMERIC_METHODS = ("bins", "top_bottom", "age_band")
MERGE_EVERY = 500_000  # distinct values gathered before they are made distinct again (bounds memory at 5M rows)


def why_not_per_batch(name: str, plan: ColumnPlan) -> str | None:
    """Why column ``name``'s action cannot run batch by batch (None when it can)."""
    cls = get_transform(plan.action)
    if cls.reads_table:
        return f"column '{name}': {plan.action} reads the whole table"
    if cls.stage != "before_steps":
        return f"column '{name}': {plan.action} runs after the dataset-level steps"
    if plan.action not in PER_VALUE:
        return f"column '{name}': {plan.action} depends on the column's whole set of values"
    return None


def how_for(plan: ColumnPlan, dtype: pl.DataType) -> How:
    if plan.action == "drop":
        return "drop"
    if plan.action != "generalize":
        return "batch"
    p = get_transform("generalize")(plan.params).params
    if p.method == "postal" and is_integer(dtype):
        return "witness"  # zero-padded to the widest code of the column
    if p.method == "bins" and (dtype.is_float() or dtype == pl.String):
        return "witness"  # labels depend on whether any value of the column has a fraction
    if p.method == "date" and dtype == pl.String and p.date_format is None:
        return "witness"  # the date format is inferred from the column's first value
    return "batch"


def witness_expr(name: str, plan: ColumnPlan, dtype: pl.DataType) -> pl.Expr:
    """Per batch: the batch's candidate for the column's witness (null when the batch has none)."""
    column = pl.col(name)
    p = get_transform("generalize")(plan.params).params
    if p.method == "postal":
        return column.sort_by(column.cast(pl.String).str.len_chars(), descending=True, nulls_last=True).first()
    if p.method == "bins":
        numbers = column if dtype.is_float() else column.cast(pl.String).str.strip_chars().cast(pl.Float64,
                                                                                                strict=False)
        return column.filter(numbers.is_not_null() & (numbers != numbers.floor())).first()
    return column.drop_nulls().first()


def better_witness(plan: ColumnPlan, current: Any, candidate: Any) -> Any:
    """The witness so far against a later batch's candidate: the first one, or the widest code."""
    if candidate is None:
        return current
    if current is None:
        return candidate
    p = get_transform("generalize")(plan.params).params
    if p.method == "postal" and len(str(candidate)) > len(str(current)):
        return candidate
    return current


@dataclass
class DistinctSet:
    """A column's distinct values gathered batch by batch (made distinct again now and then)."""

    parts: list[pl.Series] = field(default_factory=list)
    pending: int = 0

    def add(self, values: pl.Series) -> None:
        unique = values.unique()
        self.parts.append(unique)
        self.pending += unique.len()
        if self.pending > MERGE_EVERY and len(self.parts) > 1:
            self.parts = [pl.concat(self.parts).unique()]
            self.pending = 0  # counts what came since: a set larger than MERGE_EVERY is not merged again per batch

    def values(self) -> pl.Series:
        if not self.parts:
            return pl.Series([], dtype=pl.Null)
        merged = pl.concat(self.parts).unique() if len(self.parts) > 1 else self.parts[0]
        self.parts = [merged]
        return merged


@dataclass
class PairSet:
    """A pseudonymized column's rows per digest (digest words and pseudonym) gathered batch by batch, as
    the transform made them (``pseudonym_pairs``): its collisions are counted from them at the end
    without hashing any value again."""

    parts: list[pl.DataFrame] = field(default_factory=list)
    pending: int = 0

    def add(self, pairs: pl.DataFrame) -> None:
        self.parts.append(pairs)
        self.pending += pairs.height
        if self.pending > MERGE_EVERY and len(self.parts) > 1:
            self.parts = [one_per_digest(pl.concat(self.parts))]
            self.pending = 0

    def frame(self) -> pl.DataFrame:
        if not self.parts:
            return pl.DataFrame(schema={"digest_0": pl.UInt64, "digest_1": pl.UInt64, OUTPUT: pl.String})
        return pl.concat(self.parts)


@dataclass
class ColumnStream:
    """One column's work over the batches and what it gathers for the report."""

    name: str
    plan: ColumnPlan
    dtype: pl.DataType
    finding: ColumnFinding | None
    decision: ColumnDecision
    how: How
    witness: Any = None
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    output_dtype: str | None = None
    inputs: DistinctSet = field(default_factory=DistinctSet)
    outputs: DistinctSet = field(default_factory=DistinctSet)
    pairs: PairSet = field(default_factory=PairSet)
    rows: int = 0
    non_null: int = 0

    def apply(self, column: pl.Series, context: TransformContext) -> pl.Series | None:
        """This batch's output for the column (None when dropped); its figures are gathered."""
        started = time.perf_counter()
        self.rows += column.len()
        if self.how == "drop":  # as apply_column: a dropped column is not read, it has no figures
            return None
        witnessed = self.how == "witness" and self.witness is not None
        series = column
        if witnessed:
            series = pl.concat([pl.Series(column.name, [self.witness], dtype=column.dtype), column])
        action = self.plan.action
        if action == "pseudonymize":
            context.shared.setdefault(PAIRS_KEY, {})
        outcome, out = apply_column(series, self.plan, self.finding, self.decision, context)
        assert out is not None
        if witnessed:
            out = out.slice(1)
            outcome.facts = _minus(outcome.facts, self._witness_facts(context))
        self.output_dtype = outcome.output_dtype
        if action == "pseudonymize":
            self.inputs.add(column.drop_nulls())
            pairs = pseudonym_pairs(context.shared, self.name)
            if pairs is not None:
                self.pairs.add(pairs)
        elif action == "generalize":
            self.inputs.add(column)
            self.outputs.add(out)
            self.non_null += column.len() - column.null_count()
            for key in ("top_coded", "bottom_coded"):
                if key in outcome.facts:
                    self.facts[key] = self.facts.get(key, 0) + int(outcome.facts[key])
        else:
            _add(self.facts, outcome.facts)
        self.seconds += time.perf_counter() - started
        return out

    def forget(self) -> None:
        """Drop what was gathered for ``outcome`` (called after it)."""
        self.inputs, self.outputs, self.pairs = DistinctSet(), DistinctSet(), PairSet()

    def _witness_facts(self, context: TransformContext) -> dict[str, Any]:
        witness = pl.Series(self.name, [self.witness], dtype=self.dtype)
        return apply_column(witness, self.plan, self.finding, self.decision, context)[0].facts

    def outcome(self, context: TransformContext) -> ColumnOutcome:
        """The column's report line, with the figures a whole-column run reports."""
        started = time.perf_counter()
        transform_cls = get_transform(self.plan.action)
        transform = transform_cls(self.plan.params)
        facts = dict(self.facts)
        if self.plan.action == "pseudonymize":  # from what the batches gathered: nothing is hashed again
            distinct = self.inputs.values()
            if distinct.dtype == pl.Null:
                distinct = pl.Series(self.name, [], dtype=self.dtype)
            transform.fit(distinct.alias(self.name), context)
            facts = transform.facts_of_whole(self.dtype, distinct, self.pairs.frame())  # type: ignore[attr-defined]
        elif self.plan.action == "generalize":
            facts = self._generalize_facts(transform.params)
        seconds = self.seconds + time.perf_counter() - started
        return ColumnOutcome(
            name=self.name, dtype=str(self.dtype), action=self.plan.action,
            params=transform.params.model_dump(mode="json"), finding=self.finding, entity=self.decision.entity,
            kind=self.decision.kind, corrected=self.decision.corrected,
            generates_values=transform_cls.generates_values, removed=transform_cls.removes_column,
            output_dtype=None if transform_cls.removes_column else self.output_dtype, facts=facts,
            seconds=seconds, note=self.plan.note, kept_as_is=transform_cls.keeps_values,
        )

    def _generalize_facts(self, params: Any) -> dict[str, Any]:
        method = params.method
        if self.non_null == 0:
            return {"method": method, "cells_generalized": 0}
        facts: dict[str, Any] = {
            "method": method, "cells_generalized": self.non_null,
            "distinct_before": self.inputs.values().len(), "distinct_after": self.outputs.values().len(),
        }
        if method in NUMERIC_METHODS:
            facts["top_coded"] = self.facts.get("top_coded", 0)
            facts["bottom_coded"] = self.facts.get("bottom_coded", 0)
        return facts


def column_streams(plan: Mapping[str, ColumnPlan], schema: Mapping[str, pl.DataType],
                   findings: Mapping[str, ColumnFinding],
                   decisions: Mapping[str, ColumnDecision]) -> list[ColumnStream]:
    return [ColumnStream(name=name, plan=p, dtype=schema[name], finding=findings.get(name), decision=decisions[name],
                         how=how_for(p, schema[name])) for name, p in plan.items()]


def _add(total: dict[str, Any], facts: Mapping[str, Any]) -> None:
    """Counts add up over batches; labels (format, method) keep their first value."""
    for key, value in facts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
        else:
            total.setdefault(key, value)


def _minus(facts: Mapping[str, Any], witness: Mapping[str, Any]) -> dict[str, Any]:
    """A batch's figures without the witness row's own."""
    out = dict(facts)
    for key, value in witness.items():
        if key in out and isinstance(value, int) and not isinstance(value, bool) and key != "distinct_before":
            out[key] = out[key] - value
    return out
