"""The centre panel: the virtualized data table."""
