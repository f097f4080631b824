"""Benchmark per-column DP noise (issue 11): 5 columns x 1,000,000 rows, OS secure randomness.

    .venv/bin/python bench/bench_dp.py [--rows 1000000] [--compare-rows 100000]

(a) ``noise_columns`` on five columns of a generated table (integer age with geometric noise, integer
age with laplace, float income with laplace, float score with gaussian, text category with randomized
response), every draw from ``os.urandom``: target under 5 s for 5 x 1,000,000.
(b) The same kinds of noise on ``--compare-rows`` values: Sanitas' vectorized draw against
diffprivlib's mechanisms called once per value (the only way they draw), for the per-value speed-up.
The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

# _common first (before any sanitas import): offline guard, isolated settings.
from _common import PeakRss, machine, mb, rss, verdict

TARGET = 5.0


def make_frame(rows: int) -> Any:
    import polars as pl

    rng = np.random.default_rng(20261205)
    age = rng.integers(0, 100, rows)
    return pl.DataFrame({
        "age_geometric": pl.Series(age).set(pl.Series(rng.random(rows) < 0.02), None),
        "age_laplace": age,
        "income": rng.lognormal(10, 1, rows),
        "score": rng.normal(50, 15, rows),
        "sex": rng.choice(["F", "M", "X"], rows, p=[0.49, 0.49, 0.02]),
    })


def params() -> dict[str, Any]:
    from sanitas.core.privacy.dp.noise_params import DpNoiseParams

    return {
        "age_geometric": DpNoiseParams(mechanism="geometric", epsilon=0.5, lower=0, upper=100),
        "age_laplace": DpNoiseParams(mechanism="laplace", epsilon=0.5, lower=0, upper=100),
        "income": DpNoiseParams(mechanism="laplace", epsilon=1.0, lower=0, upper=500_000),
        "score": DpNoiseParams(mechanism="gaussian", epsilon=1.0, delta=1e-6, lower=0, upper=100),
        "sex": DpNoiseParams(mechanism="randomized_response", epsilon=1.0, domain=["F", "M", "X"]),
    }


def per_value(rows: int) -> dict[str, dict[str, float]]:
    """Seconds for ``rows`` values: Sanitas' whole-column draw vs diffprivlib one call per value."""
    import polars as pl
    from diffprivlib.mechanisms import Exponential, GaussianAnalytic, Geometric, Laplace

    from sanitas.core.privacy.dp.column_noise import noise_series

    frame = make_frame(rows)
    p = params()
    theirs = {
        "age_geometric": (Geometric(epsilon=0.5, sensitivity=100), frame["age_geometric"].fill_null(0)),
        "age_laplace": (Laplace(epsilon=0.5, sensitivity=100), frame["age_laplace"].cast(pl.Float64)),
        "income": (Laplace(epsilon=1.0, sensitivity=500_000), frame["income"]),
        "score": (GaussianAnalytic(epsilon=1.0, delta=1e-6, sensitivity=100), frame["score"]),
    }
    out: dict[str, dict[str, float]] = {}
    for name, (mech, values) in theirs.items():
        py = values.to_list()
        start = time.perf_counter()
        for v in py:
            mech.randomise(v)
        dpl = time.perf_counter() - start
        start = time.perf_counter()
        noise_series(frame[name], p[name])
        ours = time.perf_counter() - start
        out[name] = {"diffprivlib_s": dpl, "sanitas_s": ours, "speedup": dpl / ours}
    mech = Exponential(epsilon=1.0, sensitivity=1, utility=[1.0, 0.0, 0.0], monotonic=True)
    start = time.perf_counter()
    for _ in range(rows):
        mech.randomise()
    dpl = time.perf_counter() - start
    start = time.perf_counter()
    noise_series(frame["sex"], p["sex"])
    ours = time.perf_counter() - start
    out["sex"] = {"diffprivlib_s": dpl, "sanitas_s": ours, "speedup": dpl / ours}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--compare-rows", type=int, default=100_000)
    args = parser.parse_args()

    import polars as pl

    from sanitas.core.privacy.dp.column_noise import noise_columns
    from sanitas.core.privacy.dp.sampler import discrete_gaussian_sigma

    frame = make_frame(args.rows)
    p = params()
    noise_columns(frame.head(1000), p)  # warm-up: diffprivlib import, sigma search (cached per share)
    discrete_gaussian_sigma.cache_clear()  # ...but time the sigma search as part of the run
    before = rss()
    with PeakRss() as peak:
        start = time.perf_counter()
        noisy, facts = noise_columns(frame, p)
        seconds = time.perf_counter() - start
    ok = seconds < TARGET
    print(f"machine: {machine()}; polars {pl.__version__}")
    print(f"noise_columns 5 x {args.rows:,} rows  {seconds:6.2f} s  (target < {TARGET:g} s)  {verdict(ok)}")
    print(f"{'':<30} peak RSS +{mb(peak.peak - before)} over {mb(before)}; input {mb(frame.estimated_size())}")
    for f in facts:
        print(f"  {f.column:<14} {f.mechanism:<20} eps {f.epsilon:<4g} noise scale "
              f"{f.noise_scale if f.noise_scale is not None else float('nan'):>10.4g}  expected error "
              f"{f.expected_error:.4g} {f.error_unit}")
    compare = per_value(args.compare_rows)
    print(f"per-value comparison on {args.compare_rows:,} values (diffprivlib: one call per value):")
    for name, c in compare.items():
        print(f"  {name:<14} diffprivlib {c['diffprivlib_s']:7.3f} s   sanitas {c['sanitas_s']:7.4f} s   "
              f"x{c['speedup']:,.0f}")
    result = {"rows": args.rows, "columns": 5, "seconds": seconds, "target_s": TARGET, "ok": ok,
              "peak_rss_extra": peak.peak - before, "compare_rows": args.compare_rows, "compare": compare,
              "nulls_kept": noisy["age_geometric"].null_count()}
    print("RESULT " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
