"""Global recoding: generalize the quasi-identifiers with one level per column, chosen by search.py.

``anonymize(frame, config)`` encodes every quasi-identifier once with its hierarchy, groups the
rows once, searches the lattice of levels for the satisfying node with the least loss, then writes
the release with ``Hierarchy.generalize`` at the chosen levels. The suppressed records (those in
classes that fail a model, within ``suppression_limit`` of the rows) are removed, or with
``suppression="mask"`` kept with every quasi-identifier set to '*'. Either way they form no class:
the facts (k, l, t, average risk) are those of the released classes, as ARX reports them.

A null quasi-identifier stays null at every level (``Hierarchy.generalize`` keeps it), so nulls form
classes of their own even at the top node; small ones must be suppressed like any other class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.hierarchies.hierarchy import STAR, Hierarchy, value_text
from sanitas.core.privacy.k_anonymity.evaluation import Evaluator, Problem
from sanitas.core.privacy.k_anonymity.lattice import Lattice
from sanitas.core.privacy.k_anonymity.loss import LossFunction, Metric
from sanitas.core.privacy.k_anonymity.models import (
    LDiversity,
    PrivacyModels,
    TCloseness,
    distinct_values,
    emd,
    entropy,
    recursive_parts,
)
from sanitas.core.privacy.k_anonymity.rollup import (
    ClassSet,
    CodedColumn,
    bottom_classes,
    code_flat,
    code_with_hierarchy,
    roll_up,
)
from sanitas.core.privacy.k_anonymity.search import SearchStats, search
from sanitas.core.progress import CancelToken, Progress
from sanitas.core.validation import validation_problems


class AnonymizationError(SanitasError):
    """The anonymization cannot run as configured, or no generalization satisfies the models."""


class AnonymizationConfig(BaseModel):
    """What to protect and how. ``quasi_identifiers`` maps each column to its hierarchy."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    quasi_identifiers: dict[str, Hierarchy]
    sensitive: list[str] = Field(default_factory=list)
    sensitive_hierarchies: dict[str, Hierarchy] = Field(default_factory=dict, description="for hierarchical t")
    k: int | None = Field(None, ge=1)
    l_diversity: LDiversity | None = None
    t_closeness: TCloseness | None = None
    average_risk: float | None = Field(None, gt=0, le=1, description="highest classes / released records")
    suppression_limit: float = Field(0.05, ge=0, le=1, description="share of rows that may be suppressed")
    suppression: Literal["remove", "mask"] = "remove"
    metric: Metric = "loss"
    node_limit: int = Field(50_000, ge=1, description="largest lattice searched exactly")
    strategy: Literal["auto", "exhaustive", "heuristic"] = "auto"

    @model_validator(mode="before")
    @classmethod
    def _list_and_hierarchies(cls, data: Any) -> Any:
        """Accept ``quasi_identifiers=[names]`` with ``hierarchies={name: Hierarchy}`` as well."""
        if isinstance(data, dict) and isinstance(data.get("quasi_identifiers"), list | tuple):
            data = dict(data)
            hierarchies = data.pop("hierarchies", {}) or {}
            missing = [c for c in data["quasi_identifiers"] if c not in hierarchies]
            if missing:
                raise ValueError(f"no hierarchy for quasi-identifier {', '.join(repr(c) for c in missing)}")
            data["quasi_identifiers"] = {c: hierarchies[c] for c in data["quasi_identifiers"]}
        return data

    @classmethod
    def parse(cls, data: dict[str, Any]) -> AnonymizationConfig:
        """Validate, listing every problem with its parameter in one AnonymizationError."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = validation_problems(exc, default="config")
            raise AnonymizationError("Anonymization settings are not valid: " + "; ".join(problems)) from None

    @property
    def models(self) -> PrivacyModels:
        return PrivacyModels(self.k, self.l_diversity, self.t_closeness, self.average_risk)


class PrivacyFacts(BaseModel):
    """What the release reaches, over released records only (no data values)."""

    models: list[str]
    records: int = Field(description="released records")
    suppressed: int
    classes: int
    k: int = Field(description="smallest released class (0 when nothing is released)")
    distinct_l: int | None = Field(None, description="fewest distinct sensitive values in a class")
    entropy_l: float | None = Field(None, description="exp of the lowest class entropy")
    recursive_c: float | None = Field(None, description="largest r1 / (r_l+...+r_m): (c,l) holds for any c above")
    t: float | None = Field(None, description="largest EMD of a class to the whole table")
    average_risk: float = Field(description="classes / released records")


@dataclass(frozen=True)
class AnonymizationResult:
    """The release and how it was reached. With ``suppression="mask"`` the quasi-identifiers are text."""

    frame: pl.DataFrame  # the input's columns and order; suppressed rows removed, or masked with '*'
    suppressed: pl.Series  # Boolean, one per input row
    levels: dict[str, int]  # the chosen node: hierarchy level per quasi-identifier
    loss: float  # the metric's value at that node (lower is better)
    metric: Metric
    stats: SearchStats  # which search ran (exact or heuristic), nodes evaluated and pruned, seconds
    facts: PrivacyFacts


def prepare(frame: pl.DataFrame, config: AnonymizationConfig,
            weight: str | None = None) -> tuple[Problem, np.ndarray]:
    """The search problem (columns coded once, rows grouped once) and each row's bottom class.
    ``weight``: a column of record counts, each row standing for that many records."""
    _check(frame, config)
    weights = _weights(frame, weight)
    qis, sensitive = code_columns(frame, config, weights)
    return prepare_coded(qis, sensitive, config, _records(frame, weights), weights)


def code_columns(frame: pl.DataFrame, config: AnonymizationConfig,
                 weights: np.ndarray | None = None) -> tuple[list[CodedColumn], list[CodedColumn]]:
    """Every quasi-identifier coded with its hierarchy, every sensitive column with its own or flat."""
    qis = [_weighted(code_with_hierarchy(frame[c], h), weights) for c, h in config.quasi_identifiers.items()]
    sensitive = [_weighted(code_with_hierarchy(frame[c], config.sensitive_hierarchies[c])
                           if c in config.sensitive_hierarchies else code_flat(frame[c]), weights)
                 for c in config.sensitive]
    return qis, sensitive


def _weights(frame: pl.DataFrame, weight: str | None) -> np.ndarray | None:
    return frame.get_column(weight).to_numpy().astype(np.int64) if weight is not None else None


def _weighted(column: CodedColumn, weights: np.ndarray | None) -> CodedColumn:
    """The column's records per level-0 code counted with the rows' weights."""
    if weights is None:
        return column
    counts0 = np.bincount(column.rows, weights=weights, minlength=column.sizes[0]).astype(np.int64)
    return replace(column, counts0=counts0, _maps={})


def _records(frame: pl.DataFrame, weights: np.ndarray | None) -> int:
    return frame.height if weights is None else int(weights.sum())


def prepare_coded(qis: list[CodedColumn], sensitive: list[CodedColumn], config: AnonymizationConfig,
                  rows: int, weights: np.ndarray | None = None) -> tuple[Problem, np.ndarray]:
    """``prepare`` from columns already coded (a streamed release codes them batch by batch). ``rows``
    counts records; with ``weights`` each coded row stands for that many of them."""
    models = config.models
    bottom, row_class = bottom_classes(qis, sensitive, with_pairs=models.needs_sensitive, weights=weights)
    budget = math.floor(config.suppression_limit * rows + 1e-9)
    lattice = Lattice(tuple(q.height for q in qis), tuple(config.quasi_identifiers))
    loss = LossFunction(config.metric, qis, rows)
    return Problem(lattice, qis, sensitive, models, loss, budget, bottom), row_class


@dataclass(frozen=True)
class Solution:
    """The chosen node and what it suppresses, before any value is written."""

    levels: dict[str, int]
    suppressed: np.ndarray  # Boolean, one per input row
    loss: float
    stats: SearchStats
    facts: PrivacyFacts
    qis: list[CodedColumn]


def anonymize(frame: pl.DataFrame, config: AnonymizationConfig | dict[str, Any], *, progress: Progress | None = None,
              cancel: CancelToken | None = None, weight: str | None = None) -> AnonymizationResult:
    """The least-loss generalization of ``frame`` satisfying ``config``'s privacy models.

    ``progress`` follows the search over the candidate nodes; ``cancel`` is checked at every node.
    ``weight``: a column of record counts: ``frame`` is then one row per distinct combination of its
    columns with how many records share it (what a distributed engine counts), the search and the facts
    are those of the records, and the result has one row (and one ``suppressed`` entry) per combination.
    """
    if not isinstance(config, AnonymizationConfig):
        config = AnonymizationConfig.parse(config)
    _check(frame, config)
    weights = _weights(frame, weight)
    qis, sensitive = code_columns(frame, config, weights)
    solution = solve(qis, sensitive, config, _records(frame, weights), progress=progress, cancel=cancel,
                     weights=weights)
    rows = pl.Series("suppressed", solution.suppressed, pl.Boolean)
    return AnonymizationResult(_release(frame, config, solution.levels, rows, solution.qis), rows, solution.levels,
                               solution.loss, config.metric, solution.stats, solution.facts)


def solve(qis: list[CodedColumn], sensitive: list[CodedColumn], config: AnonymizationConfig, rows: int, *,
          progress: Progress | None = None, cancel: CancelToken | None = None,
          weights: np.ndarray | None = None) -> Solution:
    """Search the lattice of the coded columns: the chosen levels, the suppressed rows and the facts.
    ``rows`` counts records; with ``weights`` each coded row stands for that many (see ``anonymize``)."""
    problem, row_class = prepare_coded(qis, sensitive, config, rows, weights)
    best, stats = search(problem, node_limit=config.node_limit, strategy=config.strategy, progress=progress,
                         cancel=cancel)
    evaluator = Evaluator(problem)
    if best is None:
        raise _no_solution(config, evaluator, problem.lattice, rows, problem.budget, stats.exact)
    classes, bottom_to_node = evaluator.classes(best.node)
    final = evaluator.evaluate(best.node, classes)
    assert final.suppressed is not None and final.loss is not None
    if sensitive and not problem.models.needs_sensitive:  # the search did without sensitive counts; facts need them
        with_pairs, _ = bottom_classes(qis, sensitive, with_pairs=True, weights=weights)
        classes = roll_up(with_pairs, best.node, qis, sensitive)[0]
    suppressed = final.suppressed[bottom_to_node[row_class]] if row_class.size else np.zeros(0, dtype=bool)
    levels = dict(zip(config.quasi_identifiers, best.node, strict=True))
    return Solution(levels, suppressed, final.loss, stats, _facts(problem.models, classes, final.suppressed, sensitive,
                                                                  config), qis)


def _check(frame: pl.DataFrame, config: AnonymizationConfig) -> None:
    qis, sens = list(config.quasi_identifiers), list(config.sensitive)
    problems = []
    if not qis:
        problems.append("name at least one quasi-identifier")
    missing = [c for c in dict.fromkeys(qis + sens + list(config.sensitive_hierarchies)) if c not in frame.columns]
    if missing:
        problems.append(f"no column {', '.join(repr(c) for c in missing)} in the table "
                        f"(columns: {', '.join(frame.columns)})")
    both = [c for c in sens if c in qis]
    if both:
        problems.append(f"column {', '.join(repr(c) for c in both)} cannot be both quasi-identifying and sensitive")
    if not config.models.any:
        problems.append("choose at least one privacy model: k, l_diversity, t_closeness or average_risk")
    if config.models.needs_sensitive and not sens:
        problems.append("l-diversity and t-closeness need at least one sensitive column")
    if config.t_closeness is not None and config.t_closeness.variant == "hierarchical":
        lacking = [c for c in sens if c not in config.sensitive_hierarchies]
        if lacking:
            problems.append(f"hierarchical t-closeness needs a hierarchy for sensitive column "
                            f"{', '.join(repr(c) for c in lacking)} (sensitive_hierarchies)")
    if problems:
        raise AnonymizationError("Cannot anonymize: " + "; ".join(problems) + ".")


def _no_solution(config: AnonymizationConfig, evaluator: Evaluator, lattice: Lattice, rows: int,
                 budget: int, exact: bool) -> AnonymizationError:
    top = evaluator.evaluate(lattice.top)
    share = f"{config.suppression_limit * 100:g}%"
    found = "No generalization satisfies" if exact else \
        f"The heuristic search ({lattice.size:,} nodes, above the node limit) found no generalization that satisfies"
    return AnonymizationError(
        f"{found} {', '.join(config.models.describe())} within the suppression limit of "
        f"{share} ({budget:,} of {rows:,} rows): the most general one would suppress {top.suppressed_records:,} rows. "
        "Raise the suppression limit, use coarser hierarchies (ending in '*'), or relax the models."
    )


def _release(frame: pl.DataFrame, config: AnonymizationConfig, levels: dict[str, int],
             suppressed: pl.Series, qis: list[CodedColumn]) -> pl.DataFrame:
    """The chosen levels' labels gathered from the search's codes (level 0: the column as it was), then
    suppression. Same cells as ``Hierarchy.generalize``, without a string match per row and column."""
    coded = dict(zip(config.quasi_identifiers, qis, strict=True))
    out = frame.with_columns([coded[c].labels_at(level) if level else frame[c] for c, level in levels.items()])
    if not suppressed.any():
        return out
    if config.suppression == "remove":
        return out.filter(~suppressed)
    star = pl.lit(STAR, dtype=pl.String)
    return out.with_columns([pl.when(suppressed).then(star).otherwise(value_text(out[c])).alias(c) for c in levels])


def _facts(models: PrivacyModels, classes: ClassSet, suppressed: np.ndarray, sensitive: list[CodedColumn],
           config: AnonymizationConfig) -> PrivacyFacts:
    keep = ~suppressed
    sizes = classes.sizes[keep]
    records, count = int(sizes.sum()), int(sizes.size)
    facts = PrivacyFacts(models=models.describe(), records=records, suppressed=int(classes.sizes[suppressed].sum()),
                         classes=count, k=int(sizes.min()) if count else 0,
                         average_risk=count / records if records else 0.0)
    if not sensitive or not count:
        return facts
    distinct, entropies, ratios, distances = [], [], [], []
    for pairs, column in zip(classes.pairs, sensitive, strict=True):
        distinct.append(int(distinct_values(pairs, classes.count)[keep].min()))
        entropies.append(float(entropy(pairs, classes.sizes)[keep].min()))
        if config.l_diversity is not None and config.l_diversity.variant == "recursive":
            top, tail = recursive_parts(pairs, classes.count, config.l_diversity.l)
            with np.errstate(divide="ignore"):
                ratios.append(float(np.max(np.where(tail > 0, top / np.maximum(tail, 1), np.inf)[keep])))
        hierarchical = config.t_closeness is not None and config.t_closeness.variant == "hierarchical"
        distances.append(float(emd(pairs, classes.sizes, column, hierarchical)[keep].max()))
    facts.distinct_l, facts.entropy_l = min(distinct), math.exp(max(min(entropies), 0.0))
    facts.recursive_c = max(ratios) if ratios else None
    facts.t = max(distances)
    return facts
