"""fake: replace each value by a realistic fake of the same kind (Faker), consistently.

Consistent: one map per (seed, entity, locale) lives in the release's shared state, so the same
person's email gets the same fake in every column. Deterministic: that map's Faker is seeded once
from (seed, entity, locale), and each column's new values are generated in sorted order, so the
output depends on the seed and the set of values, not on row order. A fake is deliberately not a
function of its real value alone (no per-value seeding): someone who knows the seed cannot compute
fake('Jane Doe') and look for it.
Faker draws uniformly from its lists by default (``weighted`` off): ten times faster than its
population weights, and fewer repeats. Fakes that equal a real value of the column, or a fake already given
to another value, are drawn again (a few tries; the report counts what remained).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import polars as pl
from pydantic import Field

from sanitas.core.transforms._fake_entities import DATE_ENTITIES, GENERATORS, Generator, supported_entities
from sanitas.core.transforms._text import (
    as_text,
    default_normalization,
    is_integer,
    is_null_dtype,
    is_text,
    normalize,
)
from sanitas.core.transforms.base import (
    Transform,
    TransformContext,
    TransformParams,
    broadcast,
    distinct_values,
)

SHARED_KEY = "fake.maps"
RETRIES = 8


class FakeParams(TransformParams):
    entity: str | None = Field(
        default=None,
        description="What kind of fake to write (PERSON, EMAIL_ADDRESS, PHONE_NUMBER, ...); empty uses "
        "the entity detected for the column.",
    )
    locale: str | None = Field(
        default=None, description="Faker locale such as en_US or de_DE; empty uses the settings' locale."
    )
    avoid_real: bool = Field(
        default=True, description="Draw again when a fake happens to equal a real value of the column."
    )
    weighted: bool = Field(
        default=False,
        description="Draw common names and places more often, as Faker's population weights say "
        "(about ten times slower, and more repeats).",
    )
    unique: bool = Field(
        default=True,
        description="Draw again when a fake was already given to another value, so distinct values stay distinct.",
    )


@dataclass
class FakeMap:
    """One release's fakes for one (seed, entity, locale): real key -> fake, and the fakes in use."""

    faker: Any
    mapping: dict[str, Any] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)


def _seed_for(seed: int, entity: str, locale: str, weighted: bool) -> int:
    text = f"{seed}\x1f{entity}\x1f{locale}\x1f{weighted}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def _value_seed(base: int, key: str, attempt: int) -> int:
    text = f"{base}\x1f{key}\x1f{attempt}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


class Fake(Transform):
    """Realistic, consistent, seeded fake values per entity."""

    name: ClassVar[str] = "fake"
    removes_identity: ClassVar[bool] = True
    label: ClassVar[str] = "Fake"
    description: ClassVar[str] = (
        "Replace each value with a realistic fake of the same kind; the same value always gets the same fake."
    )
    Params: ClassVar[type[TransformParams]] = FakeParams

    params: FakeParams

    def check(self, dtype: pl.DataType) -> list[str]:
        if is_text(dtype) or is_integer(dtype) or is_null_dtype(dtype):
            return []
        if dtype == pl.Date:
            if self.params.entity is not None and self.params.entity.upper() not in DATE_ENTITIES:
                return [f"a date column needs a date entity ({', '.join(sorted(DATE_ENTITIES))})"]
            return []
        return [f"cannot fake a {dtype} column; fake works on text, integer and date columns"]

    def output_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Date if dtype == pl.Date else pl.String

    def fit(self, column: pl.Series, context: TransformContext) -> Self:
        super().fit(column, context)
        self.ensure_fits(column)
        entity = self.params.entity or context.entity
        if not entity:
            raise self.error("no entity given and none detected; set entity (e.g. PERSON, EMAIL_ADDRESS)")
        entity = entity.upper()
        if entity not in GENERATORS:
            raise self.error(f"no fake for entity '{entity}'; supported: {', '.join(supported_entities())}")
        if column.dtype == pl.Date and entity not in DATE_ENTITIES:
            raise self.error(f"a date column needs a date entity ({', '.join(sorted(DATE_ENTITIES))})")
        self._entity = entity
        self._generator: Generator = GENERATORS[entity]
        self._locale = self.params.locale or context.locale
        self._fakes = self._fake_map(context)
        self._seed = _seed_for(context.seed, self._entity, self._locale, self.params.weighted)
        return self

    def _fake_map(self, context: TransformContext) -> FakeMap:
        maps: dict[tuple[int, str, str, bool], FakeMap] = context.shared.setdefault(SHARED_KEY, {})
        ident = (context.seed, self._entity, self._locale, self.params.weighted)
        if ident not in maps:
            from faker import Faker

            try:
                faker = Faker(self._locale, use_weighting=self.params.weighted)
            except (AttributeError, ValueError, ModuleNotFoundError):
                raise self.error(
                    f"Faker has no locale '{self._locale}'; use one such as en_US, en_GB, de_DE, fr_FR"
                ) from None
            faker.seed_instance(_seed_for(context.seed, self._entity, self._locale, self.params.weighted))
            maps[ident] = FakeMap(faker=faker)
        return maps[ident]

    def apply(self, column: pl.Series) -> pl.Series:
        out_dtype = self.output_dtype(column.dtype)
        text = as_text(column) if not is_null_dtype(column.dtype) else column.cast(pl.String)
        distinct = distinct_values(text)
        mode = default_normalization(self._entity)
        keys = [normalize(v, mode) for v in distinct.to_list()]
        fakes = self._fakes
        new = sorted(set(keys).difference(fakes.mapping))
        real = set(keys) | set(fakes.mapping)
        counts = {"duplicate_fakes": 0, "equal_to_real": 0}
        cancel, progress = self.ctx.cancel, self.ctx.progress
        for i, key in enumerate(new):
            if i % 5_000 == 0:
                cancel.raise_if_cancelled()
                progress(i / max(len(new), 1), f"generating fake {self._entity.lower()} values")
            fakes.mapping[key] = self._draw(key, real, mode, counts)
        outputs = [self._as_output(fakes.mapping[k], out_dtype) for k in keys]
        self._facts = {
            "entity": self._entity,
            "locale": self._locale,
            "distinct_inputs": len(set(keys)),
            "generated": len(new),
            "reused": len(set(keys)) - len(new),
            **counts,
        }
        return broadcast(text, distinct, pl.Series("fake", outputs, dtype=out_dtype), out_dtype).alias(column.name)

    def _draw(self, key: str, real: set[str], mode: Any, counts: dict[str, int]) -> Any:
        fakes, p = self._fakes, self.params
        candidate: Any = None
        for attempt in range(RETRIES):
            # seeded per value (and attempt): a value's fake does not depend on which other values the
            # table holds, so the preview of a sample shows the fakes the release writes for those rows
            fakes.faker.seed_instance(_value_seed(self._seed, key, attempt))
            candidate = self._generator(fakes.faker, key)
            check = normalize(_as_text(candidate), mode)
            clashes_real = p.avoid_real and check in real
            clashes_used = p.unique and check in fakes.used
            if not clashes_real and not clashes_used:
                fakes.used.add(check)
                return candidate
        check = normalize(_as_text(candidate), mode)
        if p.avoid_real and check in real:
            counts["equal_to_real"] += 1
        if check in fakes.used:
            counts["duplicate_fakes"] += 1
        fakes.used.add(check)
        return candidate

    @staticmethod
    def _as_output(value: Any, dtype: pl.DataType) -> Any:
        if dtype == pl.Date:
            return value if isinstance(value, dt.date) else None
        return _as_text(value)


def _as_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
