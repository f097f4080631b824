"""Inline SVG charts for the HTML report: class sizes, re-identification risk and utility, before and after.

The report must open offline anywhere and stay small, so the charts are plain SVG written here: no
script, no external font, stylesheet or image, no plotting library. Every element goes through ``_el``,
which escapes attribute values and text with markupsafe (column names come from user data) and drops
characters XML cannot hold. Every figure is also given in words in the chart's ``<desc>``, for screen
readers and for anyone who cannot tell the bars apart. Before is Okabe-Ito orange and after Okabe-Ito
blue: distinct for colour-blind readers and, light against dark, in grey print; before is always drawn
first (above, or left of, after) and each bar carries its figure as text.

Only numbers, column names and generalization levels appear: never a value of the data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from sanitas.core.privacy.k_anonymity.release import KAnonymityFacts
from sanitas.core.privacy.metrics.risk import RiskReport
from sanitas.core.privacy.metrics.utility import UtilityReport

BEFORE = "#E69F00"  # Okabe-Ito orange: light grey in print
AFTER = "#0072B2"  # Okabe-Ito blue: dark grey in print
SERIES = (("Before (input)", BEFORE), ("After (released)", AFTER))
INK, MUTED, GRID, MARK = "#1f2328", "#59636e", "#d1d9e0", "#1f2328"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
WIDTH = 900
_PAD = 16
_BAR_H, _BAR_GAP, _ROW_GAP = 12, 2, 12
_TEXT_ROOM = 104  # right of each horizontal panel, for the figure printed after the bar
_LABEL_MAX = 24  # characters of a column name shown in a row label (the <desc> has the whole name)
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[A-Za-z][\w-]*")


@dataclass(frozen=True)
class Bar:
    """One bar: its value in the axis' units (drawn clamped to the axis) and the figure printed at its end."""

    value: float
    text: str


@dataclass(frozen=True)
class Axis:
    top: float
    ticks: tuple[float, ...]
    label: str
    fmt: Callable[[float], str]


@dataclass(frozen=True)
class Marker:
    """A dashed line across the plot at ``value`` (axis units), over the first ``rows`` rows (all if None)."""

    value: float
    label: str
    rows: int | None = None


@dataclass(frozen=True)
class Panel:
    axis: Axis
    rows: Sequence[Sequence[Bar]]  # one entry per row label, one bar per series
    marker: Marker | None = None


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
    texts = [[_count(v) for v in series] for series in values]
    marker = None
    if k is not None and buckets:
        marker = Marker(_bucket_position(buckets, k), f"k = {k}")
    title = "Equivalence-class sizes, before and after"
    parts = [f"Records by the size of their equivalence class (records sharing all quasi-identifier values)"
             f"{f', with the required k = {k} marked' if k is not None else ''}."]
    for name, report in (("Before", before), ("After", after)):
        sizes = "; ".join(f"size {b.label}: {_count(b.records)} records in {_count(b.classes)} classes"
                          for b in report.histogram)
        parts.append(f"{name}: {_count(report.records)} records in {_count(report.classes)} classes, "
                     f"smallest class {report.k}; {sizes or 'no classes'}.")
    if k is not None:
        parts.append(f"Records in classes smaller than k = {k}: {_count(_records_below(before, k))} before, "
                     f"{_count(_records_below(after, k))} after.")
    return vbar_chart(chart_id, title, " ".join(parts), [b[0] for b in buckets], values, texts,
                      y_label="Records", x_label="Equivalence-class size (records sharing the same quasi-identifiers)",
                      marker=marker)


