"""The request queue of a distributed crawl: scrapy-redis's scheduler over a leased queue.

``LeasedQueue`` is a scrapy-redis queue (``scrapy_redis.queue.Base``) whose ``pop`` does not
remove a request but *leases* it to this worker until a deadline (``scripts.LEASE``): the request
leaves the queue for the lease set, its bytes stay on the server. Its lease id rides in
``request.meta``; the request is done only when the worker commits everything the request led
to (``spider.DistributedSpider.commit``), which removes the lease in the same step. A worker that
dies holds its leases until they expire; then any worker or the coordinator puts them back
(``reap``). A request Scrapy replaces on the way (a retry, a redirect: a copy carrying the same
meta) comes back through ``push``, which queues the new request and ends the old one's lease in
one step.

``LeasedScheduler`` is scrapy-redis's ``Scheduler`` with what lags Scrapy 2.19 mended: its
stats calls pass the ``spider`` argument Scrapy no longer wants. (scrapy-redis's spiders have no
``async def start()``; ours do not need theirs: the coordinator seeds the queue, and a worker's
spiders start with nothing.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import codec
from crawler.distributed.keys import Keys, SpiderKeys, lease_seconds, lease_window
from crawler.distributed.scripts import flat, scripts

if TYPE_CHECKING:
    from redis import Redis

LEASE = "normdocs_lease"  # request.meta: the id of the lease the worker holds for it


def commit_keys(keys: Keys, spider_keys: SpiderKeys) -> list[str]:
    """The keys ``scripts.COMMIT`` works on, in its order."""
    s = spider_keys
    return [
        s.queue,
        s.leases,
        s.payload,
        s.score,
        s.owner,
        keys.sequence,
        s.pages,
        keys.stream,
        keys.walked,
        keys.run,
        s.host,
        s.slots,
    ]


def commit(
    redis: Redis,
    keys: Keys,
    spider_keys: SpiderKeys,
    ops: list[tuple[Any, ...]],
    lease: str = "",
    worker: str = "",
    token: str = "",
) -> bool:
    """Run ``ops`` (see ``scripts.COMMIT``) and end ``lease`` in one step; False (and nothing
    done) when the lease is no longer ``worker``'s, or the run published is not the one of
    ``token`` (when given)."""
    done = scripts(redis).commit(
        keys=commit_keys(keys, spider_keys), args=[lease, worker, token, *flat(ops)]
    )
    return bool(done)


def slot(request: Request) -> str:
    """The download slot of ``request``: its host name, as Scrapy keys its slots (the key of the
    cluster's per-host limits, ``limiter.SharedLimiterMiddleware``)."""
    return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""


def push_op(request: Request, data: bytes) -> tuple[str, int, str, bytes]:
    """The ``R`` operation of a request: its queue score is minus its priority; its host
    ("slot host:port") lets ``scripts.LEASE`` pass it over while its host is busy."""
    return ("R", -request.priority, f"{slot(request)} {urlparse_cached(request).netloc}", data)


def reap(redis: Redis, spider_keys: SpiderKeys) -> int:
    """Put the expired leases of one spider's queue back; returns how many."""
    s = spider_keys
    keys = [s.queue, s.leases, s.score, s.owner, s.reaped, s.host, s.slots]
    return int(scripts(redis).reap(keys=keys))


class LeasedQueue(Base):
    """A priority queue whose ``pop`` leases (see the module docstring)."""

    def __init__(self, server: Redis, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = Keys()
        self.spider_keys = self.keys.spider(spider.name)
        self.lease_ms = int(lease_seconds() * 1000)
        self.window = lease_window()

    def __len__(self) -> int:
        return int(self.server.zcard(self.spider_keys.queue))

    def push(self, request: Request) -> None:
        """Queue a request Scrapy scheduled (a retry, a redirect), ending its parent's lease."""
        lease = request.meta.pop(LEASE, "")
        data = codec.encode_request(request, self.spider)
        ops: list[tuple[Any, ...]] = [push_op(request, data)]
        ops += self.spider.pending_faults(request.url)
        if not self.spider.commit(ops, lease):
            self.spider.lease_lost(request)
        self.spider.held.discard(lease)

    def pop(self, timeout: int = 0) -> Request | None:
        """Lease this worker the first request of the queue whose host can take one more (else
        the first), None when the queue is empty (see ``scripts.LEASE``)."""
        if self.spider.draining:
            return None  # stopping: finish what is leased, take nothing new
        s, k = self.spider_keys, self.keys
        found = scripts(self.server).lease(
            keys=[
                s.queue,
                s.leases,
                s.owner,
                s.payload,
                k.run,
                s.host,
                k.hosts,
                k.blocked,
                s.slots,
            ],
            args=[
                self.spider.worker_id,
                self.lease_ms,
                self.spider.run_token,
                self.window,
                k.host_prefix,
            ],
        )
        if not found:
            return None
        lease, data, place = found[0].decode(), found[1], int(found[2])
        stats = getattr(getattr(self.spider, "crawler", None), "stats", None)
        if stats is not None:  # how often the head's host was busy (see scripts.LEASE)
            if place == -1:
                stats.inc_value("normdocs/distributed/lease/all_busy")
            elif place == -2:
                stats.inc_value("normdocs/distributed/lease/beyond_window")
            elif place > 0:
                stats.inc_value("normdocs/distributed/lease/passed_over", place)
                stats.inc_value("normdocs/distributed/lease/not_head")
        request = codec.decode_request(data, self.spider)
        request.meta[LEASE] = lease
        self.spider.held.add(lease)
        self.spider.wrap(request)
        return request

    def clear(self) -> None:
        """Nothing: the queue is the run's, not this worker's (the coordinator clears it)."""


class LeasedScheduler(Scheduler):
    """scrapy-redis's scheduler, its stats calls without the ``spider`` argument and its
    opening without the deprecated ``Spider.log``."""

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if len(self.queue):
            spider.logger.info("joining the run: %d requests queued", len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def has_pending_requests(self) -> bool:
        """Whether this worker may take a request: not once it drains (SIGTERM). The run's queue
        is shared: counting it then would keep a draining worker open (never idle) until every
        other worker had emptied it — or for ever, were it the only worker."""
        if getattr(self.spider, "draining", False):
            return False
        return len(self) > 0

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
