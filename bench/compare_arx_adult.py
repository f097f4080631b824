"""Compare the lattice search with ARX's own published optimum on ARX's adult extract.

    .venv/bin/python bench/compare_arx_adult.py --data path/to/adult.csv

ARX's JUnit suite (github arx-deidentifier/arx, ``TestAnonymizationKAnonymity.java`` and
``TestDataTransformationsFromFileKAnonymity.java``) anonymizes its ``adult.csv`` (30,162 rows,
``;``-separated: sex, age, race, marital-status, education, native-country, workclass, occupation,
salary-class; every column a quasi-identifier with the hierarchies in tests/support/arx-hierarchies/adult)
under k-anonymity and the monotonic non-uniform entropy metric, and asserts the transformation it finds.
This script runs the same configurations with Sanitas and prints both transformations side by side.

The data file is not in this repository (it is ARX's; fetch it from ARX's repository, ``data/adult.csv``,
on a machine with a network, and pass its path). The small ARX cases that fit in a test are checked on
every run by tests/core/test_arx_reference_cases.py.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import ROOT  # offline guard, isolated settings

HIERARCHIES = ROOT / "tests" / "support" / "arx-hierarchies" / "adult"
COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
# (k, suppression limit) -> ARX's transformation (levels in COLUMNS order) and ARX's loss value, printed for
# reference only: ARX's entropy figures depend on its version's log base and suppression accounting.
ARX_CASES = {
    (5, 0.04): ([1, 0, 1, 1, 3, 2, 2, 0, 1], 255559.85455731067),
    (100, 0.04): ([1, 1, 1, 1, 3, 2, 2, 1, 1], 379417.3460570988),
    (5, 0.0): ([1, 2, 1, 1, 3, 2, 2, 1, 1], 407289.5388925293),
    (100, 0.0): ([0, 4, 1, 1, 3, 2, 2, 1, 1], 453196.8932458743),
}


def main() -> None:
    import polars as pl

    from sanitas.core.privacy.anonymize import anonymize
    from sanitas.core.privacy.hierarchy import Hierarchy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="ARX's data/adult.csv")
    args = parser.parse_args()
    frame = pl.read_csv(args.data, separator=";", infer_schema=False)
    hierarchies = {c: Hierarchy.from_arx_csv(HIERARCHIES / f"adult_hierarchy_{c}.csv", column=c) for c in COLUMNS}
    print(f"{frame.height:,} rows; columns {', '.join(frame.columns)}")
    agree = 0
    for (k, limit), (arx_levels, arx_loss) in ARX_CASES.items():
        start = time.perf_counter()
        result = anonymize(frame, {"quasi_identifiers": COLUMNS, "hierarchies": hierarchies, "k": k,
                                   "suppression_limit": limit, "metric": "non_uniform_entropy"})
        seconds = time.perf_counter() - start
        ours = [result.levels[c] for c in COLUMNS]
        same = ours == arx_levels
        agree += same
        print(f"k={k:<3} suppression {limit:.0%}: ARX {arx_levels} (loss {arx_loss:,.1f})  Sanitas {ours} "
              f"(loss {result.loss:,.1f}, {int(result.suppressed.sum()):,} suppressed, {seconds:.2f} s, "
              f"{result.stats.strategy}) {'same' if same else 'DIFFERENT'}")
    print(f"RESULT {agree}/{len(ARX_CASES)} transformations equal to ARX's")


if __name__ == "__main__":
    main()