def risk_chart(before: RiskReport, after: RiskReport, *, chart_id: str = "ka-risk") -> Markup:
    """Prosecutor, journalist and marketer risk, records at risk and sample uniques, before and after (0-100%)."""
    threshold = _pct(before.threshold)
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
    axis = Axis(1.0, (0.0, 0.25, 0.5, 0.75, 1.0), "Share of records / re-identification risk", _pct)
    population = (f"Journalist and marketer risk: {before.population_model}"
                  f"{f' (population {_count(before.population)})' if before.population else ''}.")
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
        labels.append(f"{_short(c.column)}{f' · {where}' if where else ''}")
        kept = c.distinct_after / c.distinct_before if c.distinct_before else 0.0
        distinct_rows.append([Bar(1.0 if c.distinct_before else 0.0, f"{_count(c.distinct_before)} values"),
                              Bar(kept, f"{_count(c.distinct_after)} ({_pct(kept)})")])
        change = "" if abs(c.entropy_lost) < 0.005 else (
            f" (−{c.entropy_lost:.2f})" if c.entropy_lost > 0 else f" (+{-c.entropy_lost:.2f})")
        entropy_rows.append([Bar(c.entropy_before, f"{c.entropy_before:.2f} bits"),
                             Bar(c.entropy_after, f"{c.entropy_after:.2f}{change}")])
        distinct = (f"{_count(c.distinct_after)} of {_count(c.distinct_before)} distinct values kept ({_pct(kept)})"
                    if c.distinct_after <= c.distinct_before else
                    f"{_count(c.distinct_after)} distinct values after, {_count(c.distinct_before)} before")
        lost = (f"{c.entropy_lost:.2f} bits lost ({_pct(c.entropy_lost_share)})" if c.entropy_lost >= 0 else
                f"{-c.entropy_lost:.2f} bits gained")
        words.append(f"{c.column}{f' ({where})' if where else ''}: {distinct}; entropy {c.entropy_before:.2f} bits "
                     f"before, {c.entropy_after:.2f} after, {lost}")
    top_kept = max((bar.value for row in distinct_rows for bar in row), default=1.0)
    kept_axis = _nice_axis(max(top_kept, 1.0), "Distinct values, % of before", _pct)
    top_bits = max((max(bar.value, 0.0) for row in entropy_rows for bar in row), default=0.0)
    bits_axis = _nice_axis(top_bits, "Entropy (bits)", lambda v: f"{v:g}")
    desc = (f"Utility per quasi-identifier, {_count(utility.records_before)} records before and "
            f"{_count(utility.records_after)} released. " + ("; ".join(words) or "No quasi-identifier") + ".")
    return hbar_chart(chart_id, "Utility per quasi-identifier: distinct values kept and entropy lost", desc, labels,
                      [Panel(kept_axis, distinct_rows), Panel(bits_axis, entropy_rows)])


# --- generic charts -----------------------------------------------------------------------------------


def hbar_chart(chart_id: str, title: str, desc: str, labels: Sequence[str], panels: Sequence[Panel], *,
               subtitle: str | None = None, width: int = WIDTH) -> Markup:
    """Grouped horizontal bars: one row per label, one bar per series, panels side by side sharing the labels."""
    top = _header_height(subtitle)
    label_w = min(max((_text_width(s) for s in labels), default=0.0) + 8, 300.0)
    n_series = max((len(r) for p in panels for r in p.rows), default=len(SERIES))
    row_h = n_series * _BAR_H + (n_series - 1) * _BAR_GAP + _ROW_GAP
    plot_h = max(len(labels), 1) * row_h
    height = top + plot_h + 48
    body: list[Markup] = []
    for i, label in enumerate(labels):
        y = top + i * row_h + (row_h - _ROW_GAP) / 2
        body.append(_el("text", label, x=_PAD + label_w, y=y + 4, text_anchor="end", fill=INK))
    if not labels:
        body.append(_el("text", "No data", x=_PAD, y=top + 16, fill=MUTED))
    area_x = _PAD + label_w + 8
    gap = 28
    panel_w = (width - _PAD - area_x - gap * (len(panels) - 1)) / max(len(panels), 1)
    for n, panel in enumerate(panels):
        x0 = area_x + n * (panel_w + gap)
        plot_w = max(panel_w - _TEXT_ROOM, 10.0)
        scale = plot_w / panel.axis.top if panel.axis.top > 0 else 0.0
        for tick in panel.axis.ticks:
            x = x0 + tick * scale
            body.append(_el("line", x1=x, x2=x, y1=top - 4, y2=top + plot_h, stroke=GRID))
            body.append(_el("text", panel.axis.fmt(tick), x=x, y=top + plot_h + 14, text_anchor="middle",
                            fill=MUTED, font_size=10))
        body.append(_el("text", panel.axis.label, x=x0 + plot_w / 2, y=top + plot_h + 32, text_anchor="middle",
                        fill=INK))
        figures: list[Markup] = []
        for i, row in enumerate(panel.rows):
            for j, bar in enumerate(row):
                y = top + i * row_h + j * (_BAR_H + _BAR_GAP)
                length = _clamp(bar.value, panel.axis.top) * scale
                name, colour = SERIES[j % len(SERIES)]
                body.append(_el("rect", _el("title", f"{name}: {bar.text}"), class_=f"bar s{j}", x=x0, y=y,
                                width=length, height=_BAR_H, fill=colour))
                figures.append(_el("text", bar.text, x=x0 + length + 4, y=y + _BAR_H - 2))
        if panel.marker is not None:  # over the bars, under the figures
            x = x0 + _clamp(panel.marker.value, panel.axis.top) * scale
            rows = len(panel.rows) if panel.marker.rows is None else min(panel.marker.rows, len(panel.rows))
            body.append(_el("line", class_="marker", x1=x, x2=x, y1=top - 6, y2=top + rows * row_h - _ROW_GAP / 2,
                            stroke=MARK, stroke_width=1.5, stroke_dasharray="5 3"))
            body.append(_el("text", panel.marker.label, x=x + 4, y=top - 8, fill=INK, font_size=11))
        body.append(_halo(*figures, font_size=11))
    return _svg(chart_id, title, desc, width, height, _header(title, subtitle, width), *body)


