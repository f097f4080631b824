"""Split, build, fit and sample an SDV single-table synthesizer, seeded, with progress and cancel.

Hooks into SDV and its libraries, each the smallest that gives a prompt Cancel:
- neural synthesizers (ctgan, tvae, copulagan): ctgan's fit loops over ``tqdm(range(epochs))``; while we fit,
  that name in ``ctgan.synthesizers.ctgan``/``tvae`` yields the epochs through a generator that reports
  progress and checks Cancel once per epoch. Within an epoch a global torch forward pre-hook
  (``torch.nn.modules.module.register_module_forward_pre_hook``, public torch API) checks Cancel before
  every forward pass, so Cancel lands within one batch;
- gaussian copula: SDV's ``_initialize_model`` hook returns copulas' ``GaussianMultivariate`` subclassed to
  check Cancel and report progress between the columns it fits;
- sampling runs in batches of ``SAMPLE_BATCH`` rows with a Cancel check between them.
Seeds: fitting runs under numpy's and torch's global generators seeded from the recipe's seed (restored
afterwards); sampling sets the model's own random state from the seed through SDV's ``_set_random_state``
(SDV otherwise always samples with its fixed seed 73251, whatever the recipe says).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from sanitas.core.errors import RecipeError
from sanitas.core.privacy.synthetic.metadata import TABLE, TableMetadata
from sanitas.core.privacy.synthetic.offline import load_sdv, load_torch, quiet_sampling
from sanitas.core.privacy.synthetic.section import NEURAL, SyntheticSection
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

SAMPLE_BATCH = 50_000
_HOOK_LOCK = threading.Lock()  # the ctgan/torch hooks are process-wide: one neural fit at a time


def split(frame: pd.DataFrame, holdout: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded random train/holdout split (the holdout never reaches the synthesizer)."""
    rows = len(frame)
    held = round(rows * holdout) if holdout > 0 else 0
    if held and rows - held < 2:
        held = max(rows - 2, 0)
    order = np.random.default_rng(seed).permutation(rows)
    train = frame.iloc[np.sort(order[held:])].reset_index(drop=True)
    test = frame.iloc[np.sort(order[:held])].reset_index(drop=True)
    return train, test


def build_synthesizer(section: SyntheticSection, table: TableMetadata, locale: str,
                      cancel: CancelToken = NEVER_CANCELLED, progress: Progress = no_progress) -> Any:
    """The SDV synthesizer the section asks for, with its constraints added."""
    load_sdv()
    from sdv.single_table import CopulaGANSynthesizer, CTGANSynthesizer, TVAESynthesizer

    common: dict[str, Any] = {
        "enforce_min_max_values": section.enforce_min_max_values,
        "enforce_rounding": section.enforce_rounding,
        "locales": [locale],
    }
    neural = {"epochs": section.epochs, "batch_size": section.batch_size, "verbose": False, "enable_gpu": False}
    distributions = {c: d for c, d in section.numerical_distributions.items() if c in table.learned}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if section.synthesizer == "gaussian_copula":
            synth: Any = _gaussian_copula_class()(
                table.metadata, numerical_distributions=distributions or None,
                default_distribution=section.default_distribution, **common)
            synth._sanitas_watch = (cancel, progress)
        elif section.synthesizer == "ctgan":
            synth = CTGANSynthesizer(table.metadata, **neural, **common)
        elif section.synthesizer == "tvae":
            tvae = {k: v for k, v in common.items() if k != "locales"}  # SDV 2.0's TVAE takes no locales:
            synth = TVAESynthesizer(table.metadata, **neural, **tvae)
            synth.locales = synth._data_processor._locales = [locale]  # the identifiers' Faker locale all the same
        else:
            synth = CopulaGANSynthesizer(table.metadata, numerical_distributions=distributions or None,
                                         default_distribution=section.default_distribution, **neural, **common)
        constraints = sdv_constraints(section)
        if constraints:
            try:
                synth.add_constraints(constraints)
            except Exception as exc:  # SDV's ConstraintNotMetError / ValueError carry its wording
                raise RecipeError("synthetic.constraints cannot be used", [" ".join(str(exc).split())]) from None
    return synth


def sdv_constraints(section: SyntheticSection) -> list[Any]:
    """The section's constraints as SDV 2.0 ``sdv.cag`` objects (positive/negative: see ``SignConstraint``)."""
    from sdv.cag import FixedCombinations, Inequality, Range

    from sanitas.core.privacy.synthetic.sign import SignConstraint

    c = section.constraints
    out: list[Any] = []
    if c.positive or c.negative:  # first in the chain: see SignConstraint
        shared = {col for group in c.fixed_combinations for col in group}
        shared |= {col for i in c.inequalities for col in (i.low, i.high)}
        shared |= {col for r in c.ranges for col in (r.low, r.middle, r.high)}
        out.append(SignConstraint(positive=list(c.positive), negative=list(c.negative), untransformed=sorted(shared)))
    out += [FixedCombinations(column_names=list(group)) for group in c.fixed_combinations]
    out += [Inequality(low_column_name=i.low, high_column_name=i.high, strict_boundaries=i.strict)
            for i in c.inequalities]
    out += [Range(low_column_name=r.low, middle_column_name=r.middle, high_column_name=r.high,
                  strict_boundaries=r.strict) for r in c.ranges]
    return out


