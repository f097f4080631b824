"""The privacy report: a pydantic model built from a Release, rendered to JSON and self-contained HTML."""

from sanitas.core.report.build import build_report
from sanitas.core.report.model import PrivacyReport
from sanitas.core.report.render import render_html, render_json

__all__ = ["PrivacyReport", "build_report", "render_html", "render_json"]
