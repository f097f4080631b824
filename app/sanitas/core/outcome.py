"""What happened to one column in a release: the finding, the action, its figures (read by the residual check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanitas.core.detect.findings import ColumnFinding, ColumnKind


@dataclass
class ColumnOutcome:
    """What happened to one column: the finding behind it, the action taken, and its figures."""

    name: str
    dtype: str
    action: str
    params: dict[str, Any]
    finding: ColumnFinding | None
    entity: str | None
    kind: ColumnKind | None
    corrected: bool
    generates_values: bool
    removed: bool
    output_dtype: str | None
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    note: str | None = None
    kept_as_is: bool = False  # the action releases the values as read (keep)
