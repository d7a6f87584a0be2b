"""Incremental, resumable crawling: what a recrawl may skip, and what it must look at again.

A daily refresh must not download the province again. ``FamilySpider`` asks ``Incremental`` at
its hooks (``crawler/spiders/base.py``); the policy, in the order a crawl meets it:

1. **Columns.** A column whose last crawl accounted for everything it reported is walked
   *incrementally*: the walk stops once ``stop_after`` consecutive list entries are known and
   unchanged (stored, same title and date as last listed), provided the site's total equals what
   we know plus what was new on the way. Any disagreement (a removal, an insertion deep in the
   list) turns it into a *full* walk, as does a column never crawled completely (so a killed
   crawl resumes by walking again) or one not fully walked for ``full_walk_days``.
2. **Detail pages.** Known, unchanged pages are not downloaded, unless due for a periodic
   re-check (their 有效性 may change on the page while the list stays the same): due after
   ``recheck_days`` × (½ … 1), spread by URL so the re-checks do not all fall on one day. A page
   that is known but listed differently, or due, gets a conditional GET (``If-None-Match`` /
   ``If-Modified-Since`` from last time): 304 means unchanged; a 200 is parsed and its content
   hash decides whether it changed (``corpus.store.save`` keeps every content as a version).
3. **Removals.** After a full walk, known pages the list no longer shows are requested once: a
   404 or 410 marks them removed (kept in the library, with the date); a page still there stays.
4. **Attachments** already stored with their text are not downloaded again.

Resumability needs nothing more: every record is stored in one transaction as soon as it is
complete, so a killed crawl leaves only whole records; the next run finds them known and fetches
the rest. ``crawl_lock`` keeps two crawls off one library and lets the next run mark a killed
run's row as interrupted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from corpus.store.identity import canonical_url
from corpus.store.records import Attachment, ListEntry
from crawler.walk import ColumnCrawl, Page

logger = logging.getLogger(__name__)

GONE = (404, 410)


# ---------------------------------------------------------------- items for the pipeline


@dataclass
class ListedEntries:
    """A list answer's entries as listed (url, title, date), remembered in ``column_items``."""

    column_url: str
    entries: list[tuple[str, str, str]]


@dataclass
class PageChecked:
    """What the server said of a detail page: 200 (with validators) or 304 Not Modified."""

    url: str
    status: int
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PageRemoved:
    """A known page that its site no longer has (404/410): marked removed, never deleted."""

    url: str
    status: int
    site: str


