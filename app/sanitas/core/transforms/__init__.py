"""Column actions: one Transform per file; ``registry`` maps recipe names to classes.

Heavy libraries (Faker, Presidio, spaCy) are imported inside the transforms that need them, when they
run, so importing this package stays cheap.
"""

from __future__ import annotations

from sanitas.core.transforms.base import Transform, TransformContext, TransformParams
from sanitas.core.transforms.registry import TRANSFORMS, get_transform, make_transform, transform_names

__all__ = [
    "TRANSFORMS",
    "Transform",
    "TransformContext",
    "TransformParams",
    "get_transform",
    "make_transform",
    "transform_names",
]
