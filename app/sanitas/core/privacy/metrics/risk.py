"""Equivalence classes and re-identification risk, with the definitions ARX and El Emam use.

An *equivalence class* is the set of records that share every quasi-identifier value (a null is a
value like any other, so records with a null in the same place share a class). A record's risk is
the chance an attacker who knows its quasi-identifiers picks it out:

- **prosecutor** (the attacker knows the person is in the data): ``1 / |class|``;
- **journalist** (the attacker does not know, so the class in the *population* matters): ``1 / F_j``
  with ``F_j`` the population size of the class. Without population information the dataset is the
  population and this equals the prosecutor risk;
- **marketer** (the attacker links as many records as possible): the expected share of records
  re-identified, ``sum_j f_j / F_j / n`` (``classes / n`` when the dataset is the population).

``highest`` is the largest record risk and ``average`` the mean over records, as in ARX (for the
prosecutor the mean over records is ``classes / records``). Suppressed records form no class, so
only released records are counted, as ARX does. Everything is one polars ``group_by`` on the
quasi-identifiers (plus one per sensitive column for l-diversity), so a million rows take well
under a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl
from pydantic import BaseModel, Field

from sanitas.core.errors import SanitasError

RESERVED_PREFIX = "__sanitas"
SIZE = "__sanitas_class_size__"
_COUNT = "__sanitas_count__"
_SIZE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1), ("2", 2, 2), ("3-4", 3, 4), ("5-9", 5, 9), ("10-19", 10, 19), ("20-49", 20, 49), ("50+", 50, None),
)
SIMPLE_MODEL = "simple estimator: F_j = max(f_j, f_j / f)"
NO_MODEL = "the dataset is the population"


class RiskInputError(SanitasError):
    """The risk analysis was asked about columns or a population that do not fit the table."""


class RecordRisk(BaseModel):
    highest: float = Field(description="largest record risk")
    average: float = Field(description="mean record risk over the released records")
    records_at_risk: int = Field(description="records whose risk is above the threshold")
    share_at_risk: float = Field(description="records_at_risk / records")


class MarketerRisk(BaseModel):
    highest: float = Field(description="largest chance of linking one record right (the journalist's highest)")
    average: float = Field(description="expected share of records re-identified")
    expected_reidentified: float = Field(description="expected number of records re-identified")


class SizeBucket(BaseModel):
    label: str
    smallest: int
    largest: int | None
    classes: int
    records: int


class ClassSize(BaseModel):
    size: int
    classes: int


class Diversity(BaseModel):
    """l-diversity of one sensitive column: distinct values and exp(entropy) in the poorest class."""

    column: str
    distinct_l: int
    entropy_l: float


class RiskReport(BaseModel):
    records: int = Field(description="released records (suppressed ones excluded)")
    suppressed: int
    classes: int
    k: int = Field(description="size of the smallest class (0 when no record is released)")
    sample_uniques: int = Field(description="records alone in their class")
    sample_uniqueness: float = Field(description="sample_uniques / records")
    average_class_size: float
    l: int | None = Field(  # noqa: E741  (the name the issue, ARX and pyCANON use)
        default=None, description="distinct l-diversity, lowest over the sensitive columns"
    )
    entropy_l: float | None = Field(default=None, description="entropy l-diversity, lowest over the sensitive columns")
    diversity: list[Diversity] = Field(default_factory=list)
    prosecutor_risk: RecordRisk
    journalist_risk: RecordRisk
    marketer_risk: MarketerRisk
    threshold: float
    quasi_identifiers: list[str]
    sensitive: list[str]
    population: int | None
    sampling_fraction: float = Field(description="dataset rows / population (1 when the dataset is the population)")
    population_model: str
    histogram: list[SizeBucket]
    class_sizes: list[ClassSize] = Field(description="exact size distribution, smallest size first")

    def json_dict(self) -> dict[str, object]:
        """The documented JSON shape: ``l`` and ``entropy_l`` appear only when a sensitive column was given."""
        return self.model_dump(mode="json", exclude={"l", "entropy_l"} if self.l is None else None)


def equivalence_classes(frame: pl.DataFrame | pl.LazyFrame, quasi_identifiers: Sequence[str],
                        weight: str | None = None) -> pl.DataFrame:
    """One row per class: its quasi-identifier values and its size in ``SIZE``.

    Streaming engine: the same counts at a third of the memory (1M rows x 6 text QIs: +80 MiB, not +268).
    ``weight``: a column of row counts (each row of ``frame`` stands for that many records)."""
    return frame.lazy().group_by(list(quasi_identifiers)).agg(count_of(weight).alias(SIZE)).collect(engine="streaming")


def count_of(weight: str | None) -> pl.Expr:
    """Records in a group: its rows, or the sum of their ``weight`` (a table of classes with their counts)."""
    return pl.len() if weight is None else pl.col(weight).sum()


def records_of(frame: pl.DataFrame, weight: str | None) -> int:
    """Records in ``frame``: its rows, or the sum of its ``weight`` column."""
    return frame.height if weight is None else int(frame.get_column(weight).sum())


def risk_report(
    frame: pl.DataFrame | pl.LazyFrame,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str] | str | None = None,
    *,
    population: int | None = None,
    sampling_fraction: float | None = None,
    threshold: float = 0.2,
    suppressed: pl.Series | None = None,
    source: str = "the table",
    weight: str | None = None,
) -> RiskReport:
    """Classes, k, l, sample uniques and the three ARX risks of ``frame`` (``source`` names it in errors).

    ``population`` (people in the population the rows were sampled from) or ``sampling_fraction``
    feeds the journalist and marketer risks; ``suppressed`` marks rows withheld from the release.
    ``weight``: each row stands for that many records (a table of distinct combinations with their counts,
    as the Spark engine brings to the driver); the figures are those of the records.
    """
    qis = list(quasi_identifiers)
    sens = [sensitive] if isinstance(sensitive, str) else list(sensitive or [])
    _check_columns(frame, qis, sens, source)
    if not 0 < threshold <= 1:
        raise RiskInputError(f"{source}: the risk threshold must be above 0 and at most 1, got {threshold}.")
    data = frame.lazy().select(qis + sens + ([weight] if weight is not None else [])).collect()
    total = records_of(data, weight)
    fraction = _sampling_fraction(total, population, sampling_fraction, source)
    withheld = 0
    if suppressed is not None:
        if suppressed.len() != data.height:
            raise RiskInputError(f"{source}: the suppression mask has {suppressed.len():,} entries "
                                 f"for {data.height:,} rows.")
        mask = suppressed.cast(pl.Boolean).fill_null(False)
        withheld = total - records_of(data.filter(~mask), weight)
        data = data.filter(~mask)
    sizes = equivalence_classes(data, qis, weight).get_column(SIZE)
    estimated = _population_sizes(sizes, fraction)
    n = records_of(data, weight)
    diversity = [_diversity(data, qis, column, weight) for column in sens]
    return RiskReport(
        records=n,
        suppressed=withheld,
        classes=sizes.len(),
        k=int(sizes.min() or 0),
        sample_uniques=int((sizes == 1).sum()),
        sample_uniqueness=_share(int((sizes == 1).sum()), n),
        average_class_size=_share(n, sizes.len()),
        l=min((d.distinct_l for d in diversity), default=None),
        entropy_l=min((d.entropy_l for d in diversity), default=None),
        diversity=diversity,
        prosecutor_risk=_record_risk(sizes, sizes.cast(pl.Float64), threshold),
        journalist_risk=_record_risk(sizes, estimated, threshold),
        marketer_risk=_marketer_risk(sizes, estimated),
        threshold=threshold,
        quasi_identifiers=qis,
        sensitive=sens,
        population=population,
        sampling_fraction=fraction,
        population_model=NO_MODEL if fraction == 1 else SIMPLE_MODEL,
        histogram=_histogram(sizes),
        class_sizes=[ClassSize(size=int(s), classes=int(c)) for s, c in _size_counts(sizes).iter_rows()],
    )


def _check_columns(frame: pl.DataFrame | pl.LazyFrame, qis: list[str], sens: list[str], source: str) -> None:
    if not qis:
        raise RiskInputError(f"{source}: name at least one quasi-identifier column.")
    available = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    missing = [c for c in dict.fromkeys(qis + sens) if c not in available]
    if missing:
        raise RiskInputError(f"{source}: no column {', '.join(repr(c) for c in missing)}. "
                             f"Available columns: {', '.join(available)}.")
    both = [c for c in sens if c in qis]
    if both:
        raise RiskInputError(f"{source}: column {', '.join(repr(c) for c in both)} cannot be both a "
                             "quasi-identifier and sensitive; give it one role.")
    reserved = [c for c in qis + sens if c.startswith(RESERVED_PREFIX)]
    if reserved:
        raise RiskInputError(f"{source}: column {', '.join(repr(c) for c in reserved)}: names starting with "
                             f"'{RESERVED_PREFIX}' are reserved for Sanitas's own working columns; rename it.")
    repeated = sorted({c for c in qis + sens if (qis + sens).count(c) > 1} - set(both))
    if repeated:
        raise RiskInputError(f"{source}: column {', '.join(repr(c) for c in repeated)} is named twice.")


def _sampling_fraction(rows: int, population: int | None, fraction: float | None, source: str) -> float:
    """f = rows / N from a population size, the given fraction, or 1 (the dataset is the population).

    The rows counted are the dataset's before suppression: suppressing a record does not remove its
    person from the population, so before and after share one f.
    """
    if population is not None and fraction is not None:
        raise RiskInputError(f"{source}: give a population size or a sampling fraction, not both.")
    if population is not None:
        if population < max(rows, 1):
            raise RiskInputError(f"{source}: the population ({population:,}) cannot be smaller than "
                                 f"the {rows:,} rows of the dataset.")
        return rows / population if rows else 1.0
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise RiskInputError(f"{source}: the sampling fraction must be above 0 and at most 1, got {fraction}.")
        return float(fraction)
    return 1.0


def _population_sizes(sizes: pl.Series, fraction: float) -> pl.Series:
    """Estimated population class sizes F_j.

    This is the simple estimator F_j = max(f_j, f_j / f), which scales each sample class by the
    sampling fraction. ARX also offers models of population uniqueness (Pitman, Zayatz, SNB) that
    are better for small fractions; they are not implemented here.
    """
    sample = sizes.cast(pl.Float64)
    return pl.select(pl.max_horizontal(sample, sample / fraction)).to_series()


def _record_risk(sizes: pl.Series, population_sizes: pl.Series, threshold: float) -> RecordRisk:
    """Risk 1/F_j for the f_j records of each class; highest, mean over records and share above t."""
    n = int(sizes.sum())
    if n == 0:
        return RecordRisk(highest=0.0, average=0.0, records_at_risk=0, share_at_risk=0.0)
    risk = 1.0 / population_sizes
    at_risk = int(sizes.filter(risk > threshold).sum())
    return RecordRisk(highest=float(risk.max()), average=float((sizes * risk).sum()) / n,
                      records_at_risk=at_risk, share_at_risk=at_risk / n)


def _marketer_risk(sizes: pl.Series, population_sizes: pl.Series) -> MarketerRisk:
    """Expected re-identifications sum_j f_j / F_j, over records; classes / n when F_j = f_j."""
    n = int(sizes.sum())
    if n == 0:
        return MarketerRisk(highest=0.0, average=0.0, expected_reidentified=0.0)
    expected = float((sizes / population_sizes).sum())
    return MarketerRisk(highest=float((1.0 / population_sizes).max()), average=expected / n,
                        expected_reidentified=expected)


def _diversity(data: pl.DataFrame, qis: list[str], column: str, weight: str | None = None) -> Diversity:
    """Distinct l (fewest distinct values in a class) and entropy l (exp of the lowest class entropy).

    The entropy of a class whose values have shares p_i is -sum(p_i ln p_i) (natural log, as
    Machanavajjhala et al., ARX and pyCANON). With counts c_i and size m that is
    ln m - sum(c_i ln c_i) / m, which needs only sums per class (polars' fast path: 10x faster
    than shares inside the aggregation).
    Nulls count as a value.
    """
    counts = data.lazy().group_by([*qis, column]).agg(count_of(weight).alias(_COUNT))
    count = pl.col(_COUNT).cast(pl.Float64)
    distinct_, m, clogc = "__sanitas_distinct__", "__sanitas_m__", "__sanitas_clogc__"  # never a user's name
    per_class = counts.group_by(qis).agg(pl.len().alias(distinct_), count.sum().alias(m),
                                         (count * count.log()).sum().alias(clogc))
    entropy = pl.col(m).log() - pl.col(clogc) / pl.col(m)
    distinct, entropy = per_class.select(pl.col(distinct_).min(), entropy.min()).collect(engine="streaming").row(0)
    if distinct is None:
        return Diversity(column=column, distinct_l=0, entropy_l=0.0)
    return Diversity(column=column, distinct_l=int(distinct), entropy_l=math.exp(max(float(entropy), 0.0)))


def _size_counts(sizes: pl.Series) -> pl.DataFrame:
    """Classes per exact size, smallest size first."""
    return sizes.rename("size").to_frame().group_by("size").agg(pl.len().alias("classes")).sort("size")


def _histogram(sizes: pl.Series) -> list[SizeBucket]:
    """Classes and records per size bucket (1, 2, 3-4, 5-9, 10-19, 20-49, 50+)."""
    buckets = []
    for label, low, high in _SIZE_BUCKETS:
        inside = sizes.filter((sizes >= low) & (sizes <= high)) if high is not None else sizes.filter(sizes >= low)
        buckets.append(SizeBucket(label=label, smallest=low, largest=high, classes=inside.len(),
                                  records=int(inside.sum())))
    return buckets


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
