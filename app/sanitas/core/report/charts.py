"""Inline SVG charts for the HTML report: class sizes, re-identification risk and utility, before and after.

The figures are drawn with the report's small SVG kit (svg_kit.py: escaping, bars, axes, legend); this
module only chooses what to show. Every figure is also given in words in the chart's ``<desc>``, for
screen readers and for anyone who cannot tell the bars apart.

Only numbers, column names and generalization levels appear: never a value of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup

from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts
from sanitas.core.privacy.metrics.risk import RiskReport
from sanitas.core.privacy.metrics.utility import UtilityReport
from sanitas.core.report.svg_kit import (
    Axis,
    Bar,
    Marker,
    Panel,
    fmt_count,
    fmt_pct,
    hbar_chart,
    nice_axis,
    short,
    vbar_chart,
)

# --- the three report charts --------------------------------------------------------------------------


def k_anonymity_charts(facts: KAnonymityFacts) -> dict[str, Markup]:
    """The report's charts for one k-anonymity run, by name: ``utility``, ``risk``, ``class_sizes``."""
    return {
        "utility": utility_chart(facts.utility, facts.quasi_identifiers, facts.levels, facts.heights),
        "risk": risk_chart(facts.risk_before, facts.risk_after),
        "class_sizes": class_size_chart(facts.risk_before, facts.risk_after, k=required_k(facts)),
    }


def required_k(facts: KAnonymityFacts) -> int | None:
    """The k the recipe asked for: the check the release step names ``"<k>-anonymity"`` (None without one)."""
    for check in facts.checks:
        if check.model == f"{check.required:g}-anonymity":
            return int(check.required)
    return None


def class_size_chart(before: RiskReport, after: RiskReport, *, k: int | None = None,
                     chart_id: str = "ka-class-sizes") -> Markup:
    """Records per equivalence-class size bucket, before and after, with the required k marked.

    Records rather than classes on the axis: before and after then add up to about the same total, and
    the bars show where the people are (4,871 records alone in their class, not "4,871 classes").
    """
    buckets = [(b.label, b.smallest, b.largest) for b in before.histogram]
    after_by_label = {b.label: b for b in after.histogram}
    values = [[float(b.records) for b in before.histogram],
              [float(after_by_label[b.label].records if b.label in after_by_label else 0) for b in before.histogram]]
    texts = [[fmt_count(v) for v in series] for series in values]
    marker = None
    if k is not None and buckets:
        marker = Marker(_bucket_position(buckets, k), f"k = {k}")
    title = "Equivalence-class sizes, before and after"
    parts = [f"Records by the size of their equivalence class (records sharing all quasi-identifier values)"
             f"{f', with the required k = {k} marked' if k is not None else ''}."]
    for name, report in (("Before", before), ("After", after)):
        sizes = "; ".join(f"size {b.label}: {fmt_count(b.records)} records in {fmt_count(b.classes)} classes"
                          for b in report.histogram)
        parts.append(f"{name}: {fmt_count(report.records)} records in {fmt_count(report.classes)} classes, "
                     f"smallest class {report.k}; {sizes or 'no classes'}.")
    if k is not None:
        parts.append(f"Records in classes smaller than k = {k}: {fmt_count(_records_below(before, k))} before, "
                     f"{fmt_count(_records_below(after, k))} after.")
    return vbar_chart(chart_id, title, " ".join(parts), [b[0] for b in buckets], values, texts,
                      y_label="Records", x_label="Equivalence-class size (records sharing the same quasi-identifiers)",
                      marker=marker)


def risk_chart(before: RiskReport, after: RiskReport, *, chart_id: str = "ka-risk") -> Markup:
    """Prosecutor, journalist and marketer risk, records at risk and sample uniques, before and after (0-100%)."""
    threshold = fmt_pct(before.threshold)
    Figure = Callable[[RiskReport], tuple[float, str]]
    risks: list[tuple[str, Figure]] = [  # record risks: the threshold line crosses these
        ("Prosecutor risk, highest", lambda r: _share(r.prosecutor_risk.highest)),
        ("Prosecutor risk, average", lambda r: _share(r.prosecutor_risk.average)),
        ("Journalist risk, highest", lambda r: _share(r.journalist_risk.highest)),
        ("Journalist risk, average", lambda r: _share(r.journalist_risk.average)),
        ("Marketer risk (share re-identified)", lambda r: _share(r.marketer_risk.average)),
    ]
    rows: list[tuple[str, Figure]] = [
        *risks,
        (f"Records above {threshold} risk (prosecutor)",
         lambda r: _counted(r.prosecutor_risk.records_at_risk, r.prosecutor_risk.share_at_risk)),
        (f"Records above {threshold} risk (journalist)",
         lambda r: _counted(r.journalist_risk.records_at_risk, r.journalist_risk.share_at_risk)),
        ("Sample uniques (alone in their class)", lambda r: _counted(r.sample_uniques, r.sample_uniqueness)),
    ]
    bars = [[Bar(*figure(report)) for report in (before, after)] for _, figure in rows]
    axis = Axis(1.0, (0.0, 0.25, 0.5, 0.75, 1.0), "Share of records / re-identification risk", fmt_pct)
    population = (f"Journalist and marketer risk: {before.population_model}"
                  f"{f' (population {fmt_count(before.population)})' if before.population else ''}.")
    words = "; ".join(f"{label}: {b.text} before, {a.text} after" for (label, _), (b, a) in zip(rows, bars,
                                                                                                 strict=True))
    desc = (f"Re-identification risk of the input and of the released records. {words}. "
            f"Threshold for a record at risk: {threshold}. {population}")
    return hbar_chart(chart_id, "Re-identification risk, before and after", desc, [label for label, _ in rows],
                      [Panel(axis, bars, Marker(before.threshold, f"threshold {threshold}", rows=len(risks)))],
                      subtitle=population)


