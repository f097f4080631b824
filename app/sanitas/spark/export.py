"""Write a Spark release: the part files in a hidden folder, the reports, then the folder into place.

The report is the core's (``build_report``, ``render_html``, ``render_json``) fed with the Release the
Spark run made; the input and output facts describe folders (SHA-256 over the part files in name
order), and an ``engine`` block says where it ran and what the residual check covered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sanitas.core.io import fingerprint_file, report_paths
from sanitas.core.io.staging import StagedFiles
from sanitas.core.progress import NEVER_CANCELLED, CancelToken
from sanitas.core.report import PrivacyReport, build_report, render_html, render_json
from sanitas.core.report.model import FileFacts
from sanitas.spark.engine import SparkRelease
from sanitas.spark.io import folder_facts, input_format, stage_output
from sanitas.spark.residual import ROW


@dataclass
class SparkExport:
    output: Path | None
    report_html: Path
    report_json: Path
    report: PrivacyReport
    part_files: int = 0


def export_spark(result: SparkRelease, source: Path, out: Path, kind: str, *, recipe_path: Path | None = None,
                 strict: bool = False, cancel: CancelToken = NEVER_CANCELLED) -> SparkExport:
    release = result.release
    html_path, json_path = report_paths(out)
    withheld = None
    staged = None
    timings: dict[str, float] = {}
    if strict and not release.residual.clean:
        withheld = (f"--strict: the residual check found {release.residual.blocking_count} finding(s); "
                    f"{out.name} was not written.")
    else:
        started = time.perf_counter()
        staged = stage_output(result.frame.drop(ROW), out, kind)
        timings["write"] = time.perf_counter() - started
    try:
        cancel.raise_if_cancelled()
        report = build_report(release, output_path=None, output_format=kind, recipe_path=recipe_path, timings=timings,
                              withheld_reason=withheld)
        parts = 0
        if staged is not None:
            digest, size, parts = folder_facts(staged.temp)
            report.output = FileFacts(name=out.name, format=f"{kind} folder", sha256=digest, bytes=size,
                                      rows=result.coverage.rows, columns=len(result.output_schema))
        report.input = _input_facts(source, release.input_rows, len(release.outcomes))
        report.status_reason += " " + result.coverage.sentence()
        report.environment["pyspark"] = _version("pyspark")
        report.engine = {  # type: ignore[attr-defined]  # PrivacyReport allows extra fields
            "name": "spark", "master": result.master, "partitions": result.partitions, "part_files": parts,
            "residual": {"exact_rows_checked": result.coverage.rows, "partitions": result.coverage.partitions,
                         "sampled_rows": result.coverage.sampled_rows},
        }
        with StagedFiles() as files:
            files.text(json_path, render_json(report))
            files.text(html_path, render_html(report))
            cancel.raise_if_cancelled()
            files.commit()
        if staged is not None:
            staged.commit()
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    return SparkExport(output=out if staged is not None else None, report_html=html_path, report_json=json_path,
                       report=report, part_files=parts)


def _input_facts(source: Path, rows: int, columns: int) -> FileFacts:
    kind = input_format(source)
    if source.is_dir():
        digest, size, _ = folder_facts(source)
        return FileFacts(name=source.name, format=f"{kind} folder", sha256=digest, bytes=size, rows=rows,
                         columns=columns)
    return FileFacts(name=source.name, format=kind, sha256=fingerprint_file(source), bytes=source.stat().st_size,
                     rows=rows, columns=columns)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"
