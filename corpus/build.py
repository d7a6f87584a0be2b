"""The build: everything derived from the stored pages, recomputed as of one date.

``build`` reads only what the crawl stored (body text, titles, page fields, links), so improving a
rule never needs a recrawl, and building twice gives the same library. It ends by checkpointing
the WAL so the file can be copied and served immutable.

**Only what changed is worked out again**, and the result is always what a build from scratch
gives. Articles and keywords are recomputed only for rows whose content changed (their
``*_hash`` columns). The validity step reads again only the documents whose text changed and
decides every status anew (``corpus.validity.step``); the search index reindexes only the rows
whose indexed text, status, keywords or place changed (``corpus.search.index``); links and
departments are recomputed in full (they are cheap). Tables are written only where they differ.
What the validity step and the index keep between builds lives in a *build cache* beside the
library, ``<library>-buildcache`` (SQLite; never published, never needed: without it, or when it
does not match, the build simply does the work). The report says, per step, the seconds and the
rows worked out again against those left as they were (``work``, ``breakdown``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path

import sqlite_utils

from corpus.articles.step import assign_articles, start_split
from corpus.counts.step import count_views
from corpus.links.linker import find_links_in, link_interpretations
from corpus.links.rates import assign_departments
from corpus.search.index import build_search_index
from corpus.search.keywords import start_keywords
from corpus.store.save import utcnow
from corpus.store.schema import open_db
from corpus.validity.rules import STATUSES
from corpus.validity.step import apply_validity

CACHE_SUFFIX = "-buildcache"
BUILD_CACHE_KB = 256 * 1024  # the build's page cache: indexes grow with fewer reads
WORKERS_ENV = "NORMDOCS_BUILD_WORKERS"  # processes for per-row work (default: one per CPU; 1: none)
PARALLEL_FROM = 2_000  # fewer rows than this are worked out in the build's own process
_WINDOW = 4_096  # rows handed to the workers at once (two windows in flight)


class Workers:
    """Processes for the build's per-row work: pure functions of one row each (reading a
    document's term and acts, its keywords, its index tokens), and the links. Used
    for ``PARALLEL_FROM`` rows or more (a first build, a rebuild after a big change), started on
    first use; results come back in the order of the rows, so the build's result is the same
    with workers or without.

    Workers are forked from the build's process (no script is imported again, as a fresh
    interpreter would do to whatever started the build), and only where forking is safe: a
    platform that forks, a process with no other thread (a thread holding a lock at the fork
    would leave it held in the child). Elsewhere the build does the work itself."""

    def __init__(self, processes: int | None = None) -> None:
        if processes is None:
            processes = int(os.environ.get(WORKERS_ENV) or 0) or len(os.sched_getaffinity(0))
        self.processes = processes
        self._pool = None
        self.used = False  # whether any work went to the workers

    def parallel(self, n: int) -> bool:
        """Whether ``n`` rows would be worked out by the workers."""
        return n >= PARALLEL_FROM and self.available()

    def available(self) -> bool:
        """Whether there are workers to give work to (or to start)."""
        if self._pool is not None:
            return True
        forks = "fork" in multiprocessing.get_all_start_methods()
        return self.processes > 1 and forks and threading.active_count() == 1

    def map(self, fn: Callable, rows: Iterable, n: int, chunksize: int = 32) -> Iterator:
        """``map(fn, rows)`` (``n`` rows), by the workers when there are enough of them."""
        if not self.parallel(n):
            yield from map(fn, rows)
            return
        pool = self._started()
        rows = iter(rows)
        pending = pool.imap(fn, list(islice(rows, _WINDOW)), chunksize)
        while pending is not None:
            window = list(islice(rows, _WINDOW))
            following = pool.imap(fn, window, chunksize) if window else None
            yield from pending
            pending = following

    def map_now(self, fn: Callable, rows: list, chunksize: int = 32) -> Iterator | None:
        """``map(fn, rows)`` given to the workers now, its results in order as they come; None
        when there are too few rows or no workers (the caller then works them out itself)."""
        if not self.parallel(len(rows)):
            return None
        return self._started().imap(fn, rows, chunksize)

    def submit(self, fn: Callable, *args) -> Callable[[], object] | None:
        """Start ``fn(*args)`` in a worker; returns what waits for its result (None without
        workers: then the caller works it out itself)."""
        if not self.available():
            return None
        return self._started().apply_async(fn, args).get

    def _started(self):
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.processes)
        self.used = True
        return self._pool

    def close(self, failed: bool = False) -> None:
        if self._pool is not None:
            if failed:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None


def cache_path(db: sqlite_utils.Database) -> Path | None:
    """Where the build cache of ``db`` lives: beside its file (None for a database in memory)."""
    path = _file(db)
    return Path(path + CACHE_SUFFIX) if path else None


def _file(db: sqlite_utils.Database) -> str | None:
    """The file of ``db``'s main database (None in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def open_cache(path: Path | None) -> sqlite3.Connection | None:
    """The build cache at ``path`` (created if missing; a file SQLite cannot read is replaced)."""
    if path is None:
        return None
    for attempt in range(2):
        try:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError:
            if attempt:
                raise
            conn.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
    return None


