"""Dataset-level privacy treatments and their figures.

k_anonymity/ (models, search, Mondrian, verification), hierarchies/ (generalization hierarchies),
metrics/ (risk and utility), synthetic/ (SDV synthesizers and their evaluation), dp/ (differential privacy).
"""
