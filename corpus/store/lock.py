"""One writer per library: the crawl lock.

A crawl, a refresh's build-and-copy and (later) a distributed writer all write the same SQLite
file; the lock keeps them from doing so at once. It belongs to the store, not to the crawler,
because the writers that take it are not all crawlers.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class CrawlRunning(RuntimeError):
    """Another crawl holds the library's lock."""


def crawl_lock(db_path: str | Path) -> IO[str]:
    """Hold the library's crawl lock for this process (``<db>.crawl.lock``, flock).

    The kernel drops the lock when the process dies, however it dies, so a killed crawl never
    leaves a stale lock; keep the returned file open for the whole crawl. Raises CrawlRunning when
    another live process holds it.
    """
    path = Path(f"{db_path}.crawl.lock")
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise CrawlRunning(f"another crawl is writing {db_path} (lock {path})") from exc
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
