"""Places for the dataset-level release panels (k-anonymity, synthetic data, privacy budget).

They are reserved in the layout now so that the window does not change shape when they arrive.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def placeholder_panel(text: str) -> QWidget:
    panel = QWidget()
    layout = QVBoxLayout(panel)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setEnabled(False)
    layout.addWidget(label)
    panel.setAccessibleName(text.split(":")[0])
    return panel
