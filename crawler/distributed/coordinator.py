"""``normdocs crawl --redis``: the coordinator of a distributed crawl.

In order:

1. The sites file is read and validated (a bad one: ``SitesFileError`` before anything starts).
2. The library's crawl lock is taken, runs left unfinished are closed as interrupted, the run's
   ``crawl_runs`` row is opened and the sites stored — the coordinator's only writes, made before
   the writer starts.
3. The run is published in Redis (``run.publish``): sites, settings, policy, the library's
   memory and the URLs of the attachments it holds; every column's first request is queued,
   with its walk's state and incremental plan, exactly as a single-machine spider starts it.
4. The writer and N workers are started as child processes (``normdocs writer --once``,
   ``normdocs worker --once``); more may join from other machines.
5. It waits until every column's walk ended, no request is queued or leased (a dead worker's
   leases come back when they expire: it reaps them itself too). Then, once for the whole run,
   what a single machine does when its spider goes idle: known pages no full walk listed any
   more are checked for removal and due pages re-checked (``Incremental.late_requests``), and it
   waits again.
6. It closes the run: workers stop and send their stats; the known pages an incremental walk did
   not reach are credited (``Incremental.finish``); a ``RunEnd`` with every column's walk goes to
   the writer, which writes ``crawl_run_columns`` and closes ``crawl_runs``.
7. It stops its children, clears the run's keys and returns the run id.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis import Redis

from corpus.store.lock import crawl_lock
from corpus.store.save import close_interrupted_runs, save_site, start_run
from corpus.store.schema import open_db
from crawler.distributed import codec, run
from crawler.distributed.items import RunEnd
from crawler.distributed.keys import WRITER_GROUP, coordinator_gone_ms, lease_seconds
from crawler.distributed.queue import commit, push_op, reap
from crawler.distributed.spider import PLAN, DistributedSpider, detail_page, distributed, lighten
from crawler.incremental import ColumnPlan, Incremental, Memory, Policy
from crawler.run import SPIDERS, project_settings
from crawler.sites import Site, load_sites, select_sites
from crawler.stats import ColumnStats
from crawler.walk import ColumnCrawl

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
Say = Callable[[str], None]


class RunBusy(RuntimeError):
    """Another run is queued on this Redis server."""


class RunFailed(RuntimeError):
    """The run cannot finish: every worker stopped with work left (the run stays unfinished,
    and the next crawl of the library marks it interrupted)."""


@dataclass
class Family:
    """One CMS family of the run, as the coordinator drives it (no crawler: it only encodes)."""

    spider: DistributedSpider
    incremental: Incremental
    crawls: dict[str, ColumnCrawl] = field(default_factory=dict)  # column URL → its walk


@dataclass
class Children:
    """The writer and the workers this coordinator started."""

    writer: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    def all(self) -> list[subprocess.Popen]:
        return [p for p in [self.writer, *self.workers] if p is not None]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "corpus.cli", *args]


def known_attachment_urls(db_path: str | Path) -> Iterable[str]:
    """The attachment URLs whose text the library holds (what a recrawl need not download)."""
    import sqlite3  # noqa: PLC0415 - read-only, like crawler.incremental.Memory.load

    if not Path(db_path).exists():
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT url FROM attachments WHERE text IS NOT NULL AND error IS NULL"
            )
        ]
    finally:
        conn.close()


class Coordinator:
    """One distributed run, from the sites file to the closed ``crawl_runs`` row."""

    def __init__(
        self,
        sites_file: str,
        db_path: str,
        redis_url: str,
        workers: int = 2,
        site: str | None = None,
        settings_module: str | None = None,
        overrides: dict[str, Any] | None = None,
        say: Say | None = None,
    ) -> None:
        self.sites_file, self.db_path, self.redis_url = sites_file, db_path, redis_url
        self.n_workers, self.site = workers, site
        self.overlay = settings_module
        self.overrides = dict(overrides or {})
        self.say: Say = say or (lambda line: None)
        self.keys = run.KEYS
        self.redis = Redis.from_url(redis_url)
        self.children = Children()
        self.families: dict[str, Family] = {}

    # ------------------------------------------------------------ the whole run

    def crawl(self) -> int:
        """Run the crawl; returns the ``crawl_runs`` id (SitesFileError, CrawlRunning, RunBusy
        before anything starts)."""
        sites = select_sites(load_sites(self.sites_file), self.site)
        self.redis.ping()
        run_id, state = run.state(self.redis, self.keys)
        silent = run.coordinator_silent_ms(self.redis, self.keys)
        # A run whose coordinator has not beat for this long is abandoned: this one clears it.
        if run_id is not None and state != run.FINALIZED and (silent or 0) < coordinator_gone_ms():
            raise RunBusy(f"run {run_id} is {state or 'queued'} on {self.redis_url}")
        if run_id is not None and state != run.FINALIZED:
            self.say(f"run {run_id} on {self.redis_url} lost its coordinator: cleared")
        lock = crawl_lock(self.db_path)
        try:
            run_id = self.open_run(sites)
            self.seed(run_id, sites)
            self.start_children()
            self.wait_for_walks()
            late = self.late_checks()
            if late:
                self.wait_for_walks()
            self.close_run(late)
        finally:
            self.stop_children()
            run.clear(self.redis, self.keys)
            lock.close()
        return run_id

    def open_run(self, sites: list[Site]) -> int:
        db = open_db(self.db_path)
        try:
            interrupted = close_interrupted_runs(db)
            # A distributed run whose coordinator died leaves the writer's working rows behind.
            with db.atomic():
                for table in ("crawl_run_pages", "crawl_run_listed", "crawl_run_tally"):
                    for old in interrupted:
                        db.execute(f"DELETE FROM {table} WHERE run_id = ?", [old])
            run_id = start_run(db, self.sites_file, self.site)
            for s in sites:
                save_site(db, s.model_dump(), registry=self.sites_file)
        finally:
            db.conn.close()
        return run_id

    # ------------------------------------------------------------ seeding

    def seed(self, run_id: int, sites: list[Site]) -> None:
        """Publish the run and queue every column's first request."""
        settings = project_settings(self.overrides, self.overlay)
        policy = Policy.from_settings(settings)
        memory = Memory.load(self.db_path)
        info = run.RunInfo(
            run_id,
            sites,
            self.sites_file,
            policy,
            overlay=self.overlay or None,
            overrides=self.overrides,
            columns=sum(len(s.columns) for s in sites),
        )
        run.clear(self.redis, self.keys)
        run.publish(self.redis, info, memory, self.keys)
        run.beat(self.redis, self.keys)
        urls = list(known_attachment_urls(self.db_path))
        for i in range(0, len(urls), 1000):
            self.redis.sadd(self.keys.known_attachments, *urls[i : i + 1000])
        self.redis.xgroup_create(self.keys.stream, WRITER_GROUP, id="0", mkstream=True)
        for family in info.families:
            chosen = [s for s in sites if s.family == family]
            spider = distributed(SPIDERS[family])(sites=chosen, sites_file=self.sites_file)
            helper = Incremental(spider, policy, memory, None)
            spider.incremental = helper
            self.families[family] = Family(spider, helper)
            for site in chosen:
                for column in site.columns:
                    stats = ColumnStats(site.name, column.url, column.kind, column.title)
                    crawl = ColumnCrawl(site, column, stats)
                    helper.open_column(crawl)
                    self.families[family].crawls[column.url] = crawl
                    self.seed_column(spider, helper, crawl)
        run.set_state(self.redis, run.RUNNING, self.keys)
        self.say(f"run {run_id}: {info.columns} columns queued on {self.redis_url}")

    def seed_column(
        self, spider: DistributedSpider, helper: Incremental, crawl: ColumnCrawl
    ) -> None:
        plan = helper.plans.get(crawl.column.url)
        ops: list[tuple[Any, ...]] = []
        for request in spider.start_column(crawl):
            request.meta[PLAN] = plan
            ops.append(push_op(request, codec.encode_request(request, spider)))
        if not ops:  # nothing to walk (a column whose address says too little): ended already
            ops.append(("W", crawl.column.url, codec.dumps(crawl)))
        commit(self.redis, self.keys, spider.spider_keys, ops)

    # ------------------------------------------------------------ children

    def start_children(self) -> None:
        env_overlay = ["--settings-module", self.overlay] if self.overlay else []
        self.children.writer = subprocess.Popen(
            _cli("writer", "--redis", self.redis_url, "--db", self.db_path, "--once")
        )
        for _ in range(self.n_workers):
            self.children.workers.append(
                subprocess.Popen(_cli("worker", "--redis", self.redis_url, "--once", *env_overlay))
            )

    def stop_children(self, timeout: float = 30.0) -> None:
        for proc in self.children.all():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in self.children.all():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # ------------------------------------------------------------ waiting

    def outstanding(self) -> tuple[int, int, int]:
        """(columns whose walk ended, requests queued, requests leased), reaping dead leases."""
        run.beat(self.redis, self.keys)
        queued = leased = 0
        for family in self.families.values():
            s = family.spider.spider_keys
            reap(self.redis, s)
            queued += self.redis.zcard(s.queue)
            leased += self.redis.zcard(s.leases)
        return self.redis.hlen(self.keys.walked), queued, leased

    def wait_for_walks(self) -> None:
        """Until every column's walk ended and no request is queued or leased."""
        columns = sum(len(f.crawls) for f in self.families.values())
        last_report = 0.0
        while True:
            walked, queued, leased = self.outstanding()
            if walked >= columns and queued == 0 and leased == 0:
                return
            self.check_workers()
            if time.monotonic() - last_report > 10:
                self.say(f"  walks ended {walked}/{columns}, queued {queued}, leased {leased}")
                last_report = time.monotonic()
            time.sleep(POLL_SECONDS)

    def check_workers(self) -> None:
        """Fail when the workers this coordinator started have all exited and no other worker
        beats: nobody is left to do the work (remote-only runs, ``--workers 0``, wait)."""
        if not self.children.workers or any(p.poll() is None for p in self.children.workers):
            return
        run_id, _ = run.state(self.redis, self.keys)
        now = run.server_ms(self.redis)
        alive = [
            e
            for e in run.worker_entries(self.redis, self.keys).values()
            if e.get("run") == run_id
            and e.get("state") != "closed"
            and now - e["beat"] < lease_seconds() * 1000
        ]
        if not alive:
            codes = [p.returncode for p in self.children.workers]
            raise RunFailed(f"every worker stopped (exit codes {codes}) with work left")

    def walks(self, family: Family) -> dict[str, ColumnCrawl]:
        """The state each column of ``family`` ended its walk in."""
        found = self.redis.hmget(self.keys.walked, list(family.crawls))
        return {
            url: codec.loads(data) if data else family.crawls[url]
            for url, data in zip(family.crawls, found, strict=True)
        }

    # ------------------------------------------------------------ the end of the walks

    def late_checks(self) -> dict[str, list[str]]:
        """Queue the run's re-checks and removal checks (once every walk ended); returns the
        pages re-checked for each column."""
        late: dict[str, list[str]] = {}
        blocked = {k.decode(): v.decode() for k, v in self.redis.hgetall(self.keys.blocked).items()}
        for family in self.families.values():
            spider, helper = family.spider, family.incremental
            walks = self.walks(family)
            family.crawls = walks
            helper.plans = {url: ColumnPlan(c, c.stats.mode) for url, c in walks.items()}
            claimed = self.redis.hkeys(family.spider.spider_keys.pages)
            spider.pages = dict.fromkeys(k.decode() for k in claimed)
            spider.blocked_hosts = blocked
            ops: list[tuple[Any, ...]] = []
            for request in helper.late_requests():
                page = detail_page(request.cb_kwargs)
                assert page is not None, "a late request is for a detail page"
                column_url = page.columns[0].column.url
                lighten(page)
                ops += [
                    ("C", page.url, column_url, 1),
                    push_op(request, codec.encode_request(request, spider)),
                ]
                late.setdefault(column_url, []).append(page.url)
            if ops:
                commit(self.redis, self.keys, spider.spider_keys, ops)
        if late:
            self.say(f"  re-checking {sum(map(len, late.values()))} pages no walk reached")
        return late

    def close_run(self, late: dict[str, list[str]]) -> None:
        """Workers out, the last credits, the RunEnd; wait for the writer to finalize."""
        run_id, _ = run.state(self.redis, self.keys)
        run.set_state(self.redis, run.CLOSING, self.keys)
        self.wait_for_workers(run_id)
        columns: list[ColumnStats] = []
        for family in self.families.values():
            spider, helper = family.spider, family.incremental
            claimed = self.redis.hkeys(spider.spider_keys.pages)
            spider.pages = dict.fromkeys(k.decode() for k in claimed)
            before = {url: c.stats.known for url, c in family.crawls.items()}
            helper.finish()
            for url, crawl in family.crawls.items():
                stats = crawl.stats
                # What the walk itself counted of its pages is recounted by the writer from what
                # it stored; only the list's own errors and the known pages credited by
                # ``finish`` (an incremental walk's unreached, stored pages) stay.
                stats.known = stats.known - before[url]
                stats.fetched = stats.new = stats.changed = stats.unchanged = 0
                stats.not_modified = stats.removed = 0
                columns.append(stats)
        reaped = sum(
            int(self.redis.get(f.spider.spider_keys.reaped) or 0) for f in self.families.values()
        )
        end = RunEnd(columns, late, "finished", reaped)
        self.redis.xadd(self.keys.stream, {"item": codec.dumps(end)})
        self.say("  all walks ended; waiting for the writer to close the run")
        while run.state(self.redis, self.keys)[1] != run.FINALIZED:
            run.beat(self.redis, self.keys)
            time.sleep(POLL_SECONDS)

    def wait_for_workers(self, run_id: int | None, timeout: float | None = None) -> None:
        """Until every worker of the run closed (its stats sent) or stopped beating."""
        stale_ms = int(lease_seconds() * 1000)
        deadline = time.monotonic() + (timeout or lease_seconds() * 3 + 60)
        while time.monotonic() < deadline:
            now = run.server_ms(self.redis)
            busy = [
                w
                for w, e in run.worker_entries(self.redis, self.keys).items()
                if e.get("run") == run_id
                and e.get("state") != "closed"
                and now - e["beat"] < stale_ms
            ]
            if not busy:
                return
            run.beat(self.redis, self.keys)
            time.sleep(POLL_SECONDS)
        logger.warning("workers did not close in time: their stats are missing")
