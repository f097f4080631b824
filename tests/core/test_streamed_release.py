"""The streamed release: the same bytes and report figures as the in-memory path, batch by batch.

Small batches (a few hundred rows) over a few thousand rows, so that many batches run and every
whole-column fact (widest ZIP, a fraction somewhere, the first date's format, distinct counts,
collisions, identifier values seen in another batch) crosses batch boundaries.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from sanitas.core.io import open_dataset
from sanitas.core.progress import Cancelled, CancelToken
from sanitas.core.recipe import parse_recipe
from sanitas.core.streamed_release import release_to_file

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
BATCH = 370
VOLATILE = {"seconds", "timings", "created", "name"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 demo rows, with an integer ZIP column, a fractional amount only far down, and a kept column
    that quotes identifier values of other rows (so the residual check has hits across batches)."""
    folder = tmp_path_factory.mktemp("streamed")
    frame = pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=3000)
    emails = frame.get_column("email")
    frame = frame.with_columns(
        pl.col("zip").str.replace_all(r"\D", "").str.slice(0, 5).cast(pl.Int64, strict=False).alias("zip_number"),
        pl.Series("score", [float(i % 7) if i != 2500 else 2.5 for i in range(frame.height)]),
        pl.Series("contact", [emails[(i * 11) % frame.height] if i % 97 == 5 else "none" for i in range(frame.height)]),
    )
    path = folder / "customers.csv"
    frame.write_csv(path)
    (folder / "k.key").write_text(secrets.token_hex(32))
    os.chmod(folder / "k.key", 0o600)
    return path


def recipe_data(**changes: Any) -> dict[str, Any]:
    keep = {"action": "keep"}
    columns: dict[str, Any] = {
        "customer_id": {"action": "pseudonymize", "params": {"format": "token", "prefix": "cust_"}},
        "full_name": {"action": "drop"},
        "email": {"action": "pseudonymize", "params": {"format": "email"}},
        "phone": {"action": "mask", "params": {"keep_last": 4}},
        "street_address": {"action": "drop"},
        "city": keep,
        "zip": {"action": "generalize", "params": {"method": "postal", "keep": 3}},
        "zip_number": {"action": "generalize", "params": {"method": "postal", "keep": 2}},
        "date_of_birth": {"action": "generalize", "params": {"method": "date", "to": "year"}},
        "age": {"action": "generalize", "params": {"method": "age_band", "width": 10, "top": 90}},
        "score": {"action": "generalize", "params": {"method": "bins", "width": 2}},
        "sex": keep, "ssn": {"action": "redact"}, "card_number": {"action": "mask", "params": {"keep_last": 4}},
        "diagnosis": keep, "amount": keep, "plan": keep, "signup_date": keep, "product_sku": keep,
        "favorite_color": keep, "notes": keep, "ip_address": {"action": "redact"}, "contact": keep,
    }
    columns.update(changes)
    return {"version": 1, "seed": 7, "keys": {"default": {"file": "k.key"}}, "columns": columns}


@pytest.fixture(scope="module")
def scan(data: Path) -> Any:
    """One scan for every release of the module (each release would otherwise scan the file again)."""
    from sanitas.core.detect import scan_dataset

    return scan_dataset(open_dataset(data))


SCANS: dict[Path, Any] = {}


@pytest.fixture(autouse=True)
def _scanned(data: Path, scan: Any) -> None:
    SCANS[data] = scan


def release(data: Path, out: Path, recipe: dict[str, Any], **options: Any) -> Any:
    return release_to_file(open_dataset(data), parse_recipe(recipe, source="test"), out, recipe_dir=data.parent,
                           batch_rows=BATCH, scan=SCANS.get(data), **options)


def stable(report: Any) -> Any:
    """The report without what differs between two runs of the same release (times, file names)."""
    if isinstance(report, dict):
        return {k: stable(v) for k, v in report.items() if k not in VOLATILE}
    if isinstance(report, list):
        return [stable(v) for v in report]
    return report


def test_same_bytes_and_report_as_in_memory(data: Path, tmp_path: Path) -> None:
    streamed = release(data, tmp_path / "s.csv", recipe_data())
    memory = release(data, tmp_path / "m.csv", recipe_data(), streamed=False)
    assert streamed.streamed and streamed.fallback is None
    assert not memory.streamed
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "m.csv").read_bytes()
    a = json.loads((tmp_path / "s.csv.report.json").read_text())
    b = json.loads((tmp_path / "m.csv.report.json").read_text())
    assert stable(a) == stable(b)
    residual = streamed.release.residual
    assert "contact" in [h.column for h in residual.value_hits]  # emails quoted from rows of other batches
    assert residual.value_hits == memory.release.residual.value_hits
    assert residual.rescan_sample == memory.release.residual.rescan_sample
    assert streamed.release.output_shape == (3000, memory.release.frame.width)
    facts = {o.name: o.facts for o in streamed.release.outcomes}
    assert facts["email"]["distinct_values"] > BATCH and facts["zip_number"]["distinct_before"] > 1


