"""Render the report as JSON (for machines and diffing) and as one self-contained HTML file.

The HTML has no external assets (inline CSS, inline SVG charts, no scripts, no fonts or images
fetched), so it opens offline, in a browser or in the workbench's viewer, and can be attached to a
review as it is. The charts are HTML-only: the JSON carries the figures they are drawn from.
"""

from __future__ import annotations

from functools import cache

import jinja2

from sanitas.core.report.charts import k_anonymity_charts
from sanitas.core.report.model import PrivacyReport
from sanitas.core.step_registry import STEPS


def render_json(report: PrivacyReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sanitas.core.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f}%"
    env.filters["num"] = lambda x: f"{int(x):,}"
    env.globals["k_anonymity_charts"] = k_anonymity_charts
    env.filters["params"] = lambda p: ", ".join(f"{k}={v}" for k, v in p.items() if v not in (None, "", [], {}))
    return env


def render_html(report: PrivacyReport) -> str:
    templates = {name: STEPS[name].template for name in report.steps}
    return _environment().get_template("report.html.j2").render(r=report, templates=templates)
