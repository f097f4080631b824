"""Cell-level detection over every cell of each free-text column (the sampled scan sees only a sample).

One function for the CLI's ``scan --full-text`` and the workbench's "Scan every free-text cell".
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from sanitas.core.dataset import Dataset
from sanitas.core.detect.cells import scan_cells
from sanitas.core.detect.findings import ColumnKind, ScanResult
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, sub_progress


class FullTextColumn(BaseModel):
    cells: int = Field(description="non-empty cells read")
    cells_with_personal_data: int
    entities: dict[str, int] = Field(description="entity -> cells holding it, most frequent first")


def full_text_scan(dataset: Dataset, scan: ScanResult, *, settings=None, progress: Progress | None = None,
                   cancel: CancelToken | None = None) -> dict[str, FullTextColumn]:
    """Every free-text column of ``scan``, read whole (streaming) and searched cell by cell."""
    progress, cancel = progress or no_progress, cancel or NEVER_CANCELLED
    columns = [f.name for f in scan.columns if f.kind is ColumnKind.FREE_TEXT]
    summary: dict[str, FullTextColumn] = {}
    for i, name in enumerate(columns):
        cancel.raise_if_cancelled()
        values = dataset.frame.select(name).collect(engine="streaming").get_column(name)
        found = scan_cells(values, settings=settings, cancel=cancel,
                           progress=sub_progress(progress, i / len(columns), (i + 1) / len(columns)))
        cells: dict[str, set[int]] = {}
        for hit in found:
            cells.setdefault(hit.entity, set()).add(hit.row)
        summary[name] = FullTextColumn(
            cells=values.len() - values.null_count(), cells_with_personal_data=len({hit.row for hit in found}),
            entities={e: len(rows) for e, rows in sorted(cells.items(), key=lambda kv: -len(kv[1]))},
        )
    return summary
