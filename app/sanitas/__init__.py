"""Sanitas: sanitize tabular data before it is used to train models or released."""

from __future__ import annotations

__version__ = "0.1.0"
