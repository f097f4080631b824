"""No original identifier in the output, not even by chance.

SDV generates identifier columns with Faker and never sees their values, but Faker's lists are short:
in a few hundred rows a generated name can equal a real one ("Amanda Burns" was both). Such values are
drawn again here, from the same Faker function in the same locale (seeded), until no generated value is
a real value of the column; SDV's ``unknown`` columns get random characters or digits of the same shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

RETRIES = 50
# SDV's own aliases (rdt.transformers.pii.anonymization.SDTYPE_ANONYMIZERS) -> Faker function
_FAKER_ALIASES = {"ipv4_address": "ipv4", "ipv6_address": "ipv6", "user_agent_string": "user_agent"}


def _seed(seed: int, column: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}\x1fidentifier\x1f{column}".encode()).digest()[:8], "big")


def _key(value: Any) -> str:
    return str(value).strip().casefold()


def redraw_real_values(synthetic: pd.DataFrame, real: pd.DataFrame, sdtypes: dict[str, str],
                       columns: Iterable[str], locale: str, seed: int) -> dict[str, int]:
    """Replace, in place, generated values that equal a real value of their column; counts per column."""
    counts: dict[str, int] = {}
    for name in columns:
        real_keys = {_key(v) for v in real[name].dropna().tolist()}
        col = synthetic[name]
        hits = col.notna() & col.map(lambda v, keys=real_keys: _key(v) in keys)
        if not hits.any():
            continue
        draw = _drawer(sdtypes.get(name, "unknown"), col, locale, _seed(seed, name))
        taken = {_key(v) for v in col.dropna().tolist()} | real_keys
        values = col.astype("object").copy()
        for index in np.flatnonzero(hits.to_numpy()):
            candidate = values.iloc[index]
            for _ in range(RETRIES):
                candidate = draw(values.iloc[index])
                if _key(candidate) not in taken:
                    break
            taken.add(_key(candidate))
            values.iloc[index] = candidate
        synthetic[name] = values.astype(col.dtype) if pd.api.types.is_numeric_dtype(col.dtype) else values
        counts[name] = int(hits.sum())
    return counts


def _drawer(sdtype: str, column: pd.Series, locale: str, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    if sdtype == "unknown" and pd.api.types.is_numeric_dtype(column.dtype):
        def digits(value: Any) -> Any:
            width = max(len(str(abs(int(value)))), 1)
            low = 10 ** (width - 1) if width > 1 else 0
            return int(rng.integers(low, 10**width))
        return digits
    if sdtype == "unknown":
        letters = np.array(list("0123456789abcdefghijklmnopqrstuvwxyz"))
        return lambda value: "sdv-pii-" + "".join(rng.choice(letters, 5))
    from faker import Faker

    faker = Faker(locale)
    faker.seed_instance(seed)
    function = getattr(faker, _FAKER_ALIASES.get(sdtype, sdtype))
    return lambda value: function()
