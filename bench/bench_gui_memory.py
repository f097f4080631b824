"""Workbench memory: peak RSS of the GUI process opening a 1,000,000 x 20 CSV and paging to its end.

Run: `.venv/bin/python bench/bench_gui_memory.py [--data FILE] [--before COMMIT] [--findings] [--export]`.
Each figure comes from a fresh child process (offscreen window): it opens the file the way the analyst
does, waits until the table's rows are ready, jumps to the last row and reads a screenful there, then
reports its peak RSS (ru_maxrss), the RSS it still holds then (after a garbage collection and
malloc_trim) and the time to rows. ``--findings`` also waits for the scan, which
runs in the analysis process (its memory is that process's, not the window's), and reports that
process's peak RSS too (VmHWM, reset between steps through /proc/PID/clear_refs): while it wrote the
window's paged copy, during the scan, and with ``--export`` during an export of the suggested plan
(free text dropped, a session key, strict), with the RSS it still holds after each. ``--before COMMIT``
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

path, wait_findings, do_export = sys.argv[1], sys.argv[2] in ("1", "2"), sys.argv[2] == "2"
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

def analysis_mb(reset=False):  # (peak, current) RSS of the analysis process in MB; reset: a new peak

    from sanitas.gui.analysis_process import shared_process
    process = getattr(shared_process(), "_process", None)
    if process is None or not process.is_alive():
        return None, None
    fields = dict(line.split(":", 1) for line in open(f"/proc/{process.pid}/status"))
    figures = (int(fields["VmHWM"].split()[0]) / 1e3, int(fields["VmRSS"].split()[0]) / 1e3)
    if reset:
        with open(f"/proc/{process.pid}/clear_refs", "w") as handle:
            handle.write("5")
    return figures

started = time.perf_counter()
window.open_path(__import__("pathlib").Path(path))
wait(ready, 900)
rows_s = time.perf_counter() - started
analysis = {}
analysis["page_copy_peak_mb"], analysis["page_copy_held_mb"] = analysis_mb(reset=True)
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
    analysis["scan_peak_mb"], analysis["scan_held_mb"] = analysis_mb(reset=True)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
export_s = None
if do_export:
    import tempfile
    from sanitas.core.keys import new_key
    from sanitas.core.recipe import ColumnPlan
    from sanitas.gui.export_runner import ExportRequest
    window.actions.suggested_plan.trigger()
    free_text = [c for c, p in window.doc.recipe.columns.items() if p.action == "scrub"]  # NER: spaCy's time
    window.doc.set_plans({c: ColumnPlan(action="drop") for c in free_text}, "drop free text")
    window.session.keys.use_memory("default", new_key())
    out = __import__("pathlib").Path(tempfile.mkdtemp()) / "bench.sanitized.csv"
    began = time.perf_counter()
    runner = window.session.start_export(ExportRequest(path=out, strict=True), window)
    wait(lambda: not runner.running, 3600)
    export_s = time.perf_counter() - began
    analysis["export_peak_mb"], analysis["export_held_mb"] = analysis_mb()
    wait(lambda: False, 20)  # idle: what the process still holds once freed memory had time to go back
    analysis["idle_held_mb"] = analysis_mb()[1]
    analysis["exported"] = out.exists()
    window.doc.undo_stack.setClean()
import gc, ctypes; gc.collect(); ctypes.CDLL("libc.so.6").malloc_trim(0)  # what stays held, not freed pages
held = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
print(json.dumps({"rows": model.rowCount(), "window_mb": base / 1e6, "peak_mb": peak / 1e6, "held_mb": held / 1e6,
                  "rows_s": rows_s, "findings_s": findings_s, "analysis": analysis, "export_s": export_s,
                  "gui_peak_after_export_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6}))
window.close()
from sanitas.gui.analysis_process import shared_process
shared_process().shutdown()
"""


def measure(path: Path, app_root: Path, findings: bool, export: bool = False) -> dict[str, float]:
    env = _common.bench_env()
    env["PYTHONPATH"] = os.pathsep.join([str(app_root), env.get("PYTHONPATH", "")])
    env["SANITAS_STATE_DIR"] = tempfile.mkdtemp(prefix="sanitas-bench-state-")
    try:
        mode = "2" if export else "1" if findings else "0"
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], env=env, capture_output=True, text=True,
                              check=False, timeout=3600)
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
    analysis = figures.get("analysis") or {}
    for step, what in (("page_copy", "writing the paged copy"), ("scan", "scan"), ("export", "export")):
        if analysis.get(f"{step}_peak_mb") is not None:
            print(f"          analysis process, {what}: peak RSS {analysis[f'{step}_peak_mb']:,.0f} MB, "
                  f"held after {analysis[f'{step}_held_mb']:,.0f} MB")
    if analysis.get("idle_held_mb") is not None:
        print(f"          analysis process 20 s after the export: holds {analysis['idle_held_mb']:,.0f} MB")
    if figures.get("export_s") is not None:
        print(f"          export {figures['export_s']:.0f} s (written: {analysis.get('exported')}); window peak "
              f"RSS after it {figures['gui_peak_after_export_mb']:,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_common.DEFAULT_CSV)
    parser.add_argument("--before", metavar="COMMIT", help="also measure this commit's workbench")
    parser.add_argument("--findings", action="store_true", help="wait for the scan's findings too")
    parser.add_argument("--export", action="store_true",
                        help="also export the suggested plan (implies --findings); analysis process figures")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data} is missing: make it with `.venv/bin/python bench/make_data.py`.")
    size = args.data.stat().st_size
    print(f"GUI process opening {args.data.name} ({size / 1e6:,.0f} MB):")
    if args.before:
        with tempfile.TemporaryDirectory(prefix="sanitas-bench-before-") as folder:
            show("before", measure(args.data, app_of(args.before, Path(folder)), args.findings))
    show("after", measure(args.data, _common.ROOT / "app", args.findings or args.export, args.export))
    return 0


if __name__ == "__main__":
    sys.exit(main())
