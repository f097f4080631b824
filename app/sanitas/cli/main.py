"""Entry point of the `sanitas` command.

Exit codes: 0 ok, 2 bad input or recipe (message on stderr), 3 residual findings under --strict,
130 cancelled (Ctrl-C), 141 stdout closed early (``sanitas risk ... | head``: quietly, as 128 + SIGPIPE).
Tracebacks are never shown for errors the analyst can act on.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from sanitas import __version__
from sanitas.cli.terminal import EscapingStream
from sanitas.core.errors import SanitasError
from sanitas.core.io.stale import remove_stale_temp_folders
from sanitas.core.progress import Cancelled

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_RESIDUAL = 3
EXIT_CANCELLED = 130
EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    from sanitas.cli import commands
    from sanitas.cli.risk_command import add_risk

    parser = argparse.ArgumentParser(
        prog="sanitas",
        description="Find personal data in tables and release them sanitized, with a privacy report.",
    )
    parser.add_argument("--version", action="version", version=f"sanitas {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_scan(sub)
    commands.add_plan(sub)
    commands.add_apply(sub)
    add_risk(sub)
    commands.add_gui(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="sanitas: %(levelname)s: %(message)s")
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # per-language recognizer chatter
    parser = build_parser()
    args = parser.parse_args(argv)
    remove_stale_temp_folders()  # private copies of the data left by killed runs (their pid is gone)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)  # names from the file
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = streams


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.handler(args) or EXIT_OK)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's flush at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except SanitasError as exc:
        print(f"sanitas: error: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (Cancelled, KeyboardInterrupt):
        print("sanitas: cancelled", file=sys.stderr)
        return EXIT_CANCELLED


def _silence_stdout() -> None:
    """The reader of stdout went away (``| head``): send what is still buffered to /dev/null, so the
    interpreter's own flush at exit does not fail again with an "Exception ignored" message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is no real file (replaced in a test): nothing to silence
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
