"""``sanitas apply --engine spark``: the apply command's run on Spark (parsing stays in cli/commands.py).

Ctrl-C cancels the running Spark job (``cancelAllJobs``) and removes the half-written output folder;
the exit code is 130 as for the in-process engine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sanitas.core.export import files_read
from sanitas.core.keys import check_overrides
from sanitas.core.progress import Cancelled, CancelToken, Progress
from sanitas.core.recipe import load_recipe
from sanitas.core.settings import Settings


def run_apply_spark(args: argparse.Namespace, settings: Settings, key_files: dict[str, Path],
                    progress: Progress) -> int:
    from sanitas.spark.engine import run_on_spark
    from sanitas.spark.export import export_spark
    from sanitas.spark.io import check_output
    from sanitas.spark.session import spark_session

    started = time.perf_counter()
    recipe = load_recipe(args.recipe)
    check_overrides([*recipe.keys, *recipe.key_names_used().values()], key_files)
    source = args.file.expanduser().absolute()
    output = args.output.expanduser().absolute()
    reads = files_read(recipe, recipe_path=args.recipe, key_files=key_files)
    kind = check_output(output, source, reads)
    cancel = CancelToken()
    master = args.master or settings.spark_master
    with spark_session(master) as spark:
        try:
            result = run_on_spark(spark, source, recipe, master=master, recipe_dir=args.recipe.parent,
                                  settings=settings, key_files=key_files, delimiter=args.delimiter,
                                  progress=progress, cancel=cancel)
            try:
                exported = export_spark(result, source, output, kind, recipe_path=args.recipe, strict=args.strict,
                                        cancel=cancel)
            finally:
                result.close()
        except KeyboardInterrupt:
            cancel.cancel()
            spark.sparkContext.cancelAllJobs()
            raise Cancelled() from None
    residual = result.release.residual
    if exported.output is not None:
        print(f"Wrote {exported.output}/ ({result.coverage.rows:,} rows, {len(result.output_schema)} columns, "
              f"{exported.part_files} part file(s))")
    else:
        print(f"Withheld {args.output}: not written (--strict and residual findings)")
    print(f"Report: {exported.report_html}")
    print(f"        {exported.report_json}")
    print(result.coverage.sentence())
    if residual.clean:
        print("Residual check: clean.")
    else:
        print(f"Residual check: {residual.blocking_count} finding(s):", file=sys.stderr)
        for hit in residual.value_hits:
            print(f"  - column '{hit.column}': {hit.count:,} cell(s) hold original values of '{hit.source_column}' "
                  f"({hit.match}), rows {', '.join(str(r) for r in hit.rows)}", file=sys.stderr)
        for finding in residual.findings:
            if finding.blocking:
                print(f"  - column '{finding.column}': {finding.entity or finding.kind.value} in "
                      f"{finding.share:.0%} of sampled values", file=sys.stderr)
    risk = result.release.risk
    if risk is not None and risk.judged and risk.at_risk:
        print(f"Warning: re-identification risk is high over {', '.join(risk.quasi_identifiers)} "
              "(see the report).", file=sys.stderr)
    print(f"Done on Spark ({master}) in {time.perf_counter() - started:.1f} s.")
    if args.strict and not residual.clean:
        return 3
    return 0


__all__ = ["run_apply_spark"]
