"""Findings a recipe records for the file it was planned on, so `apply` need not scan it again.

`sanitas plan` scans the file and writes the recipe from the findings; `apply` on the same bytes would
repeat that scan (seconds on a large file) only to get the same findings. The recipe keeps them with
the SHA-256 of the input file; a release on a file with the same fingerprint and columns reuses them
and says so in the report, any other file is scanned as usual. No sampled values are kept (the
findings' masked examples are left out), only entities, scores and shares.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sanitas.core.detect.findings import ColumnFinding, ScanResult
from sanitas.core.io.fingerprint import fingerprint_file


class RecordedFindings(BaseModel):
    """The scan a recipe was written from, tied to the exact input bytes."""

    model_config = ConfigDict(extra="forbid")

    input_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file that was scanned")
    rows: int = Field(ge=0)
    sample_size: int = Field(ge=1)
    model: str | None = None
    columns: list[ColumnFinding] = Field(default_factory=list)


def record_findings(scan: ScanResult, source: Path) -> RecordedFindings:
    """What a recipe keeps of ``scan`` of the file ``source`` (no examples)."""
    return RecordedFindings(
        input_sha256=fingerprint_file(source), rows=scan.rows, sample_size=scan.sample_size, model=scan.model,
        columns=[finding.model_copy(update={"examples": []}) for finding in scan.columns],
    )


def reused_scan(recorded: RecordedFindings | None, source: Path | None, name: str,
                columns: list[str]) -> tuple[ScanResult | None, str | None]:
    """The recorded findings as a ScanResult when ``source`` is the file they were recorded for (same
    SHA-256, same columns); otherwise None and, when the recipe had findings, why they were not used."""
    if recorded is None:
        return None, None
    if source is None:
        return None, "The recipe's recorded findings were not used: the input is not a file; it was scanned."
    if fingerprint_file(source) != recorded.input_sha256 or [c.name for c in recorded.columns] != columns:
        return None, (f"The recipe's recorded findings are for another file (SHA-256 {recorded.input_sha256[:12]}…), "
                      f"not {name}: it was scanned.")
    note = (f"Findings reused from the recipe: recorded by `sanitas plan` on this exact file (SHA-256 "
            f"{recorded.input_sha256[:12]}…, {recorded.rows:,} rows, sample of {recorded.sample_size}); "
            "the scan was skipped.")
    return ScanResult(file=name, rows=recorded.rows, columns=list(recorded.columns), sample_size=recorded.sample_size,
                      model=recorded.model, notes=[note]), None
