"""Roles proposed from the demo data's findings."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanitas.core.dataset import Dataset
from sanitas.core.detect import scan_dataset
from sanitas.core.privacy.k_anonymity.roles import Role, columns_with_role, propose_roles

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def test_roles_follow_kinds_and_uniqueness() -> None:
    frame = pl.read_csv(SAMPLES / "customers.csv", n_rows=500, schema_overrides={"zip": pl.String})
    frame = frame.with_columns(pl.format("BATCH-{}", pl.int_range(pl.len())).alias("batch_code"))
    roles = propose_roles(scan_dataset(Dataset.from_frame(frame)))
    assert roles["email"] is Role.IDENTIFYING and roles["notes"] is Role.IDENTIFYING
    assert {"age", "sex", "zip", "city"} <= set(columns_with_role(roles, Role.QUASI_IDENTIFYING))
    assert roles["diagnosis"] is Role.SENSITIVE
    assert roles["plan"] is Role.INSENSITIVE and roles["amount"] is Role.INSENSITIVE
    assert roles["batch_code"] is Role.IDENTIFYING, "a unique code identifies rows whatever detection says"
