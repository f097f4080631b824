"""The `sanitas risk` sub-command: re-identification risk of a file, as a table or JSON.

Parsing and printing only; the numbers come from sanitas.core.privacy.metrics.risk.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING

from sanitas.cli.commands import dataset_options, open_input

if TYPE_CHECKING:  # the core (polars) is imported when the command runs, not when `sanitas --help` does
    from sanitas.core.privacy.metrics.risk import RiskReport


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def add_risk(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "risk", help="re-identification risk, k, l and class sizes of a file",
        description="Group the records by their quasi-identifiers and report k (smallest class), sample "
                    "uniques, l-diversity of the sensitive columns and the prosecutor, journalist and "
                    "marketer risks (ARX's definitions). Without --population or --sampling-fraction the "
                    "file is taken to be the whole population.")
    dataset_options(parser)
    parser.add_argument("--quasi-identifiers", "--qi", required=True, metavar="A,B,C",
                        help="comma-separated quasi-identifier columns")
    parser.add_argument("--sensitive", metavar="S[,T]", help="comma-separated sensitive columns (for l)")
    model = parser.add_mutually_exclusive_group()
    model.add_argument("--population", type=int, metavar="N", help="size of the population the file samples")
    model.add_argument("--sampling-fraction", type=float, metavar="F", help="share of the population in the file")
    parser.add_argument("--threshold", type=float, default=0.2, metavar="T",
                        help="a record is at risk above this risk (0.2: classes smaller than 5)")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(handler=run_risk)


def run_risk(args: argparse.Namespace) -> int:
    from sanitas.core.privacy.metrics.risk import RiskInputError, risk_report

    qis = _names(args.quasi_identifiers)
    sensitive = _names(args.sensitive or "")
    if not qis:
        raise RiskInputError("--quasi-identifiers: name at least one column, e.g. --quasi-identifiers age,zip,sex.")
    dataset = open_input(args)
    columns = dataset.columns
    missing = [c for c in dict.fromkeys(qis + sensitive) if c not in columns]
    if missing:
        raise RiskInputError(f"{dataset.name}: no column {', '.join(repr(c) for c in missing)}. "
                           f"Available columns: {', '.join(columns)}.")
    # Read only the columns the analysis needs, through the Dataset so read errors name the file and line.
    needed = list(dict.fromkeys(qis + sensitive))
    frame = dataclasses.replace(dataset, frame=dataset.frame.select(needed)).collect().select(needed)
    report = risk_report(frame, qis, sensitive, population=args.population, sampling_fraction=args.sampling_fraction,
                         threshold=args.threshold, source=dataset.name)
    if args.json:
        json.dump({"file": dataset.name, **report.json_dict()}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    _print_report(dataset.name, report)
    return 0


LABEL_WIDTH = 21  # the label column of the facts above the risk table, at least


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{x:.3%}"


def _print_report(name: str, report: RiskReport) -> None:
    n = report.records
    print(f"{name}: {n:,} records in {report.classes:,} equivalence classes of "
          f"{', '.join(report.quasi_identifiers)} (average size {report.average_class_size:.1f})")
    facts = [("k (smallest class)", f"{report.k:,}"),
             ("sample uniques", f"{report.sample_uniques:,} ({_pct(report.sample_uniqueness)} of records)")]
    facts += [(f"l of {d.column}", f"distinct {d.distinct_l:,}, entropy {d.entropy_l:.2f}") for d in report.diversity]
    if report.population is not None:
        facts.append(("population", f"{report.population:,} (sampling fraction {report.sampling_fraction:.4g})"))
    elif report.sampling_fraction != 1:
        facts.append(("sampling fraction", f"{report.sampling_fraction:.4g}"))
    facts.append(("population model", report.population_model))
    width = max(LABEL_WIDTH, *(len(label) + 2 for label, _ in facts))  # a long column name never runs into its value
    for label, value in facts:
        print(f"{label:<{width}}{value}")
    print()
    header = f"records at risk (> {report.threshold:g})"
    print(f"{'RISK':<12}{'HIGHEST':>9}{'AVERAGE':>10}  {header}")
    for label, risk in (("prosecutor", report.prosecutor_risk), ("journalist", report.journalist_risk)):
        print(f"{label:<12}{_pct(risk.highest):>9}{_pct(risk.average):>10}  "
              f"{risk.records_at_risk:,} ({_pct(risk.share_at_risk)})")
    marketer = report.marketer_risk
    print(f"{'marketer':<12}{_pct(marketer.highest):>9}{_pct(marketer.average):>10}  "
          f"{marketer.expected_reidentified:,.1f} records expected re-identified")
    print()
    print(f"{'CLASS SIZE':<12}{'CLASSES':>10}{'RECORDS':>12}")
    for bucket in report.histogram:
        print(f"{bucket.label:<12}{bucket.classes:>10,}{bucket.records:>12,}  {_pct(bucket.records / n if n else 0)}")
