"""DP aggregate release: count, sum, mean, median/quantiles and histograms, optionally per group.

Neighbourhood: add/remove one record (it falls in one group, one bin, of each figure). diffprivlib's
``tools.count_nonzero``/``sum``/``mean`` assume the record count is public (their sum sensitivity is
upper - lower, their count is truncated at the true size, their mean divides by the true size), which
does not hold per group, so counts, sums and means call diffprivlib's mechanisms directly with
add/remove sensitivities: Geometric (count, sensitivity 1), Laplace (sum, max(|lower|, |upper|)),
and a mean is a noisy centred sum over a noisy count, epsilon split in half. Quantiles
(``tools.quantile``, exponential mechanism, utility sensitivity 1) and histograms (``tools.histogram``,
truncated geometric per bin) hold under add/remove and are diffprivlib's tools as they are.

Group keys: the groups of a declared domain are all released (empty ones too). Keys no domain declares
are released only when a noisy count passes tau = 1 + ceil(ln(1 / (delta (1 + e^-eps))) / eps)
(Laplace/geometric partition selection, Korolova et al. 2009): a key held by one record then shows
with probability at most delta. For a count, the released count is that noisy count; other figures
spend ``key_selection_share`` of their epsilon on it.

Intervals: count/sum/histogram +-q with P(|noise| > q) <= 5%; a mean's interval is every ratio its
sum and count could have with each noise inside its 97.5% range (union bound: at least 95%), cut to
[lower, upper]. A quantile has no closed-form honest interval: its ci95 columns are empty.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from sanitas.core.errors import SanitasError
from sanitas.core.privacy.dp.facts import MechanismFacts
from sanitas.core.privacy.dp.sampler import two_sided_geometric_quantile
from sanitas.core.privacy.dp.section import AggregateSpec, DifferentialPrivacySection
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

COLUMNS = ["statistic", "column", "group", "value", "noise_scale", "ci95_low", "ci95_high"]
SCHEMA = {"statistic": pl.String, "column": pl.String, "group": pl.String, "value": pl.Float64,
          "noise_scale": pl.Float64, "ci95_low": pl.Float64, "ci95_high": pl.Float64}
NULL_KEY = "null"
Row = dict[str, Any]
# key (each ``by`` value as text, NULL_KEY for null) -> (count, clipped values, clipped sum), exact
GroupData = Mapping[tuple[str, ...], tuple[int, np.ndarray, float]]


def key_threshold(epsilon: float, delta: float) -> int:
    """Smallest noisy count that releases an undeclared key: P(1 + Z >= tau) <= delta for geometric Z."""
    t = math.exp(-epsilon)
    return 1 + max(0, math.ceil(math.log(1 / (delta * (1 + t))) / epsilon - 1e-12))


def _random_state(rng: np.random.Generator | None) -> np.random.RandomState | None:
    """None lets diffprivlib use secrets.SystemRandom; a test's generator becomes a seeded RandomState."""
    return None if rng is None else np.random.RandomState(int(rng.integers(2**32)))


