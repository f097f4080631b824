"""Compare the lattice search with ARX's own published optima on ARX's adult extract.

    .venv/bin/python bench/compare_arx_adult.py --data path/to/adult.csv
    .venv/bin/python bench/compare_arx_adult.py --uci path/to/adult.data

ARX's JUnit suite (github arx-deidentifier/arx: ``TestAnonymizationKAnonymity``,
``TestAnonymizationLDiversity``, ``TestAnonymizationTCloseness``) anonymizes its ``adult.csv`` (30,162
rows, ``;``-separated: sex, age, race, marital-status, education, native-country, workclass, occupation,
salary-class) with the hierarchies in tests/support/arx-hierarchies/adult, and asserts the transformation
it finds. This script runs the same configurations with Sanitas and prints both side by side: every
column a quasi-identifier under k-anonymity; occupation sensitive (the rest quasi-identifiers) under
entropy l-diversity, equal-distance t-closeness and hierarchical t-closeness. ARX's cases that set
"practical monotonicity" (an ARX speed-up that may miss the optimum) are left out.

The data is not in this repository. Either pass ARX's ``data/adult.csv``, or the UCI Adult training file
``adult.data`` (32,561 rows, comma-separated, no header): ARX's file is that file without the 2,399 rows
that have a '?' and with ARX's nine columns in ARX's order, which ``--uci`` rebuilds (the result has
exactly the 2,486,772 characters of ARX's file).

Loss: ARX's monotonic non-uniform entropy counts a suppressed record at its generalized value; Sanitas
charges it as '*' in every quasi-identifier (what a removed record loses). "generalized" below is
Sanitas's figure without that charge, ARX's definition; with 0% suppression the two are the same.
Discernibility is defined alike in both.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import ROOT  # offline guard, isolated settings

HIERARCHIES = ROOT / "tests" / "support" / "arx-hierarchies" / "adult"
COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
SENSITIVE = "occupation"
WITHOUT_SENSITIVE = [c for c in COLUMNS if c != SENSITIVE]


@dataclass(frozen=True)
class ArxCase:
    """One of ARX's JUnit cases: its configuration, and the levels (in quasi-identifier order) and loss it asserts."""

    name: str
    config: dict[str, Any]
    levels: list[int] | None  # None: ARX finds no solution
    loss: float


def _cases() -> list[ArxCase]:
    cases = []
    for (k, limit), levels, loss in [((5, 0.04), [1, 0, 1, 1, 3, 2, 2, 0, 1], 255559.85455731067),
                                     ((100, 0.04), [1, 1, 1, 1, 3, 2, 2, 1, 1], 379417.3460570988),
                                     ((5, 0.0), [1, 2, 1, 1, 3, 2, 2, 1, 1], 407289.5388925293),
                                     ((100, 0.0), [0, 4, 1, 1, 3, 2, 2, 1, 1], 453196.8932458743)]:
        cases.append(ArxCase(f"k={k}, {limit:.0%}, entropy", {"quasi_identifiers": COLUMNS, "k": k,
                             "suppression_limit": limit, "metric": "non_uniform_entropy"}, levels, loss))
    occupation = {"quasi_identifiers": WITHOUT_SENSITIVE, "sensitive": [SENSITIVE]}
    for l_value, limit, levels, loss in [(5, 0.04, [1, 0, 1, 1, 2, 2, 2, 1], 228878.2039109519),
                                         (5, 0.0, [1, 1, 1, 1, 3, 2, 2, 1], 324620.5269918695),
                                         (100, 0.04, None, 0.0), (100, 0.0, None, 0.0)]:
        cases.append(ArxCase(f"entropy {l_value}-diversity, {limit:.0%}, entropy",
                             {**occupation, "l_diversity": {"variant": "entropy", "l": l_value},
                              "suppression_limit": limit, "metric": "non_uniform_entropy"}, levels, loss))
    for k, limit, levels, loss in [(5, 0.04, [1, 4, 1, 0, 3, 2, 2, 1], 3.11880088e8),
                                   (100, 0.04, [1, 4, 1, 0, 3, 2, 2, 1], 3.11880088e8),
                                   (5, 0.0, [1, 4, 1, 1, 3, 2, 2, 1], 4.56853172e8),
                                   (100, 0.0, [1, 4, 1, 1, 3, 2, 2, 1], 4.56853172e8)]:
        cases.append(ArxCase(f"k={k} + equal 0.2-closeness, {limit:.0%}, discernibility",
                             {**occupation, "k": k, "t_closeness": {"variant": "equal", "t": 0.2},
                              "suppression_limit": limit, "metric": "discernibility"}, levels, loss))
    for k, limit, levels, loss in [(5, 0.04, [1, 4, 0, 0, 3, 2, 2, 1], 377622.78458729305),
                                   (100, 0.04, [1, 4, 1, 0, 3, 1, 2, 1], 390436.40440636466),
                                   (5, 0.0, [0, 4, 1, 1, 3, 2, 2, 1], 398400.0741806447),
                                   (100, 0.0, [0, 4, 1, 1, 3, 2, 2, 1], 398400.0741806447)]:
        cases.append(ArxCase(f"k={k} + hierarchical 0.2-closeness, {limit:.0%}, entropy",
                             {**occupation, "k": k, "t_closeness": {"variant": "hierarchical", "t": 0.2},
                              "suppression_limit": limit, "metric": "non_uniform_entropy"}, levels, loss))
    return cases


