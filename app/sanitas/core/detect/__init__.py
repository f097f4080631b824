"""PII detection: offline Presidio set-up, column classification, cell-level free-text scans.

Importing this package is cheap: Presidio and spaCy load on the first scan that needs them.
"""

from __future__ import annotations

from sanitas.core.detect import offline  # noqa: F401  (first: no network, no torch for spaCy)
from sanitas.core.detect.cells import scan_cells
from sanitas.core.detect.classify import classify_frame
from sanitas.core.detect.engine import AnalyzerInfo, get_analyzer
from sanitas.core.detect.findings import (
    CellFinding,
    ColumnFinding,
    ColumnKind,
    EntityScore,
    Evidence,
    ScanResult,
)
from sanitas.core.detect.masking import mask_example
from sanitas.core.detect.scan import scan_dataset

__all__ = [
    "AnalyzerInfo",
    "CellFinding",
    "ColumnFinding",
    "ColumnKind",
    "EntityScore",
    "Evidence",
    "ScanResult",
    "classify_frame",
    "get_analyzer",
    "mask_example",
    "scan_cells",
    "scan_dataset",
]
