"""Atomic writers for the sanitized table: CSV/TSV, Parquet, XLSX, JSON and NDJSON, by extension.

A half-written release is worse than none (a reader could take it for complete), so every format
is written to a hidden temp file in the destination folder, flushed to disk, and renamed over the
destination in one step. On any failure or cancel the temp file goes and an existing destination
is left as it was. Spreadsheet-bound formats get the formula-injection guard: a cell that starts
like a formula is prefixed with ``'`` so that opening the export does not run it (formula_guard.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from sanitas.core.dataset import READ_ERRORS
from sanitas.core.errors import ExportError, SanitasError
from sanitas.core.io.format_types import fit_types
from sanitas.core.io.formula_guard import count_formula_cells, guard_formulas
from sanitas.core.io.staging import StagedFiles
from sanitas.core.io.xlsx_writer import check_excel_limits, excel_ready, write_xlsx
from sanitas.core.progress import NEVER_CANCELLED, Cancelled, CancelToken, Progress, no_progress

WRITE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
GUARDED = ("csv", "tsv", "xlsx")
INPUT = "the input file"
__all__ = ["WRITE_FORMATS", "check_destination", "count_formula_cells", "folders_to_create", "guard_formulas",
           "report_paths", "write_table"]


def write_table(
    frame: pl.DataFrame,
    path: Path,
    *,
    input_path: Path | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    notes: dict[str, str] | None = None,
) -> Path:
    """Write ``frame`` to ``path`` atomically, in the format its extension names; return ``path``.

    ``notes`` receives, per column, what the format made the writer change (e.g. numbers as text in XLSX).
    """
    path = Path(path)
    with StagedFiles() as staged:
        stage_table(staged, frame, path, input_path=input_path, progress=progress, cancel=cancel, notes=notes)
        try:
            staged.commit()
        except OSError as exc:
            raise ExportError(f"{path}: could not be written ({exc.strerror}); nothing was changed.") from None
    (progress or no_progress)(1.0, f"Wrote {path.name}")
    return path


def stage_table(
    staged: StagedFiles,
    frame: pl.DataFrame,
    path: Path,
    *,
    input_path: Path | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    notes: dict[str, str] | None = None,
) -> Path:
    """Write ``frame`` in full to a temp file that ``staged.commit()`` renames over ``path``; return it."""
    path = Path(path)
    kind = _format_for(path)
    _check_path(path, {Path(input_path): INPUT} if input_path is not None else {})
    report, token = progress or no_progress, cancel or NEVER_CANCELLED
    token.raise_if_cancelled()
    frame, type_notes = fit_types(path, frame, kind)
    if notes is not None:
        notes.update(type_notes)
    if kind in GUARDED:
        frame = guard_formulas(frame)
    if kind == "xlsx":
        check_excel_limits(path, frame)
        frame, xlsx_notes = excel_ready(frame)
        if notes is not None:
            notes.update(xlsx_notes)
    report(0.0, f"Writing {path.name}")
    try:
        temp = staged.new(path, last=True)  # renamed after its reports
    except OSError as exc:
        raise ExportError(f"{path}: cannot create files in {path.parent} ({exc.strerror}).") from None
    try:
        _write(frame, temp, kind)
        report(0.9, f"Saving {path.name}")  # a GUI callback may raise Cancelled here: nothing is replaced
        token.raise_if_cancelled()
    except (Cancelled, SanitasError):
        raise
    except OSError as exc:
        raise ExportError(f"{path}: could not be written ({exc.strerror}); nothing was changed.") from None
    except (*READ_ERRORS, ValueError, TypeError) as exc:  # a polars panic too: a column this format cannot hold
        raise ExportError(
            f"{path}: could not be written as {kind} ({type(exc).__name__}: a column type this format "
            "cannot hold?); nothing was changed. Try Parquet, or drop the column."
        ) from None
    return temp


def report_paths(path: Path) -> tuple[Path, Path]:
    """Where a release's reports go: ``OUT.report.html`` and ``OUT.report.json``, beside ``OUT``."""
    return path.with_name(path.name + ".report.html"), path.with_name(path.name + ".report.json")


def check_destination(
    path: Path,
    input_path: Path | None = None,
    *,
    reads: Mapping[Path, str] | None = None,
    create_folders: bool = False,
) -> str:
    """Refuse a release destination before any work is done; return the output format.

    Refused: an unknown format; ``path`` or one of its reports (``report_paths``) being the input or
    one of ``reads``, the other files the run reads (recipe, hierarchy files, key files), each
    mapped to how to name it in the message; a folder in the way; a missing parent folder, unless
    ``create_folders`` (then only a file where a folder must be created is refused, see
    ``folders_to_create``). Paths are compared after resolving symlinks and ``..``.
    """
    if path.is_dir():  # before the format: `-o out/.` names the folder out, which has no extension
        raise ExportError(f"{path}: is a folder. Name a file, for example {path / 'sanitized.csv'}.")
    kind = _format_for(path)
    guarded = {Path(p): what for p, what in (reads or {}).items()}
    if input_path is not None:
        guarded = {Path(input_path): INPUT, **guarded}
    _check_path(path, guarded, create_folders=create_folders)
    for report in report_paths(path):
        _refuse_read(report, path, guarded)
        if report.is_dir():
            raise ExportError(f"{report}: is a folder, where the report of {path.name} goes. Move it, or choose "
                              "another output name.")
    return kind


def _check_path(path: Path, guarded: Mapping[Path, str], *, create_folders: bool = False) -> None:
    """The data file's own checks: not a file the run reads, not a folder, a folder to go in."""
    _refuse_read(path, path, guarded)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder. Name a file, for example {path / ('sanitized' + path.suffix)}.")
    if create_folders:
        folders_to_create(path)
    elif not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist. Create it first.")


def folders_to_create(path: Path) -> list[Path]:
    """The missing folders above ``path``, outermost first; an ExportError when a file is in the way."""
    missing: list[Path] = []
    folder = path.parent
    while not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            raise ExportError(f"{path}: cannot create the folder {folder}, because {folder} is a file, not a "
                              "folder. Choose another output path.")
        if folder.parent == folder:
            break
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _format_for(path: Path) -> str:
    kind = WRITE_FORMATS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(WRITE_FORMATS)
        raise ExportError(f"{path.name}: unknown output format '{path.suffix or '(none)'}'. Use one of: {supported}.")
    return kind


def _same_file(a: Path, b: Path) -> bool:
    """The same file: after resolving symlinks and ``..``, or by inode (a hard link) when both exist."""
    with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a symlink loop
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    return False


def _refuse_read(target: Path, output: Path, guarded: Mapping[Path, str]) -> None:
    """An ExportError when ``target`` (the output or one of its reports) is a file the run reads."""
    for source, what in guarded.items():
        if not _same_file(target, source):
            continue
        if what == INPUT and target == output:
            raise ExportError(
                f"{target}: is the input file. Sanitas never writes over its input; choose another output name."
            )
        written = "the output" if target == output else f"the report of {output.name}"
        raise ExportError(
            f"{target}: is {what}, which this run reads; writing {written} there would replace it. "
            "Sanitas never writes over the files it reads; choose another output name."
        )


def _write(frame: pl.DataFrame, temp: Path, kind: str) -> None:
    if kind in ("csv", "tsv"):
        frame.write_csv(temp, separator="\t" if kind == "tsv" else ",")
    elif kind == "parquet":
        frame.write_parquet(temp)
    elif kind == "json":
        frame.write_json(temp)
    elif kind == "ndjson":
        frame.write_ndjson(temp)
    else:
        write_xlsx(frame, temp)
