"""Column types a text or spreadsheet format cannot hold: refused by name, or written as text and said.

Polars refuses durations in CSV, panics on binary in JSON (a Rust panic, printed on stderr), and
xlsxwriter refuses time-zone-aware datetimes. Checked before writing, each gets a message naming the
column, or a lossless text form with a note for the report: a duration as ISO 8601 (P1DT2H), an
aware datetime as ISO 8601 with its offset (Excel has no time zones).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanitas.core.errors import ExportError

TEXT_FORMATS = ("csv", "tsv", "xlsx", "json", "ndjson")
FLAT_FORMATS = ("csv", "tsv", "xlsx")


def fit_types(path: Path, frame: pl.DataFrame, kind: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """``frame`` ready for ``kind``, with a note per column written differently; ExportError if impossible."""
    notes: dict[str, str] = {}
    if kind not in TEXT_FORMATS:
        return frame, notes
    rewrites: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if kind in FLAT_FORMATS and (dtype.is_nested() or dtype == pl.Object):
            raise ExportError(
                f"{path.name}: column '{name}' holds {dtype.base_type()} values, which {path.suffix} cannot "
                "store. Export as Parquet or JSON, or drop or flatten the column."
            )
        if dtype == pl.Binary or dtype == pl.Object or "Binary" in str(dtype):  # also binary inside a list
            raise ExportError(
                f"{path.name}: column '{name}' holds binary values, which {path.suffix} cannot store. Export as "
                "Parquet, or drop the column (or give it an action that makes text of it)."
            )
        if isinstance(dtype, pl.Duration) and kind in FLAT_FORMATS:
            rewrites.append(pl.col(name).dt.to_string("iso"))
            notes[name] = (f"column '{name}' (durations) is written as ISO 8601 text such as P1DT2H in the "
                           f"{kind.upper()}.")
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None and kind == "xlsx":
            rewrites.append(pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%S%.f%:z"))
            notes[name] = (f"column '{name}' (date-times in time zone {dtype.time_zone}) is written as ISO 8601 text "
                           "with its offset in the XLSX, which has no time zones.")
    return (frame.with_columns(rewrites) if rewrites else frame), notes
