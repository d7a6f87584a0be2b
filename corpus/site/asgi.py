"""The production ASGI app: the built library, immutable, for a server with several workers.

    NORMDOCS_DB=/srv/normdocs/normdocs.db uvicorn corpus.site.asgi:app --workers 4 \
        --loop uvloop --http httptools --host 0.0.0.0 --port 8001 --no-access-log

(``--loop uvloop``: on asyncio, uvicorn's multi-worker mode leaves TCP_NODELAY off and every
keep-alive request waits ~40 ms for a delayed ACK, Kludex/uvicorn#3149; bench/README.md.)

Every worker opens the file read-only and immutable (no locks, no change detection), so any
number of workers (and machines, each with its own copy) serve the same file. The file must be
published as it is after ``normdocs build``, which checkpoints the WAL: an immutable reader never
sees pages still in a ``-wal`` file, so a file with a non-empty WAL beside it is refused here
rather than served incomplete. ``NORMDOCS_INSPECT`` may name a ``datasette inspect`` file
(precomputed table counts, faster start-up on big libraries).

``app`` is made when first asked for (PEP 562), so importing this module has no side effects.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from corpus.site.serve import make_datasette, require_built


class NotPublishable(RuntimeError):
    """The library file cannot be served as it is."""


def check_publishable(db_path: str | Path) -> Path:
    """The library path, after checking it exists, was built and has no pending WAL."""
    path = Path(db_path)
    if not path.is_file():
        raise NotPublishable(f"NORMDOCS_DB: no library at {path}")
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise NotPublishable(
            f"{wal} is not empty: the immutable server would not see its pages. "
            f"Run `normdocs build --db {path}` (it checkpoints) or stop the writer first."
        )
    require_built(path)
    return path


def create_app(db_path: str | Path, inspect_file: str | Path | None = None):
    """The Datasette ASGI application serving ``db_path`` (see the module docstring)."""
    path = check_publishable(db_path)
    inspect_data = None
    if inspect_file:
        inspect_data = json.loads(Path(inspect_file).read_text(encoding="utf-8"))
    return make_datasette(path, inspect_data=inspect_data).app()


def from_environment():
    """The app for the library named by ``NORMDOCS_DB`` (and ``NORMDOCS_INSPECT``)."""
    db_path = os.environ.get("NORMDOCS_DB")
    if not db_path:
        raise NotPublishable(
            "set NORMDOCS_DB to the built library, e.g. "
            "NORMDOCS_DB=normdocs.db uvicorn corpus.site.asgi:app --workers 4"
        )
    return create_app(db_path, os.environ.get("NORMDOCS_INSPECT") or None)


def __getattr__(name: str):
    if name == "app":
        globals()["app"] = application = from_environment()  # once per process
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