# ---------------------------------------------------------------- policy and memory


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _unit(text: str) -> float:
    """A number in [0, 1) from ``text``: spreads re-checks over days, the same on every run."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Policy:
    """How incremental a crawl is (settings ``NORMDOCS_*``, see crawler/settings.py)."""

    enabled: bool = True
    stop_after: int = 5
    recheck_days: float = 30.0
    full_walk_days: float = 7.0
    reuse_attachments: bool = True
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Policy:
        """The policy of a crawl; ``NORMDOCS_NOW`` (ISO) pins "now" for tests and replays."""
        now = _parse_time(settings.get("NORMDOCS_NOW")) or datetime.now(UTC)
        return cls(
            enabled=settings.getbool("NORMDOCS_INCREMENTAL", True),
            stop_after=max(1, settings.getint("NORMDOCS_INCREMENTAL_STOP_AFTER", 5)),
            recheck_days=settings.getfloat("NORMDOCS_RECHECK_DAYS", 30.0),
            full_walk_days=settings.getfloat("NORMDOCS_FULL_WALK_DAYS", 7.0),
            reuse_attachments=settings.getbool("NORMDOCS_REUSE_ATTACHMENTS", True),
            now=now,
        )

    def due(self, url: str, last_checked: datetime | None) -> bool:
        """Whether a known page is due for a re-check (spread over ½ … 1 of the interval)."""
        if self.recheck_days <= 0 or last_checked is None:
            return True
        interval = timedelta(days=self.recheck_days * (0.5 + 0.5 * _unit(url)))
        return self.now - last_checked >= interval


@dataclass
class Known:
    """A page stored in the library, and what the server said of it last time."""

    table: str
    column_url: str
    removed: bool
    etag: str | None = None
    last_modified: str | None = None
    last_checked: datetime | None = None


@dataclass
class Memory:
    """What the library knows before the crawl starts (read once, from its own connection)."""

    pages: dict[str, Known] = field(default_factory=dict)
    columns: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    column_state: dict[str, dict[str, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, db_path: str | None) -> Memory:
        """Read the stored pages, their validators and each column's last list from the library."""
        memory = cls()
        if not db_path or not Path(db_path).exists():
            return memory
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "column_items" not in tables:
                return memory  # a library from before incremental crawling: nothing to go on
            for table in ("documents", "interpretations"):
                for url, column_url, removed, fetched in conn.execute(
                    f"SELECT url, column_url, removed_at, fetched_at FROM {table}"
                ):
                    memory.pages[url] = Known(
                        table, column_url or "", bool(removed), last_checked=_parse_time(fetched)
                    )
            for url, etag, modified, checked in conn.execute(
                "SELECT url, etag, last_modified, last_checked_at FROM http_state"
            ):
                known = memory.pages.get(url)
                if known is not None:
                    known.etag, known.last_modified = etag, modified
                    known.last_checked = _parse_time(checked) or known.last_checked
            for column_url, url, title, date in conn.execute(
                "SELECT column_url, url, title, date FROM column_items"
            ):
                memory.columns.setdefault(column_url, {})[url] = (title or "", date or "")
            for url, crawled, complete, walked in conn.execute(
                "SELECT url, last_crawled_at, last_complete_at, last_full_walk_at FROM columns"
            ):
                memory.column_state[url] = {
                    "last_crawled_at": crawled,
                    "last_complete_at": complete,
                    "last_full_walk_at": walked,
                }
        finally:
            conn.close()
        return memory

    def column_pages(self, column_url: str) -> dict[str, tuple[str, str]]:
        """The pages a column listed last time (for an older library: those stored from it)."""
        listed = self.columns.get(column_url)
        if listed:
            return listed
        return {u: ("", "") for u, k in self.pages.items() if k.column_url == column_url}

    def stored(self, url: str) -> bool:
        """Whether ``url`` is in the library and not marked removed."""
        known = self.pages.get(url)
        return known is not None and not known.removed


@dataclass
class ColumnPlan:
    """The incremental state of one column's walk in this crawl."""

    crawl: ColumnCrawl
    mode: str  # incremental | full
    run_of_known: int = 0
    new: int = 0
    listed: list[tuple[str, str, str]] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # url → new | changed | known


# ---------------------------------------------------------------- the spider's helper


class Walker(Protocol):
    """What the policy asks of the spider it serves (``crawler.spiders.base.FamilySpider``)."""

    crawler: Crawler
    pages: dict[str, Page]  # every detail page of the crawl, by canonical URL
    blocked_hosts: dict[str, str]  # host → why it is requested no more

    def stop_column(self, crawl: ColumnCrawl, reason: str) -> None: ...

    def parse_detail(self, response: Response, entry: ListEntry, page: Page) -> Iterator[Any]: ...

    def detail_failed(self, failure: Failure) -> Iterator[Any]: ...


