"""The spiders of a distributed crawl: the family spiders, with their output committed to Redis.

A single-machine crawl keeps its state in the spider: each column's walk (``ColumnCrawl``),
every page seen (``Page``), the hosts found blocked, the counters. Across workers that memory
cannot be shared, so here:

- **A column's walk travels with it.** The list walk of a column is a chain (each list answer
  asks for the next page), so its state goes pickled in the list request: the ``ColumnCrawl`` in
  ``cb_kwargs`` as always, the incremental plan in ``meta``. A list callback whose output holds
  no next list request ended the walk: its final state is stored in Redis (``walked``).
- **Every request's outcome is one step.** A callback runs to the end here (``Wrapped``), and
  everything it gave — new requests, items, page claims — is committed in one Lua script
  together with the end of the request's lease (``queue.commit``). A worker killed at any moment
  has committed a request's outcome whole, or not at all (then the lease expires and another
  worker does it again). Items go to the writer's stream, never through Scrapy's item pipeline.
- **Pages are claimed in Redis.** The first column listing a page claims it in the run's
  registry (HSETNX) in the same step as its request is queued; a page claimed already is not
  requested again. Which columns listed which pages goes to the writer (``ColumnListed``), which
  credits a fetched page to every one of them.
- **Counting happens at the writer.** A detail request carries a light copy of its columns;
  whatever the family code adds to their counters (an error, a removal, a note) is measured and
  sent as a ``Tally``. The writer counts fetched, known and stored pages from what it stores.
- **Blocked hosts and the incremental memory are shared**: a Redis hash, and the snapshot the
  coordinator took of the library (``SharedIncremental``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from redis import Redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from corpus.store.records import Attachment, CrawlError, DocumentRecord, InterpretationRecord
from crawler.distributed import codec, run
from crawler.distributed.items import (
    KNOWN_TEXT,
    Blocked,
    ColumnListed,
    Fault,
    PageOutcome,
    StoredRecord,
    Tally,
    WorkerStats,
)
from crawler.distributed.keys import Keys
from crawler.distributed.queue import LEASE, commit, push_op
from crawler.errors import fault_seen, host_blocked
from crawler.incremental import Incremental, ListedEntries, Policy
from crawler.spiders.base import FamilySpider
from crawler.stats import ColumnStats
from crawler.walk import ColumnCrawl, Page

logger = logging.getLogger(__name__)

PLAN = "normdocs_plan"  # request.meta: the column's incremental plan (list requests)
VALIDATORS = "normdocs_validators"  # request.meta: the page's validators (attachment requests)
_BLOCKED_REFRESH = 1.0  # seconds a worker trusts its copy of the blocked hosts
# The run's memory, read once per worker process (its spiders share it: it is read only), by
# run token. A worker process crawls one run (it starts afresh for the next).
_MEMORY: dict[str, Any] = {}


def shared_memory(redis: Redis, keys: Keys, token: str) -> Any:
    """The library's memory the run published, loaded from Redis once per process and run."""
    found = _MEMORY.get(token)
    if found is None:
        _MEMORY.clear()
        found = _MEMORY[token] = run.load_memory(redis, keys)
    return found


def light(crawl: ColumnCrawl) -> ColumnCrawl:
    """A column as a detail request carries it: who it is, fresh counters, no walk state."""
    column = crawl.column
    stats = ColumnStats(crawl.site.name, column.url, column.kind, column.title)
    return ColumnCrawl(crawl.site, column, stats)


def lighten(page: Page) -> None:
    """Replace a page's columns by light copies (a walk's ``seen`` is not sent with every page)."""
    page.columns = [light(c) for c in page.columns]


class ClaimBook:
    """The spider's ``pages`` during one list callback: every page the walk meets is new here.

    ``FamilySpider.take`` asks ``pages.get(url)`` and stores ``pages[url] = Page(…)``: here the
    first answers None (the registry in Redis decides, when the output is committed) and the
    second notes a claim.
    """

    def __init__(self) -> None:
        self.claims: list[tuple[str, Page, str]] = []  # (url, page, claiming column)

    def get(self, url: str, default: Any = None) -> Any:
        return default

    def __contains__(self, url: object) -> bool:
        return False

    def __setitem__(self, url: str, page: Page) -> None:
        self.claims.append((url, page, page.columns[0].column.url))


