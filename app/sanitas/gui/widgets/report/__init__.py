"""The report release panel."""