def utility_chart(utility: UtilityReport, quasi_identifiers: Sequence[str], levels: Mapping[str, int],
                  heights: Mapping[str, int], *, chart_id: str = "ka-utility") -> Markup:
    """Per quasi-identifier: distinct values kept (share of before) and entropy before / after (bits)."""
    by_name = {c.column: c for c in utility.columns}
    columns = [by_name[q] for q in quasi_identifiers if q in by_name]
    labels, distinct_rows, entropy_rows, words = [], [], [], []
    for c in columns:
        level = levels.get(c.column, c.generalization_level)
        height = heights.get(c.column)
        where = "" if level is None else f"level {level}" + ("" if height is None else f" of {height - 1}")
        labels.append(f"{short(c.column)}{f' · {where}' if where else ''}")
        kept = c.distinct_after / c.distinct_before if c.distinct_before else 0.0
        distinct_rows.append([Bar(1.0 if c.distinct_before else 0.0, f"{fmt_count(c.distinct_before)} values"),
                              Bar(kept, f"{fmt_count(c.distinct_after)} ({fmt_pct(kept)})")])
        change = "" if abs(c.entropy_lost) < 0.005 else (
            f" (−{c.entropy_lost:.2f})" if c.entropy_lost > 0 else f" (+{-c.entropy_lost:.2f})")
        entropy_rows.append([Bar(c.entropy_before, f"{c.entropy_before:.2f} bits"),
                             Bar(c.entropy_after, f"{c.entropy_after:.2f}{change}")])
        after, before = fmt_count(c.distinct_after), fmt_count(c.distinct_before)
        distinct = (f"{after} of {before} distinct values kept ({fmt_pct(kept)})"
                    if c.distinct_after <= c.distinct_before else
                    f"{after} distinct values after, {before} before")
        lost = (f"{c.entropy_lost:.2f} bits lost ({fmt_pct(c.entropy_lost_share)})" if c.entropy_lost >= 0 else
                f"{-c.entropy_lost:.2f} bits gained")
        words.append(f"{c.column}{f' ({where})' if where else ''}: {distinct}; entropy {c.entropy_before:.2f} bits "
                     f"before, {c.entropy_after:.2f} after, {lost}")
    top_kept = max((bar.value for row in distinct_rows for bar in row), default=1.0)
    kept_axis = nice_axis(max(top_kept, 1.0), "Distinct values, % of before", fmt_pct)
    top_bits = max((max(bar.value, 0.0) for row in entropy_rows for bar in row), default=0.0)
    bits_axis = nice_axis(top_bits, "Entropy (bits)", lambda v: f"{v:g}")
    desc = (f"Utility per quasi-identifier, {fmt_count(utility.records_before)} records before and "
            f"{fmt_count(utility.records_after)} released. " + ("; ".join(words) or "No quasi-identifier") + ".")
    return hbar_chart(chart_id, "Utility per quasi-identifier: distinct values kept and entropy lost", desc, labels,
                      [Panel(kept_axis, distinct_rows), Panel(bits_axis, entropy_rows)])


def _bucket_position(buckets: Sequence[tuple[str, int, int | None]], k: int) -> float:
    """Where k falls, in bands from the left: on a bucket's left edge when it starts there, else inside it."""
    for i, (_, smallest, largest) in enumerate(buckets):
        if k <= smallest:
            return float(i)
        if largest is None:
            return i + 0.5
        if k <= largest:
            return i + (k - smallest) / (largest - smallest + 1)
    return float(len(buckets))
def _records_below(report: RiskReport, k: int) -> int:
    return sum(c.size * c.classes for c in report.class_sizes if c.size < k)
def _share(value: float) -> tuple[float, str]:
    return value, fmt_pct(value)
def _counted(count: int, share: float) -> tuple[float, str]:
    return share, f"{fmt_count(count)} ({fmt_pct(share)})"