class SharedBlocked(dict):
    """The blocked hosts of the run (a Redis hash), read at most once a second."""

    def __init__(self, redis: Redis, key: str) -> None:
        super().__init__()
        self.redis, self.key, self.read_at = redis, key, 0.0

    def refresh(self) -> SharedBlocked:
        if time.monotonic() - self.read_at >= _BLOCKED_REFRESH:
            found = self.redis.hgetall(self.key)
            self.update({k.decode(): v.decode() for k, v in found.items()})
            self.read_at = time.monotonic()
        return self

    def setdefault(self, host: str, reason: str) -> str:  # type: ignore[override]
        self.redis.hsetnx(self.key, host, reason)
        return super().setdefault(host, reason)


class SharedIncremental(Incremental):
    """The incremental policy on a worker: the run's memory and policy, from Redis.

    What happens once every walk is over (re-checks, removals, crediting known pages an
    incremental walk did not reach) is the coordinator's, once for the whole run.
    """

    def __init__(self, spider: Any, policy: Policy, memory: Any, redis: Redis, keys: Keys) -> None:
        super().__init__(spider, policy, memory, None)
        self.redis, self.keys = redis, keys
        # On a first crawl the library holds no attachment: then no attachment is asked about.
        self.any_known = policy.reuse_attachments and bool(redis.exists(keys.known_attachments))

    def flush(self, crawl: ColumnCrawl) -> ListedEntries | None:
        """The entries taken since the last flush (the library is the writer's, never None)."""
        plan = self.plans.get(crawl.column.url)
        if plan is None or not plan.listed:
            return None
        listed, plan.listed = plan.listed, []
        return ListedEntries(crawl.column.url, listed)

    def known_attachment(self, att: Attachment) -> bool:
        """An attachment the library holds with its text is not fetched; the writer fills it in."""
        if not self.any_known:
            return False
        if not self.redis.sismember(self.keys.known_attachments, att.url):
            return False
        att.text, att.size, att.error = KNOWN_TEXT, None, None
        return True

    def on_idle(self) -> None:
        """Nothing: the coordinator runs the end of the walks once for the run."""


class Wrapped:
    """A callback or errback run to its end by ``DistributedSpider.run_committed``."""

    def __init__(self, spider: DistributedSpider, original: Callable, errback: bool) -> None:
        self.spider, self.original, self.errback = spider, original, errback

    def __call__(self, answer: Response | Failure, **kwargs: Any) -> list:
        return self.spider.run_committed(self.original, answer, kwargs, self.errback)


