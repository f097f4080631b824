"""Errors the analyst can act on.

Every SanitasError carries a message meant for a person: it names the file, line, column or field
and says what to do. The CLI prints it on stderr (exit code 2), the GUI shows it in place. Messages
never contain data values beyond what the analyst already sees (a column name, a line number).
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 20_000  # a message is read by a person: hostile input must not make it megabytes


class SanitasError(Exception):
    """Base of every error with a user-facing message (at most ``MAX_MESSAGE_CHARS`` characters)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        if len(message) > MAX_MESSAGE_CHARS:
            cut = len(message) - MAX_MESSAGE_CHARS
            message = message[:MAX_MESSAGE_CHARS] + f"\n… ({cut:,} more characters cut; fix the problems above first)"
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LoadError(SanitasError):
    """A dataset could not be read: names the file, the line or column, and what to do.

    ``option`` names the reading option that would help ("sheet", "delimiter" or "encoding"), so each
    front end can word it its own way (the CLI's flag, the workbench's import dialog). Raise sites may
    pass it; otherwise it is read off the message's ``--option``.
    """

    OPTIONS = ("sheet", "delimiter", "encoding")

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option or next((o for o in self.OPTIONS if f"--{o}" in message), None)


class RecipeError(SanitasError):
    """A recipe is invalid, or does not fit the dataset. Holds every problem, not just the first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class TransformError(SanitasError):
    """A column action could not run on its column (bad parameters for this data, missing key...)."""


class ExportError(SanitasError):
    """The sanitized dataset or its report could not be written."""


class PolicyError(SanitasError):
    """The recipe leaves personal columns without an action and the policy refuses to export them."""


class DetectionError(SanitasError):
    """The PII detector could not be set up (model missing, bad custom recognizer file)."""


class VerificationError(SanitasError):
    """The released table failed the independent check of the privacy models it was made for."""
