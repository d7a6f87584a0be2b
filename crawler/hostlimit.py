"""Per-host politeness over every spider of a crawl process, not per Scrapy crawler.

A crawl runs one Scrapy crawler per CMS family (``crawler.run``), and each crawler has its own
download slots: its own count of requests in flight per host and its own delay between them.
Real sites mix families on one host (Jiangxi's portal serves Hanweb columns and the new
platform's from the same name), so with slots alone a host could see four crawlers' worth of
requests at once: four times the limit we promise it. This downloader middleware holds the
limit for the process: at most ``concurrency`` requests in flight per host name and ``delay``
seconds between their starts, the host's ``DOWNLOAD_SLOTS`` entry if it has one, else
``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY``. Scrapy's slots and AutoThrottle still
work inside it (they can only make a crawler slower).

It also holds where a slot does not: Scrapy 2.19 starts every queued request of a slot whose
delay is exactly 0 at once, past its concurrency (the mirror's loopback overlay has delay 0).

The hosts found blocked (an anti-bot challenge: ``crawler.middlewares.FaultsMiddleware``) are
kept here too, so that no family's crawler asks a host another one found blocked.

The crawlers of one run share a ``HostLimits`` through ``NORMDOCS_RUN_ID`` (set by
``crawler.run.crawl`` for all of them); a crawler with no run id (a unit test's) gets its own.
Scrapy runs on Twisted's asyncio reactor (its default), so waiting is plain asyncio.
A request takes its place just before it enters the downloader (the middleware sits last, at
960) and gives it back when it leaves (``request_left_downloader``), whatever the outcome.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

HELD = "normdocs_host_place"  # request.meta: the host whose place this request holds


@dataclass
class _Host:
    in_flight: int = 0
    next_start: float = 0.0
    waiting: deque[asyncio.Future] = field(default_factory=deque)


class HostLimits:
    """Places per host, and the hosts found blocked, shared by the crawlers of one process and
    run."""

    def __init__(self) -> None:
        self.hosts: dict[str, _Host] = {}
        self.most_in_flight: dict[str, int] = {}  # for tests and the crawl's stats
        # host → (reason, status) of the challenge that blocked it (crawler.middlewares)
        self.blocked: dict[str, tuple[str, int | None]] = {}

    async def acquire(self, host: str, concurrency: int, delay: float) -> None:
        """Wait until ``host`` has a free place and its delay since the last start has passed."""
        state = self.hosts.setdefault(host, _Host())
        while True:
            if state.in_flight >= max(1, concurrency):
                waiter = asyncio.get_running_loop().create_future()
                state.waiting.append(waiter)
                await waiter
                continue
            wait = state.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue  # another request may have taken the place meanwhile
            state.in_flight += 1
            state.next_start = time.monotonic() + max(0.0, delay)
            if state.in_flight > self.most_in_flight.get(host, 0):
                self.most_in_flight[host] = state.in_flight
            return

    def release(self, host: str) -> None:
        """Give a place back; the longest-waiting request of the host is woken."""
        state = self.hosts.get(host)
        if state is None or state.in_flight <= 0:
            return
        state.in_flight -= 1
        while state.waiting:
            waiter = state.waiting.popleft()
            if not waiter.done():  # a waiter whose request was cancelled is skipped
                waiter.set_result(None)
                break


# run id → the limits its crawlers share (one process, one reactor: no lock needed)
_SHARED: dict[str, HostLimits] = {}


def limits_for(run_id: Any) -> HostLimits:
    """The ``HostLimits`` of a run (a new one for a crawler that has no run id)."""
    if run_id in (None, "", 0):
        return HostLimits()
    return _SHARED.setdefault(str(run_id), HostLimits())


class HostLimitMiddleware:
    """Downloader middleware: a request waits for its host's place before it is downloaded."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.limits = limits_for(settings.get("NORMDOCS_RUN_ID"))
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.slots: dict[str, dict] = settings.getdict("DOWNLOAD_SLOTS")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostLimitMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.left, signal=signals.request_left_downloader)
        return middleware

    def limit_of(self, host: str) -> tuple[int, float]:
        """(requests in flight, seconds between starts) allowed for ``host``."""
        slot = self.slots.get(host) or {}
        return (
            int(slot.get("concurrency", self.concurrency)),
            float(slot.get("delay", self.delay)),
        )

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        concurrency, delay = self.limit_of(host)
        await self.limits.acquire(host, concurrency, delay)
        request.meta[HELD] = host
        most = self.limits.most_in_flight.get(host, 0)
        self.crawler.stats.max_value("normdocs/host_in_flight_max", most)

    def left(self, request: Request, spider: Any = None) -> None:
        host = request.meta.pop(HELD, None)
        if host is not None:
            self.limits.release(host)
