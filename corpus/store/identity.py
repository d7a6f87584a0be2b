"""Which page a record is: the canonical URL and the integer id derived from it.

Both the crawler (to tell pages apart while crawling) and the library (primary keys) use these,
so they live at the bottom of the store, importing nothing of ours.
"""

from __future__ import annotations

import hashlib
import re

_TRACKING = re.compile(r"[?&]xxgkhide=1")


def canonical_url(url: str) -> str:
    """The URL that identifies a page: Hanweb's ``?xxgkhide=1`` display flag dropped."""
    url = _TRACKING.sub("", url)
    return url.rstrip("?&")


def stable_id(url: str) -> int:
    """A 60-bit integer id for the page at ``url`` (same URL, same id, on every machine)."""
    return int(hashlib.sha256(canonical_url(url).encode()).hexdigest()[:15], 16)