def vbar_chart(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Sequence[float]],
               texts: Sequence[Sequence[str]], *, y_label: str, x_label: str, marker: Marker | None = None,
               width: int = WIDTH, plot_height: int = 220) -> Markup:
    """Grouped vertical bars: one band per category, one bar per series; ``marker.value`` is in bands from the left."""
    top = _header_height(None) + 10
    left, bottom = _PAD + 56, top + plot_height
    plot_w = width - _PAD - left
    height = bottom + 50
    axis = _nice_axis(max((max(v, 0.0) for s in series for v in s), default=0.0), y_label, _count, integer=True)
    scale = plot_height / axis.top
    body: list[Markup] = []
    for tick in axis.ticks:
        y = bottom - tick * scale
        body.append(_el("line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke=GRID))
        body.append(_el("text", axis.fmt(tick), x=left - 6, y=y + 4, text_anchor="end", fill=MUTED, font_size=10))
    mid = top + plot_height / 2
    body.append(_el("text", y_label, x=_PAD + 6, y=mid, text_anchor="middle", fill=INK,
                    transform=f"rotate(-90 {_num(_PAD + 6)} {_num(mid)})"))
    band = plot_w / max(len(categories), 1)
    n = max(len(series), 1)
    bar_w = min(band * 0.72 / n, 48.0)
    figures: list[Markup] = []
    for c, category in enumerate(categories):
        x_band = left + c * band
        start = x_band + (band - n * bar_w - (n - 1) * 2) / 2
        for j, values in enumerate(series):
            value = _clamp(values[c], axis.top)
            x = start + j * (bar_w + 2)
            name, colour = SERIES[j % len(SERIES)]
            body.append(_el("rect", _el("title", f"{name}, size {category}: {texts[j][c]}"), class_=f"bar s{j}",
                            x=x, y=bottom - value * scale, width=bar_w, height=value * scale, fill=colour))
            figures.append(_el("text", texts[j][c], x=x + bar_w / 2, y=bottom - value * scale - 3))
        body.append(_el("text", category, x=x_band + band / 2, y=bottom + 16, text_anchor="middle", fill=INK))
    if marker is not None:
        x = left + min(max(marker.value, 0.0), len(categories)) * band
        body.append(_el("line", class_="marker", x1=x, x2=x, y1=top - 8, y2=bottom, stroke=MARK, stroke_width=1.5,
                        stroke_dasharray="5 3"))
        body.append(_el("text", marker.label, x=x + 4, y=top - 10, fill=INK, font_size=11))
    body.append(_halo(*figures, text_anchor="middle", font_size=10))
    body.append(_el("line", x1=left, x2=left + plot_w, y1=bottom, y2=bottom, stroke=MUTED))
    body.append(_el("text", x_label, x=left + plot_w / 2, y=bottom + 38, text_anchor="middle", fill=INK))
    return _svg(chart_id, title, desc, width, height, _header(title, None, width), *body)


# --- SVG pieces ---------------------------------------------------------------------------------------


def _el(tag: str, *children: Markup | str, **attrs: object) -> Markup:
    """``<tag attr="...">children</tag>``: attribute names come from code; values and str text are escaped."""
    parts = [Markup(' {}="{}"').format(Markup(name.rstrip("_").replace("_", "-")), _attr(value))
             for name, value in attrs.items() if value is not None]
    head = Markup("<{}{}").format(Markup(tag), Markup("").join(parts))
    if not children:
        return head + Markup("/>")
    inner = Markup("").join(c if isinstance(c, Markup) else _clean(c) for c in children)
    return head + Markup(">{}</{}>").format(inner, Markup(tag))


def _svg(chart_id: str, title: str, desc: str, width: float, height: float, *body: Markup) -> Markup:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a plain identifier")
    return _el("svg", _el("title", title, id=f"{chart_id}-title"), _el("desc", desc, id=f"{chart_id}-desc"), *body,
               xmlns="http://www.w3.org/2000/svg", id=chart_id, class_="chart", role="img",
               aria_labelledby=f"{chart_id}-title {chart_id}-desc", width=width, height=height,
               viewBox=f"0 0 {_num(width)} {_num(height)}", font_family=FONT, font_size=12)


def _halo(*texts: Markup, **attrs: object) -> Markup:
    """Figures printed by the bars, with a white outline so grid and marker lines never cut through them."""
    return _el("g", *texts, fill=INK, stroke="#fff", stroke_width=3, stroke_linejoin="round", paint_order="stroke",
               **attrs)


def _header(title: str, subtitle: str | None, width: float) -> Markup:
    """Visible title and the before/after legend (the legend never depends on colour alone: order and text too)."""
    parts = [_el("text", title, x=_PAD, y=22, fill=INK, font_size=15, font_weight="600")]
    if subtitle:
        parts.append(_el("text", subtitle, x=_PAD, y=40, fill=MUTED, font_size=11))
    x = width - _PAD
    for name, colour in reversed(SERIES):
        x -= _text_width(name) + 4
        parts.append(_el("text", name, x=x + 18, y=_legend_y(subtitle) + 10, fill=INK))
        parts.append(_el("rect", class_="legend", x=x, y=_legend_y(subtitle), width=12, height=12, fill=colour))
        x -= 16
    return _el("g", *parts)


def _legend_y(subtitle: str | None) -> float:
    return 50 if subtitle else 32


def _header_height(subtitle: str | None) -> float:
    return 86 if subtitle else 68


# --- numbers and text ---------------------------------------------------------------------------------


def _nice_axis(top: float, label: str, fmt: Callable[[float], str], *, integer: bool = False) -> Axis:
    """An axis from 0 to a round number at or above ``top`` with four or five ticks (0..1 when top is 0)."""
    top = top if math.isfinite(top) and top > 0 else 1.0
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(s * magnitude for s in steps if s * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(round(step), 1)
    count = math.ceil(top / step - 1e-9)
    return Axis(step * count, tuple(step * i for i in range(count + 1)), label, fmt)


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
    return value, _pct(value)


def _counted(count: int, share: float) -> tuple[float, str]:
    return share, f"{_count(count)} ({_pct(share)})"


def _clamp(value: float, top: float) -> float:
    return min(max(value, 0.0), top) if math.isfinite(value) else 0.0


def _pct(share: float) -> str:
    """A share as a percentage, with the digits a small share needs (never "0%" for a share above zero)."""
    p = 100 * share if math.isfinite(share) else 0.0
    if p == 0:
        return "0%"
    if abs(p) < 0.01:
        return "<0.01%"
    if abs(p) < 10:
        return f"{p:.2g}%"
    return f"{p:.1f}".removesuffix(".0") + "%"


def _count(value: float | int | None) -> str:
    return f"{int(value or 0):,}"


def _num(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (keeps the report small)."""
    if not math.isfinite(value):
        return "0"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attr(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _num(value)
    return _clean(str(value))


def _clean(text: str) -> str:
    """Text XML can hold: control characters and lone surrogates become U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _text_width(text: str, size: float = 12) -> float:
    """Rough width of ``text`` in the sans-serif font (no font metrics offline): 0.6 em a character."""
    return len(text) * size * 0.6
