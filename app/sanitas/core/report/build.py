"""Assemble a PrivacyReport from a Release and the files that were written."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sanitas import __version__
from sanitas.core.io import fingerprint_file
from sanitas.core.outcome import ColumnOutcome
from sanitas.core.recipe import DATASET_SECTIONS
from sanitas.core.release import Release
from sanitas.core.report.model import (
    ColumnReport,
    DetectionFacts,
    FileFacts,
    PrivacyReport,
    RecipeFacts,
)
from sanitas.core.step_registry import STEPS

PACKAGES = ["polars", "pyarrow", "presidio-analyzer", "presidio-anonymizer", "spacy", "faker", "pydantic"]


def build_report(
    release: Release,
    *,
    output_path: Path | None,
    output_format: str | None,
    recipe_path: Path | None,
    timings: dict[str, float] | None = None,
    withheld_reason: str | None = None,
) -> PrivacyReport:
    source = release.dataset.source
    input_facts = FileFacts(
        name=source.name if source else release.dataset.name,
        format=release.dataset.format,
        sha256=fingerprint_file(source) if source else None,
        bytes=source.stat().st_size if source else None,
        rows=release.input_rows,
        columns=len(release.outcomes),
    )
    output_facts = None
    if output_path is not None and output_path.exists():
        output_facts = FileFacts(
            name=output_path.name, format=output_format or output_path.suffix.lstrip("."),
            sha256=fingerprint_file(output_path), bytes=output_path.stat().st_size,
            rows=release.output_shape[0], columns=release.output_shape[1],
        )
    residual = release.residual
    if withheld_reason:
        status, reason = "withheld", withheld_reason
    elif residual.clean:
        kept = sorted({f.column for f in residual.findings if f.by_decision})
        status, reason = "released", ("The residual check found no personal data left in the output." if not kept
                                      else "No blocking residual finding. The recipe releases personal data on "
                                      f"purpose in: {', '.join(kept)} (listed below).")
    else:
        status = "released"
        reason = (f"Released with {residual.blocking_count} residual finding(s): review them below "
                  "before sharing the output.")
    risk = release.risk
    if status == "released" and risk is not None and risk.at_risk:
        status = "released-at-risk"
        figures = risk.figures
        reason += (f" Re-identification risk is high: over {', '.join(risk.quasi_identifiers)} the highest prosecutor "
                   f"risk is {figures['prosecutor_risk']['highest']:.0%} (threshold {risk.threshold:.0%}), the "
                   f"smallest class holds {figures['k']} record(s) and {figures['sample_uniqueness']:.1%} of records "
                   "are unique. Generalize these columns together (a k_anonymity section) before sharing.")
    warnings = [*release.notes,
                *(w for name, result in release.steps.items() for w in STEPS[name].warnings(result.facts))]
    if warnings:
        reason += " " + " ".join(warnings)
    recipe = release.recipe
    return PrivacyReport(
        tool="Sanitas",
        version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        status=status,
        status_reason=reason,
        input=input_facts,
        output=output_facts,
        recipe=RecipeFacts(
            file=recipe_path.name if recipe_path else None,
            sha256=fingerprint_file(recipe_path) if recipe_path and recipe_path.exists() else None,
            seed=recipe.seed,
            locale=recipe.locale,
            unlisted_columns=recipe.unlisted_columns.value,
            keys=release.key_sources if release.key_sources is not None
            else {name: ref.describe() for name, ref in recipe.keys.items()},
        ),
        detection=DetectionFacts(
            model=release.scan.model, sample_size=release.scan.sample_size, notes=release.scan.notes
        ),
        columns=[_by_steps(_column(o), release) for o in release.outcomes],
        residual=residual,
        residual_findings=residual.blocking_count,
        dataset_level={name: STEPS[name].state(release.steps[name].facts) if name in release.steps
                       else "not requested" for name in DATASET_SECTIONS},
        risk=release.risk.json_dict() if release.risk is not None else {},
        steps=list(release.steps),
        warnings=warnings,
        **{name: result.facts for name, result in release.steps.items()},
        environment=_environment(release.scan.model),
        timings={k: round(v, 3) for k, v in {**release.timings, **(timings or {})}.items()},
    )


def _by_steps(column: ColumnReport, release: Release) -> ColumnReport:
    """A column whose own action is keep may still have been changed by a step (k-anonymity generalized it)."""
    for name, result in release.steps.items():
        changed = STEPS[name].column_result(column.name, result.facts, result.frame)
        if changed:
            update = {k: v for k, v in changed.items() if v is not None}
            if "facts" in update:  # the column action's own facts stay beside the step's
                update["facts"] = {**column.facts, **update["facts"]}
            column = column.model_copy(update=update)
    return column


def _column(outcome: ColumnOutcome) -> ColumnReport:
    if outcome.removed:
        result = "dropped"
    elif outcome.kept_as_is:
        result = "kept"
    elif outcome.generates_values:
        result = "replaced"
    else:
        result = "rewritten"
    finding = outcome.finding
    return ColumnReport(
        name=outcome.name, dtype=outcome.dtype, kind=outcome.kind,
        entities=finding.entities if finding else [], reason=finding.reason if finding else "",
        corrected=outcome.corrected, action=outcome.action, params=outcome.params, result=result,
        output_dtype=outcome.output_dtype, facts=outcome.facts, seconds=round(outcome.seconds, 3),
        note=outcome.note,
    )


def _environment(model: str | None) -> dict[str, str]:
    env = {"python": platform.python_version(), "platform": platform.platform(terse=True),
           "sanitas": __version__}
    for name in PACKAGES + ([model.replace("_", "-")] if model else []):
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return env
