"""The whole evaluation of a synthetic table: quality, privacy, utility and the plots of the worst columns,
each on bounded samples whose sizes go into the facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import polars as pl

from sanitas.core.privacy.synthetic.facts import PlotSeries, Privacy, Quality, Utility
from sanitas.core.privacy.synthetic.plots import distributions
from sanitas.core.privacy.synthetic.privacy import privacy
from sanitas.core.privacy.synthetic.quality import bounded, quality
from sanitas.core.privacy.synthetic.section import Evaluation
from sanitas.core.privacy.synthetic.utility import utility
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


@dataclass
class EvaluationResult:
    quality: Quality | None
    privacy: Privacy
    utility: Utility | None
    plots: list[PlotSeries]
    missing: list[str] = field(default_factory=list)


def evaluate(*, real: pd.DataFrame, train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame,
             metadata: Any, learned: Sequence[str], quasi_identifiers: Sequence[str], settings: Evaluation,
             seed: int, constraints: list[dict[str, Any]] | None = None,
             synthetic_frame: pl.DataFrame | None = None,
             progress: Progress = no_progress, cancel: CancelToken = NEVER_CANCELLED) -> EvaluationResult:
    missing: list[str] = []
    result_quality = None
    if settings.quality and learned:
        progress(0.0, "measuring quality (SDMetrics)")
        result_quality = quality(real, synthetic, metadata, max_rows=settings.max_rows, seed=seed,
                                 constraints=constraints)
    cancel.raise_if_cancelled()
    progress(0.5, "measuring privacy")
    result_privacy, notes = privacy(synthetic, train, holdout, learned=learned, quasi_identifiers=quasi_identifiers,
                                    max_rows=settings.dcr_rows, seed=seed, synthetic_frame=synthetic_frame)
    missing += notes
    cancel.raise_if_cancelled()
    result_utility = None
    if settings.target:
        if len(holdout) == 0:
            missing.append("utility (TSTR, TRTR): no holdout to test on (holdout: 0)")
        else:
            progress(0.7, "measuring utility")
            result_utility = utility(synthetic, train, holdout, target=settings.target, features=learned,
                                     max_rows=settings.utility_max_rows, seed=seed)
    cancel.raise_if_cancelled()
    plots: list[PlotSeries] = []
    if result_quality is not None:
        scores = {s.column: s.score for s in result_quality.column_shapes}
        plots = distributions(bounded(real, settings.max_rows, seed), bounded(synthetic, settings.max_rows, seed + 1),
                              result_quality.worst_columns, scores)
    progress(1.0, "evaluated")
    return EvaluationResult(result_quality, result_privacy, result_utility, plots, missing)
