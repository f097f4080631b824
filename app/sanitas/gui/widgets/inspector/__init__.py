"""The right panel: the selected column's finding, action form and before/after preview."""