def fit(synth: Any, train: pd.DataFrame, section: SyntheticSection, seed: int,
        progress: Progress = no_progress, cancel: CancelToken = NEVER_CANCELLED) -> None:
    """Fit on the training rows; Cancel raises ``Cancelled`` within an epoch (neural) or a column (copula)."""
    cancel.raise_if_cancelled()
    progress(0.0, "preparing the data for the synthesizer")
    with warnings.catch_warnings(), _seeded(seed):
        warnings.simplefilter("ignore")
        processed = synth.preprocess({TABLE: train})
        cancel.raise_if_cancelled()
        progress(0.1, f"training {section.synthesizer}")
        if section.synthesizer in NEURAL:
            load_torch()
            with _neural_hooks(section.epochs, _sub(progress, 0.1, 1.0), cancel):
                synth.fit_processed_data(processed)
        else:
            synth._sanitas_watch = (cancel, _sub(progress, 0.1, 1.0))
            synth.fit_processed_data(processed)
    cancel.raise_if_cancelled()
    progress(1.0, "trained")


def sample(synth: Any, rows: int, seed: int, progress: Progress = no_progress,
           cancel: CancelToken = NEVER_CANCELLED) -> pd.DataFrame:
    """``rows`` synthetic rows; the same fitted model and seed give the same rows."""
    synth.reset_sampling()
    synth._set_random_state(seed % 2**32)  # SDV's only way to seed sampling (it defaults to a fixed seed)
    parts: list[pd.DataFrame] = []
    done = 0
    with warnings.catch_warnings(), quiet_sampling():
        warnings.simplefilter("ignore")
        while done < rows:
            cancel.raise_if_cancelled()
            progress(done / rows, "sampling synthetic rows")
            batch = min(SAMPLE_BATCH, rows - done)
            parts.append(synth.sample(num_rows=batch)[TABLE])
            done += batch
    progress(1.0, "sampled")
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def _sub(progress: Progress, start: float, end: float) -> Progress:
    from sanitas.core.progress import sub_progress

    return sub_progress(progress, start, end)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's and torch's global generators for the fit, and put them back afterwards."""
    import torch

    np_state, torch_state = np.random.get_state(), torch.get_rng_state()
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)


@contextlib.contextmanager
def _neural_hooks(epochs: int, progress: Progress, cancel: CancelToken) -> Iterator[None]:
    import ctgan.synthesizers.ctgan as ctgan_module
    import ctgan.synthesizers.tvae as tvae_module
    import torch

    def epoch_iterator(iterable: Any, *args: Any, **kwargs: Any) -> Iterator[int]:
        for i in iterable:
            cancel.raise_if_cancelled()
            progress(i / max(epochs, 1), f"epoch {i + 1} of {epochs}")
            yield i

    def before_forward(module: Any, inputs: Any) -> None:
        cancel.raise_if_cancelled()

    with _HOOK_LOCK:
        saved = ctgan_module.tqdm, tvae_module.tqdm
        ctgan_module.tqdm = tvae_module.tqdm = epoch_iterator
        handle = torch.nn.modules.module.register_module_forward_pre_hook(before_forward)
        try:
            yield
        finally:
            handle.remove()
            ctgan_module.tqdm, tvae_module.tqdm = saved


_COPULA_CLASS: Any = None


def _gaussian_copula_class() -> Any:
    """SDV's GaussianCopulaSynthesizer whose copula checks Cancel and reports progress per column."""
    global _COPULA_CLASS
    if _COPULA_CLASS is not None:
        return _COPULA_CLASS
    from copulas.multivariate import GaussianMultivariate
    from sdv.single_table import GaussianCopulaSynthesizer

    class WatchedGaussian(GaussianMultivariate):  # type: ignore[misc]
        watch: tuple[CancelToken, Progress] = (NEVER_CANCELLED, no_progress)

        def _fit_columns(self, X: pd.DataFrame) -> Any:
            self._sanitas_total = max(X.shape[1], 1)
            self._sanitas_done = 0
            return super()._fit_columns(X)

        def _fit_column(self, column: Any, distribution: Any, column_name: Any) -> Any:
            cancel, progress = self.watch
            cancel.raise_if_cancelled()
            progress(0.9 * self._sanitas_done / self._sanitas_total, "fitting column distributions")
            self._sanitas_done += 1
            return super()._fit_column(column, distribution, column_name)

    class WatchedGaussianCopula(GaussianCopulaSynthesizer):  # type: ignore[misc]
        _sanitas_watch: tuple[CancelToken, Progress] = (NEVER_CANCELLED, no_progress)

        def _initialize_model(self, numerical_distributions: Any) -> Any:
            model = WatchedGaussian(distribution=numerical_distributions)
            model.watch = self._sanitas_watch
            return model

    _COPULA_CLASS = WatchedGaussianCopula
    return _COPULA_CLASS
