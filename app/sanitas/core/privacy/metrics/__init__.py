"""Re-identification risk and utility figures, computed on any table (before and after a release)."""
