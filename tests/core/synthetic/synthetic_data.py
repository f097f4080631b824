"""Small seeded tables for the synthetic-data tests: people with identifiers, quasi-identifiers and
correlated columns, drawn from one known distribution (so two seeds give independent tables from it)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from faker import Faker

from sanitas.core.decisions import ColumnDecision
from sanitas.core.detect.findings import ColumnKind

CITIES = ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol"]


def people(rows: int, seed: int) -> pl.DataFrame:
    """Names and emails (identifiers), age/sex/zip3 (quasi-identifiers), income tied to age, grade tied to
    income, a city, a join date, and spend below income."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    sex = rng.choice(["F", "M"], rows)
    income = np.round(age * 900 + (sex == "M") * 4000 + rng.normal(0, 4000, rows) + 10_000, 2)
    grade = np.where(income > 60_000, "high", np.where(income > 40_000, "mid", "low"))
    start = dt.date(2015, 1, 1)
    return pl.DataFrame({
        "name": [fake.name() for _ in range(rows)],
        "email": [f"{fake.user_name()}{i}@{fake.free_email_domain()}" for i in range(rows)],
        "age": age,
        "sex": sex.tolist(),
        "zip3": rng.choice(["021", "100", "606", "941", "303", "770"], rows).tolist(),
        "city": rng.choice(CITIES, rows).tolist(),
        "income": income,
        "spend": np.round(income * rng.uniform(0.05, 0.3, rows), 2),
        "grade": grade.tolist(),
        "joined": [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 3000, rows)],
    })


def decisions(frame: pl.DataFrame) -> dict[str, ColumnDecision]:
    kinds = {"name": ("PERSON", "identifier"), "email": ("EMAIL_ADDRESS", "identifier"),
             "age": ("AGE", "quasi-identifier"), "sex": ("GENDER", "quasi-identifier"),
             "zip3": ("POSTAL_CODE", "quasi-identifier")}
    out = {}
    for name in frame.columns:
        entity, kind = kinds.get(name, (None, "not-personal"))
        out[name] = ColumnDecision(name=name, action="keep", entity=entity, kind=ColumnKind(kind), corrected=False)
    return out
