"""What runs on the executors: the recipe's column actions on each Arrow batch of a partition.

Every action is the in-process transform itself (``core.column_actions.apply_column``), called on a
polars frame built from the batch: no transform is re-implemented for Spark. Three kinds of work:

- ``partition``: actions whose output for a value depends only on that value, its params and key
  (keep, redact, mask, keyed pseudonymize, most generalizations) run batch by batch;
- ``witness``: generalizations that read one fact of the whole column (the widest ZIP of an integer
  column, whether a float column holds a fraction) get one row holding that fact put in front of each
  batch, so the transform decides as it does on the whole column; the row is taken off again;
- ``lookup``: actions whose output depends on the column's set of values (fake, with its uniqueness
  and avoid-real draws; dates written as text, whose format is inferred) are fitted on the column's
  distinct values on the driver (``driver_fit``) and their value map is looked up here.

The last row of each partition carries the batch facts (JSON in ``FACTS``, every data column null);
the driver sums them and drops that row, so facts arrive exactly once without accumulators.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

FACTS = "__sanitas_facts"
ERROR_MARK = "SANITAS-ERROR<<"
ERROR_END = ">>SANITAS-ERROR"

How = Literal["partition", "witness", "lookup", "drop", "pass", "dp_noise"]


@dataclass(frozen=True)
class ColumnWork:
    """One column's work on the executors (plain data: it travels in the task closure)."""

    name: str
    action: str
    params: dict[str, Any]
    entity: str | None
    how: How
    witness: Any = None  # the value put in front of each batch (``witness``)
    lookup: Any = None  # a Spark broadcast of the Arrow IPC bytes of (value, output) (``lookup``)


@dataclass(frozen=True)
class BatchWork:
    columns: list[ColumnWork]
    seed: int
    locale: str
    keys: dict[str, bytes]
    column_entities: dict[str, str | None]
    output_schema: pa.Schema  # without the facts column
    settings: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def partition_function(work: BatchWork):
    """The function mapInArrow runs on each partition (a closure over ``work`` only)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import polars as pl

        from sanitas.core.errors import SanitasError

        full = work.output_schema.append(pa.field(FACTS, pa.string()))
        lookups = {c.name: _read_lookup(c.lookup) for c in work.columns if c.how == "lookup"}
        totals: dict[str, dict[str, Any]] = {}
        try:
            for index, batch in enumerate(batches):
                frame = pl.from_arrow(pa.Table.from_batches([batch]))
                assert isinstance(frame, pl.DataFrame)
                columns = []
                for column in work.columns:
                    if column.how == "drop":
                        continue
                    series = frame.get_column(column.name)
                    if column.how == "pass":
                        columns.append(series)
                    elif column.how == "lookup":
                        columns.append(_look_up(series, lookups[column.name]))
                    elif column.how == "dp_noise":  # see dp_noise.py: per-row noise, OS randomness
                        from sanitas.spark.dp_noise import noise_batch

                        out, facts = noise_batch(series, column.params, work.extra.get("noise_seed"), index)
                        columns.append(out)
                        _add_facts(totals.setdefault(column.name, {}), facts)
                    else:
                        out, facts = _apply(series, column, work, frame)
                        columns.append(out)
                        _add_facts(totals.setdefault(column.name, {}), facts)
                table = pl.DataFrame(columns).to_arrow() if columns else pa.table({})
                table = table.cast(work.output_schema).append_column(FACTS, pa.nulls(table.num_rows, pa.string()))
                yield from table.to_batches()
        except SanitasError as exc:  # the driver turns it back into the analyst's message
            raise RuntimeError(f"{ERROR_MARK}{type(exc).__name__}:{exc.message}{ERROR_END}") from None
        arrays = [pa.nulls(1, f.type) for f in work.output_schema] + [pa.array([json.dumps(totals)], pa.string())]
        yield pa.RecordBatch.from_arrays(arrays, schema=full)

    return run


def _apply(series: Any, column: ColumnWork, work: BatchWork, frame: Any) -> tuple[Any, dict[str, Any]]:
    import polars as pl

    from sanitas.core.column_actions import apply_column
    from sanitas.core.decisions import ColumnDecision
    from sanitas.core.recipe import ColumnPlan
    from sanitas.core.transforms.base import TransformContext

    witnessed = column.how == "witness"
    if witnessed:
        series = pl.concat([pl.Series(series.name, [column.witness], dtype=series.dtype), series])
    context = TransformContext(column=column.name, entity=column.entity, seed=work.seed, locale=work.locale,
                               keys=_key_lookup(work.keys), shared={}, source=frame,
                               column_entities=work.column_entities, settings=work.settings)
    decision = ColumnDecision(name=column.name, action=column.action, entity=column.entity, kind=None,
                              corrected=False)
    outcome, out = apply_column(series, ColumnPlan(action=column.action, params=column.params), None, decision,
                                context)
    assert out is not None
    return (out.slice(1) if witnessed else out), outcome.facts


def _key_lookup(keys: dict[str, bytes]):
    from sanitas.core.errors import TransformError

    def lookup(name: str) -> bytes:
        if name not in keys:
            raise TransformError(f"key '{name}' was not sent to the Spark executors")
        return keys[name]

    return lookup


def _read_lookup(shipped: Any) -> Any:
    import polars as pl

    data = shipped.value if hasattr(shipped, "value") else shipped  # a broadcast, or bytes in tests
    with pa.ipc.open_stream(data) as reader:
        frame = pl.from_arrow(reader.read_all())
    return frame


def _look_up(series: Any, mapping: Any) -> Any:
    """Each row's output from the value map (nulls and unknown values give null), in row order."""
    import polars as pl

    keyed = pl.DataFrame({"value": series}).join(mapping, on="value", how="left", maintain_order="left")
    return keyed.get_column("output").alias(series.name)


def _add_facts(total: dict[str, Any], facts: dict[str, Any]) -> None:
    """Counts add up over batches; labels (format, method) keep their first value."""
    for key, value in facts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
        else:
            total.setdefault(key, value)


def merge_facts(rows: list[str]) -> dict[str, dict[str, Any]]:
    """The partitions' facts (JSON rows) added up, per column."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        for column, facts in json.loads(row).items():
            _add_facts(merged.setdefault(column, {}), facts)
    return merged


def lookup_bytes(frame: Any) -> bytes:
    """A (value, output) polars frame as Arrow IPC, to ship to the executors."""
    table = frame.to_arrow()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
