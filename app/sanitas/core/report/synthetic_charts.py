"""The synthetic step's report charts: each plotted column's real and synthetic shares as grouped bars.

Drawn with the report's own chart kit (inline SVG, no script) from the figures in ``SyntheticFacts.plots``
(``privacy/synthetic/plots.py`` bins them so that no raw value reaches the report).
"""

from __future__ import annotations

from markupsafe import Markup

from sanitas.core.privacy.synthetic.facts import PlotSeries, SyntheticFacts
from sanitas.core.report.svg_kit import Bar, Panel, fmt_pct, hbar_chart, nice_axis

REAL, SYNTHETIC = "#E69F00", "#0072B2"  # the report's Okabe-Ito pair
SERIES = (("Real", REAL), ("Synthetic", SYNTHETIC))


def plot_chart(plot: PlotSeries, index: int) -> Markup:
    """One column's real and synthetic shares as grouped horizontal bars."""
    rows = [[Bar(r, fmt_pct(r)), Bar(s, fmt_pct(s))] for r, s in zip(plot.real, plot.synthetic, strict=True)]
    top = max([v for row in rows for v in (row[0].value, row[1].value)] or [0.0])
    axis = nice_axis(top, "Share of rows", fmt_pct)
    score = f", shape score {plot.score:.2f}" if plot.score is not None else ""
    words = "; ".join(f"{label}: real {fmt_pct(r)}, synthetic {fmt_pct(s)}"
                      for label, r, s in zip(plot.labels, plot.real, plot.synthetic, strict=True))
    desc = f"Distribution of {plot.column} in the real and the synthetic rows{score}. {words}."
    return hbar_chart(f"synthetic-column-{index}", f"{plot.column}: real vs synthetic{score}", desc,
                      plot.labels, [Panel(axis, rows)], series=SERIES)


def synthetic_charts(facts: SyntheticFacts) -> dict[str, Markup]:
    """The report's charts for one synthetic release, by column name (the worst columns first)."""
    return {plot.column: plot_chart(plot, i) for i, plot in enumerate(facts.plots)}
