"""The left panel: every column with its kind, top finding and action."""
