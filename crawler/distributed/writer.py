"""``normdocs writer``: the only process that writes the library during a distributed crawl.

It reads the run's item stream as the one consumer of the consumer group ``writer``
(XREADGROUP): after a crash it first reads again the entries it had been given and not
acknowledged, then new ones. Each batch of entries is applied in one SQLite transaction with the
same functions as the single-machine pipeline (``crawler.pipelines``), and the id of the last
entry applied is written in that same transaction (``crawl_run_stream``). An entry at or below
that id was applied already: a writer killed between its commit and its XACK skips it when it
comes back, so nothing is applied twice. Entries are acknowledged and deleted after the commit.

The writer counts the run (docs/distributed.md, "What counts where"): each fetched, known or
304 page in ``crawl_run_pages``, which column listed which page in ``crawl_run_listed``, what
workers saw on the way in ``crawl_run_tally``. On the coordinator's ``RunEnd`` it writes
``crawl_run_columns`` and closes ``crawl_runs`` as the single-machine pipeline does, then marks
the run finalized.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError
from sqlite_utils import Database

from corpus.store.identity import canonical_url
from corpus.store.lock import CrawlRunning
from corpus.store.records import CrawlError
from corpus.store.save import save_blocked_host, save_error
from corpus.store.schema import open_db
from crawler.distributed import codec, run
from crawler.distributed.items import (
    KNOWN_TEXT,
    Blocked,
    ColumnListed,
    Fault,
    PageOutcome,
    RunEnd,
    StoredRecord,
    Tally,
    WorkerStats,
)
from crawler.distributed.keys import WRITER_GROUP, Keys
from crawler.incremental import ListedEntries, PageChecked, PageRemoved
from crawler.pipelines import (
    close_run,
    merge_stats,
    plain_stats,
    store_incremental,
    store_record,
    write_run_columns,
)
from crawler.stats import ColumnStats

logger = logging.getLogger(__name__)

CONSUMER = "writer"  # one writer: a restarted one reads the entries its predecessor was given
BATCH = 200
WORKERS = "workers"  # crawl_runs.stats: each worker's spiders' own stats, by worker and spider


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id (``ms-seq``) as a number pair, to compare."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def writer_lock(db_path: str, wait: float = 0.0) -> Any:
    """Hold ``<db>.writer.lock`` (flock): one writer per library. Raises CrawlRunning when
    another writer still holds it after ``wait`` seconds."""
    import fcntl  # noqa: PLC0415 - POSIX only, like corpus.store.lock

    handle = open(f"{db_path}.writer.lock", "a+")  # noqa: SIM115 - held for the whole process
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError as exc:
            if time.monotonic() >= deadline:
                handle.close()
                raise CrawlRunning(f"another writer is writing {db_path}") from exc
            time.sleep(0.2)


def add_worker_stats(run_stats: dict, item: WorkerStats) -> dict:
    """The run's stats with one more spider of one worker: merged into the totals, and kept as
    they are under ``stats["workers"]["host:pid"]["spiders"][spider]`` with the host and pid."""
    workers = dict(run_stats.get(WORKERS, {}))
    entry = workers.setdefault(item.worker, {"host": item.host, "pid": item.pid, "spiders": {}})
    entry["spiders"] = {**entry["spiders"], item.spider: plain_stats(item.stats)}
    total = merge_stats({k: v for k, v in run_stats.items() if k != WORKERS}, item.stats)
    total.pop("finish_reason", None)
    return {**total, WORKERS: workers}


class Writer:
    """Applies the stream of one run to the library (see the module docstring)."""

    def __init__(
        self, redis: Redis, db: Database, run_id: int, keys: Keys = run.KEYS, token: str = ""
    ) -> None:
        self.redis, self.db, self.run_id, self.keys = redis, db, run_id, keys
        self.token = token  # the run's token: '' writes whatever run is published
        self.stopping = False
        self.finalized = False

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(self.keys.stream, WRITER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def last_applied(self) -> tuple[int, int]:
        row = self.db.execute(
            "SELECT last_id FROM crawl_run_stream WHERE run_id = ?", [self.run_id]
        ).fetchone()
        return entry_key(row[0]) if row else (0, 0)

    def read(self, pending: bool, block_ms: int = 1000) -> list[tuple[str, dict]]:
        """Entries given to this writer and not acknowledged (``pending``), or new ones."""
        answer = self.redis.xreadgroup(
            WRITER_GROUP,
            CONSUMER,
            {self.keys.stream: "0" if pending else ">"},
            count=BATCH,
            block=None if pending else block_ms,
        )
        if not answer:
            return []
        return [(i.decode(), fields) for i, fields in answer[0][1] if fields]

    def apply_batch(self, entries: list[tuple[str, dict]]) -> int:
        """Apply the entries not applied yet in one transaction; acknowledge all. Returns how
        many were applied."""
        last = self.last_applied()
        todo = [(i, f) for i, f in entries if entry_key(i) > last]
        ending: RunEnd | None = None
        if todo:
            with self.db.atomic():
                for _, fields in todo:
                    item = codec.loads(fields[b"item"])
                    if isinstance(item, RunEnd):
                        ending = item
                    self.apply(item)
                self.db.execute(
                    "INSERT INTO crawl_run_stream (run_id, last_id) VALUES (?, ?)"
                    " ON CONFLICT(run_id) DO UPDATE SET last_id = excluded.last_id",
                    [self.run_id, todo[-1][0]],
                )
        ids = [i for i, _ in entries]
        if ids:
            pipe = self.redis.pipeline(transaction=True)
            pipe.xack(self.keys.stream, WRITER_GROUP, *ids)
            pipe.xdel(self.keys.stream, *ids)
            pipe.execute()
        if ending is not None or self.run_closed():
            self.finalized = True
            run.set_state(self.redis, run.FINALIZED, self.keys, self.token)
        return len(todo)

    def gone(self) -> bool:
        """Whether the run published is no longer this writer's (cleared away: its coordinator
        gone; maybe another run published). Checked after a read, before applying: entries of a
        run published after the check cannot have been read before it."""
        return bool(self.token) and run.token(self.redis, self.keys) != self.token

    def run_closed(self) -> bool:
        """Whether this run's row is closed already (a RunEnd applied before a crash)."""
        row = self.db.execute(
            "SELECT finished_at FROM crawl_runs WHERE id = ?", [self.run_id]
        ).fetchone()
        return bool(row and row[0])

    # ------------------------------------------------------------ items

    def apply(self, item: Any) -> None:
        db, run_id = self.db, self.run_id
        if isinstance(item, StoredRecord):
            self.store(item)
        elif isinstance(item, CrawlError):
            save_error(db, item, run_id)
        elif isinstance(item, Fault):
            save_error(db, item.error, run_id, item.outcome)
        elif isinstance(item, Blocked):
            save_blocked_host(db, run_id, item.host, item.site, item.url, item.status, item.reason)
        elif isinstance(item, ListedEntries | PageChecked | PageRemoved):
            store_incremental(db, item)
            if isinstance(item, PageChecked) and item.status == 304:
                self.page(item.url, "not_modified")
            elif isinstance(item, PageRemoved):
                self.page(item.url, "removed")
        elif isinstance(item, PageOutcome):
            self.page(item.url, item.outcome, item.column_url)
        elif isinstance(item, ColumnListed):
            db.conn.executemany(
                "INSERT OR IGNORE INTO crawl_run_listed (run_id, column_url, url) VALUES (?, ?, ?)",
                [(run_id, item.column_url, url) for url in item.urls],
            )
        elif isinstance(item, Tally):
            rows = [(run_id, item.column_url, k, str(n)) for k, n in item.counts.items()]
            rows += [(run_id, item.column_url, "note", note) for note in item.notes]
            db.conn.executemany(
                "INSERT INTO crawl_run_tally (run_id, column_url, what, value) VALUES (?, ?, ?, ?)",
                rows,
            )
        elif isinstance(item, WorkerStats):
            self.set_stats(add_worker_stats(self.stats(), item))
        elif isinstance(item, RunEnd):
            self.finish(item)
        else:
            logger.warning("unknown item in the stream: %r", type(item))

    def store(self, item: StoredRecord) -> None:
        """A record, its known attachments' texts put back from the library first."""
        record = item.record
        for att in record.attachments:
            if att.text == KNOWN_TEXT:
                row = self.db.execute(
                    "SELECT text, size FROM attachments WHERE url = ? AND text IS NOT NULL"
                    " AND error IS NULL LIMIT 1",
                    [att.url],
                ).fetchone()
                att.text, att.size = row if row else (None, None)
                if row is None:
                    att.error = "read on an earlier crawl, but no longer in the library"
        outcome = store_record(self.db, record, item.answer)
        self.page(record.url, "fetched", record.column_url, outcome)

    def page(
        self, url: str, outcome: str, column_url: str | None = None, stored: str | None = None
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO crawl_run_pages (run_id, url, column_url, outcome, stored)"
            " VALUES (?, ?, ?, ?, ?)",
            [self.run_id, canonical_url(url), column_url, outcome, stored],
        )

    def stats(self) -> dict:
        row = self.db.execute("SELECT stats FROM crawl_runs WHERE id = ?", [self.run_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def set_stats(self, stats: dict) -> None:
        self.db.execute(
            "UPDATE crawl_runs SET stats = ? WHERE id = ?",
            [json.dumps(stats, ensure_ascii=False, default=str), self.run_id],
        )

    # ------------------------------------------------------------ the run's end

    def finish(self, end: RunEnd) -> None:
        """Every column's row, counted from what was stored; then the run's row."""
        columns = [self.column(c, end.late.get(c.column_url, [])) for c in end.columns]
        write_run_columns(self.db, self.run_id, columns)
        stats = self.stats()
        stored = Counter(
            r[0]
            for r in self.db.execute(
                "SELECT stored FROM crawl_run_pages WHERE run_id = ? AND stored IS NOT NULL",
                [self.run_id],
            )
        )
        for outcome, n in stored.items():
            stats[f"normdocs/stored/{outcome}"] = n
        stats["finish_reason"] = end.reason
        stats["normdocs/distributed/reaped"] = end.reaped
        close_run(self.db, self.run_id, stats)
        for table in ("crawl_run_pages", "crawl_run_listed", "crawl_run_tally"):
            self.db.execute(f"DELETE FROM {table} WHERE run_id = ?", [self.run_id])

    def column(self, walk: ColumnStats, late: list[str]) -> ColumnStats:
        """A column's counts: its walk's, and what the run stored of the pages it listed."""
        run_id, url = self.run_id, walk.column_url
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO crawl_run_listed (run_id, column_url, url, late)"
            " VALUES (?, ?, ?, 1)",
            [(run_id, url, u) for u in late],
        )
        fetched, known, not_modified = self.db.execute(
            "SELECT coalesce(sum(p.outcome = 'fetched'), 0),"
            " coalesce(sum(p.outcome IN ('known', 'not_modified')), 0),"
            " coalesce(sum(p.outcome = 'not_modified'), 0)"
            " FROM crawl_run_listed l JOIN crawl_run_pages p ON p.run_id = l.run_id AND p.url = l.url"
            " WHERE l.run_id = ? AND l.column_url = ?",
            [run_id, url],
        ).fetchone()
        stored = dict(
            self.db.execute(
                "SELECT stored, count(*) FROM crawl_run_pages WHERE run_id = ? AND column_url = ?"
                " AND stored IS NOT NULL GROUP BY stored",
                [run_id, url],
            ).fetchall()
        )
        counts: Counter[str] = Counter()
        notes: list[str] = []
        for what, value in self.db.execute(
            "SELECT what, value FROM crawl_run_tally WHERE run_id = ? AND column_url = ?"
            " ORDER BY rowid",
            [run_id, url],
        ):
            if what == "note":
                notes.append(value)
            else:
                counts[what] += int(value)
        return replace(
            walk,
            fetched=fetched,
            known=walk.known + known,
            not_modified=not_modified,
            new=stored.get("new", 0),
            changed=stored.get("changed", 0),
            unchanged=stored.get("unchanged", 0),
            errors=walk.errors + counts["errors"],
            removed=walk.removed + counts["removed"],
            notes=[*walk.notes, *notes],
        )


def _wait_for_run(redis: Redis, keys: Keys, stop: list[bool]) -> int | None:
    """The id of the run to write (running, or closing with items left), waiting for one."""
    while not stop[0]:
        run_id, state = run.state(redis, keys)
        if run_id is not None and state in (run.SEEDING, run.RUNNING, run.CLOSING):
            return run_id
        time.sleep(0.5)
    return None


# How long a coordinator's writer (``once``) waits for the library's writer lock: the writer of
# an abandoned run (its coordinator killed) leaves it once the next coordinator cleared the run.
LOCK_WAIT_SECONDS = 60.0


def serve(redis_url: str, db_path: str, once: bool = False) -> int:
    """Write runs into ``db_path`` as they come (``once``: one run, then return). Returns an
    exit code: 0, or 2 when another writer holds the library."""
    try:
        lock = writer_lock(db_path, LOCK_WAIT_SECONDS if once else 0.0)
    except CrawlRunning as exc:
        logger.error("%s", exc)
        return 2
    redis = Redis.from_url(redis_url)
    keys = run.KEYS
    stop = [False]

    def on_term(signum: int, frame: Any) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        while not stop[0]:
            run_id = _wait_for_run(redis, keys, stop)
            if run_id is None:
                break
            db = open_db(db_path)
            db.execute("PRAGMA synchronous = NORMAL")
            writer = Writer(redis, db, run_id, keys, run.token(redis, keys))
            writer.ensure_group()
            try:
                while not stop[0] and not writer.finalized:
                    try:
                        entries = writer.read(pending=True)
                        if not entries:
                            entries = writer.read(pending=False)
                    except ResponseError as exc:
                        if "NOGROUP" in str(exc) and writer.gone():
                            break  # the run's stream was cleared away with the run
                        raise
                    if writer.gone():
                        # The run was cleared away (its coordinator gone): what was read is left
                        # unacknowledged, never applied to this run.
                        logger.warning("run %s was cleared away: leaving it", run_id)
                        break
                    writer.apply_batch(entries)
            finally:
                db.conn.close()
            if once:
                break
            while not stop[0] and run.state(redis, keys) == (run_id, run.FINALIZED):
                time.sleep(0.5)  # until the coordinator clears it away
    finally:
        lock.close()
    return 0
