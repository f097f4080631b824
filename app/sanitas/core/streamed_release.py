"""A release written batch by batch: memory stays flat with the length of the table, the bytes are the same.

``release_to_file`` is what ``sanitas apply`` and the workbench's export run: the streamed release when
the recipe allows it, otherwise the in-memory one (``engine.run`` then ``export_release``). Streamed:

1. the recipe is checked, the findings reused or the input scanned, as ``engine.run`` does;
2. a first pass over the input reads the identifier columns (their values hashed for the residual
   check), the row count, and the one value per column some generalizations read from the whole
   column (see ``streamed_columns``);
3. a second pass reads the input a batch at a time, runs every column action on the batch, appends the
   result to the staged data file and gives it to the residual check (``residual_stream``);
4. the column figures, the residual check and the re-identification risk are finished, the reports
   staged, and the files renamed into place: the reports first, the data file last.

Falls back to the in-memory path, saying why (``FileRelease.fallback``), when the recipe needs the whole
table (a dataset-level step: k-anonymity, synthesis, DP; an action that reads other columns or the
column's whole set of values: scrub, synthesize, fake, dp_noise), when the output format is not written
batch by batch (Parquet, JSON, NDJSON, XLSX: see ``io.batch_writer``), for an empty input, and when a
transform or the reader raises an error during the batches, so that the error the analyst reads (its
counts) is the whole table's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sanitas.core.dataset import READ_ERRORS, Dataset
from sanitas.core.decisions import decide_all
from sanitas.core.detect.findings import ScanResult
from sanitas.core.engine import release_scan
from sanitas.core.errors import ExportError, SanitasError, TransformError
from sanitas.core.export import ExportResult, _add_writer_notes, _commit, _stage_text, report_paths
from sanitas.core.io import check_destination
from sanitas.core.io.batch_writer import BatchWriter, streams
from sanitas.core.io.csv_batches import csv_batches
from sanitas.core.io.staging import StagedFiles
from sanitas.core.keys import KeyRing
from sanitas.core.memory import give_back_memory
from sanitas.core.privacy.metrics.risk import risk_report
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress
from sanitas.core.recipe import Recipe
from sanitas.core.recipe_check import check_recipe, plan_view, resolve_plan
from sanitas.core.release import Release
from sanitas.core.release_risk import ReleaseRisk, released_quasi_identifiers
from sanitas.core.report import build_report, render_html, render_json
from sanitas.core.residual_stream import OriginalsBuilder, ResidualStream, fetch_texts, identifier_columns
from sanitas.core.settings import Settings, load_settings
from sanitas.core.step_registry import steps_in
from sanitas.core.steps.protocol import BatchRelease, StepContext
from sanitas.core.streamed_columns import ColumnStream, better_witness, column_streams, why_not_per_batch, witness_expr
from sanitas.core.transforms.base import TransformContext
from sanitas.core.transforms.registry import get_transform

BATCH_ROWS = 50_000
BYTES_PER_ROW = 256  # a CSV batch is read as a block of about BATCH_ROWS * this many bytes
RISK_COMPACT = 1_000_000  # class rows gathered before they are merged


@dataclass
class FileRelease:
    """A release for its file: the Release, the export's result, and whether it was streamed.

    Under ``hold`` the files are not in place yet (``export`` is None): ``finish`` puts them there (the
    streamed release's staged files, or the in-memory release written now), ``discard`` drops them.
    """

    release: Release
    export: ExportResult | None
    streamed: bool
    fallback: str | None = None  # why the in-memory path ran instead
    pending: Pending | None = None
    write: dict[str, Any] | None = None  # export_release's arguments for an in-memory release held

    def finish(self, progress: Progress | None = None, cancel: CancelToken | None = None) -> ExportResult:
        from sanitas.core.export import export_release

        if self.export is None:
            if self.pending is not None:
                self.export = self.pending.commit()
            else:
                assert self.write is not None
                self.export = export_release(self.release, progress=progress, cancel=cancel, **self.write)
        return self.export

    def discard(self) -> None:
        if self.pending is not None and self.export is None:
            self.pending.discard()


@dataclass
class Pending:
    """A streamed release whose files are staged, complete, and not yet in place: ``commit`` renames them
    (reports first, data file last), ``discard`` removes them. What the workbench holds while the analyst
    decides whether to export a release with residual findings."""

    release: Release
    result: ExportResult
    staged: StagedFiles
    out_path: Path

    def commit(self) -> ExportResult:
        try:
            _commit(self.staged, self.out_path)
        finally:
            self.staged.__exit__(None, None, None)
        return self.result

    def discard(self) -> None:
        self.staged.__exit__(None, None, None)


class NotStreamed(Exception):
    """The recipe or the output needs the in-memory path; ``scan`` is kept so it is not done twice."""

    def __init__(self, reason: str, scan: ScanResult | None = None) -> None:
        super().__init__(reason)
        self.reason, self.scan = reason, scan


def release_to_file(
    dataset: Dataset, recipe: Recipe, out_path: str | Path, *, recipe_path: Path | None = None,
    recipe_dir: Path | None = None, scan: ScanResult | None = None, settings: Settings | None = None,
    key_files: dict[str, Path] | None = None, strict: bool = False, reads: dict[Path, str] | None = None,
    progress: Progress | None = None, cancel: CancelToken | None = None, streamed: bool = True,
    batch_rows: int = BATCH_ROWS, hold: bool = False,
) -> FileRelease:
    """Run ``recipe`` on ``dataset`` and write the release at ``out_path`` with its reports (under ``hold``:
    ready to write, see ``FileRelease.finish``)."""
    from sanitas.core.engine import run

    progress = progress or no_progress
    settings = settings or load_settings()
    reason = "the in-memory path was asked for"
    if streamed:
        try:
            pending = stream_release(
                dataset, recipe, out_path, recipe_path=recipe_path, recipe_dir=recipe_dir, scan=scan,
                settings=settings, key_files=key_files, strict=strict, reads=reads, progress=progress,
                cancel=cancel, batch_rows=batch_rows, hold=hold)
            return FileRelease(pending.release, None if hold else pending.result, streamed=True, pending=pending)
        except NotStreamed as exc:
            reason, scan = exc.reason, exc.scan or scan
    release = run(dataset, recipe, recipe_dir=recipe_dir, scan=scan, settings=settings, key_files=key_files,
                  progress=sub_progress(progress, 0, 0.9), cancel=cancel)
    write = {"out_path": out_path, "recipe_path": recipe_path, "strict": strict, "reads": reads}
    done = FileRelease(release, None, streamed=False, fallback=reason, write=write)
    if not hold:
        done.finish(progress=sub_progress(progress, 0.9, 1.0), cancel=cancel)
    return done


def why_not_streamed(recipe: Recipe, out_path: Path) -> str | None:
    """What keeps this release from being streamed, before anything is read (None: nothing)."""
    steps = steps_in(recipe)
    if len(steps) > 1:
        return f"the recipe has dataset-level steps ({', '.join(s.name for s, _ in steps)}), which read the whole table"
    for step, section in steps:  # a step may offer to run batch by batch (k-anonymity's global recoding)
        why = step.why_not_per_batch(section, plan_view(recipe))
        if why:
            return f"the recipe has dataset-level steps ({step.name}) that read the whole table here: {why}"
    if not streams(out_path):
        return f"{out_path.suffix or 'this'} output is not written batch by batch (only CSV and TSV are)"
    for name, plan in recipe.columns.items():
        why = why_not_per_batch(name, plan)
        if why:
            return why
    return None


def stream_release(
    dataset: Dataset, recipe: Recipe, out_path: str | Path, *, recipe_path: Path | None = None,
    recipe_dir: Path | None = None, scan: ScanResult | None = None, settings: Settings | None = None,
    key_files: dict[str, Path] | None = None, strict: bool = False, reads: dict[Path, str] | None = None,
    progress: Progress | None = None, cancel: CancelToken | None = None, batch_rows: int = BATCH_ROWS,
    hold: bool = False,
) -> Pending:
    """The streamed release (see the module's docstring), committed unless ``hold`` (then the caller
    commits or discards the returned Pending); NotStreamed when it must run in memory."""
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    settings = settings or load_settings()
    out_path = Path(out_path).expanduser().absolute()
    why = why_not_streamed(recipe, out_path)
    if why:
        raise NotStreamed(why, scan)
    if not out_path.parent.is_dir():
        raise ExportError(f"{out_path}: the folder {out_path.parent} does not exist; create it first.")
    guarded = {Path(recipe_path): "the recipe"} if recipe_path is not None else {}
    check_destination(out_path, dataset.source, reads={**guarded, **(reads or {})})
    timings: dict[str, float] = {}
    schema = dataset.schema
    check_recipe(recipe, schema, dataset.name, key_overrides=set(key_files or ()))

    started = time.perf_counter()
    scan, notes = release_scan(dataset, recipe, scan, settings, progress, cancel)
    timings["scan"] = time.perf_counter() - started
    findings = {f.name: f for f in scan.columns}
    plan = resolve_plan(recipe, list(schema), findings)
    decisions = decide_all(plan, plan, findings)
    for name, column_plan in plan.items():  # unlisted columns get the policy's action
        why = why_not_per_batch(name, column_plan)
        if why:
            raise NotStreamed(why, scan)
    try:
        return _stream(dataset, recipe, out_path, plan, decisions, findings, scan, notes, timings,
                       recipe_path=recipe_path, recipe_dir=recipe_dir, settings=settings, key_files=key_files,
                       strict=strict, progress=progress, cancel=cancel, batch_rows=batch_rows, hold=hold)
    except TransformError as exc:  # counts in a message would be a batch's: the in-memory path says it whole
        raise NotStreamed(f"a column action stopped on a batch ({type(exc).__name__})", scan) from None
    except READ_ERRORS as exc:  # the in-memory path recovers (a column re-read as text) or explains it
        raise NotStreamed(f"the reader stopped on a batch ({type(exc).__name__})", scan) from None


def _stream(dataset: Dataset, recipe: Recipe, out_path: Path, plan: dict[str, Any], decisions: dict[str, Any],
            findings: dict[str, Any], scan: ScanResult, notes: list[str], timings: dict[str, float], *,
            recipe_path: Path | None, recipe_dir: Path | None, settings: Settings,
            key_files: dict[str, Path] | None, strict: bool, progress: Progress, cancel: CancelToken,
            batch_rows: int, hold: bool) -> Pending:
    schema = dataset.schema
    dataset.check()  # the reader's full-file checks, as collect() runs them
    cancel.raise_if_cancelled()
    columns = column_streams(plan, schema, findings, decisions)
    keyring = KeyRing(recipe.keys, recipe_dir, key_files)
    entities = {name: d.entity for name, d in decisions.items()}

    def context(name: str, shared: dict[str, Any]) -> TransformContext:
        return TransformContext(column=name, entity=entities[name], seed=recipe.seed, locale=recipe.locale,
                                keys=keyring, shared=shared, progress=no_progress, cancel=cancel,
                                column_entities=entities, settings=settings)

    # 1. first pass: identifier values, witnesses, rows
    started = time.perf_counter()
    progress(0.3, "Reading the identifier columns")
    ahead = _planned_outcomes(columns)
    identifiers = identifier_columns(ahead)
    witnessed = [c for c in columns if c.how == "witness"]
    builder = OriginalsBuilder(identifiers) if identifiers else None
    rows = _first_pass(dataset, identifiers, witnessed, builder, batch_rows, cancel)
    if rows == 0:
        raise NotStreamed("the input has no rows", scan)
    originals = builder.done() if builder is not None else None
    row_bytes = _row_bytes(dataset, rows)
    give_back_memory()
    timings["read"] = time.perf_counter() - started
    stepped = _batch_step(dataset, recipe, decisions, scan, rows, timings, recipe_dir=recipe_dir, settings=settings,
                          progress=progress, cancel=cancel, batch_rows=batch_rows)

    # 2. second pass: the column actions, batch by batch, to the staged file
    started = time.perf_counter()
    out_schema = {c.name: get_transform(c.plan.action)(c.plan.params).output_dtype(c.dtype)
                  for c in columns if c.how != "drop"}
    out_schema.update(stepped.schema if stepped else {})
    out_rows = stepped.rows if stepped else rows
    residual = ResidualStream(ahead, originals, builder.texts_kept if builder else True, schema, out_schema, out_rows,
                              settings=settings)
    qis = released_quasi_identifiers(pl.DataFrame(schema=out_schema), decisions, stepped.declared if stepped else [],
                                     set())
    classes = _Classes(qis)
    html_path, json_path = report_paths(out_path)
    report_timings: dict[str, float] = {}
    staged = StagedFiles().__enter__()  # left by commit or discard (Pending), or here on any error
    writer: BatchWriter | None = None
    stop_residual = residual.close  # its second opinion may be running in a worker thread
    try:
            writer = BatchWriter(staged, out_path, input_path=dataset.source)
            written = 0.0
            offset = out_offset = 0
            bar = sub_progress(progress, 0.35, 0.9)
            for batch in _batches(dataset, batch_rows, row_bytes=row_bytes):
                cancel.raise_if_cancelled()
                bar(offset / rows, f"Applying the column actions to rows {offset + 1:,}-{offset + batch.height:,}")
                outputs = []
                for column in columns:
                    series = column.apply(batch.get_column(column.name), context(column.name, {}))
                    if series is not None:
                        outputs.append(series)
                output = pl.DataFrame(outputs)
                if stepped:
                    output = stepped.apply(batch, output, offset)
                residual.add(batch, output, out_offset)
                classes.add(output)
                mark = time.perf_counter()
                writer.write(output)
                written += time.perf_counter() - mark
                offset += batch.height
                out_offset += output.height
                del batch, outputs, output
            staged_data = writer.close()
            give_back_memory()
            report_timings["write"] = written
            timings["apply"] = time.perf_counter() - started - written
            if offset != rows:
                raise NotStreamed(f"the batches held {offset:,} rows, the first pass {rows:,}", scan)

            shared: dict[str, Any] = {}
            outcomes = [column.outcome(context(column.name, shared)) for column in columns]
            shared.clear()
            for column in columns:
                column.forget()
            started = time.perf_counter()
            residual.outcomes = outcomes
            check = residual.finish(
                findings=findings,
                fetch=lambda wanted: fetch_texts(_batches(dataset, batch_rows, identifiers, row_bytes), identifiers,
                                                 wanted),
                progress=sub_progress(progress, 0.9, 0.97), cancel=cancel)
            timings["residual_check"] = time.perf_counter() - started
            del residual, originals, builder
            give_back_memory()
            steps = {}
            if stepped:
                started = time.perf_counter()
                steps[stepped_name(recipe)] = stepped.finish()
                timings[stepped_name(recipe)] += time.perf_counter() - started
            risk = classes.risk(threshold=recipe.risk_threshold or settings.risk_threshold, source=dataset.name,
                                sampling_fraction=stepped.sampling_fraction if stepped else None)
            if recipe.schema_fingerprint and recipe.schema_fingerprint != dataset.schema_fingerprint():
                notes.append(f"The recipe was written for a dataset with another column layout (schema "
                             f"{recipe.schema_fingerprint}; {dataset.name} has {dataset.schema_fingerprint()}): check "
                             "that every column's action still fits.")
            release = Release(dataset=dataset, recipe=recipe, scan=scan, frame=None, outcomes=outcomes, residual=check,
                              input_rows=rows, timings=timings, settings=settings, steps=steps, notes=notes, risk=risk,
                              shape=(out_rows, len(out_schema)), key_sources=keyring.describe())
            cancel.raise_if_cancelled()
            progress(0.97, "Writing the report")
            withheld = None
            if strict and not check.clean:
                withheld = (f"--strict: the residual check found {check.blocking_count} finding(s); "
                            f"{out_path.name} was not written.")
                staged.forget(staged_data)
            report = build_report(release, output_path=None if withheld else staged_data,
                                  output_format=out_path.suffix.lstrip(".").lower(), recipe_path=recipe_path,
                                  timings=report_timings, withheld_reason=withheld)
            if report.output is not None:
                report.output.name = out_path.name
            _add_writer_notes(report, writer.notes)
            _stage_text(staged, json_path, render_json(report))
            _stage_text(staged, html_path, render_html(report))
            cancel.raise_if_cancelled()
    except BaseException:
        stop_residual()
        if writer is not None:
            writer.abort()  # its worker thread may still be writing the last batch
        staged.__exit__(None, None, None)
        raise
    result = ExportResult(output=None if withheld else out_path, report_html=html_path, report_json=json_path,
                          report=report, notes=list(writer.notes.values()))
    pending = Pending(release=release, result=result, staged=staged, out_path=out_path)
    if hold:
        return pending
    pending.commit()
    progress(1.0, "Export done")
    return pending


def stepped_name(recipe: Recipe) -> str:
    return steps_in(recipe)[0][0].name


def _batch_step(dataset: Dataset, recipe: Recipe, decisions: dict[str, Any], scan: ScanResult, rows: int,
                timings: dict[str, float], *, recipe_dir: Path | None, settings: Settings, progress: Progress,
                cancel: CancelToken, batch_rows: int) -> BatchRelease | None:
    """The recipe's dataset-level step ready for the batches (``DatasetStep.per_batch``), or None."""
    steps = steps_in(recipe)
    if not steps:
        return None
    step, section = steps[0]
    started = time.perf_counter()
    context = StepContext(source_name=dataset.name, plan=plan_view(recipe, settings.risk_threshold),
                          decisions=decisions, recipe_dir=recipe_dir,
                          settings=settings, progress=sub_progress(progress, 0.3, 0.35), cancel=cancel)
    try:
        stepped = step.per_batch(section, context,
                                 lambda names: _batches(dataset, batch_rows, names, _row_bytes(dataset, rows)), rows)
    except SanitasError as exc:  # its message (counts, no solution) is the in-memory path's to say
        raise NotStreamed(f"{step.title} stopped on the streamed pass ({type(exc).__name__})", scan) from None
    timings[step.name] = time.perf_counter() - started
    return stepped


def _planned_outcomes(columns: list[ColumnStream]) -> list[Any]:
    """Each column's outcome as far as it is known before the batches (kind, action, generated or kept)."""
    from sanitas.core.outcome import ColumnOutcome

    outcomes = []
    for c in columns:
        cls = get_transform(c.plan.action)
        outcomes.append(ColumnOutcome(name=c.name, dtype=str(c.dtype), action=c.plan.action, params={},
                                      finding=c.finding, entity=c.decision.entity, kind=c.decision.kind,
                                      corrected=c.decision.corrected, generates_values=cls.generates_values,
                                      removed=cls.removes_column, output_dtype=None, kept_as_is=cls.keeps_values))
    return outcomes


def _batches(dataset: Dataset, size: int, columns: list[str] | None = None,
             row_bytes: int = BYTES_PER_ROW) -> Iterator[pl.DataFrame]:
    """The input a batch at a time: a CSV by blocks of about ``size`` rows of ``row_bytes`` parsed on demand
    (no read-ahead, see io.csv_batches), other inputs through polars' streaming engine."""
    blocks = csv_batches(dataset.backing, dataset.frame.collect_schema(), columns,
                         block_bytes=max(size * row_bytes, 4096))
    if blocks is not None:
        yield from blocks
        return
    frame = dataset.frame if columns is None else dataset.frame.select(columns)
    yield from frame.collect_batches(chunk_size=size, maintain_order=True)


def _row_bytes(dataset: Dataset, rows: int) -> int:
    """The input file's bytes per row, at most BYTES_PER_ROW: a narrow table's blocks then hold about
    ``batch_rows`` rows, not four times as many (63-byte rows were read 200,000 a block)."""
    try:
        size = Path(dataset.source).stat().st_size
    except (OSError, TypeError):
        return BYTES_PER_ROW
    return max(16, min(BYTES_PER_ROW, size // max(rows, 1)))


def _first_pass(dataset: Dataset, identifiers: list[str], witnessed: list[ColumnStream],
                builder: OriginalsBuilder | None, size: int, cancel: CancelToken) -> int:
    """Rows of the input; feeds ``builder`` and finds each witnessed column's witness."""
    if not identifiers and not witnessed:
        return dataset.row_count()
    names = list(dict.fromkeys([*identifiers, *(c.name for c in witnessed)]))
    rows = 0
    for batch in _batches(dataset, size, names):
        cancel.raise_if_cancelled()
        rows += batch.height
        if builder is not None:
            builder.add(batch.select(identifiers))
        if witnessed:
            found = batch.select(witness_expr(c.name, c.plan, c.dtype).alias(c.name) for c in witnessed).row(0)
            for column, candidate in zip(witnessed, found, strict=True):
                column.witness = better_witness(column.plan, column.witness, candidate)
    return rows


class _Classes:
    """Sizes of the released quasi-identifier classes, counted batch by batch on two 64-bit hashes of
    each row's values (16 bytes per class, whatever the values); merged with numpy (a sort of the
    hashes, not a hash table of them: polars' group_by of a million classes took about 150 MiB)."""

    def __init__(self, qis: list[str]) -> None:
        self.qis = qis
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pending = 0
        self.rows = 0

    def add(self, output: pl.DataFrame) -> None:
        self.rows += output.height
        if not self.qis or not output.height:
            return
        key = pl.struct(self.qis)
        counted = output.select(key.hash(1).alias("a"), key.hash(2).alias("b")).group_by("a", "b").len()
        self.parts.append((counted.get_column("a").to_numpy(), counted.get_column("b").to_numpy(),
                           counted.get_column("len").to_numpy().astype(np.int64)))
        self.pending += counted.height
        if self.pending > RISK_COMPACT:
            self.parts = [self._merged()]
            self.pending = 0  # counts what came since (more classes than RISK_COMPACT: not merged per batch)

    def _merged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            empty = np.zeros(0, dtype=np.uint64)
            return empty, empty, np.zeros(0, dtype=np.int64)
        a, b, n = (np.concatenate([part[i] for part in self.parts]) for i in range(3))
        if not a.size:
            return a, b, n
        order = np.argsort(a)  # by the first hash; by both only when two classes share it (rare)
        a, b, n = a[order], b[order], n[order]
        same_a = a[1:] == a[:-1]
        if bool((same_a & (b[1:] != b[:-1])).any()):
            order = np.lexsort((b, a))
            a, b, n = a[order], b[order], n[order]
            same_a = a[1:] == a[:-1]
        del order
        starts = np.flatnonzero(np.concatenate(([True], ~(same_a & (b[1:] == b[:-1])))))
        return a[starts], b[starts], np.add.reduceat(n, starts)

    def risk(self, *, threshold: float, source: str, sampling_fraction: float | None = None) -> ReleaseRisk:
        """``release_risk`` of the whole output (no k_anonymity section: nothing declared, nothing noised)."""
        if not self.qis:
            return ReleaseRisk(judged=False, threshold=threshold,
                               note="No quasi-identifier is released (none detected or declared, or all were removed "
                                    "or noised), so records cannot be singled out by combining them.")
        sizes = self._merged()[2]
        self.parts = []
        classes = pl.DataFrame({"class": np.repeat(np.arange(sizes.size, dtype=np.uint32), sizes)})
        report = risk_report(classes, ["class"], threshold=threshold, source=source,
                             sampling_fraction=sampling_fraction)
        figures = report.json_dict()
        figures["quasi_identifiers"] = list(self.qis)
        return ReleaseRisk(judged=True, threshold=threshold, quasi_identifiers=self.qis, figures=figures,
                           at_risk=report.prosecutor_risk.highest > threshold,
                           note=f"Risk of the released file over {', '.join(self.qis)}.")


__all__ = ["BATCH_ROWS", "FileRelease", "NotStreamed", "Pending", "release_to_file", "stream_release",
           "why_not_streamed"]
