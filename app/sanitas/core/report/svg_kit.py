"""A small SVG chart kit for the HTML report: grouped horizontal and vertical bar charts, escaped elements.

The report must open offline anywhere and stay small, so the charts are plain SVG written here: no
script, no external font, stylesheet or image, no plotting library (none writes accessible, escaped,
dependency-free inline SVG this small). Every element goes through ``el``, which escapes attribute
values and text with markupsafe (column names come from user data) and drops characters XML cannot
hold. Series are before (Okabe-Ito orange) and after (Okabe-Ito blue): distinct for colour-blind
readers and, light against dark, in grey print; before is always drawn first and each bar carries its
figure as text. Nothing here knows about privacy models: report/charts.py builds the report's figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

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


# --- generic charts -----------------------------------------------------------------------------------


def hbar_chart(chart_id: str, title: str, desc: str, labels: Sequence[str], panels: Sequence[Panel], *,
               subtitle: str | None = None, width: int = WIDTH,
               series: Sequence[tuple[str, str]] = SERIES) -> Markup:
    """Grouped horizontal bars: one row per label, one bar per series, panels side by side sharing the labels.

    ``series`` names and colours the bars of each row (before/after unless a chart compares other things).
    """
    top = header_height(subtitle)
    label_w = min(max((text_width(s) for s in labels), default=0.0) + 8, 300.0)
    n_series = max((len(r) for p in panels for r in p.rows), default=len(SERIES))
    row_h = n_series * _BAR_H + (n_series - 1) * _BAR_GAP + _ROW_GAP
    plot_h = max(len(labels), 1) * row_h
    height = top + plot_h + 48
    body: list[Markup] = []
    for i, label in enumerate(labels):
        y = top + i * row_h + (row_h - _ROW_GAP) / 2
        body.append(el("text", label, x=_PAD + label_w, y=y + 4, text_anchor="end", fill=INK))
    if not labels:
        body.append(el("text", "No data", x=_PAD, y=top + 16, fill=MUTED))
    area_x = _PAD + label_w + 8
    gap = 28
    panel_w = (width - _PAD - area_x - gap * (len(panels) - 1)) / max(len(panels), 1)
    for n, panel in enumerate(panels):
        x0 = area_x + n * (panel_w + gap)
        plot_w = max(panel_w - _TEXT_ROOM, 10.0)
        scale = plot_w / panel.axis.top if panel.axis.top > 0 else 0.0
        for tick in panel.axis.ticks:
            x = x0 + tick * scale
            body.append(el("line", x1=x, x2=x, y1=top - 4, y2=top + plot_h, stroke=GRID))
            body.append(el("text", panel.axis.fmt(tick), x=x, y=top + plot_h + 14, text_anchor="middle",
                            fill=MUTED, font_size=10))
        body.append(el("text", panel.axis.label, x=x0 + plot_w / 2, y=top + plot_h + 32, text_anchor="middle",
                        fill=INK))
        figures: list[Markup] = []
        for i, row in enumerate(panel.rows):
            for j, bar in enumerate(row):
                y = top + i * row_h + j * (_BAR_H + _BAR_GAP)
                length = clamp(bar.value, panel.axis.top) * scale
                name, colour = series[j % len(series)]
                body.append(el("rect", el("title", f"{name}: {bar.text}"), class_=f"bar s{j}", x=x0, y=y,
                                width=length, height=_BAR_H, fill=colour))
                figures.append(el("text", bar.text, x=x0 + length + 4, y=y + _BAR_H - 2))
        if panel.marker is not None:  # over the bars, under the figures
            x = x0 + clamp(panel.marker.value, panel.axis.top) * scale
            rows = len(panel.rows) if panel.marker.rows is None else min(panel.marker.rows, len(panel.rows))
            body.append(el("line", class_="marker", x1=x, x2=x, y1=top - 6, y2=top + rows * row_h - _ROW_GAP / 2,
                            stroke=MARK, stroke_width=1.5, stroke_dasharray="5 3"))
            body.append(el("text", panel.marker.label, x=x + 4, y=top - 8, fill=INK, font_size=11))
        body.append(halo(*figures, font_size=11))
    return svg(chart_id, title, desc, width, height, header(title, subtitle, width, series), *body)


def vbar_chart(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Sequence[float]],
               texts: Sequence[Sequence[str]], *, y_label: str, x_label: str, marker: Marker | None = None,
               width: int = WIDTH, plot_height: int = 220) -> Markup:
    """Grouped vertical bars: one band per category, one bar per series; ``marker.value`` is in bands from the left."""
    top = header_height(None) + 10
    left, bottom = _PAD + 56, top + plot_height
    plot_w = width - _PAD - left
    height = bottom + 50
    axis = nice_axis(max((max(v, 0.0) for s in series for v in s), default=0.0), y_label, fmt_count, integer=True)
    scale = plot_height / axis.top
    body: list[Markup] = []
    for tick in axis.ticks:
        y = bottom - tick * scale
        body.append(el("line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke=GRID))
        body.append(el("text", axis.fmt(tick), x=left - 6, y=y + 4, text_anchor="end", fill=MUTED, font_size=10))
    mid = top + plot_height / 2
    body.append(el("text", y_label, x=_PAD + 6, y=mid, text_anchor="middle", fill=INK,
                    transform=f"rotate(-90 {fmt_num(_PAD + 6)} {fmt_num(mid)})"))
    band = plot_w / max(len(categories), 1)
    n = max(len(series), 1)
    bar_w = min(band * 0.72 / n, 48.0)
    figures: list[Markup] = []
    for c, category in enumerate(categories):
        x_band = left + c * band
        start = x_band + (band - n * bar_w - (n - 1) * 2) / 2
        for j, values in enumerate(series):
            value = clamp(values[c], axis.top)
            x = start + j * (bar_w + 2)
            name, colour = SERIES[j % len(SERIES)]
            body.append(el("rect", el("title", f"{name}, size {category}: {texts[j][c]}"), class_=f"bar s{j}",
                            x=x, y=bottom - value * scale, width=bar_w, height=value * scale, fill=colour))
            figures.append(el("text", texts[j][c], x=x + bar_w / 2, y=bottom - value * scale - 3))
        body.append(el("text", category, x=x_band + band / 2, y=bottom + 16, text_anchor="middle", fill=INK))
    if marker is not None:
        x = left + min(max(marker.value, 0.0), len(categories)) * band
        body.append(el("line", class_="marker", x1=x, x2=x, y1=top - 8, y2=bottom, stroke=MARK, stroke_width=1.5,
                        stroke_dasharray="5 3"))
        body.append(el("text", marker.label, x=x + 4, y=top - 10, fill=INK, font_size=11))
    body.append(halo(*figures, text_anchor="middle", font_size=10))
    body.append(el("line", x1=left, x2=left + plot_w, y1=bottom, y2=bottom, stroke=MUTED))
    body.append(el("text", x_label, x=left + plot_w / 2, y=bottom + 38, text_anchor="middle", fill=INK))
    return svg(chart_id, title, desc, width, height, header(title, None, width), *body)


# --- SVG pieces ---------------------------------------------------------------------------------------


def el(tag: str, *children: Markup | str, **attrs: object) -> Markup:
    """``<tag attr="...">children</tag>``: attribute names come from code; values and str text are escaped."""
    parts = [Markup(' {}="{}"').format(Markup(name.rstrip("_").replace("_", "-")), attr(value))
             for name, value in attrs.items() if value is not None]
    head = Markup("<{}{}").format(Markup(tag), Markup("").join(parts))
    if not children:
        return head + Markup("/>")
    inner = Markup("").join(c if isinstance(c, Markup) else clean(c) for c in children)
    return head + Markup(">{}</{}>").format(inner, Markup(tag))


def svg(chart_id: str, title: str, desc: str, width: float, height: float, *body: Markup) -> Markup:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a plain identifier")
    return el("svg", el("title", title, id=f"{chart_id}-title"), el("desc", desc, id=f"{chart_id}-desc"), *body,
               xmlns="http://www.w3.org/2000/svg", id=chart_id, class_="chart", role="img",
               aria_labelledby=f"{chart_id}-title {chart_id}-desc", width=width, height=height,
               viewBox=f"0 0 {fmt_num(width)} {fmt_num(height)}", font_family=FONT, font_size=12)


def halo(*texts: Markup, **attrs: object) -> Markup:
    """Figures printed by the bars, with a white outline so grid and marker lines never cut through them."""
    return el("g", *texts, fill=INK, stroke="#fff", stroke_width=3, stroke_linejoin="round", paint_order="stroke",
               **attrs)


def header(title: str, subtitle: str | None, width: float,
           series: Sequence[tuple[str, str]] = SERIES) -> Markup:
    """Visible title and the before/after legend (the legend never depends on colour alone: order and text too)."""
    parts = [el("text", title, x=_PAD, y=22, fill=INK, font_size=15, font_weight="600")]
    if subtitle:
        parts.append(el("text", subtitle, x=_PAD, y=40, fill=MUTED, font_size=11))
    x = width - _PAD
    for name, colour in reversed(series):
        x -= text_width(name) + 4
        parts.append(el("text", name, x=x + 18, y=legend_y(subtitle) + 10, fill=INK))
        parts.append(el("rect", class_="legend", x=x, y=legend_y(subtitle), width=12, height=12, fill=colour))
        x -= 16
    return el("g", *parts)


def legend_y(subtitle: str | None) -> float:
    return 50 if subtitle else 32


def header_height(subtitle: str | None) -> float:
    return 86 if subtitle else 68


# --- numbers and text ---------------------------------------------------------------------------------


def nice_axis(top: float, label: str, fmt: Callable[[float], str], *, integer: bool = False) -> Axis:
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










def clamp(value: float, top: float) -> float:
    return min(max(value, 0.0), top) if math.isfinite(value) else 0.0


def fmt_pct(share: float) -> str:
    """A share as a percentage, with the digits a small share needs (never "0%" for a share above zero)."""
    p = 100 * share if math.isfinite(share) else 0.0
    if p == 0:
        return "0%"
    if abs(p) < 0.01:
        return "<0.01%"
    if abs(p) < 10:
        return f"{p:.2g}%"
    return f"{p:.1f}".removesuffix(".0") + "%"


def fmt_count(value: float | int | None) -> str:
    return f"{int(value or 0):,}"


def fmt_num(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (keeps the report small)."""
    if not math.isfinite(value):
        return "0"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attr(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return fmt_num(value)
    return clean(str(value))


def clean(text: str) -> str:
    """Text XML can hold: control characters and lone surrogates become U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def text_width(text: str, size: float = 12) -> float:
    """Rough width of ``text`` in the sans-serif font (no font metrics offline): 0.6 em a character."""
    return len(text) * size * 0.6
