"""Workbench benchmark: time to first window, open to findings, and the longest GUI-thread stall.

Run: `.venv/bin/python bench/bench_gui.py [--data FILE ...]` (offscreen by default; set
QT_QPA_PLATFORM=xcb under Xvfb for a real window). The stall is measured by a 5 ms QTimer on the
GUI thread: the longest gap between two ticks while opening and scanning is how long the window
could not repaint or react.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "samples" / "customers.csv"
BIG = ROOT / "bench" / "data" / "customers_1m.csv"

FIRST_WINDOW = """
import time; t0 = time.perf_counter()
import os; os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from sanitas.gui.app import make_app
from sanitas.gui.main_window import MainWindow
app = make_app(); w = MainWindow(); w.show(); app.processEvents()
print(f"{time.perf_counter() - t0:.3f}")
"""


def first_window_seconds(runs: int = 3) -> list[float]:
    """A fresh process each time, from interpreter start-up to a shown, painted window."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", FIRST_WINDOW], capture_output=True, text=True,
                              env={**_common.bench_env(), "SANITAS_STATE_DIR": tempfile.mkdtemp()}, check=True)
        in_process = float(done.stdout.strip().splitlines()[-1])
        times.append(round(time.perf_counter() - started, 3))
        print(f"  first window: {times[-1]:.2f} s wall ({in_process:.2f} s after interpreter start)")
    return times


def open_to_findings(path: Path) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["SANITAS_STATE_DIR"] = tempfile.mkdtemp()
    from PySide6.QtCore import QElapsedTimer, QTimer

    from sanitas.gui.app import make_app
    from sanitas.gui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    window.show()
    app.processEvents()
    clock = QElapsedTimer()
    longest = [0]
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        longest[0] = max(longest[0], now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    started = time.perf_counter()
    window.open_path(path)
    loaded = None
    while window.doc.scan is None or window.session.busy:
        app.processEvents()
        if loaded is None and window.doc.frame is not None:
            loaded = time.perf_counter() - started
        time.sleep(0.001)
    findings = time.perf_counter() - started
    timer.stop()
    window.doc.undo_stack.setClean()
    window.close()
    return {"rows_shown": round(loaded or findings, 2), "findings": round(findings, 2),
            "longest_stall_ms": longest[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="files to open (default: demo and 1M)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT", open_to_findings(args.child))
        return 0
    print("Time to first window (fresh process each run):")
    first = first_window_seconds()
    print(f"  best {min(first):.2f} s, target < 2 s: {'PASS' if min(first) < 2 else 'FAIL'}")
    for path in args.data or [DEMO, BIG]:
        if not path.exists():
            print(f"{path}: missing (make it with bench/make_data.py)")
            continue
        done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                              env=_common.bench_env(), check=True)
        result = done.stdout.strip().splitlines()[-1]
        print(f"Open {path.name} to findings (model loading included): {result.removeprefix('RESULT ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
