"""A small grouped bar chart drawn with QPainter, because the workbench ships without QtCharts.

Each category gets one bar per series (e.g. "before" and "after"); the value is also written above
the bar so colour is never the only way to tell the series apart, and the legend names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    colour: str


class BarChart(QWidget):
    """Grouped bars for a few categories; ``value_format`` turns a value into its label."""

    def __init__(self, title: str = "", parent: QWidget | None = None, value_format: str = "{:g}") -> None:
        super().__init__(parent)
        self.title = title
        self.value_format = value_format
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.setMinimumSize(220, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(320, 180)

    def set_data(self, categories: list[str], series: list[Series]) -> None:
        self.categories, self.series = list(categories), list(series)
        fmt = self.value_format.format
        summary = "; ".join(
            f"{s.name}: " + ", ".join(f"{c} {fmt(v)}" for c, v in zip(categories, s.values, strict=False))
            for s in series
        )
        self.setAccessibleDescription(f"{self.title}. {summary}")
        self.setToolTip(summary)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(text)
        metrics = painter.fontMetrics()
        line = metrics.height()
        width, height = self.width(), self.height()
        painter.drawText(QRectF(0, 0, width, line), Qt.AlignmentFlag.AlignLeft, self.title)
        x = float(width)
        for s in reversed(self.series):  # legend, top right
            label_width = metrics.horizontalAdvance(s.name) + 4
            x -= label_width
            painter.drawText(QRectF(x, 0, label_width, line), Qt.AlignmentFlag.AlignLeft, s.name)
            x -= line
            painter.fillRect(QRectF(x + 2, 2, line - 4, line - 4), QColor(s.colour))
        if not self.categories or not self.series:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no data")
            painter.end()
            return
        top, bottom = 2.5 * line, height - 1.5 * line
        plot_height = max(bottom - top, 1.0)
        peak = max((v for s in self.series for v in s.values), default=0.0) or 1.0
        group = width / len(self.categories)
        bar = max(group * 0.8 / len(self.series), 1.0)
        for i, category in enumerate(self.categories):
            left = i * group + group * 0.1
            for j, s in enumerate(self.series):
                value = s.values[i] if i < len(s.values) else 0.0
                h = plot_height * value / peak
                rect = QRectF(left + j * bar, bottom - h, bar - 1, h)
                painter.fillRect(rect, QColor(s.colour))
                painter.drawText(QRectF(rect.left() - 8, rect.top() - line, bar + 16, line),
                                 Qt.AlignmentFlag.AlignHCenter, self.value_format.format(value))
            painter.drawText(QRectF(i * group, bottom + 2, group, line), Qt.AlignmentFlag.AlignHCenter,
                             metrics.elidedText(category, Qt.TextElideMode.ElideRight, int(group)))
        painter.drawLine(0, int(bottom), width, int(bottom))
        painter.end()
