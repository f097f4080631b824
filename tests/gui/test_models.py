"""The table models over a Document: virtualized rows, finding badges, risk sort and filter."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QModelIndex, Qt

from sanitas.core.dataset import Dataset
from sanitas.core.detect import ColumnKind, ScanResult, scan_dataset
from sanitas.core.io import open_dataset
from sanitas.core.recipe import ColumnPlan
from sanitas.gui.document import Document
from sanitas.gui.models.columns_model import (
    ACTION,
    COLUMN,
    FINDING,
    KIND,
    ColumnsFilterProxy,
    ColumnsModel,
    CorrectedRole,
    NameRole,
    RiskRole,
)
from sanitas.gui.models.dataset_model import FETCH_ROWS, NULL_TEXT, DatasetTableModel

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
ROWS = 1_000_000
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture(scope="module")
def big_frame() -> pl.DataFrame:
    """1,000,000 rows x 5 columns, every 7th ``name`` missing."""
    return pl.DataFrame({"id": pl.int_range(ROWS, eager=True)}).with_columns(
        pl.format("user{}@example.org", pl.col("id")).alias("email"),
        pl.when(pl.col("id") % 7 == 0).then(None).otherwise(pl.format("name {}", pl.col("id"))).alias("name"),
        (pl.col("id") * 0.5).alias("amount"),
        (pl.col("id") % 2 == 0).alias("flag"),
    )


@pytest.fixture(scope="module")
def demo() -> tuple[Dataset, pl.DataFrame, ScanResult]:
    """The demo file's first 300 rows, scanned once for the module (detection is the slow part)."""
    frame = open_dataset(SAMPLES / "customers.csv").collect().head(300)
    dataset = Dataset.from_frame(frame, name="customers.csv")
    return dataset, frame, scan_dataset(dataset, sample_size=300)


def demo_doc(demo: tuple[Dataset, pl.DataFrame, ScanResult], qtbot) -> Document:
    dataset, frame, scan = demo
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_frame(frame)
    doc.set_scan(scan)
    return doc


