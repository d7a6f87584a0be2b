"""Politeness over the whole cluster: per-host limits shared by every worker, blocked hosts.

``SharedLimiterMiddleware`` is a downloader middleware placed last before the download (950), so
a request it lets through goes to the host. Before that it asks the Redis server for a token of
the request's host (``scripts.ACQUIRE``): at most ``concurrency`` requests in flight to a host
over all workers, and ``delay`` seconds between two starts — the host's ``DOWNLOAD_SLOTS`` entry
where there is one, else ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY``, exactly the
numbers a single machine's download slot uses (and keyed as Scrapy keys its slots: by host name).
Each worker's own Scrapy slots (AutoThrottle included) still apply on top. A token is given back
when the answer (or the failure) comes back; it expires by itself after the download timeout and
a margin, so a worker that dies holding one does not hold its host for ever.

A host that answers with an anti-bot challenge is blocked for every worker in the same step as
the token of the request that met the challenge is given back: no other worker's request can
start between the two. A request to a blocked host is refused before download, as
``crawler.middlewares.FaultsMiddleware`` refuses it on a single machine.
"""

from __future__ import annotations

import json
import uuid

from redis import Redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.distributed.keys import Keys
from crawler.distributed.queue import slot
from crawler.distributed.scripts import scripts
from crawler.errors import HostBlocked, challenge_reason

TOKEN = "normdocs_host_token"  # request.meta: (host, token) while the request is in flight
# While a host is full, a request asks again after FIRST_WAIT ms, twice as long each time up to
# LONGEST_WAIT: a request waiting behind a busy host costs a few commands, not one per 20 ms.
# (Rare since the lease passes over requests whose host is busy: scripts.LEASE.)
FIRST_WAIT, LONGEST_WAIT = 20, 250


class SharedLimiterMiddleware:
    """Per-host concurrency and delay over all workers (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.redis = Redis.from_url(settings["REDIS_URL"])
        self.keys = Keys()
        self.slots = settings.getdict("DOWNLOAD_SLOTS")
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        ttl = settings.getfloat("NORMDOCS_HOST_TOKEN_SECONDS") or (
            settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        )
        self.ttl_ms = int(ttl * 1000)
        self.announced: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedLimiterMiddleware:
        return cls(crawler)

    def limits(self, host: str) -> tuple[int, float]:
        """(concurrency, delay in seconds) of ``host``, as its Scrapy download slot has them."""
        slot = self.slots.get(host) or {}
        return int(slot.get("concurrency", self.concurrency)), float(slot.get("delay", self.delay))

    def host(self, request: Request) -> str:
        """The download slot of ``request``: its host name, as Scrapy keys its slots."""
        return slot(request)

    async def process_request(self, request: Request) -> None:
        host = self.host(request)
        netloc = urlparse_cached(request).netloc
        concurrency, delay = self.limits(host)
        if host not in self.announced:  # for `normdocs status`
            self.redis.hset(
                self.keys.hosts, host, json.dumps({"limit": concurrency, "delay": delay})
            )
            self.announced.add(host)
        token = uuid.uuid4().hex
        keys = [
            self.keys.host_tokens(host),
            self.keys.host_next(host),
            self.keys.host_starts(host),
            self.keys.blocked,
        ]
        acquire = scripts(self.redis).acquire
        backoff = FIRST_WAIT
        while True:
            args = [host, token, concurrency, int(delay * 1000), self.ttl_ms, netloc, backoff]
            wait = int(acquire(keys=keys, args=args))
            if wait == 0:
                break
            if wait < 0:
                reason = self.redis.hget(self.keys.blocked, netloc)
                found = self.redis.hget(self.keys.blocked_status, netloc)
                why = reason.decode() if reason else "blocked"
                # the challenge's status, as FaultsMiddleware gives it on a single machine
                status = int(found) if found else None
                raise HostBlocked(f"not requested: host {netloc} is blocked ({why})", status, True)
            backoff = min(backoff * 2, LONGEST_WAIT)  # if still full next time: wait longer
            self.crawler.stats.inc_value("normdocs/distributed/host_waits")
            await deferred_to_future(deferLater(reactor, wait / 1000, lambda: None))
        request.meta[TOKEN] = (host, netloc, token)
        self.crawler.stats.inc_value("normdocs/distributed/host_tokens")

    def process_response(self, request: Request, response: Response) -> Response:
        self.release(request, challenge_reason(response), response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.release(request)

    def release(
        self, request: Request, challenge: str | None = None, status: int | None = None
    ) -> None:
        """Give the host's token back; block the host first, in the same step, on a challenge."""
        held = request.meta.pop(TOKEN, None)
        if held is None:
            return
        host, netloc, token = held
        pipe = self.redis.pipeline(transaction=True)
        if challenge:
            pipe.hsetnx(self.keys.blocked, netloc, challenge)
            if status is not None:
                pipe.hsetnx(self.keys.blocked_status, netloc, status)
        pipe.zrem(self.keys.host_tokens(host), token)
        pipe.execute()
