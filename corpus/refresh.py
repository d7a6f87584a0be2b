"""The daily refresh: crawl (incrementally), build, and publish a new library file atomically.

Two files: the *working* library, which the crawler writes and which keeps everything between
refreshes (versions, HTTP validators, each column's list, build history), and the *published*
file, which readers (Datasette, downloads) open. ``refresh`` never writes the published file in
place: it builds the working library, copies it with SQLite's backup API into a temporary file
next to the published one, turns that into a self-contained file (journal mode DELETE, no WAL),
checks it, and ``os.replace``s it over the published file. A reader sees the old library or the
new one, whole, never a half-built one; a reader that has the old file open keeps reading the old
inode until it reopens (restart Datasette after a refresh; see README, "Daily refresh").
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corpus.build import build
from corpus.store.lock import crawl_lock
from crawler.command import crawl_command


class RefreshError(RuntimeError):
    """The refresh stopped before publishing; the published file is untouched."""


@dataclass
class RefreshReport:
    """What one refresh did."""

    run_id: int | None
    crawl_exit: int  # 0 complete, 1 incomplete, 2 unusable sites file / another crawl running
    complete: bool
    published: bool
    requests: int
    stored: int
    seconds: float
    build: dict


def crawl_subprocess(
    sites_file: str | Path,
    work_db: str | Path,
    site: str | None = None,
    settings: dict[str, str] | None = None,
) -> int:
    """Crawl in a child process (one Twisted reactor per process); returns its exit code."""
    command = crawl_command(sites_file, work_db, site=site, settings=settings, log_level="WARNING")
    return subprocess.call(command)


def publish(work_db: str | Path, published: str | Path) -> None:
    """Copy the (built) working library over ``published`` atomically."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.building-{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(work_db)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # a consistent snapshot, WAL included
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise RefreshError(f"the new library failed its check: {ok}")
            target.commit()
        finally:
            target.close()
            source.close()
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, published)
        directory = os.open(published.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
    finally:
        tmp.unlink(missing_ok=True)


def refresh(
    sites_file: str | Path,
    work_db: str | Path,
    published: str | Path,
    as_of: date,
    site: str | None = None,
    require_complete: bool = False,
    settings: dict[str, str] | None = None,
) -> RefreshReport:
    """Crawl ``sites_file`` into ``work_db``, build it as of ``as_of``, publish it.

    An incomplete crawl is still published (what it stored is newer, and nothing is ever
    deleted) unless ``require_complete``; the report says which. Raises RefreshError when the
    crawl could not run at all (bad sites file, another crawl on the same library).
    """
    started = time.monotonic()
    code = crawl_subprocess(sites_file, work_db, site, settings)
    if code not in (0, 1):
        raise RefreshError(f"the crawl could not run (exit code {code}); nothing published")
    run = _last_run(work_db)
    complete = bool(run and run["complete"])
    if require_complete and not complete:
        return RefreshReport(
            run["id"] if run else None, code, False, False, _get(run, "requests"),
            _get(run, "stored"), round(time.monotonic() - started, 1), {},
        )  # fmt: skip
    lock = crawl_lock(work_db)  # no crawl may write the library while it is built and copied
    try:
        report = build(str(work_db), as_of)
        publish(work_db, published)
    finally:
        lock.close()
    return RefreshReport(
        run["id"] if run else None, code, complete, True, _get(run, "requests"),
        _get(run, "stored"), round(time.monotonic() - started, 1), report,
    )  # fmt: skip


def _last_run(work_db: str | Path) -> dict | None:
    conn = sqlite3.connect(work_db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return dict(row) if row else None


def _get(run: dict | None, key: str) -> int:
    return int((run or {}).get(key) or 0)
