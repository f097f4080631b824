"""How kinds and risks look: a symbol, a word and a colour, so colour is never the only signal.

Colours are picked for both light and dark palettes (mid-tones readable on either).
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from sanitas.core.detect.findings import ColumnFinding, ColumnKind

SYMBOL = {
    ColumnKind.IDENTIFIER: "⚑",
    ColumnKind.QUASI_IDENTIFIER: "◐",
    ColumnKind.SENSITIVE: "♦",
    ColumnKind.FREE_TEXT: "✎",
    ColumnKind.NOT_PERSONAL: "○",
}
LABEL = {
    ColumnKind.IDENTIFIER: "identifier",
    ColumnKind.QUASI_IDENTIFIER: "quasi-identifier",
    ColumnKind.SENSITIVE: "sensitive",
    ColumnKind.FREE_TEXT: "free text",
    ColumnKind.NOT_PERSONAL: "not personal",
}
COLOUR = {
    ColumnKind.IDENTIFIER: "#d1242f",
    ColumnKind.QUASI_IDENTIFIER: "#bf8700",
    ColumnKind.SENSITIVE: "#8250df",
    ColumnKind.FREE_TEXT: "#0969da",
    ColumnKind.NOT_PERSONAL: "#6e7781",
}
# Higher is riskier: the column list sorts by this.
RISK = {
    ColumnKind.IDENTIFIER: 4,
    ColumnKind.FREE_TEXT: 3,
    ColumnKind.SENSITIVE: 2,
    ColumnKind.QUASI_IDENTIFIER: 1,
    ColumnKind.NOT_PERSONAL: 0,
}


def kind_symbol(kind: ColumnKind | None) -> str:
    return SYMBOL.get(kind, "…") if kind else "…"


def kind_label(kind: ColumnKind | None) -> str:
    return LABEL.get(kind, "not scanned") if kind else "not scanned"


def kind_colour(kind: ColumnKind | None) -> QColor:
    return QColor(COLOUR.get(kind, "#6e7781") if kind else "#6e7781")


def risk_rank(finding: ColumnFinding | None) -> float:
    """Kind first, then the top entity's score: what the analyst should look at first."""
    if finding is None:
        return -1.0
    top = finding.entities[0].score if finding.entities else 0.0
    return RISK.get(finding.kind, 0) + top