class DistributedSpider(FamilySpider):
    """What a family spider does differently in a distributed crawl (see the module docstring).

    ``distributed(family_spider)`` makes the class; it is used by workers (with a crawler) and by
    the coordinator (without one: to encode the requests it seeds and re-checks).
    """

    worker_id = ""
    run_token = ""  # the token of the run this worker crawls ('' for the coordinator: any)

    def __init__(self, *args: Any, redis: Redis | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis = redis
        self.keys = Keys()
        self.spider_keys = self.keys.spider(self.name)
        self.held: set[str] = set()  # lease ids this worker holds
        self.draining = False  # SIGTERM: finish what is leased, take nothing new
        self.faults: dict[str, list[tuple[str, bytes]]] = {}  # url → X operations not sent yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.redis = Redis.from_url(crawler.settings["REDIS_URL"])
        spider.worker_id = crawler.settings["NORMDOCS_WORKER_ID"]
        spider.run_token = crawler.settings.get("NORMDOCS_RUN_TOKEN") or ""
        spider.blocked_hosts = SharedBlocked(spider.redis, spider.keys.blocked)
        crawler.signals.connect(spider.on_fault, signal=fault_seen)
        crawler.signals.connect(spider.on_blocked, signal=host_blocked)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    # ------------------------------------------------------------ a worker's life

    async def start(self) -> AsyncIterator[Request]:
        """Nothing to start: the coordinator seeded the queue; requests come from Redis."""
        assert self.redis is not None
        info = self.crawler.settings["NORMDOCS_RUN"]
        memory = shared_memory(self.redis, self.keys, self.run_token)
        self.incremental = SharedIncremental(self, info.policy, memory, self.redis, self.keys)
        for site in self.sites:
            for column in site.columns:
                stats = ColumnStats(site.name, column.url, column.kind, column.title)
                self.column_stats[column.url] = stats
        for _ in ():
            yield _

    def on_idle(self) -> None:
        """Stay open while the run goes on: other workers may queue more at any moment."""
        if self.draining:
            return
        _, state = run.state(self.redis, self.keys)
        if state not in (run.SEEDING, run.RUNNING):
            return
        if self.run_token and run.token(self.redis, self.keys) != self.run_token:
            return  # our run was cleared away (its coordinator gone), another one published
        raise DontCloseSpider

    def on_closed(self, spider: Any, reason: str) -> None:
        """Send what is left and this spider's Scrapy stats to the writer."""
        ops = [op for url in list(self.faults) for op in self.pending_faults(url)]
        host, pid = self.worker_id.rsplit(":", 1)
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        ops.append(
            ("X", codec.dumps(WorkerStats(self.worker_id, host, int(pid), self.name, stats)))
        )
        self.commit(ops)

    def on_fault(self, error: CrawlError, outcome: str) -> None:
        """A fault retried or repaired: sent with the outcome of the request it happened to."""
        self.faults.setdefault(error.url, []).append(("X", codec.dumps(Fault(error, outcome))))

    def on_blocked(self, host: str, site: str, url: str, status: int | None, reason: str) -> None:
        """A blocked host: every worker leaves it alone from now on, and the writer records it."""
        self.redis.hsetnx(self.keys.blocked, host, reason)
        if status is not None:
            self.redis.hsetnx(self.keys.blocked_status, host, status)
        item = codec.dumps(Blocked(host, site, url, status, reason))
        self.commit([("X", item)])

    def commit(self, ops: list[tuple[Any, ...]], lease: str = "") -> bool:
        """Commit ``ops`` (and end ``lease``) if the run published is still this worker's."""
        return commit(
            self.redis, self.keys, self.spider_keys, ops, lease, self.worker_id, self.run_token
        )

    def pending_faults(self, url: str) -> list[tuple[str, bytes]]:
        """The stream operations of the faults met on ``url`` not sent yet (and forget them)."""
        return self.faults.pop(url, [])

    def lease_lost(self, request: Request) -> None:
        """Our lease ran out before we were done: another worker does (or did) this request."""
        logger.warning("lease lost, outcome dropped (another worker takes it): %s", request.url)
        self.crawler.stats.inc_value("normdocs/distributed/lease_lost")

    def wrap(self, request: Request) -> None:
        """Make a request's callback and errback run through ``run_committed``."""
        if request.callback is not None:
            request.callback = Wrapped(self, request.callback, errback=False)
        if request.errback is not None:
            request.errback = Wrapped(self, request.errback, errback=True)

    # ------------------------------------------------------------ one request, one commit

    def run_committed(
        self, method: Callable, answer: Response | Failure, kwargs: dict, errback: bool
    ) -> list:
        """Run a callback (or errback) to its end and commit all it gave, with the lease's end."""
        request: Request = answer.request  # type: ignore[union-attr]
        context = request.cb_kwargs
        crawl: ColumnCrawl | None = context.get("crawl")
        page = detail_page(context)
        record = context.get("record")
        if crawl is not None and request.meta.get(PLAN) is not None:
            self.incremental.plans[crawl.column.url] = request.meta[PLAN]
        if record is not None and request.meta.get(VALIDATORS) is not None:
            self.incremental.validators[record.url] = request.meta[VALIDATORS]
        watched = [(c.column.url, c.stats) for c in page.columns] if page is not None else []
        if record is not None and record.column_url in self.column_stats:
            watched.append((record.column_url, self.column_stats[record.column_url]))
        before = [(s.errors, s.removed, len(s.notes)) for _, s in watched]
        book = self.pages = ClaimBook()  # type: ignore[assignment]
        if isinstance(self.blocked_hosts, SharedBlocked):
            self.blocked_hosts.refresh()
        outputs: list[Any] = []
        try:
            result = method(answer) if errback else method(answer, **kwargs)
            for out in result or ():
                outputs.append(out)
        except Exception:
            logger.exception("spider error on %s (its output so far is kept)", request.url)
            self.crawler.stats.inc_value("spider_exceptions/count")
        lease = request.meta.get(LEASE, "")
        try:
            ops = self._operations(request, crawl, book, outputs)
            ops += self._tallies(watched, before)
            ops += self.pending_faults(request.url)
            if isinstance(answer, Response) and answer.url != request.url:
                ops += self.pending_faults(answer.url)
            if not self.commit(ops, lease):
                self.lease_lost(request)
        except Exception:
            # Not committed: the lease is left to expire, and the request is done again.
            logger.exception("could not commit the outcome of %s", request.url)
            self.crawler.stats.inc_value("normdocs/distributed/commit_failed")
        finally:
            self.held.discard(lease)
            self.incremental.validators.clear()
        return []

    def _operations(
        self, request: Request, crawl: ColumnCrawl | None, book: ClaimBook, outputs: list[Any]
    ) -> list[tuple[Any, ...]]:
        """The commit's operations for a callback's output, page claims grouped with theirs."""
        groups: dict[int, list[tuple[Any, ...]]] = {id(p): [] for _, p, _ in book.claims}
        ops: list[tuple[Any, ...]] = []
        walking = False
        for out in outputs:
            if isinstance(out, Request):
                kwargs = out.cb_kwargs
                if crawl is not None and kwargs.get("crawl") is crawl:
                    out.meta[PLAN] = self.incremental.plans.get(crawl.column.url)
                    walking = True
                record = kwargs.get("record")
                if record is not None:
                    answer = self.incremental.validators.pop(record.url, None)
                    if answer is not None:
                        out.meta[VALIDATORS] = answer
                page = detail_page(kwargs)
                if page is not None:
                    lighten(page)
                op = push_op(out, codec.encode_request(out, self))
                group = groups.get(id(page)) if page is not None else None
                (group if group is not None else ops).append(op)
                continue
            if isinstance(out, DocumentRecord | InterpretationRecord):
                answer = self.incremental.validators.pop(out.url, None)
                out = StoredRecord(out, answer)
            ops.append(("X", codec.dumps(out)))
        for url, page, column_url in book.claims:
            group = groups[id(page)]
            if page.state == "known":
                group.append(("X", codec.dumps(PageOutcome(url, "known", column_url))))
            ops += [("C", url, column_url, len(group)), *group]
        if book.claims:
            column_url = book.claims[0][2]
            listed = ColumnListed(column_url, [url for url, _, _ in book.claims])
            ops.append(("X", codec.dumps(listed)))
        if crawl is not None and not walking:
            ops.append(("W", crawl.column.url, codec.dumps(crawl)))
        return ops

    def _tallies(
        self, watched: list[tuple[str, ColumnStats]], before: list[tuple[int, int, int]]
    ) -> list[tuple[str, bytes]]:
        """What the family code added to the light columns' counters, as ``Tally`` items."""
        tallies: dict[str, Tally] = {}
        for (column_url, stats), (errors, removed, notes) in zip(watched, before, strict=True):
            tally = tallies.setdefault(column_url, Tally(column_url))
            for name, delta in (
                ("errors", stats.errors - errors),
                ("removed", stats.removed - removed),
            ):
                if delta:
                    tally.counts[name] = tally.counts.get(name, 0) + delta
            tally.notes += stats.notes[notes:]
        return [("X", codec.dumps(t)) for t in tallies.values() if t.counts or t.notes]


_CLASSES: dict[type, type] = {}


def distributed(spider_cls: type[FamilySpider]) -> type[DistributedSpider]:
    """The distributed spider of a family (``HanwebSpider`` → ``DistributedHanwebSpider``)."""
    found = _CLASSES.get(spider_cls)
    if found is None:
        name = f"Distributed{spider_cls.__name__}"
        found = _CLASSES[spider_cls] = type(name, (DistributedSpider, spider_cls), {})
    return found


def detail_page(cb_kwargs: dict) -> Page | None:
    """The detail page a request is for (list requests may carry a page *number*)."""
    page = cb_kwargs.get("page")
    return page if isinstance(page, Page) else None
