"""Generalization hierarchies: the Hierarchy table, ARX's CSV format, and builders for each kind of value."""
