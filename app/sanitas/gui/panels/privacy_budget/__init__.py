"""The workbench's "Privacy budget" tab (differential privacy): panel.py composes the rest."""
