"""The scan, plan and apply sub-commands: argument parsing and printing only, the work is the core's."""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from sanitas.cli.progress import TerminalProgress
from sanitas.core.errors import SanitasError
from sanitas.core.settings import Settings, load_settings, with_overrides


def dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV/TSV, Parquet, Excel (.xlsx), JSON or NDJSON file")
    parser.add_argument("--delimiter", help="CSV field delimiter (detected when omitted)")
    parser.add_argument("--encoding", help="text encoding, e.g. utf-8, latin-1 (detected when omitted)")
    parser.add_argument("--sheet", help="Excel sheet name (the first sheet when omitted)")
    parser.add_argument("--header-row", type=header_row, metavar="N",
                        help="the line (CSV/TSV) or sheet row (Excel) that names the columns, from 1; the lines "
                             "above it, such as a title, are skipped (1 when omitted)")


def header_row(value: str) -> int:
    """--header-row N: a line number from 1, refused with a message that says what it is."""
    try:
        row = int(value)
    except ValueError:
        row = 0
    if row < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a line number: give the line that holds the column "
                                         "names, counted from 1 (the first line)")
    return row


def read_flags(args: argparse.Namespace) -> str:
    """The file and the read options that were given, for a suggested next command that must read the
    file the same way (without --header-row 3 the next command would read the title as the header)."""
    words = [str(args.file)]
    for flag in ("delimiter", "encoding", "sheet", "header_row"):
        value = getattr(args, flag, None)
        if value is not None:
            words += [f"--{flag.replace('_', '-')}", str(value)]
    return shlex.join(words)