def build(db_path: str | Path | sqlite_utils.Database, as_of: date) -> dict:
    """Build the library at ``db_path`` as of ``as_of``: validity, articles, links, search; return
    a report."""
    started = time.perf_counter()
    db = db_path if isinstance(db_path, sqlite_utils.Database) else open_db(str(db_path))
    cache = open_cache(cache_path(db))
    saved = _fast_writes(db)
    workers = Workers()
    failed = True
    try:
        report = _build(db, as_of, cache, workers, started)
        failed = False
        return report
    finally:
        workers.close(failed)
        for pragma, value in saved.items():
            db.execute(f"PRAGMA {pragma} = {value}")
        if cache is not None:
            cache.close()
        if db is not db_path:
            db.close()


def _fast_writes(db: sqlite_utils.Database) -> dict:
    """Pragmas for the build's own connection; returns the values to restore. In WAL mode
    ``synchronous = NORMAL`` never corrupts the file (a crash loses at most the last commits,
    which the next build makes again); a commit then waits for no disk flush."""
    pragmas = ("synchronous", "cache_size")
    saved = {p: db.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas}
    if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KB}")
    return saved


def _build(
    db: sqlite_utils.Database,
    as_of: date,
    cache: sqlite3.Connection | None,
    workers: Workers,
    started: float,
) -> dict:
    built_at = utcnow()
    work: dict[str, dict] = {"validity": {}}
    # Links are found from titles, 文号, dates, texts and page links, which no step before them
    # writes: a worker finds them while this process decides validity and splits articles.
    path = _file(db)
    n = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    finding = workers.submit(find_links_in, path) if path and workers.parallel(n) else None
    # Articles are split from bodies and titles, which no step writes either: the workers split
    # them once they have read the documents for validity, while this process decides statuses.
    splitting = []
    counts = apply_validity(
        db,
        as_of,
        built_at,
        cache,
        work["validity"],
        workers,
        after_reading=lambda: splitting.append(start_split(db, workers)),
    )
    after_validity = time.perf_counter()
    # Keywords are computed from titles, bodies and issuers, which the steps until the index do
    # not write: the workers compute them while this process copies the articles in (their
    # split, given to the workers first, comes first) and links the interpretations.
    keywords_due = start_keywords(db, workers)
    # 编章节条款项, only of documents whose content changed
    articles = assign_articles(db, workers, splitting[0] if splitting else None)
    after_articles = time.perf_counter()
    links = link_interpretations(db, finding() if finding else None)
    links["issuers"] = assign_departments(db)  # the departments the 解读率 counts by
    after_links = time.perf_counter()
    keywords = keywords_due()  # before the index: the ranking's keyword tier reads them
    after_keywords = time.perf_counter()
    index = build_search_index(db, cache, workers)
    after_index = time.perf_counter()
    counted = count_views(db, built_at)  # what the site's pages count, once (corpus.counts)
    after_counts = time.perf_counter()
    n_docs = sum(counts.values())
    n_interps = index["interpretations_indexed"]
    work["articles"] = {
        "split": articles["documents_split"],
        "unchanged": n_docs - articles["documents_split"],
    }
    work["links"] = {"recomputed": links["links"], "interpretations": n_interps}
    computed = keywords["documents_keywords"] + keywords["interpretations_keywords"]
    work["keywords"] = {"computed": computed, "unchanged": n_docs + n_interps - computed}
    work["search_index"] = index["work"]
    report = {
        "as_of": as_of.isoformat(),
        "built_at": built_at,
        "documents": sum(counts.values()),
        "interpretations": index["interpretations_indexed"],
        "status_counts": {s: counts[s] for s in STATUSES if counts[s]},
        "links": links,
        "keywords": keywords,
        "articles": articles,
        "counts": counted,
        "seconds": {
            "validity": round(after_validity - started, 3),
            "articles": round(after_articles - after_validity, 3),
            "links": round(after_links - after_articles, 3),
            "keywords": round(after_keywords - after_links, 3),
            "search_index": round(after_index - after_keywords, 3),
            "counts": round(after_counts - after_index, 3),
        },
        "work": work,
        "workers": workers.processes if workers.used else 1,  # processes that did the work
    }
    with db.conn:
        db["build_info"].upsert_all(
            [
                {"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
                for k, v in report.items()
                # work done by this build, not the library
                if k not in ("seconds", "keywords", "articles", "work", "workers")
            ],
            pk="key",
        )
    # Fold the WAL into the main file so it can be copied and served with immutable=1.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    report["breakdown"] = breakdown(report)
    return report


def breakdown(report: dict) -> str:
    """One line: seconds per step, and per step the rows worked out again and those left."""
    seconds, work = report["seconds"], report["work"]
    v, a, k, i = work["validity"], work["articles"], work["keywords"], work["search_index"]
    parts = [
        f"validity {seconds['validity']:.1f} s (read {v['read']:,}, unchanged {v['reused']:,};"
        f" acts matched for {v['matched']:,}; decided {v['decided']:,},"
        f" unchanged {v['documents'] - v['decided']:,}; {v['documents_written']:,} rows changed)",
        f"articles {seconds['articles']:.1f} s (split {a['split']:,}, unchanged {a['unchanged']:,})",
        f"links {seconds['links']:.1f} s (all {work['links']['interpretations']:,}"
        " interpretations linked again)",
        f"keywords {seconds['keywords']:.1f} s (computed {k['computed']:,},"
        f" unchanged {k['unchanged']:,})",
        f"search index {seconds['search_index']:.1f} s ({i['mode']}: indexed {i['indexed']:,},"
        f" unchanged {i['unchanged']:,})",
        f"counts {seconds['counts']:.1f} s",
        f"total {seconds['total']:.1f} s"
        + (f" ({report['workers']} worker processes)" if report["workers"] > 1 else ""),
    ]
    return " · ".join(parts)


# ---------------------------------------------------------------- checking a build

_VOLATILE = {"status_history": ("built_at",), "counts_built": ("built_at",)}


def fingerprint(db: sqlite_utils.Database) -> dict[str, str]:
    """Per table, its row count and a digest of its rows: two libraries whose fingerprints are
    equal hold the same rows (rowids included where a reader sees them). A full-text index is
    compared by what it holds — every term with its rows and counts per column, each row's
    size per column, the totals — not by how its segments happen to be laid out (nor are the
    counts of its storage tables, ``facet_counts``). The time a build ran (``built_at``) is
    left out."""
    out = {}
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    fts = {
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"
        )
    }
    shadows = {f"{f}_{s}" for f in fts for s in ("data", "idx", "docsize", "config", "content")}
    for name in sorted(tables):
        if name.startswith("sqlite_") or name in shadows:
            continue
        if name in fts:
            out.update(_fts_fingerprint(db, name))
            continue
        info = db.execute(f"PRAGMA table_info([{name}])").fetchall()
        columns = ", ".join(f"[{c[1]}]" for c in info if c[1] not in _VOLATILE.get(name, ()))
        key = [c for c in info if c[5]]
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        rowid = "WITHOUT ROWID" not in sql.upper() and (
            not key or (len(key) == 1 and key[0][2].upper() == "INTEGER")
        )
        if name == "build_info":
            query = "SELECT key, value FROM build_info WHERE key != 'built_at' ORDER BY key"
        elif name == "facet_counts":  # not the rows of the index's storage (``shadows``)
            marks = ", ".join("?" * len(shadows))
            query = (
                f"SELECT rowid, {columns} FROM facet_counts WHERE table_name NOT IN ({marks})"
                " ORDER BY rowid"
            )
            out[name] = _digest(db.execute(query, sorted(shadows)))
            continue
        elif rowid:  # the rowid is what a reader sees the row by
            query = f"SELECT rowid, {columns or 1} FROM [{name}] ORDER BY rowid"
        else:
            query = f"SELECT {columns or 1} FROM [{name}] ORDER BY {columns or 1}"
        out[name] = _digest(db.execute(query))
    return out


def _fts_fingerprint(db: sqlite_utils.Database, name: str) -> dict[str, str]:
    out = {}
    for kind in ("row", "col"):
        vocab = f"temp.[{name}_fingerprint_{kind}]"
        db.execute(f"DROP TABLE IF EXISTS {vocab}")
        db.execute(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(main, [{name}], {kind})")
        out[f"{name} terms by {kind}"] = _digest(db.execute(f"SELECT * FROM {vocab} ORDER BY 1, 2"))
        db.execute(f"DROP TABLE {vocab}")
    out[f"{name} sizes"] = _digest(db.execute(f"SELECT id, sz FROM [{name}_docsize] ORDER BY id"))
    out[f"{name} totals"] = _digest(db.execute(f"SELECT block FROM [{name}_data] WHERE id = 1"))
    return out


def _digest(rows) -> str:
    h = hashlib.blake2b(digest_size=12)
    n = 0
    for row in rows:
        h.update(repr(tuple(row)).encode())
        n += 1
    return f"{n} rows {h.hexdigest()}"
