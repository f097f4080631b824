"""The workbench's export against `sanitas apply`, same file, recipe and key (issue 15: within 10%).

    .venv/bin/python bench/bench_gui_export.py [--data bench/data/customers_1m.csv] [--runs 1]

Both run bench_apply.py's ten-action recipe (notes dropped) with the scan's findings recorded in it, as
`sanitas plan` writes them, and the same key file, under --strict (nothing to confirm). The CLI figure is
`sanitas apply` as a whole process (imports included). The workbench figure is from the export's start
(``session.start_export``, what File > Export... runs once the dialog is accepted) to its end, in an
offscreen window with the file open, scanned and the recipe loaded: opening and scanning are not counted,
the analyst did them before. The export runs ``release_to_file`` in the analysis process, whose CPU is not
this process's: the figures are wall seconds, with the load average beside them, in pairs A B A B.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from _common import DEFAULT_CSV, SANITAS_CLI, bench_env, import_sanitas, machine, require_data
from bench_apply import recipe_data, write_key

TARGET = 1.10  # the workbench's export within 10% of the CLI


def gui_child(data: Path, recipe: Path, out: Path) -> int:
    """Open ``data`` in a window, load ``recipe``, export to ``out``; prints RESULT {json}."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["SANITAS_STATE_DIR"] = tempfile.mkdtemp()
    from bench_gui import spin

    from sanitas.gui.app import make_app
    from sanitas.gui.export_runner import ExportRequest
    from sanitas.gui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    window.show()
    opened = time.perf_counter()
    window.open_path(data)
    spin(1800, lambda: window.doc.scan is not None and not window.session.busy)
    opened = time.perf_counter() - opened
    window.session.open_recipe(recipe)
    spin(0.5)
    errors: list[str] = []
    window.session.error.connect(errors.append)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    runner = window.session.start_export(ExportRequest(path=out, strict=True), window)
    spin(3600, lambda: not runner.running)
    seconds = time.perf_counter() - started
    window.doc.undo_stack.setClean()
    window.close()
    app.quit()
    print("RESULT " + json.dumps({"export_seconds": round(seconds, 2), "open_and_scan_seconds": round(opened, 2),
                                  "load": round(load, 1), "written": out.exists(), "errors": errors}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--gui-child", nargs=3, type=Path, metavar=("DATA", "RECIPE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.gui_child:
        return gui_child(*args.gui_child)
    path = require_data(args.data).resolve()
    env = bench_env()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="sanitas-bench-gui-export-") as tmp:
        work = Path(tmp)
        write_key(work)
        data = recipe_data("drop")
        import_sanitas()
        from sanitas.core.detect import scan_dataset
        from sanitas.core.io import open_dataset
        from sanitas.core.recorded_findings import record_findings

        data["findings"] = record_findings(scan_dataset(open_dataset(path)), path).model_dump(mode="json")
        recipe = work / "bench.recipe.yaml"
        recipe.write_text(yaml.safe_dump(data, sort_keys=False))
        pairs = []
        for i in range(args.runs):
            load = os.getloadavg()[0]
            started = time.perf_counter()
            cli = subprocess.run([str(SANITAS_CLI), "apply", str(path), "--recipe", str(recipe), "-o",
                                  str(work / "cli.csv"), "--strict", "--quiet"], env=env, capture_output=True,
                                 text=True, check=False)
            cli_s = time.perf_counter() - started
            if cli.returncode != 0:
                print(f"sanitas apply: exit {cli.returncode}\n{cli.stderr[-2000:]}", file=sys.stderr)
                return 1
            gui = subprocess.run([sys.executable, __file__, "--gui-child", str(path), str(recipe),
                                  str(work / "gui.csv")], env=env, capture_output=True, text=True, check=False)
            last = gui.stdout.strip().splitlines()[-1] if gui.stdout.strip() else ""
            if gui.returncode != 0 or not last.startswith("RESULT "):
                print(f"workbench: exit {gui.returncode}\n{gui.stderr[-2000:]}", file=sys.stderr)
                return 1
            found = json.loads(last.removeprefix("RESULT "))
            same = (work / "cli.csv").read_bytes() == (work / "gui.csv").read_bytes() if found["written"] else False
            pairs.append((cli_s, found["export_seconds"]))
            print(f"run {i + 1}: sanitas apply {cli_s:.2f} s (load {load:.1f}); workbench export "
                  f"{found['export_seconds']:.2f} s (load {found['load']:.1f}; open and scan before it "
                  f"{found['open_and_scan_seconds']:.2f} s); ratio {found['export_seconds'] / cli_s:.2f}; "
                  f"same bytes: {same}; errors: {found['errors'] or 'none'}", flush=True)
    ratio = statistics.median(g / c for c, g in pairs)
    print(f"\nmedian ratio workbench export / sanitas apply: {ratio:.2f} (target < {TARGET:.2f})")
    print("RESULT " + json.dumps({"bench": "gui_export", "ratio": round(ratio, 2), "pass": ratio < TARGET,
                                  "pairs": [[round(c, 2), round(g, 2)] for c, g in pairs]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