def test_original_texts_fetched_again_when_too_many_to_keep(data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import sanitas.core.residual_stream as stream

    monkeypatch.setattr(stream, "TEXT_LIMIT", 50)
    streamed = release(data, tmp_path / "s.csv", recipe_data())
    memory = release(data, tmp_path / "m.csv", recipe_data(), streamed=False)
    assert streamed.streamed
    assert streamed.release.residual.value_hits == memory.release.residual.value_hits
    assert streamed.release.residual.value_hits


def test_tsv_and_collisions_reported_alike(data: Path, tmp_path: Path) -> None:
    short = recipe_data(age={"action": "pseudonymize", "params": {"format": "integer", "on_collision": "report"}})
    streamed = release(data, tmp_path / "s.tsv", short)
    memory = release(data, tmp_path / "m.tsv", short, streamed=False)
    assert streamed.streamed
    assert (tmp_path / "s.tsv").read_bytes() == (tmp_path / "m.tsv").read_bytes()
    collided = next(o.facts for o in streamed.release.outcomes if o.name == "age")
    assert collided["collisions"] > 0  # two-digit ages: pseudonyms of the same shape collide
    assert collided == next(o.facts for o in memory.release.outcomes if o.name == "age")


@pytest.mark.parametrize(("change", "output", "why"), [
    ({"k_anonymity": {"k": 2, "quasi_identifiers": ["sex", "city"], "suppression": "mask"}}, "o.csv",
     "dataset-level steps"),
    ({}, "o.parquet", "not written batch by batch"),
    ({"columns": {"full_name": {"action": "fake", "params": {"entity": "PERSON"}}}}, "o.csv", "whole set of values"),
    ({"columns": {"notes": {"action": "scrub"}}}, "o.csv", "reads the whole table"),
])
def test_falls_back_to_the_in_memory_path(data: Path, tmp_path: Path, change: dict[str, Any], output: str,
                                          why: str) -> None:
    recipe = recipe_data(**change.get("columns", {}))
    recipe.update({k: v for k, v in change.items() if k != "columns"})
    done = release(data, tmp_path / output, recipe)
    assert not done.streamed and why in (done.fallback or "")
    assert (tmp_path / output).exists()


def test_transform_error_is_the_whole_tables(data: Path, tmp_path: Path) -> None:
    """A batch's error would count a batch's values: the in-memory path runs and says it for the table."""
    from sanitas.core.errors import TransformError

    bad = recipe_data(city={"action": "generalize", "params": {"method": "bins", "width": 5}})
    with pytest.raises(TransformError, match=r"^generalize on column 'city': 3000 values are not numbers"):
        release(data, tmp_path / "o.csv", bad)
    assert list(tmp_path.iterdir()) == []


def test_reports_renamed_before_the_data_file(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[str] = []
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        renamed.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    done = release(data, tmp_path / "o.csv", recipe_data())
    assert done.streamed
    assert renamed == ["o.csv.report.json", "o.csv.report.html", "o.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv", "o.csv.report.html", "o.csv.report.json"]


def test_cancel_mid_stream_leaves_nothing(data: Path, tmp_path: Path) -> None:
    token = CancelToken()
    applied: list[str] = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("Applying the column actions to rows"):
            applied.append(message)
            if len(applied) == 3:  # two batches are written already
                token.cancel()

    with pytest.raises(Cancelled):
        release(data, tmp_path / "o.csv", recipe_data(), progress=progress, cancel=token)
    assert len(applied) == 3
    assert list(tmp_path.iterdir()) == []


def test_strict_withholds_the_data_but_writes_the_reports(data: Path, tmp_path: Path) -> None:
    done = release(data, tmp_path / "o.csv", recipe_data(), strict=True)
    assert done.streamed and done.export.withheld
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv.report.html", "o.csv.report.json"]
    report = json.loads((tmp_path / "o.csv.report.json").read_text())
    assert report["output"] is None or report["output"].get("sha256") is None


def test_second_opinion_runs_beside_the_batches_once_its_rows_are_read(data: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import sanitas.core.detect.second_opinion as opinion
    import sanitas.core.residual_stream as stream

    monkeypatch.setattr(stream, "HEAD_ROWS", 1000)
    monkeypatch.setattr(opinion, "CELL_LIMIT", 1000)  # both paths read the first 1,000 rows
    threads: list[str] = []
    real = stream._second_opinion

    def spy(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(stream, "_second_opinion", spy)
    streamed = release(data, tmp_path / "s.csv", recipe_data())
    memory = release(data, tmp_path / "m.csv", recipe_data(), streamed=False)
    assert streamed.streamed and threads and threads[0].startswith("sanitas-second-opinion")
    assert streamed.release.residual.second_opinion == memory.release.residual.second_opinion
    assert streamed.release.residual.second_opinion.hits
