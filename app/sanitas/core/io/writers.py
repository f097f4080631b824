"""Atomic writers for the sanitized table: CSV/TSV, Parquet, XLSX, JSON and NDJSON, by extension.

A half-written release is worse than none (a reader could take it for complete), so every format
is written to a hidden temp file in the destination folder, flushed to disk, and renamed over the
destination in one step. On any failure or cancel the temp file goes and an existing destination
is left as it was. Spreadsheet-bound formats get the formula-injection guard: a cell that starts
like a formula is prefixed with ``'`` so that opening the export does not run it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

import polars as pl

from sanitas.core.dataset import READ_ERRORS
from sanitas.core.errors import ExportError, SanitasError
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
FORMULA_START = r"^[=+\-@\t\r]"
EXCEL_MAX_ROWS = 1_048_575  # data rows under the header row
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL = 32_767
TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)


def guard_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells and column names that start with = + - @ tab or CR.

    Only text columns are touched (a negative number stays a number); categorical columns become
    text. The prefix is what spreadsheets themselves use to mark a cell as literal text.
    """
    exprs: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if not isinstance(dtype, TEXT_TYPES):
            continue
        text = pl.col(name).cast(pl.String)
        needs = frame.select(text.str.contains(FORMULA_START).any()).item()
        if needs:  # only columns with a risky cell are rewritten: the others are written from their own buffers
            exprs.append(pl.when(text.str.contains(FORMULA_START)).then(pl.lit("'") + text).otherwise(text).alias(name))
    guarded = frame.with_columns(exprs) if exprs else frame
    renames = {name: f"'{name}" for name in frame.columns if name[:1] in ("=", "+", "-", "@", "\t", "\r")}
    return guarded.rename(renames) if renames else guarded


def count_formula_cells(frame: pl.DataFrame) -> dict[str, int]:
    """How many cells per column ``guard_formulas`` would prefix (for the privacy report)."""
    counts: dict[str, int] = {}
    for name, dtype in frame.schema.items():
        if isinstance(dtype, TEXT_TYPES):
            hits = int(frame.get_column(name).cast(pl.String).str.contains(FORMULA_START).sum())
            if hits:
                counts[name] = hits
    return counts


def write_table(
    frame: pl.DataFrame,
    path: Path,
    *,
    input_path: Path | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write ``frame`` to ``path`` atomically, in the format its extension names; return ``path``."""
    path = Path(path)
    kind = check_destination(path, input_path)
    report, token = progress or no_progress, cancel or NEVER_CANCELLED
    token.raise_if_cancelled()
    if kind in GUARDED:
        _check_flat(path, frame)
        frame = guard_formulas(frame)
    if kind == "xlsx":
        _check_excel_limits(path, frame)
    report(0.0, f"Writing {path.name}")
    try:
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"{path}: cannot create files in {path.parent} ({exc.strerror}).") from None
    os.close(fd)
    temp = Path(temp_name)
    try:
        _write(frame, temp, kind)
        report(0.9, f"Saving {path.name}")  # a GUI callback may raise Cancelled here: nothing is replaced
        token.raise_if_cancelled()
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_folder(path.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        if isinstance(exc, Cancelled | SanitasError) or not isinstance(exc, Exception):
            raise
        if isinstance(exc, OSError):
            raise ExportError(f"{path}: could not be written ({exc.strerror}); nothing was changed.") from None
        if isinstance(exc, READ_ERRORS):
            raise ExportError(
                f"{path}: could not be written as {kind} ({type(exc).__name__}: a column type this format "
                "cannot hold?); nothing was changed. Try Parquet, or drop the column."
            ) from None
        raise
    report(1.0, f"Wrote {path.name}")
    return path


def check_destination(path: Path, input_path: Path | None = None) -> str:
    """Refuse a destination before any work is done: unknown format, the input itself, a folder,
    or a missing parent folder. Returns the output format."""
    kind = _format_for(path)
    _refuse_input(path, input_path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder. Name a file, for example {path / ('sanitized' + path.suffix)}.")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist. Create it first.")
    return kind


def _format_for(path: Path) -> str:
    kind = WRITE_FORMATS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(WRITE_FORMATS)
        raise ExportError(f"{path.name}: unknown output format '{path.suffix or '(none)'}'. Use one of: {supported}.")
    return kind


def _refuse_input(path: Path, input_path: Path | None) -> None:
    if input_path is None:
        return
    source = Path(input_path)
    same = path.resolve() == source.resolve()
    if not same and path.exists() and source.exists():
        with contextlib.suppress(OSError):
            same = os.path.samefile(path, source)
    if same:
        raise ExportError(
            f"{path}: is the input file. Sanitas never writes over its input; choose another output name."
        )


def _check_flat(path: Path, frame: pl.DataFrame) -> None:
    for name, dtype in frame.schema.items():
        if dtype.is_nested() or dtype == pl.Object:
            raise ExportError(
                f"{path.name}: column '{name}' holds {dtype.base_type()} values, which {path.suffix} cannot "
                "store. Export as Parquet or JSON, or drop or flatten the column."
            )


def _check_excel_limits(path: Path, frame: pl.DataFrame) -> None:
    if frame.height > EXCEL_MAX_ROWS or frame.width > EXCEL_MAX_COLUMNS:
        raise ExportError(
            f"{path.name}: {frame.height:,} rows x {frame.width:,} columns is more than an Excel sheet holds "
            f"({EXCEL_MAX_ROWS:,} x {EXCEL_MAX_COLUMNS:,}). Export as CSV or Parquet."
        )
    for name, dtype in frame.schema.items():
        if dtype == pl.String and frame.height:
            longest = frame.get_column(name).str.len_chars().max()
            if longest is not None and int(longest) > EXCEL_MAX_CELL:  # type: ignore[arg-type]
                raise ExportError(
                    f"{path.name}: column '{name}' has text longer than Excel's {EXCEL_MAX_CELL:,} characters "
                    "per cell, which Excel would cut. Export as CSV or Parquet."
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
        _write_xlsx(frame, temp)


def _write_xlsx(frame: pl.DataFrame, temp: Path) -> None:
    import xlsxwriter

    # xlsxwriter turns "=..." strings into formulas and "http..." into links unless told not to.
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
        "use_zip64": frame.estimated_size() > 1 << 30,
    }
    with xlsxwriter.Workbook(str(temp), options) as workbook:
        frame.write_excel(workbook=workbook, worksheet="data")


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
