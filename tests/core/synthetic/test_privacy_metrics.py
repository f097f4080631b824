"""The privacy figures on cases with known answers, and the DCR checked against SDMetrics' own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from synthetic_data import people

from sanitas.core.privacy.synthetic.frames import to_pandas
from sanitas.core.privacy.synthetic.privacy import dcr, dcr_shares, privacy
from sanitas.core.privacy.synthetic.train import split

LEARNED = ["age", "sex", "zip3", "city", "income", "spend", "grade", "joined"]
QIS = ["age", "sex", "zip3"]


@pytest.fixture(scope="module")
def parts() -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(to_pandas(people(600, seed=21)), 0.5, seed=3)


def _figures(synthetic: pd.DataFrame, parts: tuple[pd.DataFrame, pd.DataFrame]):  # type: ignore[no-untyped-def]
    train, holdout = parts
    result, missing = privacy(synthetic, train, holdout, learned=LEARNED, quasi_identifiers=QIS, max_rows=5_000,
                              seed=1, synthetic_frame=pl.from_pandas(synthetic[QIS]))
    assert missing == []
    return result


def test_a_verbatim_copy_of_the_training_rows_leaks_on_every_figure(parts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = parts
    result = _figures(train.copy(), parts)
    assert result.exact_copies == 1.0 and result.flagged
    assert result.baseline is not None and result.baseline < 0.01
    assert result.dcr_share == 1.0 and result.dcr_flagged
    assert result.unique_qi_matches is not None and result.unique_qi_baseline is not None
    assert result.unique_qi_matches > 2 * result.unique_qi_baseline + 0.001
    assert set(result.flags) == {"exact_copies", "unique_qi_matches", "dcr_share"}
    assert result.k == 1  # the copy is exactly as identifiable as the training rows


def test_an_independent_draw_from_the_same_distribution_does_not(parts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    independent = to_pandas(people(300, seed=99))
    result = _figures(independent, parts)
    assert result.exact_copies == 0.0 and not result.flagged
    assert result.dcr_share is not None and abs(result.dcr_share - 0.5) < 0.1 and not result.dcr_flagged
    assert result.flags == []


def test_chance_copies_in_a_coarse_table_are_not_flagged() -> None:
    """With few distinct rows every table repeats training rows: the holdout baseline absorbs it."""
    rng = np.random.default_rng(4)

    def coarse(n: int) -> pd.DataFrame:
        return pd.DataFrame({"sex": rng.choice(["F", "M"], n), "band": rng.choice(["<30", "30-60", "60+"], n)})

    train, holdout, synthetic = coarse(300), coarse(100), coarse(300)
    result, _ = privacy(synthetic, train, holdout, learned=["sex", "band"], quasi_identifiers=[], max_rows=1_000,
                        seed=0)
    assert result.exact_copies == 1.0 and result.baseline == 1.0 and not result.flagged


def test_holdout_zero_names_the_missing_figures(parts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = parts
    result, missing = privacy(train.head(50), train, train.head(0), learned=LEARNED, quasi_identifiers=QIS,
                              max_rows=1_000, seed=0)
    assert result.baseline is None and result.dcr_share is None and result.flagged  # copies with no baseline
    assert any("baseline" in m for m in missing) and any("DCR" in m for m in missing)


def _sdmetrics_metadata(frame: pd.DataFrame) -> dict[str, object]:
    sdtypes = {c: ("numerical" if pd.api.types.is_numeric_dtype(frame[c]) else
                   "datetime" if pd.api.types.is_datetime64_any_dtype(frame[c]) else "categorical")
               for c in frame.columns}
    return {"columns": {c: {"sdtype": t} for c, t in sdtypes.items()}}


def test_dcr_matches_sdmetrics_on_small_data(parts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from sdmetrics.single_table import DCROverfittingProtection
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

    train, holdout = parts
    columns = ["age", "sex", "zip3", "income", "grade", "joined"]
    train, holdout = train[columns].head(150), holdout[columns].head(150)
    synthetic = to_pandas(people(120, seed=7))[columns]
    metadata = _sdmetrics_metadata(train)
    theirs = calculate_dcr(dataset=synthetic, reference_dataset=train, metadata=metadata).to_numpy()
    ours = dcr(synthetic, train, columns)
    in_range = (synthetic["income"].between(train["income"].min(), train["income"].max())
                & synthetic["age"].between(train["age"].min(), train["age"].max())
                & synthetic["joined"].between(train["joined"].min(), train["joined"].max())).to_numpy()
    assert in_range.sum() > 80  # SDMetrics caps a gap at the range; inside it the two agree exactly
    np.testing.assert_allclose(ours[in_range], theirs[in_range], atol=1e-9)
    share, strict, ties = dcr_shares(synthetic, train, holdout, columns)
    breakdown = DCROverfittingProtection.compute_breakdown(
        real_training_data=train, synthetic_data=synthetic, real_validation_data=holdout, metadata=metadata,
        table_name=None)
    assert strict == pytest.approx(breakdown["synthetic_data_percentages"]["closer_to_training"], abs=0.03)
    assert share == pytest.approx(strict + ties / 2)


def test_dcr_with_categories_only_one_side_has() -> None:
    reference = pd.DataFrame({"c": ["a", "b", "a"], "x": [0.0, 1.0, 2.0]})
    dataset = pd.DataFrame({"c": ["z", "a"], "x": [0.0, 2.0]})
    np.testing.assert_allclose(dcr(dataset, reference, ["c", "x"]), [0.5, 0.0])