def _detect_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", type=int, metavar="N", help="non-null values sampled per column (1000)")
    parser.add_argument("--model", help="installed spaCy model for names and places, or 'none'")
    parser.add_argument("--recognizers", type=Path, metavar="FILE",
                        help="YAML file of custom recognizers (deny-lists and regexes)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def _settings(args: argparse.Namespace) -> Settings:
    """The settings with this command's options, validated like the settings file (--sample 0 is refused)."""
    return with_overrides(load_settings(), sample_size=getattr(args, "sample", None),
                          spacy_model=getattr(args, "model", None) or None,
                          recognizers_file=getattr(args, "recognizers", None))


def open_input(args: argparse.Namespace):
    from sanitas.core.io import open_dataset

    return open_dataset(args.file, delimiter=args.delimiter, encoding=args.encoding, sheet=args.sheet,
                        header_row=args.header_row,
                        excel_limits=_settings(args).excel_limits())


def _scan(args: argparse.Namespace, settings: Settings, progress: TerminalProgress):
    from sanitas.core.detect import scan_dataset

    dataset = open_input(args)
    try:
        return dataset, scan_dataset(dataset, settings=settings, progress=progress)
    finally:
        progress.done()


# --- scan -------------------------------------------------------------------------------------------

def add_scan(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("scan", help="find personal data, column by column",
                            description="Classify every column on a sample of its values.")
    dataset_options(parser)
    _detect_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument("--examples", action="store_true", help="include a few masked example values")
    parser.add_argument("--full-text", action="store_true",
                        help="also scan every cell of the free-text columns (slow: spaCy reads each cell)")
    parser.set_defaults(handler=run_scan)


def scan_json(scan, examples: bool = False) -> dict[str, Any]:
    """The documented JSON shape of `sanitas scan --json`."""
    columns = []
    for f in scan.columns:
        entry: dict[str, Any] = {
            "name": f.name, "dtype": f.dtype, "kind": f.kind.value,
            "entities": [{"entity": e.entity, "score": round(e.score, 3), "share": round(e.share, 3),
                          "evidence": e.evidence.value} for e in f.entities],
            "reason": f.reason,
        }
        if examples:
            entry["examples"] = f.examples
        columns.append(entry)
    return {"file": scan.file, "rows": scan.rows, "sample_size": scan.sample_size, "model": scan.model,
            "notes": scan.notes, "columns": columns}


def full_text_scan(dataset, scan, settings: Settings, progress: TerminalProgress) -> dict[str, dict[str, Any]]:
    """Cell-level detection over every cell of each free-text column: cells hit per entity."""
    from sanitas.core.detect.full_text import full_text_scan as scan_every_cell

    summary = {name: column.model_dump() for name, column in
               scan_every_cell(dataset, scan, settings=settings, progress=progress).items()}
    progress.done()
    return summary


def run_scan(args: argparse.Namespace) -> int:
    settings = _settings(args)
    progress = TerminalProgress(False if args.quiet or args.json else None)
    dataset, scan = _scan(args, settings, progress)
    cells = full_text_scan(dataset, scan, settings, progress) if args.full_text else {}
    if args.json:
        data = scan_json(scan, args.examples)
        for column in data["columns"]:
            if column["name"] in cells:
                column["cells"] = cells[column["name"]]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    sampled = "every value read" if scan.rows <= scan.sample_size else f"{scan.sample_size:,} values sampled per column"
    print(f"{scan.file}: {scan.rows:,} rows, {len(scan.columns)} columns ({sampled}, {scan.seconds:.1f} s)")
    for note in scan.notes:
        print(f"note: {note}")
    rows = [("COLUMN", "TYPE", "KIND", "FINDINGS (score, share of values)")]
    for f in scan.columns:
        found = "; ".join(f"{e.entity} {e.score:.2f} {e.share:.0%}" for e in f.entities[:3]) or "-"
        if args.examples and f.examples:
            found += "   e.g. " + ", ".join(f.examples[:2])
        rows.append((f.name, f.dtype, f.kind.value, found))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")
    for name, facts in cells.items():
        found = ", ".join(f"{e} {n:,}" for e, n in facts["entities"].items()) or "nothing"
        print(f"\n{name}: {facts['cells_with_personal_data']:,} of {facts['cells']:,} cells hold personal data "
              f"(cells per entity: {found})")
    personal = sum(1 for f in scan.columns if f.is_personal)
    print(f"\n{personal} of {len(scan.columns)} columns hold personal data. "
          f"Next: sanitas plan {read_flags(args)} -o recipe.yaml")
    return 0


# --- plan -------------------------------------------------------------------------------------------

def add_plan(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("plan", help="write a suggested recipe from a scan",
                            description="Scan the file and write a recipe with one commented action per column.")
    dataset_options(parser)
    _detect_options(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, help="recipe file to write (.yaml or .json)")
    parser.add_argument("--seed", type=int, default=0, help="seed recorded in the recipe (0)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing recipe file")
    parser.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    from sanitas.core.plan import commented_recipe_yaml, suggest_recipe
    from sanitas.core.recipe import dump_recipe, save_recipe
    from sanitas.core.recipe_destination import check_recipe_destination
    from sanitas.core.settings import settings_path

    settings = _settings(args)
    # Before the scan: never over the input, the recognizers or the settings file, whatever --force says.
    reads = {settings_path(): "the settings file"}
    if settings.recognizers_file is not None:
        reads[Path(settings.recognizers_file).expanduser()] = "the custom recognizers file"
    args.output = check_recipe_destination(args.output, input_path=Path(args.file).expanduser(), reads=reads,
                                           force=args.force)
    dataset, scan = _scan(args, settings, TerminalProgress(False if args.quiet else None))
    recipe, comments = suggest_recipe(scan, seed=args.seed)
    recipe.schema_fingerprint = dataset.schema_fingerprint()
    if dataset.source is not None:  # apply on the same file reuses these findings instead of scanning again
        from sanitas.core.recorded_findings import record_findings

        recipe.findings = record_findings(scan, dataset.source)
    if args.output.suffix.lower() == ".json":
        text = dump_recipe(recipe, "json")
    else:
        header = [f"Sanitas recipe suggested by `sanitas plan` for {dataset.name} "
                  f"({scan.rows:,} rows, {len(scan.columns)} columns).",
                  "Review every action before a release. Keys are referenced, never stored here:",
                  "set SANITAS_KEY (16+ random characters) or point 'keys.default' at a key file.", ""]
        text = commented_recipe_yaml(recipe, comments, header)
    try:
        save_recipe(recipe, args.output, text=text)
    except OSError as exc:
        raise SanitasError(f"{args.output}: cannot write the recipe ({exc.strerror}).") from None
    changed = sum(1 for p in recipe.columns.values() if p.action != "keep")
    print(f"Wrote {args.output}: {changed} of {len(recipe.columns)} columns get an action.")
    print(f"Next: sanitas apply {read_flags(args)} --recipe {shlex.quote(str(args.output))} -o OUTPUT")
    return 0


# --- apply ------------------------------------------------------------------------------------------

def add_apply(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("apply", help="run a recipe and write the sanitized file and its report",
                            description="Apply a recipe; write OUT atomically, with OUT.report.html and "
                                        "OUT.report.json beside it.")
    dataset_options(parser)
    _detect_options(parser)
    parser.add_argument("--recipe", "-r", type=Path, required=True, help="recipe file (.yaml or .json)")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="output file; format by extension: .csv .tsv .parquet .xlsx .json .ndjson")
    parser.add_argument("--strict", action="store_true",
                        help="withhold the output and exit 3 when the residual check finds personal data, "
                             "4 when a step's privacy check flags it (synthetic rows copying real ones)")
    parser.add_argument("--key-file", action="append", default=[], metavar="NAME=PATH",
                        help="read key NAME from PATH instead of the recipe's reference (repeatable)")
    parser.add_argument("--engine", choices=["local", "spark"], default="local",
                        help="local: in this process (default); spark: on Apache Spark (needs sanitas[spark]), "
                             "reading and writing Parquet or CSV folders")
    parser.add_argument("--master", metavar="URL",
                        help="Spark master for --engine spark (default: the settings' spark_master, local[*])")
    parser.set_defaults(handler=run_apply)


def _key_files(values: list[str]) -> dict[str, Path]:
    keys: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep:
            name, path = "default", value
        keys[name.strip()] = Path(path).expanduser()
    return keys


def run_apply(args: argparse.Namespace) -> int:
    from sanitas.core.export import files_read
    from sanitas.core.io import check_destination, folders_to_create
    from sanitas.core.keys import check_overrides
    from sanitas.core.recipe import load_recipe
    from sanitas.core.step_registry import STEPS
    from sanitas.core.streamed_release import release_to_file

    started = time.perf_counter()
    settings = _settings(args)
    if getattr(args, "engine", "local") == "spark":
        from sanitas.spark.cli import run_apply_spark

        if args.header_row not in (None, 1):
            raise SanitasError("--header-row does not apply to --engine spark, which reads the header from the "
                               "first line. Remove the title lines from the file, or use --engine local.")

        progress = TerminalProgress(False if args.quiet else None)
        try:
            return run_apply_spark(args, settings, _key_files(args.key_file), progress)
        finally:
            progress.done()
    recipe = load_recipe(args.recipe)
    dataset = open_input(args)
    output = args.output.expanduser().absolute()
    key_files = _key_files(args.key_file)
    check_overrides([*recipe.keys, *recipe.key_names_used().values()], key_files)
    reads = files_read(recipe, recipe_path=args.recipe, key_files=key_files)
    if settings.recognizers_file is not None:
        reads.setdefault(Path(settings.recognizers_file).expanduser(), "the custom recognizers file")
    # Refuse a bad destination before the work, not after: over the input, the recipe, a hierarchy
    # or key file, or under a file. Missing folders are created only once there is something to write.
    check_destination(output, dataset.source, reads=reads, create_folders=True)
    progress = TerminalProgress(False if args.quiet else None)
    try:
        # Streamed batch by batch when the recipe allows it (memory flat with the rows), in memory otherwise.
        created = _make_folders(folders_to_create(output))
        try:
            done = release_to_file(dataset, recipe, output, recipe_path=args.recipe, recipe_dir=args.recipe.parent,
                                   settings=settings, key_files=key_files, strict=args.strict, reads=reads,
                                   progress=progress)
        except BaseException:
            _remove_empty(created)
            raise
    finally:
        progress.done()
    release, result = done.release, done.export
    residual = release.residual
    if result.output is not None:
        rows, columns = release.output_shape
        print(f"Wrote {result.output} ({rows:,} rows, {columns} columns)")
    else:
        why = "residual findings" if not release.residual.clean else "the privacy check flagged it"
        print(f"Withheld {args.output}: not written (--strict and {why})")
    for note in result.notes:
        print(f"note: {note}")
    print(f"Report: {result.report_html}")
    print(f"        {result.report_json}")
    if residual.clean:
        print("Residual check: clean.")
    else:
        print(f"Residual check: {residual.blocking_count} finding(s):", file=sys.stderr)
        for hit in residual.value_hits:
            print(f"  - column '{hit.column}': {hit.count:,} cell(s) hold original values of "
                  f"'{hit.source_column}' ({hit.match}), rows {_rows(hit.rows)}", file=sys.stderr)
        for f in residual.findings:
            if f.blocking:
                print(f"  - column '{f.column}': {f.entity or f.kind.value} in {f.share:.0%} of sampled values, "
                      f"rows {_rows(f.rows)}", file=sys.stderr)
    if release.risk is not None and release.risk.judged:
        figures = release.risk.figures
        verdict = "AT RISK" if release.risk.at_risk else "below the threshold"
        print(f"Re-identification risk over {', '.join(release.risk.quasi_identifiers)}: highest prosecutor risk "
              f"{_risk_pct(figures['prosecutor_risk']['highest'])} (threshold {_risk_pct(release.risk.threshold)}, "
              f"{verdict}), "
              f"k = {figures['k']}, {figures['sample_uniqueness']:.1%} unique records.")
    elif release.risk is not None and not release.releases_real_records:
        print(f"Re-identification risk: {release.risk.note}")
    for note in release.notes:
        print(f"Warning: {note}", file=sys.stderr)
    for name, step_result in release.steps.items():
        print("\n".join(STEPS[name].summary(step_result.facts)))
    print(f"Done in {time.perf_counter() - started:.1f} s.")
    if args.strict and not residual.clean:
        return 3
    if args.strict and result.withheld:
        return 4  # a step's privacy check (main.EXIT_FLAGGED)
    return 0


def _make_folders(folders: list[Path]) -> list[Path]:
    """Create ``folders`` (outermost first); return those created, for ``_remove_empty`` on failure."""
    created: list[Path] = []
    for folder in folders:
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                _remove_empty(created)
                raise SanitasError(f"{folder}: exists and is not a folder; cannot write the output there.") from None
        except OSError as exc:
            _remove_empty(created)
            raise SanitasError(f"{folder}: cannot create the output folder ({exc.strerror}).") from None
        else:
            created.append(folder)
    return created


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this run created, innermost first, if nothing was written in them."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _risk_pct(share: float) -> str:
    """Three significant digits (20%, 12.1%, 33.3%): whole percents made 12.1% at risk of 12% look wrong."""
    return f"{share * 100:.3g}%"


def _rows(rows: list[int]) -> str:
    return ", ".join(f"{r:,}" for r in rows) if rows else "(see report)"


# --- gui --------------------------------------------------------------------------------------------

def add_gui(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("gui", help="open the workbench", description="Open the Sanitas workbench.")
    parser.add_argument("file", type=Path, nargs="?", help="dataset to open")
    parser.add_argument("--recipe", "-r", type=Path, help="recipe to open with it")
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    from sanitas.gui.app import run

    if args.file is not None and not args.file.exists():
        raise SanitasError(f"{args.file}: file not found.")
    return run(args.file.expanduser().absolute() if args.file else None,
               args.recipe.expanduser().absolute() if args.recipe else None)
