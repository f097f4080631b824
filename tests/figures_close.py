"""Compare report figures from two engines (rows vs counts, in-process vs Spark): equal, floats to 1e-9."""

from __future__ import annotations

import math


def figures_close(a: object, b: object) -> bool:
    """Same keys, same lengths, same values; floats equal to a relative 1e-9 (summation order differs)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(figures_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(figures_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
