"""Write a release: the sanitized file (atomically, never over the input) and its report beside it.

``OUT`` gets ``OUT.report.html`` and ``OUT.report.json``. Under ``strict``, a release with residual
findings is withheld: the data file is not written (an existing file at OUT is left as it was) and
the report says why, so the analyst can see exactly where the personal data is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sanitas.core.errors import ExportError
from sanitas.core.io import check_destination
from sanitas.core.io import report_paths as _report_paths
from sanitas.core.io.recipe_paths import recipe_file
from sanitas.core.io.staging import StagedFiles
from sanitas.core.io.writers import stage_table
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from sanitas.core.recipe import Recipe
from sanitas.core.release import Release
from sanitas.core.report import PrivacyReport, build_report, render_html, render_json
from sanitas.core.step_registry import steps_in


@dataclass
class ExportResult:
    output: Path | None
    report_html: Path
    report_json: Path
    report: PrivacyReport
    notes: list[str] = field(default_factory=list)  # what the format made the writer change, per column

    @property
    def withheld(self) -> bool:
        return self.output is None


def report_paths(out_path: Path) -> tuple[Path, Path]:
    return _report_paths(out_path)


def files_read(
    recipe: Recipe,
    *,
    recipe_path: Path | None = None,
    recipe_dir: Path | None = None,
    key_files: dict[str, Path] | None = None,
) -> dict[Path, str]:
    """The files a release of ``recipe`` reads besides its input, each with how to name it in a message.

    The recipe file itself, the files its dataset-level steps read (ARX hierarchy files) and the key files
    (the recipe's and ``key_files``, the --key-file overrides); relative paths are relative to
    ``recipe_dir`` (by default the recipe's folder), as the release resolves them.
    ``check_destination(..., reads=files_read(...))`` refuses an output or report over any of them.
    """
    base = recipe_dir or (recipe_path.parent if recipe_path is not None else Path.cwd())

    def located(name: str) -> Path:
        return recipe_file(name, base)  # as the release and the key ring resolve it

    files: dict[Path, str] = {}
    if recipe_path is not None:
        files[Path(recipe_path)] = "the recipe"
    for step, section in steps_in(recipe):
        for name, what in step.files_read(section).items():
            files.setdefault(located(name), what)
    for name, key in recipe.keys.items():
        if key.file is not None:
            files.setdefault(located(key.file), f"the key file of key '{name}'")
    for name, path in (key_files or {}).items():
        files.setdefault(Path(path), f"the key file of key '{name}'")
    return files


def export_release(
    release: Release,
    out_path: str | Path,
    *,
    recipe_path: Path | None = None,
    strict: bool = False,
    reads: dict[Path, str] | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """Write the data file (unless withheld) and its two reports.

    Nothing is written over the input, the recipe, or ``reads`` (see ``files_read``): the data file
    and both reports are checked before the first byte is written.
    """
    progress = progress or no_progress
    cancel = cancel or NEVER_CANCELLED
    out_path = Path(out_path).expanduser().absolute()
    if not out_path.parent.is_dir():
        raise ExportError(f"{out_path}: the folder {out_path.parent} does not exist; create it first.")
    guarded = {Path(recipe_path): "the recipe"} if recipe_path is not None else {}
    check_destination(out_path, release.dataset.source, reads={**guarded, **(reads or {})})
    html_path, json_path = report_paths(out_path)
    withheld = None
    staged_data: Path | None = None
    timings: dict[str, float] = {}
    notes: dict[str, str] = {}
    cancel.raise_if_cancelled()
    # Write ordering (see io/staging.py): the data file and both reports are written in full to hidden
    # temp files, then the reports are renamed into place and the data file last, so an output never
    # exists without its reports. An error, Cancel or Ctrl-C before the renames removes every temp file.
    with StagedFiles() as staged:
        if strict and not release.residual.clean:
            withheld = (f"--strict: the residual check found {release.residual.blocking_count} finding(s); "
                        f"{out_path.name} was not written.")
        else:
            progress(0.1, f"Writing {out_path.name}")
            started = time.perf_counter()
            staged_data = stage_table(staged, release.output, out_path, input_path=release.dataset.source,
                                      cancel=cancel, notes=notes)
            timings["write"] = time.perf_counter() - started
        progress(0.8, "Writing the report")
        report = build_report(  # fingerprints the staged data file: the bytes that will be renamed
            release, output_path=staged_data, output_format=out_path.suffix.lstrip(".").lower(),
            recipe_path=recipe_path, timings=timings, withheld_reason=withheld,
        )
        if report.output is not None:
            report.output.name = out_path.name  # the report names the file as it will be, not its temp name
        _add_writer_notes(report, notes)
        _stage_text(staged, json_path, render_json(report))
        _stage_text(staged, html_path, render_html(report))
        cancel.raise_if_cancelled()
        _commit(staged, out_path)
    progress(1.0, "Export done")
    written = out_path if staged_data is not None else None
    return ExportResult(output=written, report_html=html_path, report_json=json_path, report=report,
                        notes=list(notes.values()))


def _add_writer_notes(report: PrivacyReport, notes: dict[str, str]) -> None:
    """What the writer changed (e.g. big integers as text in XLSX): in the status line and the column's note."""
    if not notes:
        return
    report.status_reason += " " + " ".join(f"Note: {text}" for text in notes.values())
    for column in report.columns:
        if column.name in notes:
            column.note = f"{column.note} {notes[column.name]}" if column.note else notes[column.name]


def _stage_text(staged: StagedFiles, path: Path, text: str) -> None:
    try:
        staged.text(path, text)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the report ({exc.strerror}).") from None


def _commit(staged: StagedFiles, out_path: Path) -> None:
    try:
        staged.commit()
    except OSError as exc:
        raise ExportError(f"{out_path}: could not be put in place ({exc.strerror}).") from None
