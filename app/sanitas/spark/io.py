"""Read and write tables the Spark way: a file or a folder of part files, Parquet or CSV.

The output is a folder with one file per partition (what any Spark or Hive job reads back). It is
written to a hidden folder beside its destination and renamed into place after the reports, so an
output never exists without its report and an interrupted run leaves nothing behind. CSV is read with
the schema the in-process reader infers from the (first) file, so both engines type columns alike.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sanitas.core.errors import ExportError, LoadError
from sanitas.core.io import open_dataset, report_paths
from sanitas.spark.types import spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}
SUCCESS = "_SUCCESS"


def _data_files(folder: Path) -> list[Path]:
    """Part files of a Spark-style folder (no _SUCCESS, .crc or hidden files), in name order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))
                  and p.suffix != ".crc")


def input_format(path: Path) -> str:
    """parquet or csv, from the file's extension or the part files of a folder."""
    if not path.exists():
        raise LoadError(f"{path}: no such file or folder.")
    files = _data_files(path) if path.is_dir() else [path]
    if not files:
        raise LoadError(f"{path}: the folder holds no data files (Parquet or CSV part files).")
    kinds = {FORMATS.get(f.suffix.lower()) for f in files}
    if len(kinds) != 1 or None in kinds:
        raise LoadError(f"{path}: the Spark engine reads Parquet or CSV files (or a folder of one of them); "
                        f"found {', '.join(sorted({f.suffix or f.name for f in files}))}.")
    return kinds.pop() or "parquet"


def read_input(spark: SparkSession, path: Path, *, delimiter: str | None = None) -> DataFrame:
    kind = input_format(path)
    if kind == "parquet":
        return spark.read.parquet(str(path))
    first = _data_files(path)[0] if path.is_dir() else path
    sep = delimiter or ("\t" if first.suffix.lower() == ".tsv" else ",")
    # The in-process reader's types (zero-led codes as text, dates as dates): both engines agree.
    schema = spark_schema(open_dataset(first, format="csv", delimiter=sep).schema)
    return (spark.read.option("header", True).option("sep", sep).option("quote", '"').option("escape", '"')
            .option("mode", "FAILFAST").option("multiLine", True).schema(schema).csv(str(path)))


@dataclass
class StagedOutput:
    """The output folder being written: a hidden sibling of ``final`` until ``commit``."""

    final: Path
    kind: str
    temp: Path

    def commit(self) -> None:
        old = None
        if self.final.exists():
            old = self.final.with_name(f".{self.final.name}.old-{uuid.uuid4().hex[:8]}")
            self.final.rename(old)
        self.temp.rename(self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)


def output_format(out: Path) -> str:
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ExportError(f"{out}: the Spark engine writes a folder of Parquet or CSV part files; name the output "
                          "with .parquet or .csv (for example out/customers.parquet).")
    return kind


def check_output(out: Path, source: Path, reads: dict[Path, str]) -> str:
    """Refuse a destination before any work: over or inside the input, over a file the run reads, over a
    file or folder that is not an earlier Spark output."""
    kind = output_format(out)
    resolved, src = out.resolve(), source.resolve()
    if resolved == src or src in resolved.parents or resolved in src.parents:
        raise ExportError(f"{out}: is the input or overlaps it; choose an output outside {source}.")
    for path, what in reads.items():
        for target in (out, *report_paths(out)):
            if target.resolve() == Path(path).resolve():
                raise ExportError(f"{target}: is {what}; choose another output name.")
    if out.exists() and not (out.is_dir() and (out / SUCCESS).exists()):
        raise ExportError(f"{out}: exists and is not an earlier Spark output folder; move it or choose another name.")
    if not out.parent.is_dir():
        raise ExportError(f"{out}: the folder {out.parent} does not exist; create it first.")
    return kind


def stage_output(frame: DataFrame, out: Path, kind: str) -> StagedOutput:
    staged = StagedOutput(final=out, kind=kind, temp=out.with_name(f".{out.name}.sanitas-{uuid.uuid4().hex[:12]}"))
    writer = frame.write.mode("errorifexists")
    try:
        if kind == "parquet":
            writer.parquet(str(staged.temp))
        else:
            (writer.option("header", True).option("quote", '"').option("escape", '"')
             .option("dateFormat", "yyyy-MM-dd").csv(str(staged.temp)))
    except BaseException:
        staged.discard()
        raise
    return staged


def folder_facts(folder: Path) -> tuple[str, int, int]:
    """(SHA-256 over the part files in name order, total bytes, number of part files)."""
    digest = hashlib.sha256()
    size = 0
    files = _data_files(folder)
    for part in files:
        digest.update(part.name.encode() + b"\0")
        with open(part, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        size += part.stat().st_size
    return digest.hexdigest(), size, len(files)
