"""Recipe names -> Transform classes, from an explicit list (no import-time discovery magic)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sanitas.core.errors import TransformError
from sanitas.core.transforms.base import Transform, TransformParams
from sanitas.core.transforms.dp_noise import DpNoise
from sanitas.core.transforms.drop import Drop
from sanitas.core.transforms.fake import Fake
from sanitas.core.transforms.generalize import Generalize
from sanitas.core.transforms.keep import Keep
from sanitas.core.transforms.mask import Mask
from sanitas.core.transforms.pseudonymize import Pseudonymize
from sanitas.core.transforms.redact import Redact
from sanitas.core.transforms.scrub import Scrub

_CLASSES: list[type[Transform]] = [Keep, Drop, Redact, Mask, Pseudonymize, Fake, Generalize, Scrub, DpNoise]

TRANSFORMS: Mapping[str, type[Transform]] = MappingProxyType({cls.name: cls for cls in _CLASSES})


def transform_names() -> list[str]:
    """Names in the order the GUI lists them (least to most involved)."""
    return list(TRANSFORMS)


def get_transform(name: str) -> type[Transform]:
    try:
        return TRANSFORMS[name]
    except KeyError:
        raise TransformError(f"Unknown column action '{name}'; use one of: {', '.join(transform_names())}") from None


def make_transform(name: str, params: TransformParams | dict[str, Any] | None = None) -> Transform:
    """Build a transform with validated parameters (TransformError names any bad field)."""
    return get_transform(name)(params)
