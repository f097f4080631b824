"""Assemble a PrivacyReport from a Release and the files that were written."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sanitas import __version__
from sanitas.core.engine import ColumnOutcome, Release
from sanitas.core.io import fingerprint_file
from sanitas.core.report.model import (
    ColumnReport,
    DetectionFacts,
    FileFacts,
    PrivacyReport,
    RecipeFacts,
)

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
            rows=release.frame.height, columns=release.frame.width,
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
    k_facts = release.k_anonymity
    if k_facts is not None and k_facts.unchanged_quasi_identifiers and k_facts.risk_with_unchanged is not None:
        risk = k_facts.risk_with_unchanged
        reason += (f" Warning: {', '.join(k_facts.unchanged_quasi_identifiers)} (detected as quasi-identifying) "
                   "is released unchanged outside the k_anonymity section, which therefore does not cover it: "
                   f"with it the smallest class is {risk.k} and {risk.sample_uniques:,} records are unique.")
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
            keys={name: ref.describe() for name, ref in recipe.keys.items()},
        ),
        detection=DetectionFacts(
            model=release.scan.model, sample_size=release.scan.sample_size, notes=release.scan.notes
        ),
        columns=[_k_anonymized(_column(o), release) for o in release.outcomes],
        residual=residual,
        residual_findings=residual.blocking_count,
        dataset_level={"k_anonymity": _k_state(release.k_anonymity), "synthetic": "not requested",
                       "differential_privacy": "not requested"},
        k_anonymity=release.k_anonymity,
        environment=_environment(release.scan.model),
        timings={k: round(v, 3) for k, v in {**release.timings, **(timings or {})}.items()},
    )


def _k_state(facts) -> str:
    if facts is None:
        return "not requested"
    models = ", ".join(c.model for c in facts.checks)
    verdict = "all hold" if facts.all_hold else "NOT ALL HOLD"
    how = "Mondrian partitioning" if facts.method == "mondrian" else f"{facts.search.get('strategy')} search"
    uncovered = (f"; not covering {', '.join(facts.unchanged_quasi_identifiers)}, released unchanged"
                 if facts.unchanged_quasi_identifiers else "")
    return f"ran ({how}): {models}: {verdict} on the released records{uncovered}"


def _k_anonymized(column: ColumnReport, release: Release) -> ColumnReport:
    """A quasi-identifier's own action is keep, but the k_anonymity step then generalized it: say so."""
    facts = release.k_anonymity
    if facts is None or column.name not in facts.quasi_identifiers:
        return column
    if facts.method == "mondrian":
        how = {"generalized_by": "k-anonymity, Mondrian partition labels"}
    else:
        level, height = facts.levels.get(column.name, 0), facts.heights.get(column.name, 1)
        how = {"generalized_by": f"k-anonymity, level {level} of {height - 1}"}
    dtype = release.frame.schema.get(column.name)
    return column.model_copy(update={
        "result": "generalized", "output_dtype": str(dtype) if dtype is not None else column.output_dtype,
        "facts": {**how, "rows": release.frame.height, "suppressed": facts.suppressed},
    })


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
