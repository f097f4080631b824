"""Write the large CSV the benchmarks read: the demo generator scaled up (fast pooled path).

    .venv/bin/python bench/make_data.py [--rows 1000000] [--seed 20261123] [-o PATH]

Default output: bench/data/customers_1m.csv (bench/data/ is git-ignored). Same rows and seed give
the same bytes, so benchmark figures from different runs are comparable.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "resources" / "samples" / "generate_demo.py"
DEFAULT_ROWS = 1_000_000


def load_generator() -> ModuleType:
    """Import resources/samples/generate_demo.py, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location("generate_demo", GENERATOR)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def default_output(rows: int) -> Path:
    """customers_1m.csv, customers_250k.csv, customers_1234.csv: the size is in the name."""
    if rows % 1_000_000 == 0:
        label = f"{rows // 1_000_000}m"
    elif rows % 1_000 == 0:
        label = f"{rows // 1_000}k"
    else:
        label = str(rows)
    return ROOT / "bench" / "data" / f"customers_{label}.csv"


def main(argv: Sequence[str] | None = None) -> int:
    gen = load_generator()
    parser = argparse.ArgumentParser(description="Write the benchmark CSV (20 columns, one free-text).")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--method", choices=("auto", "rows", "pool"), default="auto")
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    output: Path = args.output or default_output(args.rows)

    started = time.perf_counter()
    df = gen.generate(args.rows, args.seed, args.method)
    generated = time.perf_counter()
    gen.write_csv(df, output)
    written = time.perf_counter()

    size = output.stat().st_size
    print(f"{output}")
    print(f"rows: {df.height:,}  columns: {df.width}  size: {size / 1e6:.1f} MB ({size:,} bytes)")
    print(f"time: generate {generated - started:.1f} s + write {written - generated:.1f} s "
          f"= {written - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
