"""The k-anonymity release panel: roles, parameters, hierarchies and results."""
