"""Neural synthesizers: per-epoch progress, a seeded result, and a Cancel that stops training promptly."""

from __future__ import annotations

import threading
import time

import polars as pl
import pytest
from synthetic_data import people

from sanitas.core.privacy.synthetic import SyntheticSection, synthesize
from sanitas.core.progress import Cancelled, CancelToken

FAST = {"epochs": 2, "batch_size": 100, "evaluation": {"quality": False}}


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    return people(200, seed=31).drop("name", "email")


@pytest.mark.parametrize("synthesizer", ["ctgan", "tvae"])
def test_neural_training_reports_epochs_and_is_seeded(small: pl.DataFrame, synthesizer: str) -> None:
    section = SyntheticSection.model_validate({"synthesizer": synthesizer, **FAST})
    messages: list[str] = []
    first = synthesize(small, section, seed=3, progress=lambda f, m: messages.append(m))
    assert "epoch 1 of 2" in messages and "epoch 2 of 2" in messages
    assert first.frame.schema == small.schema and first.frame.height == small.height
    assert first.facts.params["epochs"] == 2
    again = synthesize(small, section, seed=3)
    assert again.frame.equals(first.frame)


def test_copulagan_runs(small: pl.DataFrame) -> None:
    section = SyntheticSection.model_validate({"synthesizer": "copulagan", **FAST, "epochs": 1})
    release = synthesize(small, section, seed=1)
    assert release.frame.height == small.height and release.facts.synthesizer == "copulagan"


def test_cancel_stops_training_within_an_epoch(small: pl.DataFrame) -> None:
    """Many epochs; Cancel during the first one: training stops with Cancelled long before it would end."""
    section = SyntheticSection.model_validate({"synthesizer": "ctgan", "epochs": 10_000, "batch_size": 100,
                                               "evaluation": {"quality": False}})
    cancel = CancelToken()
    started: list[float] = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("epoch") and not started:
            started.append(time.perf_counter())
            threading.Timer(0.2, cancel.cancel).start()

    begin = time.perf_counter()
    with pytest.raises(Cancelled):
        synthesize(small, section, seed=1, progress=progress, cancel=cancel)
    assert started, "training never started"
    assert time.perf_counter() - started[0] < 15  # 10,000 epochs would take hours
    assert time.perf_counter() - begin < 60


def test_cancel_stops_the_gaussian_copula_between_columns(small: pl.DataFrame) -> None:
    cancel = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if message == "fitting column distributions":
            cancel.cancel()

    with pytest.raises(Cancelled):
        synthesize(small, SyntheticSection(), seed=1, progress=progress, cancel=cancel)
