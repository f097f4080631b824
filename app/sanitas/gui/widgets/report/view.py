"""The privacy report inside the workbench, right after an export.

QTextBrowser renders only a subset of HTML/CSS (no CSS variables or grid), so the core's report file
would look broken here. This view renders the same facts from the PrivacyReport itself in the
subset Qt supports: status banner, residual findings with column and rows, the per-column table.
The full report file opens in the browser with one click.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from sanitas.core.export import ExportResult, report_paths
from sanitas.core.report import PrivacyReport
from sanitas.gui.theme import kind_label, kind_symbol
from sanitas.gui.widgets.common.params_fields import humanize
from sanitas.gui.widgets.export.residual_dialog import residual_rows

OK, BAD, MUTED = "#1a7f37", "#cf222e", "#6e7781"
AMBER = "#9a6700"  # the core's "released-at-risk": never green, and the words say it too


def status_text(report: PrivacyReport) -> tuple[str, str]:
    """The headline (symbol + words) and its colour: red for personal data left or withheld, amber when the
    released records can be re-identified (``released-at-risk``), green only when both checks pass."""
    if report.status == "withheld":
        return "✖ Output withheld: personal data remains", BAD
    at_risk = report.status == "released-at-risk" or bool(report.risk.get("at_risk"))
    if report.residual_findings:
        n = report.residual_findings
        risk = "; records can also be re-identified" if at_risk else ""
        return f"⚠ Released with {n} residual finding{'s' if n != 1 else ''}{risk}", BAD
    if at_risk:
        return "⚠ Released at risk: records can be re-identified from their quasi-identifiers", AMBER
    return "✔ Released: the residual check is clean", OK


class ReportView(QWidget):
    """Status and output path on top, the report below, and buttons to the folder and the full report."""

    open_url = staticmethod(QDesktopServices.openUrl)  # tests replace it: nothing is launched

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Privacy report")
        self.report: PrivacyReport | None = None
        self.html_path: Path | None = None
        self.output_path: Path | None = None

        self.status_label = QLabel("No export yet.", self)
        self.status_label.setAccessibleName("Export status")
        self.status_label.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label = QLabel(self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label = QLabel(self)
        self.path_label.setAccessibleName("Output file")
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.folder_button = QPushButton("Open &folder", self)
        self.folder_button.setToolTip("Show the folder with the output and its report")
        self.folder_button.clicked.connect(self.open_folder)
        self.browser_button = QPushButton("Open in &browser", self)
        self.browser_button.setToolTip("Open the full, self-contained HTML report in your web browser")
        self.browser_button.clicked.connect(self.open_in_browser)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("Report")
        self.browser.setOpenLinks(False)  # the report has no links to follow; never navigate away
        for button in (self.folder_button, self.browser_button):
            button.setEnabled(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.path_label, 1)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.browser_button)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.reason_label)
        layout.addLayout(buttons)
        layout.addWidget(self.browser, 1)

    def add_setting(self, widget: QWidget) -> None:
        """A plan setting that decides the report (the risk threshold), shown above the status it changes."""
        self._layout.insertWidget(0, widget)

    # --- content ---------------------------------------------------------------------------------
    def show_result(self, result: ExportResult) -> None:
        self.show_report(result.report, result.report_html, result.output)

    def load(self, report_json: Path) -> None:
        """A report from disk (the ``OUT.report.json`` beside an earlier export)."""
        report = PrivacyReport.model_validate_json(report_json.read_text(encoding="utf-8"))
        output = report_json.with_name(report_json.name.removesuffix(".report.json"))
        self.show_report(report, report_paths(output)[0], output if report.output else None)

    def show_report(self, report: PrivacyReport, html_path: Path | None, output_path: Path | None) -> None:
        self.report, self.html_path, self.output_path = report, html_path, output_path
        headline, colour = status_text(report)
        self.status_label.setText(headline)
        self.status_label.setStyleSheet(f"font-size: 15pt; font-weight: 600; color: {colour};")
        self.reason_label.setText(report.status_reason)
        where = f"Output: {output_path}" if output_path else "Output: not written"
        self.path_label.setText(where + (f"\nReport: {html_path}" if html_path else ""))
        self.folder_button.setEnabled(self._folder() is not None)
        self.browser_button.setEnabled(html_path is not None and html_path.exists())
        self.browser.setHtml(report_html(report, banner=False))

    def clear(self) -> None:
        self.report = self.html_path = self.output_path = None
        self.status_label.setText("No export yet.")
        self.status_label.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.reason_label.clear()
        self.path_label.clear()
        self.browser.clear()
        for button in (self.folder_button, self.browser_button):
            button.setEnabled(False)

    @property
    def status(self) -> str:
        return self.status_label.text()

    # --- actions ---------------------------------------------------------------------------------
    def _folder(self) -> Path | None:
        anchor = self.output_path or self.html_path
        return anchor.parent if anchor is not None else None

    def open_folder(self) -> None:
        folder = self._folder()
        if folder is not None:
            self.open_url(QUrl.fromLocalFile(str(folder)))

    def open_in_browser(self) -> None:
        if self.html_path is not None:
            self.open_url(QUrl.fromLocalFile(str(self.html_path)))


# --- the simplified HTML ---------------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th align='left' bgcolor='#eaeef2'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td valign='top'>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>{head}</tr>{body}</table>"


def _facts(report: PrivacyReport) -> str:
    i, o, r = report.input, report.output, report.recipe
    rows = [["Input", f"<code>{escape(i.name)}</code> ({escape(i.format)}), {i.rows:,} rows, {i.columns} columns"
             + (f"<br><small>SHA-256 {escape(i.sha256)}</small>" if i.sha256 else "")]]
    if o is not None:
        rows.append(["Output", f"<code>{escape(o.name)}</code> ({escape(o.format)}), {o.rows:,} rows, {o.columns} "
                     "columns" + (f"<br><small>SHA-256 {escape(o.sha256)}</small>" if o.sha256 else "")])
    else:
        rows.append(["Output", "not written"])
    keys = "; ".join(f"{escape(k)}: {escape(v)}" for k, v in r.keys.items()) or "none"
    rows.append(["Recipe", f"{escape(r.file or 'unsaved recipe')}, seed {r.seed}, locale {escape(r.locale)}, "
                 f"unlisted columns: {escape(r.unlisted_columns)}<br>keys (never stored): {keys}"])
    d = report.detection
    notes = "".join(f"<br>{escape(n)}" for n in d.notes)
    rows.append(["Detection", f"model {escape(d.model or 'none (patterns only)')}, "
                 f"{d.sample_size:,} values sampled per column{notes}"])
    rows.append(["Created", f"{escape(report.created)} by {escape(report.tool)} {escape(report.version)}"])
    return "<table cellpadding='3'>" + "".join(
        f"<tr><td valign='top'><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _residual(report: PrivacyReport) -> str:
    check = report.residual
    rows = residual_rows(check, include_by_decision=True)
    parts = ["<h2>Residual check</h2>"]
    if rows:
        parts.append(_table(
            ["Status", "Output column", "What was found", "How much", "Rows (first 10)"],
            [[f"<font color='{BAD if row.blocking else MUTED}'>{'✖ finding' if row.blocking else '◐ by decision'}"
              "</font>", f"<code>{escape(row.column)}</code>", escape(row.what), escape(row.amount),
              escape(row.rows_text)] for row in rows]))
    else:
        parts.append("<p>No personal data was found in the output.</p>")
    done = [f"{check.cells_checked:,} output cells compared with the original values of "
            f"{len(check.identifier_columns)} identifier column(s)"]
    if check.rescanned:
        done.append(f"{len(check.rescanned)} released column(s) re-scanned on {check.rescan_sample:,} rows")
    if check.replaced:
        done.append("replaced: " + ", ".join(check.replaced))
    if check.dropped:
        done.append("dropped: " + ", ".join(check.dropped))
    parts.append("<p><small>" + escape("; ".join(done)) + ".</small></p>")
    return "".join(parts)


def _risk(report: PrivacyReport) -> str:
    """Re-identification risk of the released file (the report's ``risk``), in words and the few figures that
    decide it: the smallest class, unique records and the highest prosecutor risk against the threshold."""
    risk = report.risk
    if not risk:
        return ""
    parts = ["<h2>Re-identification risk</h2>"]
    if not risk.get("judged"):
        parts.append(f"<p>{escape(str(risk.get('note', '')))}</p>")
        return "".join(parts)
    prosecutor = risk.get("prosecutor_risk") or {}
    highest, threshold = prosecutor.get("highest"), risk.get("threshold")
    colour = AMBER if risk.get("at_risk") else OK
    verdict = ("⚠ above the threshold: generalize these columns together (k-anonymity) before sharing"
               if risk.get("at_risk") else "✔ within the threshold")
    qis = ", ".join(f"<code>{escape(str(q))}</code>" for q in risk.get("quasi_identifiers", []))
    rows = [["Quasi-identifiers", qis or "none"]]
    if risk.get("k") is not None:
        rows.append(["Smallest class (k)", f"{risk['k']:,} record(s)"])
    if risk.get("sample_uniqueness") is not None:
        rows.append(["Unique records", f"{risk['sample_uniqueness']:.1%}"])
    if isinstance(highest, int | float) and isinstance(threshold, int | float):
        rows.append(["Highest prosecutor risk", f"<font color='{colour}'>{highest:.0%} (threshold {threshold:.0%}): "
                     f"{escape(verdict)}</font>"])
    if isinstance(prosecutor.get("average"), int | float):
        rows.append(["Average prosecutor risk", f"{prosecutor['average']:.1%}"])
    parts.append("<table cellpadding='3'>" + "".join(
        f"<tr><td valign='top'><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows) + "</table>")
    return "".join(parts)


def _columns(report: PrivacyReport) -> str:
    rows = []
    for c in report.columns:
        top = c.entities[0] if c.entities else None
        finding = f"{escape(top.entity)} {top.score:.2f}, {top.share:.0%}" if top else "—"
        kind = f"{kind_symbol(c.kind)} {escape(kind_label(c.kind))}" + (" ✎ corrected" if c.corrected else "")
        settings = params_text(c.params)
        action = escape(c.action) + (f"<br><small>{escape(settings)}</small>" if settings else "")
        rows.append([f"<code>{escape(c.name)}</code>", kind, finding, action, escape(c.result)])
    return "<h2>Columns</h2>" + _table(["Column", "Kind", "Top finding (score, share)", "Action", "Result"], rows)


def params_text(params: dict[str, Any]) -> str:
    """An action's settings in words ("Keep last: 4 · Format: token"), never a raw dict; nested ones inline."""
    def show(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{humanize(str(k))} {show(v)}" for k, v in value.items()) or "none"
        if isinstance(value, list | tuple):
            return ", ".join(show(v) for v in value) or "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return f"{value:g}" if isinstance(value, float) else str(value)
    return " · ".join(f"{humanize(key)}: {show(value)}" for key, value in params.items())


def report_html(report: PrivacyReport, *, banner: bool = True) -> str:
    """The report in Qt's HTML subset; ``banner=False`` where the status is already shown above it."""
    headline, colour = status_text(report)
    top = (f"<h1>Privacy report</h1><table border='2' cellpadding='8' width='100%'><tr><td>"
           f"<b><font color='{colour}'>{escape(headline)}</font></b><br>{escape(report.status_reason)}"
           "</td></tr></table>") if banner else ""
    levels = "".join(f"<li>{escape(humanize(k))}: {escape(str(v))}</li>" for k, v in report.dataset_level.items())
    return (f"{top}{_facts(report)}{_risk(report)}{_residual(report)}{_columns(report)}"
            f"<h2>Dataset-level models</h2><ul>{levels}</ul>")
