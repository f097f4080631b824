"""Unexpected errors reach a dialog and the log without their message; expected ones show in place."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from sanitas.core.errors import LoadError
from sanitas.gui import errors
from sanitas.gui.errors import UnexpectedErrorDialog, error_summary, install_excepthook, report_unexpected
from sanitas.gui.widgets.common.message_bar import MessageBar

SECRET = "secret-value-123"


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("SANITAS_STATE_DIR", str(folder))
    return folder


def parse_row(value: str) -> int:
    return _fail(value)


def _fail(value: str) -> int:
    raise ValueError(f"could not parse {value!r}")


def raised() -> ValueError:
    try:
        parse_row(SECRET)
    except ValueError as exc:
        return exc
    raise AssertionError("expected a ValueError")


def test_summary_names_the_type_and_place_but_not_the_message(qtbot, state: Path) -> None:
    exc = raised()
    summary = error_summary(exc, "Exporting")
    assert "builtins.ValueError" in summary and "in _fail" in summary and "in parse_row" in summary
    assert "Step: Exporting" in summary and "Python " in summary and "Qt " in summary and "Sanitas " in summary
    assert SECRET not in summary

    dialog = report_unexpected(exc, "Exporting", None)
    assert isinstance(dialog, UnexpectedErrorDialog)
    qtbot.addWidget(dialog)
    assert SECRET not in dialog.text.toPlainText() and "ValueError" in dialog.text.toPlainText()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.summary

    log_file = state / errors.LOG_NAME
    for handler in errors.log.handlers:
        handler.flush()
    text = log_file.read_text()
    assert "ValueError" in text and SECRET not in text
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700


def test_chained_causes_keep_their_messages_out(qtbot) -> None:
    try:
        try:
            parse_row(SECRET)
        except ValueError as inner:
            raise RuntimeError(f"wrapped {SECRET}") from inner
    except RuntimeError as exc:
        summary = error_summary(exc, "Scanning")
    assert "builtins.RuntimeError" in summary and "Caused by:" in summary and "builtins.ValueError" in summary
    assert SECRET not in summary


def test_the_excepthook_opens_the_dialog(qtbot) -> None:
    uninstall = install_excepthook(lambda: None)
    try:
        exc = raised()
        with errors.step("Previewing a column"):
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        uninstall()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, UnexpectedErrorDialog) and w.isVisible()]
    assert dialogs, "the hook shows the dialog"
    dialog = dialogs[-1]
    qtbot.addWidget(dialog)
    assert "Step: Previewing a column" in dialog.summary and SECRET not in dialog.summary


def test_message_bar_shows_level_words_and_actions(qtbot) -> None:
    bar = MessageBar()
    qtbot.addWidget(bar)
    assert bar.isHidden() and bar.message == ""
    clicked: list[bool] = []
    bar.show_message("warning", "Scan again to use the new settings.", "Scan", lambda: clicked.append(True))
    assert bar.badge.text() == "⚠ Warning" and bar.message.startswith("Scan again")
    bar.action_button.click()
    assert clicked == [True]

    bar.show_error(LoadError("customers.csv, line 3: 7 fields, expected 9"))
    assert bar.badge.text() == "✖ Error" and "line 3" in bar.message and bar.action_button.isHidden()
    bar.show_error(ValueError(SECRET))  # not a SanitasError: its text never shows
    assert SECRET not in bar.message
    with qtbot.waitSignal(bar.closed):
        bar.close_button.click()
    assert bar.isHidden()
