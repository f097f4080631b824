"""Keys for pseudonymization, referenced by the recipe and never stored in it.

A recipe names a key source (an environment variable or a key file); the key bytes are read only
when a release runs and never appear in reports, logs or recipes. Key material is the file's
bytes (or the variable's UTF-8 text) with surrounding whitespace stripped; at least 16 bytes.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from sanitas.core.errors import RecipeError, SanitasError

MIN_KEY_BYTES = 16
MAX_KEY_FILE_BYTES = 64 << 10  # a key is tens of bytes; a PEM or a long passphrase file fits easily
log = logging.getLogger(__name__)


class KeyRef(BaseModel):
    """Where a key comes from: exactly one of an environment variable or a key file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> KeyRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' (an environment variable) or 'file' (a key file)")
        return self

    def describe(self) -> str:
        """Where the key is, for the report (never the key itself)."""
        return f"environment variable {self.env}" if self.env else f"key file {Path(self.file or '').name}"


class KeyRing:
    """Resolves key names to bytes on demand, relative to the recipe's folder, with CLI overrides."""

    def __init__(
        self,
        refs: dict[str, KeyRef],
        base_dir: Path | None = None,
        overrides: dict[str, Path] | None = None,
    ) -> None:
        self._refs = dict(refs)
        self._base = base_dir or Path.cwd()
        self._overrides = dict(overrides or {})
        self._cache: dict[str, bytes] = {}

    def describe(self) -> dict[str, str]:
        """Where each key actually comes from, for the report: a --key-file override (its path as given)
        wins over the recipe's reference, as in ``_read``. Never the key itself."""
        sources = {name: ref.describe() for name, ref in self._refs.items()}
        sources.update({name: f"key file {path}" for name, path in self._overrides.items()})
        return sources

    def __call__(self, name: str) -> bytes:
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def _read(self, name: str) -> bytes:
        if name in self._overrides:
            return _from_file(self._overrides[name], name)
        ref = self._refs.get(name)
        if ref is None:
            known = ", ".join(sorted(self._refs)) or "none"
            raise RecipeError(
                f"Key '{name}' is not defined: add it under 'keys:' in the recipe "
                f"(keys defined: {known}), or pass --key-file {name}=PATH."
            )
        if ref.env is not None:
            value = os.environ.get(ref.env, "").strip()
            if not value:
                raise RecipeError(
                    f"Key '{name}': environment variable {ref.env} is not set or empty. "
                    "Set it to a secret of at least 16 characters (it is never written anywhere)."
                )
            return _check(value.encode("utf-8"), f"environment variable {ref.env}", name)
        path = Path(ref.file or "")
        return _from_file(path if path.is_absolute() else self._base / path, name)


def check_overrides(known: Iterable[str], overrides: Mapping[str, Path]) -> None:
    """Refuse a --key-file for a key the recipe neither defines nor uses: it would be silently ignored
    and the run would fail later on the key it meant to replace (typically a typo in NAME)."""
    names = sorted(set(known))
    for name, path in overrides.items():
        if name not in names:
            raise RecipeError(f"--key-file {name}={path}: the recipe has no key named '{name}' (its keys: "
                              f"{', '.join(names) or 'none'}). Use one of those names, e.g. "
                              f"--key-file {names[0] if names else 'default'}={path}.")


def _from_file(path: Path, name: str) -> bytes:
    """A key file's bytes: a regular file (a FIFO or /dev/zero would hang or never end) of at most
    ``MAX_KEY_FILE_BYTES``; a warning when other users may read it."""
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RecipeError(f"Key '{name}': key file {path} is not a regular file (a folder, pipe or "
                                  "device); point it at a file holding the key.")
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise RecipeError(f"Key '{name}': key file {path} does not exist.") from None
    except IsADirectoryError:
        raise RecipeError(f"Key '{name}': key file {path} is a folder; point it at a file holding the key.") from None
    except OSError as exc:
        raise RecipeError(f"Key '{name}': key file {path} cannot be read ({exc.strerror}).") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise RecipeError(f"Key '{name}': key file {path} holds more than {MAX_KEY_FILE_BYTES:,} bytes, which is "
                          "no key; is it the right file?")
    if info.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("key file %s can be read by other users (mode %s); restrict it with `chmod 600 %s`.",
                    path.name, oct(stat.S_IMODE(info.st_mode)), path)
    return _check(data.strip(), f"key file {path.name}", name)


def _check(data: bytes, where: str, name: str) -> bytes:
    if len(data) < MIN_KEY_BYTES:
        raise RecipeError(
            f"Key '{name}' from {where} is too short ({len(data)} bytes): use at least "
            f"{MIN_KEY_BYTES} random bytes, e.g. `python -c \"import secrets; print(secrets.token_hex(32))\"`."
        )
    return data


def new_key() -> str:
    """A fresh random key: 32 random bytes as 64 hex characters (text, so it can be pasted or set as a variable)."""
    return secrets.token_hex(32)


def write_key_file(path: Path, key: str) -> Path:
    """Write ``key`` to a new file that only its owner can read or write (mode 0600).

    Refuses to replace an existing file (it may be the key of earlier releases: losing it would make
    their pseudonyms unrepeatable). The mode is set at creation, so the key is never readable by others.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SanitasError(f"{path}: a file of that name exists; choose another name for the new key file.") from None
    except OSError as exc:
        raise SanitasError(f"{path}: the key file cannot be created ({exc.strerror}).") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever the umask did
        handle.write(key + "\n")
    return path
