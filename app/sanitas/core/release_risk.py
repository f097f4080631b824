"""Re-identification risk of every release, with or without a k_anonymity section.

Computed on the released table over the quasi-identifiers it still holds: those detected as such
(by kind, the analyst's correction included) and those a k_anonymity section declares. Columns released
only with DP noise count as not raw; pseudonymized or faked ones still link records (equal values stay
equal), so they count. A release without real records (whole-table synthetic data, aggregates) has no
record-level risk: it says so, and the step's own privacy figures stand in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.privacy.metrics.risk import RiskReport, risk_report


class ReleaseRisk(BaseModel):
    """The report's top-level ``risk``: the shape of ``sanitas risk --json`` plus what was judged and why."""

    judged: bool = Field(description="False when there was nothing to judge (see note)")
    note: str = ""
    threshold: float
    at_risk: bool = Field(default=False, description="highest prosecutor risk above the threshold")
    quasi_identifiers: list[str] = Field(default_factory=list)
    figures: dict[str, Any] = Field(default_factory=dict, description="RiskReport.json_dict() of the release")

    def json_dict(self) -> dict[str, Any]:
        """Flat, as `sanitas risk --json` prints it, with ``judged``, ``note``, ``threshold`` and ``at_risk``."""
        return {**self.figures, "judged": self.judged, "note": self.note, "threshold": self.threshold,
                "at_risk": self.at_risk, "quasi_identifiers": self.quasi_identifiers}


def released_quasi_identifiers(released: pl.DataFrame, decisions: Mapping[str, ColumnDecision],
                               declared: list[str], not_raw: set[str]) -> list[str]:
    detected = [name for name, d in decisions.items() if d.kind is ColumnKind.QUASI_IDENTIFIER]
    columns = set(released.columns)
    return [c for c in dict.fromkeys([*declared, *detected]) if c in columns and c not in not_raw]


def release_risk(released: pl.DataFrame | None, decisions: Mapping[str, ColumnDecision], *, declared: list[str],
                 not_raw: set[str], real_records: bool, threshold: float, source: str,
                 sampling_fraction: float | None = None, weight: str | None = None,
                 masked: bool = False) -> ReleaseRisk:
    """``weight``: ``released`` is one row per distinct combination of its columns with this column of
    record counts (what the Spark engine brings to the driver instead of the rows).
    ``masked``: the release used k-anonymity's mask suppression, so rows whose every judged quasi-identifier
    is '*' are suppressed records, not a class (as ARX counts them); see ``masked_rows``."""
    if released is None or not real_records:
        return ReleaseRisk(judged=False, threshold=threshold,
                           note="No real record is released (synthetic rows or aggregates): there is no "
                                "record-level re-identification risk to measure; see the step's own privacy figures.")
    qis = released_quasi_identifiers(released, decisions, declared, not_raw)
    if not qis:
        return ReleaseRisk(judged=False, threshold=threshold,
                           note="No quasi-identifier is released (none detected or declared, or all were removed or "
                                "noised), so records cannot be singled out by combining them.")
    if released.height == 0:
        return ReleaseRisk(judged=False, threshold=threshold, quasi_identifiers=qis, note="The release has no records.")
    suppressed = masked_rows(released, qis) if masked else None
    report: RiskReport = risk_report(released.select(qis + ([weight] if weight else [])), qis, threshold=threshold,
                                     source=source, sampling_fraction=sampling_fraction, weight=weight,
                                     suppressed=suppressed)
    note = f"Risk of the released file over {', '.join(qis)}."
    if report.suppressed:
        note += (f" The {report.suppressed:,} record(s) whose quasi-identifiers were all masked ('*') by suppression "
                 "are counted as suppressed, not as a class.")
    return ReleaseRisk(judged=True, threshold=threshold, quasi_identifiers=qis, figures=report.json_dict(),
                       at_risk=report.prosecutor_risk.highest > threshold, note=note)


def masked_rows(released: pl.DataFrame, qis: list[str]) -> pl.Series | None:
    """Rows whose every quasi-identifier is exactly '*': the records mask suppression withheld.

    None when every row is so: the step never suppresses everything, so such rows were generalized to the
    top level and are one genuine class (indistinguishable from masked ones, so they count together)."""
    mask = released.select(pl.all_horizontal([pl.col(q).cast(pl.String) == "*" for q in qis])
                           .fill_null(False)).to_series()
    return None if bool(mask.all()) else mask
