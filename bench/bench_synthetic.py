"""Benchmark synthetic data (issue 10): Sanitas' whole synthetic release against SDV called directly.

    .venv/bin/python bench/bench_synthetic.py [--adult-rows 30000] [--big-rows 100000] [--no-big]

(a) An Adult-shaped table (30,000 x 15 mixed columns, generated here from distributions shaped like UCI
Adult: no download). SDV directly: ``Metadata.detect_from_dataframes`` + GaussianCopula fit + sample.
Sanitas: ``SyntheticStep.run`` (split, metadata, fit, sample, back to polars, the whole evaluation with
``evaluation.target: income``) plus rendering the report partial; then the whole ``sanitas apply`` command
in this process (read the CSV, scan, synthesize, evaluate, residual check, write the table and both
reports). Target: within 2.5x of SDV direct.
(b) 100,000 x 20 mixed columns, Gaussian copula: Sanitas' fit + sample under 60 s, and its whole path
without evaluation (split, metadata, fit, sample, conversions; ``holdout: 0``, quality off) within 10% of
SDV direct (detect + fit + sample). Both sides are timed after SDV is imported once.
The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from typing import Any

import numpy as np

# _common first (before any sanitas import): offline guard, isolated settings.
from _common import machine, verdict

TARGET_ADULT = 2.5
TARGET_BIG_SECONDS = 60.0
TARGET_OVERHEAD = 0.10

EDUCATION = ["Preschool", "1st-4th", "5th-6th", "7th-8th", "9th", "10th", "11th", "12th", "HS-grad", "Some-college",
             "Assoc-voc", "Assoc-acdm", "Bachelors", "Masters", "Prof-school", "Doctorate"]
EDU_P = [0.002, 0.005, 0.01, 0.02, 0.016, 0.029, 0.036, 0.013, 0.322, 0.224, 0.042, 0.033, 0.164, 0.053, 0.018, 0.013]
WORK = ["Private", "Self-emp-not-inc", "Local-gov", "State-gov", "Self-emp-inc", "Federal-gov", "Without-pay", "?"]
WORK_P = [0.70, 0.08, 0.064, 0.04, 0.034, 0.03, 0.002, 0.05]
MARITAL = ["Married-civ-spouse", "Never-married", "Divorced", "Separated", "Widowed", "Married-spouse-absent",
           "Married-AF-spouse"]
MARITAL_P = [0.46, 0.33, 0.136, 0.031, 0.03, 0.012, 0.001]
OCCUPATION = ["Prof-specialty", "Craft-repair", "Exec-managerial", "Adm-clerical", "Sales", "Other-service",
              "Machine-op-inspct", "Transport-moving", "Handlers-cleaners", "Farming-fishing", "Tech-support",
              "Protective-serv", "Priv-house-serv", "Armed-Forces"]
RELATIONSHIP = ["Husband", "Not-in-family", "Own-child", "Unmarried", "Wife", "Other-relative"]
REL_P = [0.405, 0.255, 0.155, 0.106, 0.048, 0.031]
RACE = ["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"]
RACE_P = [0.854, 0.096, 0.032, 0.01, 0.008]


def adult(rows: int, seed: int = 1) -> Any:
    """A table shaped like UCI Adult (15 columns, the same names, kinds, skews and main dependencies)."""
    import polars as pl

    rng = np.random.default_rng(seed)
    age = np.clip(rng.gamma(6.0, 6.5, rows) + 17, 17, 90).astype(np.int64)
    edu = rng.choice(len(EDUCATION), rows, p=np.array(EDU_P) / sum(EDU_P))
    sex = rng.choice(["Male", "Female"], rows, p=[0.67, 0.33])
    hours = np.clip(np.round(rng.normal(40, 12, rows)), 1, 99).astype(np.int64)
    countries = ["United-States", "Mexico", "?", "Philippines", "Germany", "Canada", "Puerto-Rico", "El-Salvador",
                 "India", "Cuba", "England", "China"] + [f"Country-{i}" for i in range(29)]
    weights = np.r_[[0.895, 0.02, 0.018, 0.006, 0.004, 0.004, 0.0035, 0.003, 0.003, 0.003, 0.003, 0.0025],
                    np.full(29, 0.0345 / 29)]
    score = 0.045 * (age - 38) + 0.35 * (edu - 9) + 0.04 * (hours - 40) + (sex == "Male") * 0.8 - 1.6
    rich = rng.random(rows) < 1 / (1 + np.exp(-score))
    gain = np.where(rng.random(rows) < 0.08 + 0.1 * rich, np.round(rng.lognormal(8.3, 1.0, rows)), 0).astype(np.int64)
    loss = np.where(rng.random(rows) < 0.047, np.round(rng.normal(1870, 360, rows)), 0).astype(np.int64)
    return pl.DataFrame({
        "age": age,
        "workclass": rng.choice(WORK, rows, p=WORK_P),
        "fnlwgt": np.round(rng.lognormal(12.0, 0.55, rows)).astype(np.int64),
        "education": np.array(EDUCATION)[edu],
        "education_num": edu + 1,
        "marital_status": rng.choice(MARITAL, rows, p=MARITAL_P),
        "occupation": rng.choice(OCCUPATION, rows),
        "relationship": rng.choice(RELATIONSHIP, rows, p=REL_P),
        "race": rng.choice(RACE, rows, p=RACE_P),
        "sex": sex,
        "capital_gain": gain,
        "capital_loss": loss,
        "hours_per_week": hours,
        "native_country": rng.choice(countries, rows, p=weights / weights.sum()),
        "income": np.where(rich, ">50K", "<=50K"),
    })


def wide(rows: int, seed: int = 2) -> Any:
    """100,000 x 20 mixed columns: the Adult shape plus five more (a date, two floats, a flag, a code)."""
    import datetime as dt

    import polars as pl

    rng = np.random.default_rng(seed)
    base = adult(rows, seed)
    start = dt.date(2010, 1, 1)
    return base.with_columns(
        pl.Series("joined", [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 5000, rows)]),
        pl.Series("balance", np.round(rng.normal(2500, 900, rows), 2)),
        pl.Series("score", np.round(rng.beta(2, 5, rows), 4)),
        pl.Series("member", rng.random(rows) < 0.3),
        pl.Series("region", rng.choice([f"R{i:02d}" for i in range(12)], rows)),
    )


def sdv_direct(frame: Any, seed: int) -> tuple[float, float]:
    """SDV as its docs show it: detect metadata, fit a Gaussian copula, sample as many rows."""
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    data = frame.to_pandas()
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata = Metadata.detect_from_dataframes({"table": data})
        synth = GaussianCopulaSynthesizer(metadata)
        synth.fit({"table": data})
        synth.sample(num_rows=len(data))
    return time.perf_counter() - start, time.process_time() - cpu


def sanitas_step(frame: Any, section: dict[str, Any], seed: int) -> tuple[float, float, Any]:
    from sanitas.core.privacy.synthetic import SyntheticSection, SyntheticStep
    from sanitas.core.steps.protocol import PlanView, StepContext

    start, cpu = time.perf_counter(), time.process_time()
    plan = PlanView(actions={}, unlisted_columns="keep-non-personal", seed=seed)
    result = SyntheticStep().run(frame, SyntheticSection.model_validate(section),
                                 StepContext(source_name="bench", plan=plan, source=frame))
    return time.perf_counter() - start, time.process_time() - cpu, result


def render(facts: Any) -> float:
    from sanitas.core.report import render

    start = time.perf_counter()
    render._environment().get_template("steps/synthetic.html.j2").render(facts=facts)
    return time.perf_counter() - start


def sanitas_apply(frame: Any, seed: int) -> tuple[float, float, int]:
    """The whole command, in this process: read the CSV, scan, check, synthesize, evaluate, residual check,
    write the table and both reports (a private temp folder holds the files)."""
    from sanitas.cli.main import main as sanitas
    from sanitas.core.io.tempdir import private_tempdir

    with private_tempdir() as folder:
        source, recipe, out = folder / "adult.csv", folder / "adult.yaml", folder / "adult.synthetic.csv"
        frame.write_csv(source)
        recipe.write_text(f"version: 1\nseed: {seed}\nsynthetic:\n  synthesizer: gaussian_copula\n"
                          "  evaluation: {target: income}\n")
        start, cpu = time.perf_counter(), time.process_time()
        code = sanitas(["apply", str(source), "-r", str(recipe), "-o", str(out), "-q"])
        return time.perf_counter() - start, time.process_time() - cpu, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adult-rows", type=int, default=30_000)
    parser.add_argument("--big-rows", type=int, default=100_000)
    parser.add_argument("--no-big", action="store_true")
    args = parser.parse_args()
    print(machine())
    from sanitas.core.privacy.synthetic.offline import load_sdv

    tick = time.perf_counter()
    load_sdv()
    print(f"SDV import: {time.perf_counter() - tick:.1f} s (not counted below)")
    result: dict[str, Any] = {}

    table = adult(args.adult_rows)
    print(f"\n(a) Adult-shaped table: {table.height:,} x {table.width}")
    direct, direct_cpu = sdv_direct(table, seed=1)
    whole, whole_cpu, step = sanitas_step(table, {"evaluation": {"target": "income"}}, seed=1)
    html = render(step.facts)
    facts = step.facts
    ratio = (whole + html) / direct
    print(f"  SDV direct (detect + fit + sample):             {direct:7.1f} s  (CPU {direct_cpu:.1f} s)")
    print(f"  Sanitas step (split..evaluation) + HTML partial: {whole + html:7.1f} s  (CPU {whole_cpu + html:.1f} s, "
          f"CPU ratio {(whole_cpu + html) / direct_cpu:.2f}x)\n    "
          f"(fit {facts.seconds['fit']:.1f}, sample {facts.seconds['sample']:.1f}, "
          f"evaluate {facts.seconds['evaluate']:.1f}, render {html:.2f})")
    print(f"  ratio {ratio:.2f}x (target <= {TARGET_ADULT}x): {verdict(ratio <= TARGET_ADULT)}")
    q, p, u = facts.quality, facts.privacy, facts.utility
    print(f"  quality {q.score:.3f}, diagnostic {q.diagnostic.score:.2f}; exact copies {p.exact_copies:.4f} "
          f"(baseline {p.baseline:.4f}, flagged {p.flagged}); DCR share {p.dcr_share:.3f}; k {p.k}; "
          f"TSTR {u.tstr:.3f} vs TRTR {u.trtr:.3f} ({u.metric}); samples {p.samples}")
    apply_s, apply_cpu, code = sanitas_apply(table, seed=1)
    apply_ratio = apply_s / direct
    print(f"  whole `sanitas apply` (read, scan, synthesize, evaluate, residual check, write, reports): "
          f"{apply_s:.1f} s (CPU {apply_cpu:.1f} s, exit {code}): {apply_ratio:.2f}x SDV direct "
          f"(target <= {TARGET_ADULT}x): {verdict(apply_ratio <= TARGET_ADULT and code == 0)}")
    result["adult_apply"] = {"seconds": round(apply_s, 2), "cpu_s": round(apply_cpu, 2), "exit": code,
                             "ratio": round(apply_ratio, 2), "pass": apply_ratio <= TARGET_ADULT and code == 0}
    result["adult"] = {"rows": table.height, "sdv_direct_s": round(direct, 2), "sanitas_s": round(whole + html, 2),
                       "sdv_direct_cpu_s": round(direct_cpu, 2), "sanitas_cpu_s": round(whole_cpu + html, 2),
                       "ratio": round(ratio, 2), "seconds": facts.seconds, "quality": q.score,
                       "dcr_share": p.dcr_share, "tstr": u.tstr, "trtr": u.trtr, "pass": ratio <= TARGET_ADULT}

    if not args.no_big:
        big = wide(args.big_rows)
        print(f"\n(b) {big.height:,} x {big.width} mixed columns, Gaussian copula")
        direct, direct_cpu = sdv_direct(big, seed=1)
        total, total_cpu, step = sanitas_step(big, {"holdout": 0, "evaluation": {"quality": False}}, seed=1)
        facts = step.facts
        fit_sample = facts.seconds["fit"] + facts.seconds["sample"]
        path = total - facts.seconds["evaluate"]
        overhead = path / direct - 1
        print(f"  SDV direct (detect + fit + sample):        {direct:7.1f} s  (CPU {direct_cpu:.1f} s)")
        print(f"  Sanitas fit + sample:                      {fit_sample:7.1f} s "
              f"(target < {TARGET_BIG_SECONDS:.0f} s): "
              f"{verdict(fit_sample < TARGET_BIG_SECONDS)}")
        print(f"  Sanitas path without evaluation:           {path:7.1f} s  overhead {overhead:+.1%} "
              f"(target < {TARGET_OVERHEAD:.0%}): {verdict(overhead < TARGET_OVERHEAD)}")
        print(f"  (evaluation with holdout 0, quality off: {facts.seconds['evaluate']:.1f} s; whole step CPU "
              f"{total_cpu:.1f} s, {total_cpu / direct_cpu - 1:+.1%} over SDV direct's CPU)")
        result["big"] = {"rows": big.height, "columns": big.width, "sdv_direct_s": round(direct, 2),
                         "fit_sample_s": round(fit_sample, 2), "path_s": round(path, 2),
                         "sdv_direct_cpu_s": round(direct_cpu, 2), "step_cpu_s": round(total_cpu, 2),
                         "overhead": round(overhead, 4), "pass": fit_sample < TARGET_BIG_SECONDS
                         and overhead < TARGET_OVERHEAD}
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
