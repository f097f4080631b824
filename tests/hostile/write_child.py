"""Child process for the interrupt tests: writes one large release (data file + two reports) the way
``export_release`` does (staged temp files, reports renamed first, the data file last).

Usage: python write_child.py OUT ROWS. Exits 130 on Ctrl-C, like the `sanitas` command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from sanitas.core.io.staging import StagedFiles
from sanitas.core.io.writers import report_paths, stage_table


def main() -> int:
    out, rows = Path(sys.argv[1]), int(sys.argv[2])
    frame = pl.select(
        id=pl.int_range(rows),
        name=pl.lit("someone-") + pl.int_range(rows).cast(pl.String),
        amount=pl.int_range(rows) * 0.25,
    )
    try:
        with StagedFiles() as staged:
            stage_table(staged, frame, out)
            html, json = report_paths(out)
            staged.text(json, f'{{"rows": {rows}}}\n')
            staged.text(html, f"<p>{rows} rows</p>\n")
            staged.commit()
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
