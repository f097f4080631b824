"""The steps the analysis process runs (see analysis_process). Plain core calls, no Qt.

``state`` lives as long as the worker process: a built release waits there for the analyst's
confirmation, so the released table never crosses the pipe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from sanitas.core.detect.findings import ScanResult
from sanitas.core.settings import Settings

Progress = Any


def warm_up(state: dict[str, Any], progress: Progress, settings: Settings) -> str | None:
    from sanitas.core.detect import get_analyzer

    _, info = get_analyzer(settings)
    return info.model


def scan(state: dict[str, Any], progress: Progress, path: Path, settings: Settings,
         options: dict[str, Any] | None = None) -> ScanResult:
    from sanitas.core.detect import scan_dataset
    from sanitas.core.io import open_dataset

    return scan_dataset(open_dataset(path, excel_limits=settings.excel_limits(), **(options or {})),
                        settings=settings, progress=progress)


def preview(state: dict[str, Any], progress: Progress, sample: pl.DataFrame, column: str, plan: Any,
            recipe: Any, scan: ScanResult | None, recipe_dir: Path | None, settings: Settings) -> Any:
    from sanitas.core.preview import preview_column

    return preview_column(sample, column, plan, recipe, scan=scan, recipe_dir=recipe_dir, settings=settings,
                          progress=progress)


def release(state: dict[str, Any], progress: Progress, path: Path, recipe: Any, recipe_dir: Path | None,
            scan: ScanResult | None, settings: Settings, options: dict[str, Any] | None = None,
            output: Path | None = None, recipe_path: Path | None = None, strict: bool = False) -> Any:
    """Build the release and keep it here; the GUI gets its residual check to show. With ``output``, the
    CLI's release (``release_to_file``: streamed when the recipe allows), held until ``export``."""
    from sanitas.core.engine import run
    from sanitas.core.io import open_dataset

    held = state.pop("release", None)
    if hasattr(held, "discard"):
        held.discard()
    dataset = open_dataset(path, excel_limits=settings.excel_limits(), **(options or {}))
    if output is not None:
        from sanitas.core.streamed_release import release_to_file

        done = release_to_file(dataset, recipe, output, recipe_path=recipe_path, recipe_dir=recipe_dir, scan=scan,
                               settings=settings, strict=strict, progress=progress, hold=True)
        state["release"] = done
        return done.release.residual
    built = run(dataset, recipe, recipe_dir=recipe_dir, scan=scan, settings=settings, progress=progress)
    state["release"] = built
    return built.residual


def export(state: dict[str, Any], progress: Progress, path: Path, recipe_path: Path | None, strict: bool) -> Any:
    from sanitas.core.export import export_release

    built = state.pop("release", None)
    if built is None:
        from sanitas.core.errors import ExportError

        raise ExportError("The release to export is gone (the analysis process restarted); export again.")
    if hasattr(built, "finish"):  # held by release(output=...): its files are staged, or written now
        return built.finish(progress=progress)
    return export_release(built, path, recipe_path=recipe_path, strict=strict, progress=progress)


def k_anonymity(state: dict[str, Any], progress: Progress, path: Path, section: Any, recipe_dir: Path | None,
                settings: Settings, options: dict[str, Any] | None = None) -> Any:
    """A trial run of a k_anonymity section over the whole file; only its facts cross the pipe."""
    from sanitas.core.io import open_dataset
    from sanitas.core.privacy.k_anonymity.release import k_anonymity_step

    dataset = open_dataset(path, excel_limits=settings.excel_limits(), **(options or {}))
    _, facts = k_anonymity_step(dataset.collect(), section, recipe_dir=recipe_dir, progress=progress)
    return facts


def page_copy(state: dict[str, Any], progress: Progress, path: Path, target: Path, settings: Settings,
              options: dict[str, Any] | None = None) -> None:
    """Write the paged copy the window's table reads (core/io/pages.py) into the window's private folder:
    the full-file pass costs this process's memory, not the window's."""
    from sanitas.core.io import open_dataset
    from sanitas.core.io.pages import write_pages

    write_pages(open_dataset(path, excel_limits=settings.excel_limits(), **(options or {})), target,
                progress=progress)
