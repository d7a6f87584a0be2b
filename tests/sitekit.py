"""The site as the tests read it: the real Datasette app serving a built library, in-process."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx

from corpus.build import build
from corpus.site.serve import checkpoint, make_datasette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from search_corpus import write_library  # noqa: E402

AS_OF = date(2026, 11, 27)  # the date the synthetic libraries are built as of


def synthetic_library(path: Path, docs: int, adjust: Callable[[Path], None] | None = None) -> Path:
    """bench/search_corpus.py's library of ``docs`` documents (an interpretation per four),
    changed by ``adjust`` where given, built as of ``AS_OF`` and checkpointed: a file the site
    serves as it would serve a published one."""
    write_library(path, docs, interpretations_every=4)
    if adjust is not None:
        adjust(path)
    build(str(path), AS_OF)
    checkpoint(path)
    return path


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


def built_copy(source: Path, path: Path) -> Path:
    """A copy of the library ``source`` at ``path``, built as of ``AS_OF`` and checkpointed."""
    shutil.copy(source, path)
    build(str(path), AS_OF)
    checkpoint(path)
    return path
