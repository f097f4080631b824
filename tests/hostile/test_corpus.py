"""Every file of the hostile corpus (corpus.py) gets a clear message, never a traceback or a crash."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import INPUTS, RECIPES, Case

from sanitas.core.errors import RecipeError, SanitasError
from sanitas.core.io import ExcelLimits, open_dataset
from sanitas.core.keys import KeyRef, KeyRing
from sanitas.core.recipe import load_recipe

SUPPORT = Path(__file__).resolve().parents[1] / "support"


@pytest.mark.parametrize("case", INPUTS, ids=lambda c: c.name)
def test_hostile_input_gets_a_clear_message(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    with pytest.raises(SanitasError) as error:
        dataset = open_dataset(path, excel_limits=ExcelLimits(max_bytes=1 << 20))
        dataset.collect()
    assert case.expect in error.value.message


def test_far_cell_workbook_does_not_abort_the_cli(tmp_path: Path) -> None:
    """In a child process: the Excel reader aborts the whole process (SIGABRT) if it is ever reached."""
    path = INPUTS[0].make(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "SANITAS_SPACY_MODEL": "none"}
    done = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "scan", str(path)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 2 and "excel_max_cells" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("case", RECIPES, ids=lambda c: c.name)
def test_hostile_recipe_gets_a_clear_message(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    with pytest.raises(RecipeError) as error:
        load_recipe(path)
    assert case.expect in error.value.message
    assert len(error.value.message) < 2_000


def test_long_messages_are_cut() -> None:
    assert len(SanitasError("x" * 10_000_000).message) < 21_000


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "huge"])
def test_key_file_must_be_a_small_regular_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "key"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"k" * (1 << 20))
    ring = KeyRing({"default": KeyRef(file=str(path))})
    with pytest.raises(RecipeError, match="Key 'default': key file"):
        ring("default")


def test_key_file_readable_by_others_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "key"
    path.write_text("0123456789abcdef0123\n")
    os.chmod(path, 0o644)
    assert KeyRing({"default": KeyRef(file=str(path))})("default") == b"0123456789abcdef0123"
    assert "can be read by other users" in caplog.text and "0123456789" not in caplog.text
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    caplog.clear()
    KeyRing({"default": KeyRef(file=str(path))})("default")
    assert "other users" not in caplog.text
