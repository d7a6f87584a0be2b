"""The site as the tests read it: the real Datasette app serving a built library, in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from corpus.site.serve import make_datasette


@contextmanager
def served(path: Path | str) -> Iterator[Callable[[str], httpx.Response]]:
    """``get(path)``: the response of the site (``make_datasette``: what ``normdocs serve``
    and the production app serve) to a GET of ``path``, on an event loop of its own."""
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    try:
        yield lambda url: loop.run_until_complete(ds.client.get(url))
    finally:
        loop.close()