def test_rows_arrive_in_blocks_and_the_last_row_reads_right(big_frame: pl.DataFrame, qtbot) -> None:
    doc = Document()
    doc.set_dataset(Dataset.from_frame(big_frame))
    model = DatasetTableModel(doc)
    assert model.rowCount() == 0 and model.columnCount() == 5  # columns before rows
    doc.set_frame(big_frame)
    assert model.rowCount() == FETCH_ROWS and model.total_rows == ROWS
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * FETCH_ROWS
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == ROWS
    last = ROWS - 1
    assert model.index(last, 0).data() == str(last)
    assert model.index(last, 1).data() == f"user{last}@example.org"
    assert model.index(last, 2).data() == NULL_TEXT  # 999,999 is a multiple of 7
    assert model.index(last - 1, 2).data() == f"name {last - 1}"
    assert model.index(last, 3).data() == repr(last * 0.5)
    assert model.index(last, 4).data() == "False"
    right = model.index(last, 3).data(Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight


def test_random_cells_read_through_a_small_cache(big_frame: pl.DataFrame, qtbot) -> None:
    doc = Document()
    doc.set_dataset(Dataset.from_frame(big_frame))
    doc.set_frame(big_frame)
    model = DatasetTableModel(doc)
    model.fetch_all()
    rng = random.Random(7)
    for _ in range(1_000):
        row, col = rng.randrange(ROWS), rng.randrange(5)
        expected = big_frame[row, col]
        shown = model.index(row, col).data()
        assert shown == (NULL_TEXT if expected is None else repr(expected) if col == 3 else str(expected))
    assert len(model._cache) <= model.cached_slices  # never the whole frame in Python


def test_nulls_are_shown_as_missing(big_frame: pl.DataFrame, qtbot) -> None:
    doc = Document()
    doc.set_frame(big_frame)
    model = DatasetTableModel(doc)
    missing, present = model.index(7, 2), model.index(8, 2)
    assert missing.data() == NULL_TEXT
    assert missing.data(Qt.ItemDataRole.ToolTipRole) == "missing"
    assert missing.data(Qt.ItemDataRole.AccessibleTextRole) == "missing"
    assert missing.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert present.data() == "name 8" and present.data(Qt.ItemDataRole.ForegroundRole) is None


def test_header_badges_follow_scan_and_plan(demo, qtbot) -> None:
    dataset, frame, scan = demo
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_frame(frame)
    model = DatasetTableModel(doc)
    email = model.column_index("email")
    assert model.headerData(email, Qt.Orientation.Horizontal) == "email\n…"
    with qtbot.waitSignal(model.headerDataChanged):
        doc.set_scan(scan)
    assert model.headerData(email, Qt.Orientation.Horizontal) == "email\n⚑ EMAIL_ADDRESS"
    amount = model.column_index("amount")
    assert model.headerData(amount, Qt.Orientation.Horizontal) == "amount\n○ not personal"
    tip = model.headerData(email, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "identifier" in tip and "EMAIL_ADDRESS: score 1.00, 100% of sampled values" in tip
    assert model.headerData(email, Qt.Orientation.Horizontal, Qt.ItemDataRole.ForegroundRole) is not None
    with qtbot.waitSignal(model.headerDataChanged) as blocker:
        doc.set_plan("email", ColumnPlan(action="redact"))
    assert blocker.args[1:] == [email, email]
    assert "Action: redact" in model.headerData(email, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    doc.correct("email", entity=None, kind=ColumnKind.NOT_PERSONAL)
    assert model.headerData(email, Qt.Orientation.Horizontal) == "email\n○ not personal"


def test_columns_model_sorted_by_risk_puts_identifiers_first(demo, qtbot) -> None:
    doc = demo_doc(demo, qtbot)
    model = ColumnsModel(doc)
    proxy = ColumnsFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort_by_risk()
    names = [proxy.index(r, 0).data(NameRole) for r in range(proxy.rowCount())]
    kinds = [doc.effective_kind(n) for n in names]
    assert names[0] == "email"  # identifier with the highest score
    first_other = next(i for i, k in enumerate(kinds) if k is not ColumnKind.IDENTIFIER)
    assert all(k is not ColumnKind.IDENTIFIER for k in kinds[first_other:])
    risks = [proxy.index(r, 0).data(RiskRole) for r in range(proxy.rowCount())]
    assert risks == sorted(risks, reverse=True)
    not_personal = [n for n, k in zip(names, kinds, strict=True) if k is ColumnKind.NOT_PERSONAL]
    assert not_personal == ["amount", "plan", "product_sku", "favorite_color"]  # ties keep dataset order
    proxy.sort(COLUMN, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data(NameRole) for r in range(3)] == ["age", "amount", "card_number"]


def test_columns_model_cells(demo, qtbot) -> None:
    doc = demo_doc(demo, qtbot)
    model = ColumnsModel(doc)
    row = model.row_of("email")
    assert model.index(row, COLUMN).data() == "⚑ email"
    assert model.index(row, KIND).data() == "identifier"
    assert model.index(row, FINDING).data() == "EMAIL_ADDRESS 1.00"
    assert model.index(row, ACTION).data() == "—"  # personal, no action: the export would refuse it
    assert model.index(model.row_of("amount"), ACTION).data() == "keep (unlisted)"
    assert model.index(model.row_of("amount"), FINDING).data() == "—"
    assert model.personal_count() == 16
    with qtbot.waitSignal(model.dataChanged):
        doc.set_plan("email", ColumnPlan(action="pseudonymize", params={"format": "email"}))
    assert model.index(row, ACTION).data() == "pseudonymize"
    assert "format=email" in model.index(row, ACTION).data(Qt.ItemDataRole.ToolTipRole)
    doc.correct("email", entity="PERSON_ID", kind=None)
    assert model.index(row, FINDING).data() == "PERSON_ID ✎ corrected"
    assert model.index(row, KIND).data() == "identifier"
    assert model.index(row, COLUMN).data(CorrectedRole) is True


def test_filter_by_name_entity_and_kind(demo, qtbot) -> None:
    doc = demo_doc(demo, qtbot)
    proxy = ColumnsFilterProxy()
    proxy.setSourceModel(ColumnsModel(doc))

    def shown() -> set[str]:
        return {proxy.index(r, 0).data(NameRole) for r in range(proxy.rowCount())}

    proxy.set_filter_text("date")
    assert shown() == {"date_of_birth", "signup_date"}
    proxy.set_filter_text("EMAIL")
    assert shown() == {"email", "notes"}  # notes mentions emails too
    proxy.set_filter_text("quasi")
    assert shown() == {"city", "zip", "date_of_birth", "age", "sex", "signup_date"}
    proxy.set_filter_text("not personal")
    assert shown() == {"amount", "plan", "product_sku", "favorite_color"}
    proxy.set_filter_text("")
    assert proxy.rowCount() == 20


def test_models_follow_a_new_dataset(demo, qtbot) -> None:
    doc = demo_doc(demo, qtbot)
    table, columns = DatasetTableModel(doc), ColumnsModel(doc)
    small = pl.DataFrame({"a": [1, None], "b": ["x", "y"]})
    with qtbot.waitSignals([table.modelReset, columns.modelReset]):
        doc.set_dataset(Dataset.from_frame(small))
    assert columns.columns == ["a", "b"] and table.rowCount() == 0
    doc.set_frame(small)
    assert table.rowCount() == 2 and table.index(1, 0).data() == NULL_TEXT
    assert table.headerData(0, Qt.Orientation.Horizontal) == "a\n…"  # not scanned yet


@pytest.mark.parametrize("frame", [
    pl.DataFrame(),
    pl.DataFrame({"a": pl.Series([], dtype=pl.String)}),
    pl.DataFrame({"a": [None, None, None]}),
    pl.DataFrame({"a": [[1, 2], None], "b": [{"x": 1}, {"x": None}], "c": ["line\nbreak", "x" * 1000]}),
], ids=["no-columns", "no-rows", "all-null", "nested-and-long"])
def test_odd_frames(frame: pl.DataFrame, qtbot) -> None:
    doc = Document()
    doc.set_dataset(Dataset.from_frame(frame))
    doc.set_frame(frame)
    table, columns = DatasetTableModel(doc), ColumnsModel(doc)
    assert table.rowCount() == frame.height and table.columnCount() == frame.width
    assert columns.rowCount() == frame.width and not table.canFetchMore(QModelIndex())
    texts = [table.index(r, c).data() for r in range(frame.height) for c in range(frame.width)]
    assert all(isinstance(t, str) and "\n" not in t and len(t) <= 300 for t in texts)
    if frame.width == 3:
        assert texts[2] == "line⏎break" and texts[5].endswith("…")
        assert len(table.index(1, 2).data(Qt.ItemDataRole.ToolTipRole)) == 1000
