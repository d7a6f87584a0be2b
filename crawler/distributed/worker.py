"""``normdocs worker``: one worker process of a distributed crawl, on any machine.

It needs no sites file and no library: it waits (polling the run's state once a second: one
cheap command) until a run is queued, reads the run from Redis — sites, settings overlay and
overrides, incremental policy — and crawls it with one spider per CMS family, as a single-machine
crawl does, until the coordinator closes the run. Its spiders take requests from the run's
leased queues and commit each request's whole outcome back (``crawler.distributed.spider``).

Every ``lease / 3`` seconds it beats: it says it is alive (``normdocs status`` lists it), extends
the leases it holds, and puts back the leases of workers that stopped beating.

SIGTERM (or Ctrl-C): it takes no new request, finishes those it holds, sends its stats, and
exits. Without ``once`` a worker that finished a run starts again (a fresh process image: Twisted
runs once per process) and waits for the next run.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import time
from typing import Any

from redis import Redis
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import CrawlerProcess
from twisted.internet import task

from crawler.distributed import run
from crawler.distributed.keys import lease_seconds
from crawler.distributed.queue import reap
from crawler.distributed.scripts import scripts
from crawler.distributed.spider import DistributedSpider, distributed
from crawler.run import SPIDERS, project_settings

logger = logging.getLogger(__name__)

LAST_RUN_ENV = "NORMDOCS_WORKER_LAST_RUN"  # set across a restart: the token of the run just done

# Scrapy looks for scheduled requests at once after each answer, and otherwise every 5 s (its
# engine's heartbeat). An idle worker should see requests another worker queued sooner.
IDLE_POLL_SECONDS = 0.25


def worker_settings(
    info: run.RunInfo, redis_url: str, worker_id: str, overlay: str | None, token: str = ""
) -> Any:
    """The run's settings (its overlay, or ``overlay``, and its overrides) made distributed."""
    settings = project_settings(dict(info.overrides), overlay or info.overlay)
    settings.setdict(
        {
            "REDIS_URL": redis_url,
            "SCHEDULER": "crawler.distributed.queue.LeasedScheduler",
            "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.LeasedQueue",
            "SCHEDULER_QUEUE_KEY": "normdocs:%(spider)s:queue",
            "SCHEDULER_PERSIST": True,  # the queue is the run's: never cleared by a worker
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": "normdocs:%(spider)s:dupefilter",
            "ITEM_PIPELINES": {},  # items go to the writer's stream, committed per request
            "NORMDOCS_RUN": info,
            "NORMDOCS_RUN_ID": info.run_id,
            "NORMDOCS_RUN_TOKEN": token,  # a worker takes and commits requests of this run only
            "NORMDOCS_WORKER_ID": worker_id,
        },
        priority="cmdline",
    )
    middlewares = {
        **settings.getdict("DOWNLOADER_MIDDLEWARES"),
        "crawler.distributed.limiter.SharedLimiterMiddleware": 950,
    }
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    return settings


class Presence:
    """The worker's heartbeat: alive, its leases extended, dead workers' leases put back."""

    def __init__(self, redis: Redis, worker_id: str, run_id: int, crawlers: list[Any]) -> None:
        self.redis, self.worker_id, self.run_id = redis, worker_id, run_id
        self.crawlers = crawlers
        self.keys = run.KEYS
        self.state = "crawling"
        self.host, _, pid = worker_id.rpartition(":")
        self.pid = int(pid)

    def beat(self) -> None:
        entry = {
            "host": self.host,
            "pid": self.pid,
            "run": self.run_id,
            "state": self.state,
            "beat": run.server_ms(self.redis),
        }
        self.redis.hset(self.keys.workers, self.worker_id, json.dumps(entry))
        lease_ms = int(lease_seconds() * 1000)
        for spider in self.spiders:
            s = spider.spider_keys
            if spider.held:
                scripts(self.redis).extend(
                    keys=[s.leases, s.owner], args=[self.worker_id, lease_ms, *spider.held]
                )
            reap(self.redis, s)

    @property
    def spiders(self) -> list[DistributedSpider]:
        return [c.spider for c in self.crawlers if c.spider is not None]

    def safe_beat(self) -> None:
        try:
            self.beat()
        except Exception:  # a missed beat is retried; it must not stop the crawl
            logger.exception("heartbeat failed")


def wait_for_run(redis: Redis, skip: str, stop: list[bool]) -> tuple[run.RunInfo, str] | None:
    """Wait until a run other than the one whose token is ``skip`` is running; returns it and
    its token (None when told to stop first)."""
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    host, pid = worker_id.rsplit(":", 1)
    while not stop[0]:
        entry = {"host": host, "pid": int(pid), "run": None, "state": "waiting"}
        redis.hset(run.KEYS.workers, worker_id, json.dumps({**entry, "beat": run.server_ms(redis)}))
        run_id, state = run.state(redis)
        token = run.token(redis)
        if run_id is not None and token != skip and state == run.RUNNING:
            found = run.read(redis)
            if found is not None:
                return found[0], token
        time.sleep(1.0)
    redis.hdel(run.KEYS.workers, worker_id)
    return None


def crawl_run(
    redis_url: str, info: run.RunInfo, overlay: str | None, stop: list[bool], token: str = ""
) -> None:
    """Crawl one run (the one of ``token``) in this process (one Twisted reactor)."""
    redis = Redis.from_url(redis_url)
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    settings = worker_settings(info, redis_url, worker_id, overlay, token)
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
    process = CrawlerProcess(settings)
    crawlers = []
    for family in info.families:
        crawler = process.create_crawler(distributed(SPIDERS[family]))
        crawlers.append(crawler)
        chosen = [s for s in info.sites if s.family == family]
        process.crawl(crawler, sites=chosen, sites_file=info.sites_file)
    # Only now: the crawls have installed the reactor the settings ask for (asyncio).
    from twisted.internet import reactor  # noqa: PLC0415 - after Scrapy chose the reactor

    presence = Presence(redis, worker_id, info.run_id, crawlers)

    def started() -> None:
        presence.safe_beat()
        task.LoopingCall(presence.safe_beat).start(lease_seconds() / 3, now=False)

    def drain(signum: int, frame: Any) -> None:
        if stop[0]:  # a second signal: stop now (leases expire and go to other workers)
            reactor.callFromThread(process.stop)
            return
        stop[0] = True
        logger.warning("stopping: finishing the requests this worker holds")
        for spider in presence.spiders:
            spider.draining = True

    reactor.callWhenRunning(started)
    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)
    process.start(install_signal_handlers=False)
    presence.state = "closed"
    presence.safe_beat()


def main(redis_url: str, settings_module: str | None = None, once: bool = False) -> int:
    """``normdocs worker``: crawl runs as they are queued (``once``: one run). Exit code 0."""
    redis = Redis.from_url(redis_url)
    redis.ping()
    stop = [False]

    def on_term(signum: int, frame: Any) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    found = wait_for_run(redis, os.environ.get(LAST_RUN_ENV, ""), stop)
    if found is None:
        return 0
    info, token = found
    crawl_run(redis_url, info, settings_module, stop, token)
    if once or stop[0]:
        redis.hdel(run.KEYS.workers, f"{socket.gethostname()}:{os.getpid()}")
        return 0
    # A fresh process for the next run (Twisted's reactor cannot be started twice).
    os.environ[LAST_RUN_ENV] = token
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return 0  # not reached
