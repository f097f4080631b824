"""The "Privacy budget" tab driven through the real main window, on the demo data, with the real core:
shares set in its widgets, the error each buys before running, the over-budget warning in the core's
words, a preview of the noisy column drawn in the background, Apply to the recipe, undo and redo."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanitas.core.privacy.dp import budget
from sanitas.core.privacy.dp.estimates import expected_error
from sanitas.core.privacy.dp.noise_params import DpNoiseParams
from sanitas.core.privacy.dp.section import DifferentialPrivacySection
from sanitas.core.recipe import load_recipe
from sanitas.gui.main_window import MainWindow
from sanitas.gui.panels.privacy_budget.aggregates_table import COL_ERROR as FIGURE_ERROR
from sanitas.gui.panels.privacy_budget.column_shares import COL_ERROR, COL_SCALE
from sanitas.gui.panels.privacy_budget.panel import PrivacyBudgetPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
WAIT_MS = 60_000


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    pl.read_csv(SAMPLES / "customers.csv", infer_schema=False, n_rows=400).write_csv(path)
    return path


def open_budget_tab(qtbot, window: MainWindow, path: Path) -> PrivacyBudgetPanel:
    window.open_path(path)
    qtbot.waitUntil(lambda: window.doc.sample is not None and window.doc.scan is not None
                    and not window.session.busy, timeout=WAIT_MS)
    tabs = window.release_tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Privacy budget")
    tabs.setCurrentIndex(index)
    panel = tabs.currentWidget()
    assert isinstance(panel, PrivacyBudgetPanel)
    return panel


def add_column(panel: PrivacyBudgetPanel, column: str, lower: str, upper: str) -> None:
    panel.add_column.setCurrentText(column)
    panel.add_column_button.click()
    row = panel.shares.row_of(column)
    assert row is not None
    row.lower.setText(lower)
    row.upper.setText(upper)


def test_shares_errors_warning_preview_apply_undo(qtbot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    panel = open_budget_tab(qtbot, window, demo)
    assert panel.add_column.currentText() == "age"  # the first numeric column is offered
    assert "No DP noise yet" in panel.warning.text()

    add_column(panel, "age", "17", "90")
    age = panel.shares.row_of("age")
    assert age is not None
    age.mechanism.setCurrentIndex(age.mechanism.findData("laplace"))
    age.epsilon.setValue(0.5)
    laplace = expected_error("laplace", 0.5, lower=17, upper=90)  # the core's figure, in years
    assert panel.shares.item(0, COL_SCALE).text() == f"{laplace.noise_scale:.4g}" == "146"
    assert panel.shares.item(0, COL_ERROR).text().startswith(f"±{laplace.typical_error:.4g}")
    assert panel.spent_label.text().startswith("ε spent 0.5 of 1 · 0.5 left")
    assert panel.warning.text().startswith("✓")

    age.epsilon.setValue(1.0)  # more budget, less error, shown as it is set
    assert panel.shares.item(0, COL_SCALE).text() == "73"

    add_column(panel, "amount", "0", "500")
    amount = panel.shares.row_of("amount")
    assert amount is not None
    amount.epsilon.setValue(0.75)
    assert panel.shares.item(1, COL_ERROR).text().startswith("±")
    core_message = budget.budget_problems(DifferentialPrivacySection(epsilon=1.0), {"age": (1.0, 0.0),
                                                                                    "amount": (0.75, 0.0)})[0]
    assert panel.warning.text() == f"⚠ {core_message}"  # the core's own words, live
    assert "over by 0.75" in panel.spent_label.text()
    panel.apply_button.click()  # refused while over budget: nothing written
    assert window.doc.recipe.differential_privacy is None and "Not applied" in panel.warning.text()

    panel.epsilon.setValue(2.0)  # raise the total: the warning goes away
    assert panel.warning.text().startswith("✓") and "0.25 left" in panel.spent_label.text()

    amount.upper.setText("lots")  # bad input: a message naming the field, never a traceback
    assert "columns.amount.params.upper: type a number" in panel.warning.text()
    amount.upper.setText("500")
    amount.mechanism.setCurrentIndex(amount.mechanism.findData("gaussian"))
    assert "delta: the gaussian mechanism needs delta > 0" in panel.warning.text()
    amount.delta.setText("1e-6")
    assert "differential_privacy.delta is 0" in panel.warning.text()  # the column's delta exceeds the total
    panel.delta.setText("1e-5")
    assert panel.warning.text().startswith("✓")

    panel.preview.column.setCurrentText("age")
    panel.preview.button.click()
    qtbot.waitUntil(lambda: panel.preview.task is None, timeout=WAIT_MS)
    assert panel.preview.table.rowCount() == 50
    frame = window.doc.sample
    assert frame is not None
    ages = frame.get_column("age").head(50)
    shown_before = [panel.preview.table.item(i, 0).text() for i in range(50)]
    assert shown_before == ["(missing)" if v is None else str(v) for v in ages.to_list()]
    after = [panel.preview.table.item(i, 1).text() for i in range(50)]
    assert all(t == "(missing)" or 17 <= float(t) <= 90 for t in after)  # clamped into the bounds
    assert "Mean absolute change over" in panel.preview.summary.text()

    panel.apply_button.click()
    recipe = window.doc.recipe
    assert recipe.differential_privacy == DifferentialPrivacySection(epsilon=2.0, delta=1e-5)
    assert recipe.columns["age"].action == "dp_noise"
    assert recipe.columns["age"].params == {"mechanism": "laplace", "epsilon": 1.0, "lower": 17, "upper": 90}
    assert DpNoiseParams.model_validate(recipe.columns["amount"].params).delta == 1e-6
    assert window.isWindowModified() and "Applied" in panel.warning.text()

    path = tmp_path / "dp.yaml"  # the recipe the tab wrote loads back as it is
    assert window.session.save_recipe(path)
    assert load_recipe(path).differential_privacy == recipe.differential_privacy

    window.actions.undo.trigger()  # one step takes both the section and the column actions back
    assert window.doc.recipe.differential_privacy is None
    assert "age" not in window.doc.recipe.columns or window.doc.recipe.columns["age"].action != "dp_noise"
    assert panel.shares.columns() == []
    window.actions.redo.trigger()
    assert window.doc.recipe.differential_privacy == DifferentialPrivacySection(epsilon=2.0, delta=1e-5)
    assert panel.shares.columns() == ["age", "amount"] and panel.epsilon.value() == 2.0


def test_aggregates_are_configured_checked_and_applied(qtbot, window: MainWindow, demo: Path) -> None:
    panel = open_budget_tab(qtbot, window, demo)
    panel.epsilon.setValue(2.0)
    panel.output.setCurrentIndex(panel.output.findData("aggregates"))
    panel.add_figure_button.click()
    count = panel.aggregates.rows[0]
    count.by.setText("sex")
    count.epsilon.setValue(1.0)
    assert "the groups of sex are not declared" in panel.warning.text()  # the core's refusal, before running
    count.domains.setText("sex: F, M")
    assert panel.warning.text().startswith("✓")
    assert panel.aggregates.item(0, FIGURE_ERROR).text().startswith("±0.85")  # geometric at epsilon 1

    panel.add_figure_button.click()
    mean = panel.aggregates.rows[1]
    mean.statistic.setCurrentText("mean")
    mean.column.setCurrentText("age")
    mean.by.setText("sex")
    mean.domains.setText("sex: F, M")
    mean.epsilon.setValue(1.0)
    assert "lower, upper: mean needs both bounds" in panel.warning.text()
    mean.lower.setText("17")
    mean.upper.setText("90")
    mean.options.setText("0.5")
    assert "levels or bins are only for quantile and histogram" in panel.warning.text()
    mean.options.setText("")
    assert panel.warning.text().startswith("✓")
    groups = window.doc.sample.get_column("sex").n_unique()  # type: ignore[union-attr]
    expected = (90 - 17) / 2 / 0.5 / (400 / groups)  # the sum's scale over a typical group
    assert panel.aggregates.item(1, FIGURE_ERROR).text().startswith(f"±{expected:.4g}")

    mean.epsilon.setValue(1.5)
    assert "shares ask for 2.5 in total" in panel.warning.text()
    mean.epsilon.setValue(1.0)
    mean.domains.setText("sex F M")
    assert "differential_privacy.aggregates[1].domains: write each domain as" in panel.warning.text()
    mean.domains.setText("sex: F, M")

    panel.apply_button.click()
    section = window.doc.recipe.differential_privacy
    assert section is not None and section.output == "aggregates" and len(section.aggregates) == 2
    assert section.aggregates[1].statistic == "mean" and section.aggregates[1].lower == 17
    assert section.aggregates[0].domains == {"sex": ["F", "M"]}
    window.actions.undo.trigger()
    assert window.doc.recipe.differential_privacy is None and panel.aggregates.rows == []


def test_dp_noise_set_in_the_inspector_shows_in_the_tab(qtbot, window: MainWindow, demo: Path) -> None:
    """A share set elsewhere (the inspector's form writes the recipe) appears in the tab with its error."""
    from sanitas.core.recipe import ColumnPlan

    panel = open_budget_tab(qtbot, window, demo)
    window.doc.set_plan("age", ColumnPlan(action="dp_noise", params={"epsilon": 0.25, "lower": 0, "upper": 100}))
    row = panel.shares.row_of("age")
    assert row is not None and row.epsilon.value() == 0.25
    assert row.mechanism.itemText(0) == "auto (geometric)"  # integers: geometric by default
    assert panel.shares.item(0, COL_SCALE).text() == "400"
    assert "differential_privacy.epsilon is 1 but the shares ask for" not in panel.warning.text()
    window.actions.undo.trigger()
    assert panel.shares.columns() == []


BAD_INPUTS = ["", "abc", "nan", "inf", "-1", "0", "1e400", "1, 2", ";", "x: ", "17; 90", "  ", "∞"]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_no_box_takes_the_tab_down(qtbot, text: str) -> None:
    """Whatever is typed in any box, the tab answers in words (a field named, or a fitting plan)."""
    from sanitas.core.dataset import Dataset
    from sanitas.gui.document import Document

    frame = pl.DataFrame({"age": [23, 45, None, 67], "sex": ["F", "M", "F", None], "amount": [1.5, 2.0, 3.0, 4.0]})
    doc = Document()
    doc.set_dataset(Dataset.from_frame(frame))
    doc.set_frame(frame)
    panel = PrivacyBudgetPanel(doc)
    qtbot.addWidget(panel)
    for column in ("age", "sex", "amount"):
        panel.add_column.setCurrentText(column)
        panel.add_column_button.click()
    panel.add_figure_button.click()
    panel.add_figure_button.click()
    panel.aggregates.rows[1].statistic.setCurrentText("histogram")
    panel.aggregates.rows[1].column.setCurrentText("amount")
    boxes = [panel.delta]
    for row in panel.shares.rows:
        boxes += [row.delta, row.lower, row.upper, row.domain]
    for figure in panel.aggregates.rows:
        boxes += [figure.by, figure.lower, figure.upper, figure.options, figure.domains]
    for box in boxes:
        box.setText(text)
        assert panel.warning.text()
    for output in ("records", "aggregates"):
        panel.output.setCurrentIndex(panel.output.findData(output))
        panel.apply_button.click()
        assert panel.warning.text().startswith(("⚠", "Not applied", "✓"))
    assert all(p.split(":")[0].strip() for p in panel.problems)  # every problem starts with where it is


def test_categorical_preview_and_carried_params(qtbot) -> None:
    """Randomized response on a text column: the share replaced before running, then on a preview; params the
    boxes do not show (bounds estimated under DP) go back to the recipe unchanged."""
    from sanitas.core.dataset import Dataset
    from sanitas.core.recipe import ColumnPlan
    from sanitas.gui.document import Document

    frame = pl.DataFrame({"sex": ["F", "M"] * 2000, "amount": [float(i % 97) for i in range(4000)]})
    doc = Document()
    doc.set_dataset(Dataset.from_frame(frame))
    doc.set_frame(frame)
    doc.set_plan("amount", ColumnPlan(action="dp_noise", params={"epsilon": 0.5, "bounds_epsilon": 0.1}))
    panel = PrivacyBudgetPanel(doc)
    qtbot.addWidget(panel)
    amount = panel.shares.row_of("amount")
    assert amount is not None and "estimated under DP" in amount.lower.placeholderText()
    assert panel.shares.item(0, COL_ERROR).text() == "—"  # known only once the bounds are
    panel.add_column.setCurrentText("sex")
    panel.add_column_button.click()
    sex = panel.shares.row_of("sex")
    assert sex is not None
    sex.domain.setText("F, M")
    sex.epsilon.setValue(1.0)
    assert panel.shares.item(1, COL_ERROR).text() == "26.9% of values replaced"  # 1 / (e + 1)
    panel.epsilon.setValue(2.0)
    panel.preview.column.setCurrentText("sex")
    panel.preview.button.click()
    qtbot.waitUntil(lambda: panel.preview.task is None, timeout=WAIT_MS)
    summary = panel.preview.summary.text()
    share = float(summary.split("%")[0]) / 100
    # the preview draws on the sample (2,000 rows spread over the table): within 5 sigma
    assert abs(share - 0.269) < 0.05 and "of 2,000 values changed" in summary
    panel.apply_button.click()
    assert doc.recipe.columns["amount"].params == {"epsilon": 0.5, "bounds_epsilon": 0.1}
    assert doc.recipe.columns["sex"].params == {"epsilon": 1.0, "domain": ["F", "M"]}
