"""Issue 13 follow-up: the demo path does not warn about its key, and a real key readable by others still does.

git stores resources/samples/demo.key at 0644; `make run`, `make demo` and `make screenshots` make it
private first (the demo-key target), so the demo recipe reads it without the "can be read by other users"
warning. The warning itself is unchanged for any other key file.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from sanitas.core.keys import KeyRef, KeyRing

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(target: str) -> list[str]:
    done = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("target", ["run", "demo", "screenshots"])
def test_make_targets_make_the_demo_key_private_before_using_it(target: str) -> None:
    lines = make_dry_run(target)
    chmod = [i for i, line in enumerate(lines) if line.strip() == "chmod 600 resources/samples/demo.key"]
    uses = [i for i, line in enumerate(lines) if "bin/sanitas " in line or "screenshots.py" in line]
    assert chmod and uses and chmod[0] < uses[0], lines


def read_key(folder: Path, mode: int, caplog: pytest.LogCaptureFixture) -> list[str]:
    key = folder / "demo.key"
    key.write_bytes((ROOT / "resources" / "samples" / "demo.key").read_bytes())
    key.chmod(mode)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sanitas.core.keys"):
        KeyRing({"default": KeyRef(file="demo.key")}, folder)("default")
    return [r.getMessage() for r in caplog.records if "read by other users" in r.getMessage()]


def test_private_demo_key_reads_quietly_and_an_open_key_still_warns(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    assert read_key(tmp_path, 0o600, caplog) == []
    assert read_key(tmp_path, 0o644, caplog), "a key file others can read must still warn"
