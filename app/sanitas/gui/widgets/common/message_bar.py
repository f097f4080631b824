"""An in-place banner for messages the analyst can act on (a SanitasError names the file, column or field).

Shown where the problem is instead of in a modal box, so the analyst can read it while fixing the
cause. The level is a symbol and a word as well as a colour: colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

from sanitas.core.errors import SanitasError


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SYMBOL = {Level.INFO: "ℹ", Level.WARNING: "⚠", Level.ERROR: "✖"}
WORD = {Level.INFO: "Info", Level.WARNING: "Warning", Level.ERROR: "Error"}
COLOUR = {Level.INFO: "#0969da", Level.WARNING: "#bf8700", Level.ERROR: "#d1242f"}


class MessageBar(QFrame):
    """Hidden until ``show_message``; a close button (Esc while focused) and an optional action button."""

    actionTriggered = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Message")
        self.level = Level.INFO
        self._action: Callable[[], None] | None = None

        self.badge = QLabel(self)
        self.badge.setAccessibleName("Message level")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote file names with < or &
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.text.setAccessibleName("Message text")
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self.action_button.clicked.connect(self._on_action)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Close message")
        self.close_button.setToolTip("Close this message (Esc)")
        self.close_button.clicked.connect(self.dismiss)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.badge)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.dismiss)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.hide()

    def show_message(self, level: Level | str, text: str, action_text: str | None = None,
                     action: Callable[[], None] | None = None) -> None:
        """Show ``text``; ``action_text`` adds a button that calls ``action`` and emits actionTriggered."""
        self.level = Level(level)
        colour = COLOUR[self.level]
        self.badge.setText(f"{SYMBOL[self.level]} {WORD[self.level]}")
        self.badge.setStyleSheet(f"font-weight: 600; color: {colour};")
        self.setStyleSheet(f"#MessageBar {{ border: 1px solid {colour}; border-left: 4px solid {colour}; }}")
        self.text.setText(text)
        self.setAccessibleDescription(f"{WORD[self.level]}: {text}")
        self._action = action
        self.action_button.setVisible(bool(action_text))
        if action_text:
            self.action_button.setText(action_text)
            self.action_button.setAccessibleName(action_text.replace("&", ""))
        self.show()

    def show_error(self, error: SanitasError | str) -> None:
        """A SanitasError's message (written for the analyst) or a prepared string. Never another exception's
        text, which could quote data values: those go to errors.report_unexpected."""
        if isinstance(error, BaseException):
            error = error.message if isinstance(error, SanitasError) else f"Unexpected {type(error).__name__}."
        self.show_message(Level.ERROR, error)

    @property
    def message(self) -> str:
        return "" if self.isHidden() else self.text.text()

    def clear(self) -> None:
        """Hide without the closed signal (a new action makes the old message stale)."""
        self.hide()
        self._action = None

    def dismiss(self) -> None:
        if not self.isHidden():
            self.hide()
            self.closed.emit()

    def _on_action(self) -> None:
        if self._action is not None:
            self._action()
        self.actionTriggered.emit()