UCI_COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
               "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
               "salary-class"]


def arx_layout_from_uci(path: Path) -> str:
    """ARX's adult.csv from UCI's adult.data: complete rows only, ARX's nine columns, ';'-separated."""
    lines = [";".join(COLUMNS)]
    for line in path.read_text().splitlines():
        fields = [f.strip() for f in line.split(",")]
        if len(fields) == len(UCI_COLUMNS) and "?" not in fields:
            row = dict(zip(UCI_COLUMNS, fields, strict=True))
            lines.append(";".join(row[c] for c in COLUMNS))
    return "\n".join(lines) + "\n"


def main() -> None:
    import io

    import polars as pl

    from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
    from sanitas.core.privacy.k_anonymity.anonymize import AnonymizationConfig, AnonymizationError, anonymize, prepare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="ARX's data/adult.csv")
    source.add_argument("--uci", type=Path, help="UCI's adult.data (rebuilt into ARX's layout)")
    args = parser.parse_args()
    text = args.data.read_text() if args.data else arx_layout_from_uci(args.uci)
    frame = pl.read_csv(io.StringIO(text), separator=";", infer_schema=False)
    hierarchies = {c: read_arx_csv(HIERARCHIES / f"adult_hierarchy_{c}.csv", column=c) for c in COLUMNS}
    print(f"{frame.height:,} rows, {len(text):,} characters; columns {', '.join(frame.columns)}")
    cases = _cases()
    agree = 0
    for case in cases:
        config = {**case.config, "hierarchies": hierarchies}
        if case.config.get("t_closeness", {}).get("variant") == "hierarchical":
            config["sensitive_hierarchies"] = {SENSITIVE: hierarchies[SENSITIVE]}
        start = time.perf_counter()
        try:
            result = anonymize(frame, config)
        except AnonymizationError:
            seconds = time.perf_counter() - start
            same = case.levels is None
            agree += same
            print(f"{case.name:<52} ARX: no solution | Sanitas: no solution ({seconds:.2f} s) "
                  f"{'same' if same else 'DIFFERENT'}")
            continue
        seconds = time.perf_counter() - start
        qis = config["quasi_identifiers"]
        ours = [result.levels[c] for c in qis]
        loss = prepare(frame, AnonymizationConfig.parse(config))[0].loss
        generalized = (f"{sum(float(loss.totals[i][level]) for i, level in enumerate(ours)):,.2f}"
                       if config["metric"] != "discernibility" else "n/a")
        same = ours == case.levels
        agree += same
        print(f"{case.name:<52} ARX {case.levels} loss {case.loss:,.2f} | Sanitas {ours} generalized "
              f"{generalized}, with suppression {result.loss:,.2f}; {int(result.suppressed.sum()):,} "
              f"suppressed; {seconds:.2f} s ({result.stats.strategy}, {result.stats.nodes_evaluated}/"
              f"{result.stats.nodes_total} nodes) {'same' if same else 'DIFFERENT'}")
    print(f"RESULT {agree}/{len(cases)} results equal to ARX's")

if __name__ == "__main__":
    main()
