"""Differential privacy: per-column (local) noise and DP aggregate releases under one accounted budget.

Public pieces (the engine, CLI and workbench call these; heavy diffprivlib imports stay inside them):

- ``section.DifferentialPrivacySection`` / ``AggregateSpec``: the recipe's ``differential_privacy:`` section.
- ``noise_params.DpNoiseParams``: a ``dp_noise`` column action's parameters (``transforms/dp_noise.py``).
- ``budget.budget_problems``: over-budget plans and undeclared group keys, refused before any work.
- ``column_noise.noise_columns`` / ``noise_series`` / ``describe``: vectorized noise, and its error up front.
- ``aggregates.release_aggregates``: the aggregates table (statistic, column, group, value, noise_scale,
  ci95_low, ci95_high).
- ``step.DifferentialPrivacyStep``: the dataset-level step (order 30) tying them together.
- ``facts.DifferentialPrivacyFacts``: the report's ``differential_privacy`` object.
"""
