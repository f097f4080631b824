"""Release panels that live in their own package (the synthetic-data tab)."""
