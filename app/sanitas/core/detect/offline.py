"""Keep Presidio off the network. Import this module before anything that imports presidio.

Presidio's email recognizer uses tldextract, which fetches a public-suffix list on first use unless
``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is set empty first; it then uses the snapshot it ships.
"""

from __future__ import annotations

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
