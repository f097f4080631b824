"""Ctrl-C and kill -9 at many points of a large write: no partial output, no report without its data,
no temp file left (after a SIGKILL: removed by the next run, once the killed process is gone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.io.stale import remove_stale_temp_files, remove_stale_temp_folders

HERE = Path(__file__).resolve().parent
SUPPORT = HERE.parent / "support"
ROWS = 3_000_000  # about 95 MB of CSV: long enough to be caught at many sizes
POINTS = (0, 1 << 20, 8 << 20, 24 << 20, 48 << 20)  # bytes in the temp file when the signal is sent


def _temp_of(folder: Path, pid: int) -> list[Path]:
    return [p for p in folder.iterdir() if f".sanitas-{pid}-" in p.name and p.name.endswith(".tmp")]


def _interrupt_at(folder: Path, size: int, sig: signal.Signals) -> tuple[int, bool]:
    """Start the child, send ``sig`` once its data temp file holds ``size`` bytes; (exit code, caught mid-write)."""
    out = folder / "out.csv"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT)}
    child = subprocess.Popen([sys.executable, str(HERE / "write_child.py"), str(out), str(ROWS)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    caught = False
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        temps = [p for p in _temp_of(folder, child.pid) if p.name.startswith(".out.csv.")]
        try:
            if temps and temps[0].stat().st_size >= size:
                child.send_signal(sig)
                caught = True
                break
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    _, err = child.communicate(timeout=120)
    assert "Traceback" not in err, err
    return child.returncode, caught


def _release_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("out.csv"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupt_at_many_points_of_a_large_write(tmp_path: Path, sig: signal.Signals) -> None:
    caught = 0
    for size in POINTS:
        folder = tmp_path / f"at-{size}"
        folder.mkdir()
        code, mid_write = _interrupt_at(folder, size, sig)
        if code == 0:  # finished before the signal landed: then the release is whole
            assert _release_files(folder) == ["out.csv", "out.csv.report.html", "out.csv.report.json"]
            assert pl.scan_csv(folder / "out.csv").select(pl.len()).collect().item() == ROWS
            continue
        caught += mid_write
        assert code == (130 if sig == signal.SIGINT else -signal.SIGKILL)
        assert _release_files(folder) == [], "no output, and no report without its output"
        leftovers = [p.name for p in folder.iterdir()]
        if sig == signal.SIGINT:
            assert leftovers == [], "Ctrl-C removes every temp file"
        else:
            # The next run removes what the killed one left, since its process is gone.
            remove_stale_temp_files(folder)
            assert [p.name for p in folder.iterdir()] == []
    assert caught >= len(POINTS) - 1, "most signals must land during the write itself"


def test_stale_temp_files_of_a_live_process_are_kept(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".out.csv.sanitas-{sleeper.pid}-abc123.tmp"
        mine = tmp_path / f".out.csv.sanitas-{os.getpid()}-def456.tmp"
        other = tmp_path / ".out.csv.xyz.tmp"  # no pid: not recognisably ours, never touched
        for path in (live, mine, other):
            path.write_text("rows")
        assert remove_stale_temp_files(tmp_path) == []
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_stale_temp_files(tmp_path) == [live]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


def test_stale_private_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f"sanitas-{pid}-q1w2e3"
    stale.mkdir(mode=0o700)
    (stale / "source-utf8.csv").write_text("name\nJosé\n")
    live = tmp_path / f"sanitas-{os.getpid()}-r4t5y6"
    live.mkdir(mode=0o700)
    unrelated = tmp_path / "sanitas-cache"
    unrelated.mkdir()
    assert remove_stale_temp_folders(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, unrelated.name])