class Incremental:
    """The incremental policy applied to one spider's crawl (see the module docstring)."""

    def __init__(self, spider: Walker, policy: Policy, memory: Memory, db_path: str | None) -> None:
        self.spider = spider
        self.policy = policy
        self.memory = memory
        self.db_path = db_path
        self.plans: dict[str, ColumnPlan] = {}
        self.scheduled: set[str] = set()  # pages requested at idle (re-checks, confirmations)
        # A 200 answer's validators, by URL, until the pipeline stores the page's record: handed
        # over in memory, not as items (an item per page costs Scrapy's item machinery).
        self.validators: dict[str, PageChecked] = {}
        self.finished = False
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def for_spider(cls, spider: Walker) -> Incremental:
        """Read the library named by ``NORMDOCS_DB`` and hook into the spider's idle signal."""
        settings = spider.crawler.settings
        db_path = settings.get("NORMDOCS_DB")
        helper = cls(spider, Policy.from_settings(settings), Memory.load(db_path), db_path)
        spider.crawler.signals.connect(helper.on_idle, signal=signals.spider_idle)
        spider.crawler.signals.connect(helper.close, signal=signals.spider_closed)
        return helper

    @classmethod
    def disabled(cls, spider: Walker) -> Incremental:
        """A helper that changes nothing (a spider used without a crawler, e.g. in unit tests)."""
        return cls(spider, Policy(enabled=False, recheck_days=0), Memory(), None)

    # ------------------------------------------------------------ columns and list entries

    def open_column(self, crawl: ColumnCrawl) -> None:
        """Decide how ``crawl``'s column is walked this time: incrementally, or in full."""
        url = crawl.column.url
        state = self.memory.column_state.get(url, {})
        complete, crawled = state.get("last_complete_at"), state.get("last_crawled_at")
        walked = _parse_time(state.get("last_full_walk_at"))
        mode = "full"
        if not self.policy.enabled:
            crawl.stats.notes.append("incremental crawling is off: full walk")
        elif not complete or complete != crawled:
            if crawled:
                crawl.stats.notes.append("last crawl of this column was incomplete: full walk")
        elif walked is None or self.policy.now - walked >= timedelta(
            days=self.policy.full_walk_days
        ):
            crawl.stats.notes.append(
                f"periodic full walk (every {self.policy.full_walk_days:g} days)"
            )
        else:
            mode = "incremental"
        crawl.stats.mode = mode
        self.plans[url] = ColumnPlan(crawl, mode)

    def classify(self, column_url: str, url: str, entry: ListEntry) -> str:
        """``new`` (not stored), ``changed`` (listed differently than last time) or ``known``."""
        if not self.memory.stored(url):
            return "new"
        listed = self.memory.columns.get(column_url, {}).get(url)
        if listed is not None and listed != (entry.title, entry.date_raw):
            return "changed"
        return "known"

    def accept(self, crawl: ColumnCrawl, entry: ListEntry) -> bool:
        """Take a list entry; False stops the walk here (the rest of the list is known)."""
        if crawl.stopped:
            return False
        plan = self.plans.get(crawl.column.url)
        if plan is None:
            return True
        url = canonical_url(entry.url)
        plan.listed.append((url, entry.title, entry.date_raw))
        state = plan.states[url] = self.classify(crawl.column.url, url, entry)
        if state != "known":
            plan.run_of_known = 0
            plan.new += state == "new"
            return True
        plan.run_of_known += 1
        if plan.mode != "incremental" or plan.run_of_known < self.policy.stop_after:
            return True
        reported = crawl.stats.reported
        known = sum(1 for u in self.memory.column_pages(crawl.column.url) if self.memory.stored(u))
        expected = known + plan.new
        if reported is not None and reported == expected:
            self.spider.stop_column(
                crawl,
                f"incremental: stopped after {plan.run_of_known} known, unchanged items "
                f"({plan.new} new; the site's total {reported} = {known} known + {plan.new} new)",
            )
            return False
        plan.mode = "full"
        crawl.stats.mode = "full"
        crawl.stats.notes.append(
            f"incremental: the site reports {reported}, we know {known} and found {plan.new} "
            "new: walking the whole list"
        )
        return True

    def flush(self, crawl: ColumnCrawl) -> ListedEntries | None:
        """The entries taken since the last flush, for ``column_items``."""
        plan = self.plans.get(crawl.column.url)
        if plan is None or not plan.listed or self.db_path is None:
            return None
        listed, plan.listed = plan.listed, []
        return ListedEntries(crawl.column.url, listed)

    # ------------------------------------------------------------ detail pages

    def prepare(self, request: Request, page: Page) -> Request | None:
        """The detail request as the policy wants it: None (known, not due), conditional, or as is."""
        crawl = page.columns[0]
        plan = self.plans.get(crawl.column.url)
        state = plan.states.get(page.url, "new") if plan else "new"
        known = self.memory.pages.get(page.url)
        due = known is None or self.policy.due(page.url, known.last_checked)
        if state == "known" and self.policy.enabled and not due:
            page.state = "known"
            crawl.stats.known += 1
            return None
        return self.conditional(request, page.url)

    def conditional(self, request: Request, url: str) -> Request:
        """Add ``If-None-Match`` / ``If-Modified-Since`` from the last answer, if we have them."""
        known = self.memory.pages.get(url)
        if known is None or known.removed or not (known.etag or known.last_modified):
            return request
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        request.headers.update(headers)
        codes = [*request.meta.get("handle_httpstatus_list", []), 304]
        request.meta["handle_httpstatus_list"] = codes
        return request

    def remember(self, response: Response) -> None:
        """Keep a 200 answer's validators until the pipeline stores its record (``validators``)."""
        answer = self.checked(response)
        if answer.etag or answer.last_modified:
            self.validators[answer.url] = answer

    def checked(self, response: Response) -> PageChecked:
        """The validators of a detail page's answer."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        return PageChecked(
            canonical_url(response.request.url if response.request else response.url),
            response.status,
            etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None,
        )

    def not_modified(self, response: Response, page: Page) -> Iterator[PageChecked]:
        """A 304: the page is as stored; credit it to every column that listed it."""
        page.state = "known"
        for crawl in page.columns:
            crawl.stats.known += 1
            crawl.stats.not_modified += 1
        yield self.checked(response)

    def gone(self, failure: Failure, page: Page) -> PageRemoved | None:
        """A stored page that now answers 404/410: its removal (None for anything else)."""
        exc = failure.value
        if not isinstance(exc, HttpError) or exc.response.status not in GONE:
            return None
        if not self.memory.stored(page.url):
            return None
        page.state = "removed"
        crawl = page.columns[0]
        crawl.stats.removed += 1
        crawl.stats.notes.append(f"removed from the site: {page.url}")
        return PageRemoved(page.url, exc.response.status, crawl.site.name)

    def known_attachment(self, att: Attachment) -> bool:
        """Fill ``att`` from the library if this file was read before; True when it was."""
        if not self.policy.reuse_attachments or self.db_path is None:
            return False
        if self._conn is None:
            if not Path(self.db_path).exists():
                return False
            self._conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            row = self._conn.execute(
                "SELECT text, size FROM attachments WHERE url = ? AND text IS NOT NULL"
                " AND error IS NULL LIMIT 1",
                [att.url],
            ).fetchone()
        except sqlite3.Error:
            return False
        if row is None:
            return False
        att.text, att.size, att.error = row[0], row[1], None
        return True

    # ------------------------------------------------------------ the end of the walks

    def on_idle(self) -> None:
        """Once every list walk is over: confirm unlisted pages, re-check due ones, then account."""
        if self.finished:
            return
        requests = list(self.late_requests())
        if requests:
            for request in requests:
                self.spider.crawler.engine.crawl(request)
            raise DontCloseSpider
        self.finish()

    def late_requests(self) -> Iterator[Request]:
        """The requests once every list walk is over: known pages a full walk no longer showed
        (confirm removals) and known pages due for a re-check that no walk reached. Also run by
        the distributed crawl's coordinator, once per run (crawler/distributed/coordinator.py)."""
        for plan in self.plans.values():
            crawl = plan.crawl
            reported = crawl.stats.reported
            crawl.stats.full_walk = (
                not crawl.stopped and reported is not None and len(crawl.seen) >= reported
            )
            for url, (title, date) in self.memory.column_pages(crawl.column.url).items():
                if url in crawl.seen or url in self.scheduled or url in self.spider.pages:
                    continue
                known = self.memory.pages.get(url)
                if known is None or known.removed:
                    continue
                unlisted = crawl.stats.full_walk
                if not unlisted and not self.policy.due(url, known.last_checked):
                    continue
                if urlsplit(url).netloc in self.spider.blocked_hosts:
                    continue
                self.scheduled.add(url)
                page = self.spider.pages[url] = Page(url, [crawl])
                if unlisted:
                    crawl.stats.notes.append(f"no longer listed, checking: {url}")
                entry = ListEntry(url=url, title=title, date_raw=date)
                request = Request(
                    url,
                    callback=self.spider.parse_detail,
                    errback=self.spider.detail_failed,
                    cb_kwargs={"entry": entry, "page": page},
                    dont_filter=True,
                )
                yield self.conditional(request, url)

    def finish(self) -> None:
        """Credit the known pages an incremental walk did not reach to their columns."""
        self.finished = True
        for plan in self.plans.values():
            crawl = plan.crawl
            crawl.stats.mode = "incremental" if crawl.stopped else "full"
            if not crawl.stopped:
                continue
            for url in self.memory.column_pages(crawl.column.url):
                if (
                    url not in crawl.seen
                    and url not in self.spider.pages
                    and self.memory.stored(url)
                ):
                    crawl.stats.known += 1

    def close(self, spider: Walker) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