def _text(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


class _Figure:
    """One aggregate's computation: exact per-group inputs, then diffprivlib's noise per group."""

    def __init__(self, frame: pl.DataFrame | None, spec: AggregateSpec, delta: float,
                 hierarchy_domains: Mapping[str, Sequence[str]], rng: np.random.Generator | None,
                 groups: GroupData | None = None) -> None:
        from diffprivlib.accountant import BudgetAccountant  # lazy: diffprivlib imports scikit-learn

        self.spec, self.delta, self.rng = spec, delta, rng
        self.accountant = BudgetAccountant()  # a private, unlimited one: the plan's total is checked apart
        self.domains = {c: list(spec.domains.get(c) or hierarchy_domains.get(c) or []) for c in spec.by}
        self.declared = all(self.domains[c] for c in spec.by)
        if groups is not None:  # exact per-group inputs computed elsewhere (the Spark engine's group-bys)
            self.data = dict(groups)
            return
        assert frame is not None
        keys = [frame.get_column(c).cast(pl.String).fill_null(NULL_KEY).alias(f"__k{i}")
                for i, c in enumerate(spec.by)]
        work = pl.DataFrame(keys) if keys else pl.DataFrame({"__one": pl.repeat(0, frame.height, eager=True)})
        cols = [f"__k{i}" for i in range(len(spec.by))] or ["__one"]
        if spec.column is not None:
            work = work.with_columns(frame.get_column(spec.column).alias("__v"))
        aggs = [pl.len().alias("__rows")]
        clipped = pl.col("__v").cast(pl.Float64).clip(spec.lower, spec.upper)
        if spec.column is not None:
            aggs.append(pl.col("__v").count().alias("__n"))
            if spec.statistic in ("sum", "mean"):  # sums in polars: no per-group list of values
                aggs.append(clipped.sum().alias("__sum"))
            elif spec.statistic != "count":
                aggs.append(clipped.drop_nulls().alias("__vals"))
        grouped = work.group_by(cols).agg(aggs)
        # key -> (count, clipped values for quantiles and histograms, clipped sum)
        self.data: dict[tuple[str, ...], tuple[int, np.ndarray, float]] = {}
        for row in grouped.iter_rows(named=True):
            key = tuple(row[c] for c in cols) if spec.by else ()
            n = row["__n"] if spec.column is not None else row["__rows"]
            values = np.asarray(row.get("__vals") or [], dtype=np.float64)
            self.data[key] = (int(n), values, float(row.get("__sum") or 0.0))

    def mechanism(self, name: str, **kwargs: Any) -> Any:
        from diffprivlib import mechanisms

        return getattr(mechanisms, name)(random_state=_random_state(self.rng), **kwargs)

    def groups(self, eps_select: float) -> tuple[list[tuple[str, ...]], dict[tuple[str, ...], int], int | None]:
        """The keys released; noisy counts drawn for selection (reused by a count); the threshold."""
        if self.declared:
            return list(itertools.product(*(self.domains[c] for c in self.spec.by))), {}, None
        allowed = [(i, set(self.domains[c])) for i, c in enumerate(self.spec.by) if self.domains[c]]
        seen = [k for k in sorted(self.data) if all(k[i] in vals for i, vals in allowed)]
        tau = key_threshold(eps_select, self.delta)
        noisy = {k: self.mechanism("Geometric", epsilon=eps_select, sensitivity=1).randomise(self.data[k][0])
                 for k in seen}
        return [k for k in seen if noisy[k] >= tau], noisy, tau

    def label(self, key: tuple[str, ...]) -> str:
        return "; ".join(f"{c}={v}" for c, v in zip(self.spec.by, key, strict=True))

    def rows(self) -> tuple[list[Row], MechanismFacts]:
        spec = self.spec
        eps = spec.epsilon
        select_eps = eps if spec.statistic == "count" or self.declared else eps * spec.key_selection_share
        stat_eps = eps if spec.statistic == "count" or self.declared else eps - select_eps
        keys, noisy_counts, tau = self.groups(select_eps)
        facts = MechanismFacts(column=spec.column, statistic=spec.statistic, by=list(spec.by), mechanism="",
                               epsilon=eps, delta=0.0 if self.declared else self.delta, lower=spec.lower,
                               upper=spec.upper, bounds_source="declared" if spec.lower is not None else "not needed",
                               groups_released=len(keys), key_threshold=tau,
                               groups_declared=len(keys) if self.declared else None)
        if tau is not None and spec.statistic != "count":
            facts.notes.append(f"groups chosen with {select_eps:g} of the epsilon (noisy count >= {tau})")
        out: list[Row] = []
        for key in keys:
            n, values, total = self.data.get(key, (0, np.empty(0), 0.0))
            if spec.statistic in ("sum", "mean"):
                values = np.array([total])  # the clipped sum stands for the values
            group = self.label(key)
            out.extend(getattr(self, f"_{spec.statistic}")(group, n, values, stat_eps, noisy_counts.get(key), facts))
        return out, facts

    def _row(self, statistic: str, group: str, value: float, scale: float | None,
             low: float | None, high: float | None) -> Row:
        return {"statistic": statistic, "column": self.spec.column, "group": group, "value": float(value),
                "noise_scale": scale, "ci95_low": low, "ci95_high": high}

    def _count(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
               facts: MechanismFacts) -> list[Row]:
        facts.mechanism, facts.sensitivity, facts.noise_scale = "geometric", 1.0, 1 / eps
        count = noisy if noisy is not None else self.mechanism("Geometric", epsilon=eps, sensitivity=1).randomise(n)
        q = two_sided_geometric_quantile(eps, 0.05)
        facts.expected_error = 2 * math.exp(-eps) / (1 - math.exp(-2 * eps))
        value = max(0, count)
        return [self._row("count", group, value, 1 / eps, max(0.0, value - q), value + q)]

    def _sum(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
             facts: MechanismFacts) -> list[Row]:
        lower, upper = float(self.spec.lower or 0), float(self.spec.upper or 0)
        sens = max(abs(lower), abs(upper))
        facts.mechanism, facts.sensitivity, facts.noise_scale = "laplace", sens, sens / eps
        facts.expected_error = sens / eps
        total = self.mechanism("Laplace", epsilon=eps, sensitivity=sens).randomise(float(values.sum()))
        q = sens / eps * math.log(20)
        low, high = total - q, total + q
        if lower >= 0:
            total, low, high = max(total, 0.0), max(low, 0.0), max(high, 0.0)
        if upper <= 0:
            total, low, high = min(total, 0.0), min(low, 0.0), min(high, 0.0)
        return [self._row("sum", group, total, sens / eps, low, high)]

    def _mean(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
              facts: MechanismFacts) -> list[Row]:
        lower, upper = float(self.spec.lower or 0), float(self.spec.upper or 0)
        centre, half = (lower + upper) / 2, (upper - lower) / 2
        facts.mechanism, facts.sensitivity = "laplace sum / geometric count", half
        s = self.mechanism("Laplace", epsilon=eps / 2, sensitivity=half).randomise(float(values.sum()) - n * centre)
        c = self.mechanism("Geometric", epsilon=eps / 2, sensitivity=1).randomise(int(n))
        q_s = half / (eps / 2) * math.log(40)
        q_n = two_sided_geometric_quantile(eps / 2, 0.025)
        n_lo = max(1, c - q_n)
        n_hi = max(n_lo, c + q_n)
        ratios = [(s + a) / b for a in (-q_s, q_s) for b in (n_lo, n_hi)]
        value = float(np.clip(centre + s / max(c, 1), lower, upper))
        low = float(np.clip(centre + min(ratios), lower, upper))
        high = float(np.clip(centre + max(ratios), lower, upper))
        scale = half / (eps / 2) / max(c, 1)
        facts.noise_scale = scale if facts.noise_scale is None else max(facts.noise_scale, scale)
        note = "noise scale: the sum's Laplace scale over the group's noisy count (the report shows the largest)"
        if note not in facts.notes:
            facts.notes.append(note)
        return [self._row("mean", group, value, scale, low, high)]

    def _quantiles(self, group: str, values: np.ndarray, eps: float, facts: MechanismFacts) -> list[Row]:
        from diffprivlib import tools

        spec = self.spec
        facts.mechanism, facts.sensitivity = "exponential (diffprivlib tools.quantile)", 1.0
        share = eps / len(spec.levels)
        rows = []
        for q in spec.levels:
            value = tools.quantile(values, q, epsilon=share, bounds=(spec.lower, spec.upper),
                                   random_state=_random_state(self.rng), accountant=self.accountant)
            name = "median" if spec.statistic == "median" else f"quantile_{q:g}"
            rows.append(self._row(name, group, float(value), None, None, None))
        return rows

    def _median(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
                facts: MechanismFacts) -> list[Row]:
        return self._quantiles(group, values, eps, facts)

    def _quantile(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
                  facts: MechanismFacts) -> list[Row]:
        return self._quantiles(group, values, eps, facts)

    def _histogram(self, group: str, n: int, values: np.ndarray, eps: float, noisy: int | None,
                   facts: MechanismFacts) -> list[Row]:
        from diffprivlib import tools

        spec = self.spec
        edges = np.asarray(spec.bins if isinstance(spec.bins, list)
                           else np.linspace(float(spec.lower or 0), float(spec.upper or 0), int(spec.bins or 1) + 1))
        values = np.clip(values, edges[0], edges[-1])
        counts, edges = tools.histogram(values, epsilon=eps, bins=edges, range=(edges[0], edges[-1]),
                                        random_state=_random_state(self.rng), accountant=self.accountant)
        facts.mechanism, facts.sensitivity, facts.noise_scale = "truncated geometric (tools.histogram)", 1.0, 1 / eps
        facts.expected_error = 2 * math.exp(-eps) / (1 - math.exp(-2 * eps))
        q = two_sided_geometric_quantile(eps, 0.05)
        rows = []
        for i, count in enumerate(counts):
            right = "]" if i == len(counts) - 1 else ")"
            bin_label = f"{spec.column}=[{_text([edges[i]])}, {_text([edges[i + 1]])}{right}"
            label = f"{group}; {bin_label}" if group else bin_label
            rows.append(self._row("histogram", label, float(count), 1 / eps, max(0.0, count - q), count + q))
        return rows


def release_aggregates(
    frame: pl.DataFrame,
    section: DifferentialPrivacySection,
    deltas: Sequence[float],
    rng: np.random.Generator | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    *,
    hierarchy_domains: Mapping[str, Sequence[str]] | None = None,
    group_data: Callable[[AggregateSpec], GroupData] | None = None,
) -> tuple[pl.DataFrame, list[MechanismFacts]]:
    """The aggregates table (``COLUMNS``, one row per figure) and one facts entry per aggregate.

    ``deltas``: each aggregate's delta share (``budget.aggregate_deltas``). ``rng`` is for tests only;
    left None, diffprivlib draws from ``secrets.SystemRandom``. ``group_data`` gives each figure's exact
    per-group inputs instead of ``frame`` (the Spark engine computes them with group-bys; ``frame`` then
    only names the columns).
    """
    rows: list[Row] = []
    facts: list[MechanismFacts] = []
    total = max(len(section.aggregates), 1)
    for i, spec in enumerate(section.aggregates):
        cancel.raise_if_cancelled()
        progress(i / total, f"releasing figure {i + 1} of {total}")
        missing = [c for c in [spec.column, *spec.by] if c is not None and c not in frame.columns]
        if missing:
            raise SanitasError(f"{spec.label(i)}: no column {', '.join(map(repr, missing))}")
        groups = group_data(spec) if group_data is not None else None
        figure_rows, fact = _Figure(frame, spec, deltas[i], hierarchy_domains or {}, rng, groups).rows()
        rows.extend(figure_rows)
        facts.append(fact)
    progress(1.0, "figures released")
    return pl.DataFrame(rows, schema=SCHEMA) if rows else pl.DataFrame(schema=SCHEMA), facts
