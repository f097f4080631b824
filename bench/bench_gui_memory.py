"""Workbench memory: peak RSS of the GUI process opening a 1,000,000 x 20 CSV and paging to its end.

Run: `.venv/bin/python bench/bench_gui_memory.py [--data FILE] [--before COMMIT] [--findings]`.
Each figure comes from a fresh child process (offscreen window): it opens the file the way the analyst
does, waits until the table's rows are ready, jumps to the last row and reads a screenful there, then
reports its peak RSS (ru_maxrss), the RSS it still holds then (after a garbage collection and
malloc_trim) and the time to rows. ``--findings`` also waits for the scan, which
runs in the analysis process (its memory is that process's, not the window's). ``--before COMMIT``
measures that commit's workbench too, from a `git archive` copy of its app/ in a temp folder, so the
figure before the lazy table (the window held the collected table) sits beside the one after.
Target: the window holds pages and a bounded sample, never the table (issue 13; issue 9's lazy Dataset).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import _common

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEventLoop, QTimer
from sanitas.gui.app import make_app
from sanitas.gui.main_window import MainWindow

path, wait_findings = sys.argv[1], sys.argv[2] == "1"
app = make_app()
window = MainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def wait(until, seconds):
    loop, deadline = QEventLoop(), time.monotonic() + seconds
    def check():
        if until() or time.monotonic() > deadline:
            loop.quit()
        else:
            QTimer.singleShot(20, check)
    QTimer.singleShot(20, check)
    loop.exec()

def ready():  # the window's table: `rows` (pages) now, `frame` (the collected table) before
    doc = window.doc
    return getattr(doc, "rows", None) is not None or getattr(doc, "frame", None) is not None

started = time.perf_counter()
window.open_path(__import__("pathlib").Path(path))
wait(ready, 900)
rows_s = time.perf_counter() - started
model = window.data_view.model()
model.fetch_all()
last = model.rowCount() - 1
for row in range(max(0, last - 40), last + 1):  # a screenful at the end, every column
    for column in range(model.columnCount()):
        model.data(model.index(row, column))
findings_s = None
if wait_findings:
    wait(lambda: window.doc.scan is not None and not window.session.busy, 1800)
    findings_s = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
import gc, ctypes; gc.collect(); ctypes.CDLL("libc.so.6").malloc_trim(0)  # what stays held, not freed pages
held = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
print(json.dumps({"rows": model.rowCount(), "window_mb": base / 1e6, "peak_mb": peak / 1e6, "held_mb": held / 1e6,
                  "rows_s": rows_s, "findings_s": findings_s}))
window.close()
from sanitas.gui.analysis_process import shared_process
shared_process().shutdown()
"""


def measure(path: Path, app_root: Path, findings: bool) -> dict[str, float]:
    env = _common.bench_env()
    env["PYTHONPATH"] = os.pathsep.join([str(app_root), env.get("PYTHONPATH", "")])
    env["SANITAS_STATE_DIR"] = tempfile.mkdtemp(prefix="sanitas-bench-state-")
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), "1" if findings else "0"], env=env,
                              capture_output=True, text=True, check=False, timeout=3600)
    finally:
        shutil.rmtree(env["SANITAS_STATE_DIR"], ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"the child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def app_of(commit: str, into: Path) -> Path:
    """The commit's app/ folder, extracted from `git archive` (no checkout, no worktree)."""
    archive = subprocess.run(["git", "-C", str(_common.ROOT), "archive", commit, "app"], capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "app"


def show(label: str, figures: dict[str, float]) -> None:
    findings = f", findings at {figures['findings_s']:.1f} s" if figures.get("findings_s") else ""
    print(f"  {label:<7} peak RSS {figures['peak_mb']:,.0f} MB, held after {figures['held_mb']:,.0f} MB (window "
          f"alone {figures['window_mb']:,.0f} MB); "
          f"{figures['rows']:,} rows ready in {figures['rows_s']:.1f} s{findings}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_common.DEFAULT_CSV)
    parser.add_argument("--before", metavar="COMMIT", help="also measure this commit's workbench")
    parser.add_argument("--findings", action="store_true", help="wait for the scan's findings too")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data} is missing: make it with `.venv/bin/python bench/make_data.py`.")
    size = args.data.stat().st_size
    print(f"GUI process opening {args.data.name} ({size / 1e6:,.0f} MB):")
    if args.before:
        with tempfile.TemporaryDirectory(prefix="sanitas-bench-before-") as folder:
            show("before", measure(args.data, app_of(args.before, Path(folder)), args.findings))
    show("after", measure(args.data, _common.ROOT / "app", args.findings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
