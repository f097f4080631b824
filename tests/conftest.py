"""Test-wide set-up: offscreen Qt, no user settings, no network (pytest-socket is on via addopts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import urllib3  # noqa: F401  (imported before sockets are blocked: it probes IPv6 support by binding ::1 locally)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
SUPPORT = Path(__file__).resolve().parent / "support"


@pytest.fixture(autouse=True, scope="session")
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the developer's own settings, window state, autosave or log."""
    os.environ["SANITAS_CONFIG_DIR"] = str(tmp_path_factory.mktemp("config"))
    os.environ.setdefault("SANITAS_STATE_DIR", str(tmp_path_factory.mktemp("state")))
