"""Dataset-level privacy models: k-anonymity, synthetic data, DP budget; risk and utility metrics."""
