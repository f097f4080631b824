"""k-anonymity, l-diversity and t-closeness: the lattice search (global recoding), Mondrian, verification.

``section.py`` is the recipe section, ``step.py`` the dataset-level step the engine runs, ``release.py``
what the step does, ``verify.py`` the independent check that gates every release.
"""
