"""The daily refresh: crawl (incrementally), build, and publish a new library file atomically.

Two files: the *working* library, which the crawler writes and which keeps everything between
refreshes (versions, HTTP validators, each column's list, build history), and the *published*
file, which readers (Datasette, downloads) open. ``refresh`` never writes the published file in
place: it builds the working library, copies it with SQLite's backup API into a temporary file
next to the published one, turns that into a self-contained file (journal mode DELETE, no WAL),
checks it, and ``os.replace``s it over the published file. A reader sees the old library or the
new one, whole, never a half-built one; a reader that has the old file open keeps reading the old
inode until it reopens (restart Datasette after a refresh; see README, "Daily refresh").

Several serving replicas: ``refresh`` takes several published paths. The build is snapshotted and
checked once (beside the working library), then copied to each target the same way: a temporary
file in the target's own directory, flushed, ``os.replace``d over it. Each target is replaced on
its own: one that cannot be written (a full disk, a missing mount) is reported and leaves that
target as it was, and the others are still replaced, whole. The snapshot is copied byte for byte
(no SQLite connection to the target directory: a network mount need not support SQLite's locks),
so every replica holds the same bytes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    targets: list[str] = field(default_factory=list)  # the published paths replaced
    failed: dict[str, str] = field(default_factory=dict)  # published path → why it was not


def crawl_subprocess(
    sites_file: str | Path,
    work_db: str | Path,
    site: str | None = None,
    settings: dict[str, str] | None = None,
    redis: str | None = None,
    workers: int = 2,
) -> int:
    """Crawl in a child process (one Twisted reactor per process); returns its exit code.

    With ``redis``, the distributed crawl: ``normdocs crawl --redis URL --workers N`` (a
    coordinator, N local workers besides any remote ones, the writer), same exit codes."""
    if redis is None:
        command = crawl_command(
            sites_file, work_db, site=site, settings=settings, log_level="WARNING"
        )
    else:
        command = [sys.executable, "-m", "corpus.cli", "crawl", "--sites", str(sites_file),
                   "--db", str(work_db), "--redis", redis, "--workers", str(workers), "--quiet"]  # fmt: skip
        command += ["--site", site] if site else []
        for name, value in (settings or {}).items():
            command += ["--set", f"{name}={value}"]
    return subprocess.call(command)


def snapshot(work_db: str | Path, out: str | Path) -> None:
    """A checked, self-contained copy of ``work_db`` at ``out`` (SQLite's backup API).

    Raises RefreshError when the copy fails its check (``out`` is then removed).
    """
    out = Path(out)
    for leftover in (out, Path(f"{out}-wal"), Path(f"{out}-shm"), Path(f"{out}-journal")):
        leftover.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(work_db)
        target = sqlite3.connect(out)
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
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def replace_with(source: str | Path, published: str | Path) -> None:
    """Copy ``source`` over ``published`` atomically: a temporary file in the same directory,
    flushed to disk, renamed over it (and the rename flushed). Raises OSError on failure, with
    ``published`` left as it was and no temporary file behind."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.building-{os.getpid()}")
    try:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        if tmp.stat().st_size != Path(source).stat().st_size:
            raise OSError(f"short copy to {tmp}")
        os.replace(tmp, published)
        directory = os.open(published.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
    finally:
        tmp.unlink(missing_ok=True)


def publish_all(
    work_db: str | Path, targets: Sequence[str | Path]
) -> tuple[list[str], dict[str, str]]:
    """Snapshot and check ``work_db`` once, then replace every target with it (``replace_with``).

    Returns (targets replaced, {target: why it failed}); a failed target never stops the others.
    Raises RefreshError when the snapshot itself fails its check (nothing is replaced then).
    """
    work_db = Path(work_db)
    snap = work_db.with_name(f".{work_db.name}.publishing-{os.getpid()}")
    snapshot(work_db, snap)
    done: list[str] = []
    failed: dict[str, str] = {}
    try:
        for target in dict.fromkeys(str(t) for t in targets):  # each once, in the order given
            try:
                replace_with(snap, target)
            except OSError as exc:
                failed[target] = f"{type(exc).__name__}: {exc}"
            else:
                done.append(target)
    finally:
        snap.unlink(missing_ok=True)
    return done, failed


def publish(work_db: str | Path, published: str | Path) -> None:
    """Copy the (built) working library over ``published`` atomically (one target)."""
    done, failed = publish_all(work_db, [published])
    if failed:
        raise OSError(failed[str(published)])


def refresh(
    sites_file: str | Path,
    work_db: str | Path,
    published: str | Path | Sequence[str | Path],
    as_of: date,
    site: str | None = None,
    require_complete: bool = False,
    settings: dict[str, str] | None = None,
    redis: str | None = None,
    workers: int = 2,
) -> RefreshReport:
    """Crawl ``sites_file`` into ``work_db``, build it as of ``as_of``, publish it to
    ``published`` (one path or several: every serving replica; ``publish_all``). With
    ``redis`` the crawl is the distributed one, over ``workers`` local workers and any others.

    An incomplete crawl is still published (what it stored is newer, and nothing is ever
    deleted) unless ``require_complete``; the report says which. Raises RefreshError when the
    crawl could not run at all (bad sites file, another crawl on the same library). A target
    that could not be replaced is in the report's ``failed``; the others are published.
    """
    targets = [published] if isinstance(published, (str, Path)) else list(published)
    started = time.monotonic()
    code = crawl_subprocess(sites_file, work_db, site, settings, redis, workers)
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
        done, failed = publish_all(work_db, targets)
    finally:
        lock.close()
    return RefreshReport(
        run["id"] if run else None, code, complete, bool(done), _get(run, "requests"),
        _get(run, "stored"), round(time.monotonic() - started, 1), report, done, failed,
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
