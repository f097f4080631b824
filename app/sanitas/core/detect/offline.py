"""Keep Presidio off the network and torch out of memory. Import this before anything that imports presidio.

Presidio's email recognizer uses tldextract, which fetches a public-suffix list on first use unless
``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is set empty first; it then uses the snapshot it ships.

spaCy's thinc and Presidio's device detection import torch when it is installed (it is, for SDV):
about 230 MB of memory in every scan, for nothing, since Sanitas runs spaCy's small models on the
CPU with numpy. Their imports of torch are refused (both fall back to numpy / 'cpu'); SDV and anything
else still import torch normally. ``SANITAS_SPACY_TORCH=1`` lets thinc have it.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from importlib.machinery import ModuleSpec
from types import FrameType

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PRESIDIO_DEVICE", "cpu")

_SPARED = ("thinc.", "spacy.", "presidio_analyzer.")


class _NoTorchForSpacy(importlib.abc.MetaPathFinder):
    """Refuses ``import torch`` when thinc, spaCy or Presidio asks (they then run without it)."""

    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        if name != "torch" or "torch" in sys.modules:
            return None
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            module = str(frame.f_globals.get("__name__", ""))
            if module.startswith(_SPARED):
                raise ImportError("torch is not loaded for spaCy's CPU pipeline (sanitas.core.detect.offline)")
            frame = frame.f_back
        return None


if os.environ.get("SANITAS_SPACY_TORCH") != "1" and not any(isinstance(f, _NoTorchForSpacy) for f in sys.meta_path):
    sys.meta_path.insert(0, _NoTorchForSpacy())
