"""Mondrian refuses quasi-identifiers and sensitive columns with several values per cell, by name."""

from __future__ import annotations

import polars as pl
import pytest

from sanitas.core.privacy.hierarchies.hierarchy import HierarchyError, value_text
from sanitas.core.privacy.k_anonymity.mondrian import MondrianError, mondrian


@pytest.mark.parametrize(("column", "dtype"), [
    (pl.Series("tags", [[1, 2], [1, 3], [1, 2], [1, 3]]), "List(Int64)"),
    (pl.Series("tags", [{"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}]), "Struct({'a': Int64})"),
])
def test_nested_quasi_identifier_or_sensitive_column_is_named(column: pl.Series, dtype: str) -> None:
    frame = pl.DataFrame({"sex": ["F", "M", "F", "M"], "diagnosis": ["a", "b", "c", "d"]}).with_columns(column)
    message = f"Column 'tags' holds {dtype} values; Mondrian needs one value per cell."
    with pytest.raises(MondrianError) as err:
        mondrian(frame, ["tags", "sex"], 2)
    assert err.value.message == message
    with pytest.raises(HierarchyError) as same:  # global recoding's wording for the same input
        value_text(frame["tags"])
    assert same.value.message == message.replace("Mondrian needs", "a hierarchy needs")
    with pytest.raises(MondrianError, match="Column 'tags' holds"):
        mondrian(frame, ["sex"], 2, sensitive=["tags"], l=2)
