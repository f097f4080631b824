"""NDJSON / JSON Lines: one record per line, scanned lazily like CSV.

The first 64 KB is parsed line by line at open, so a bad record there is named exactly (line and
column). Later lines are parsed by polars when a step reads them; its errors carry only a character
offset, so the backing re-reads the file with Python's parser to name the line. A value that does
not fit the type inferred from the first 10,000 records widens that column instead of failing.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import polars as pl

from sanitas.core.dataset import Dataset
from sanitas.core.errors import LoadError
from sanitas.core.io.backing import FileBacking, read_or_explain
from sanitas.core.io.csv_sniff import SNIFF_BYTES
from sanitas.core.io.encoding import choose_encoding, locate_bad_byte, undecodable
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.io.transcode import transcode_to_utf8
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

INFER_ROWS = 10_000


def _record_error(name: str, line: int, text: str) -> LoadError | None:
    """A message for one line of NDJSON that is not a JSON object, else None."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return LoadError(
            f"{name}, line {line:,}, column {exc.colno:,}: invalid JSON ({exc.msg}). "
            "Each line must hold one complete record {...}."
        )
    except RecursionError:
        return LoadError(f"{name}, line {line:,}: the record nests lists or objects too deep to read "
                         "(hundreds of levels). Flatten it, or check that this is the data file.")
    if not isinstance(value, dict):
        return LoadError(f"{name}, line {line:,}: not a record; each line must hold one JSON object {{...}}.")
    return None


def _first_bad_line(name: str, lines: list[str]) -> LoadError | None:
    for number, text in enumerate(lines, start=1):
        if text.strip():
            error = _record_error(name, number, text)
            if error is not None:
                return error
    return None


class NdjsonBacking(FileBacking):
    kind = "JSON lines"

    def __init__(self, original: Path, path: Path, temp: TempFolder | None, options: dict[str, object]) -> None:
        super().__init__(original)
        self.path = path
        self.temp = temp  # keeps a transcoded copy alive as long as the Dataset
        self.options = options
        self.overrides: dict[str, pl.DataType] = {}
        self.inferred: dict[str, pl.DataType] = {}

    def scan(self) -> pl.LazyFrame:
        return pl.scan_ndjson(self.path, infer_schema_length=INFER_ROWS, schema_overrides=self.overrides or None)

    def recover(self, error: BaseException) -> pl.LazyFrame | None:
        """Find the scalar columns whose later values break their inferred type, and widen them."""
        if not isinstance(error, pl.exceptions.ComputeError) or "cannot parse" not in str(error):
            return None
        suspects = {
            name: dtype
            for name, dtype in self.inferred.items()
            if name not in self.overrides and (dtype.is_numeric() or dtype == pl.Boolean)
        }
        if not suspects:
            return None
        as_text = {name: pl.String() for name in suspects}
        probe = pl.scan_ndjson(
            self.path, infer_schema_length=INFER_ROWS, schema_overrides={**self.overrides, **as_text}
        )
        checks: list[pl.Expr] = []
        for name, dtype in suspects.items():
            value = pl.col(name)
            if dtype == pl.Boolean:
                fits = value.is_in(["true", "false"])
            else:
                fits = value.cast(dtype, strict=False).is_not_null()
            checks.append((value.is_not_null() & ~fits).any().alias(name))
            if dtype.is_integer():
                floats = value.cast(pl.Float64, strict=False).is_not_null()
                checks.append((value.is_not_null() & ~floats).any().alias(f"{name}\x00float"))
        flags = probe.select(checks).collect(engine="streaming").row(0, named=True)
        broken = [name for name in suspects if flags[name]]
        if not broken:
            return None
        for name in broken:
            numeric = suspects[name].is_integer() and not flags[f"{name}\x00float"]
            self.overrides[name] = pl.Float64() if numeric else pl.String()
        widened = self.options.setdefault("widened_columns", [])
        if isinstance(widened, list):
            widened.extend(broken)
        return self.scan()

    def explain_specific(self, error: BaseException) -> LoadError | None:
        text = str(error).lower()
        if "utf-8" in text or "utf8" in text:
            bad = locate_bad_byte(self.path, "utf-8")
            if bad is not None:
                return undecodable(self.original, "UTF-8", bad)
        if isinstance(error, pl.exceptions.PolarsError):
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        found = _record_error(self.original.name, number, line)
                        if found is not None:
                            return found
        return None


def open_ndjson(
    path: Path,
    *,
    encoding: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Dataset:
    """Scan an NDJSON file; non-UTF-8 or BOM-prefixed files are transcoded (polars rejects a BOM)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        probe = handle.read(SNIFF_BYTES)
    chosen = choose_encoding(path, probe, encoding, whole_file=size <= len(probe))
    text = codecs.getincrementaldecoder(chosen)(errors="replace").decode(probe, size <= len(probe))
    lines = text.split("\n")
    if size > len(probe):
        lines = lines[:-1]  # the last line of the sample may be cut
    error = _first_bad_line(path.name, lines)
    if error is not None:
        raise error
    temp = None
    read_path = path
    if chosen != "utf-8":
        temp = TempFolder()
        try:
            read_path = transcode_to_utf8(path, chosen, temp, progress=progress, cancel=cancel)
        except BaseException:
            temp.cleanup()
            raise
    options: dict[str, object] = {"encoding": chosen, "transcoded": temp is not None}
    backing = NdjsonBacking(path, read_path, temp, options)
    frame = backing.scan()
    backing.inferred = dict(read_or_explain(backing, frame.collect_schema))
    if not backing.inferred:
        raise LoadError(f"{path.name}: the records have no fields; there is nothing to load.")
    progress(1.0, "Opened")
    return Dataset(frame=frame, source=path, format="ndjson", options=options, backing=backing)
