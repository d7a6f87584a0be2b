"""What every family's spider shares: list entries → detail pages → records, honestly counted.

A family spider (Hanweb, Jiangxi's new platform, TRS, gkmlpt …) subclasses ``FamilySpider`` and
implements only what differs between CMS families:

- ``start_column(crawl)``: the first request(s) of a column (default: GET the column URL into
  ``parse_column``), and ``parse_column`` plus its own list-page callbacks, which discover the
  column's parameters, set ``crawl.stats.reported`` (the site's own total) and hand every list
  answer's entries to ``take(crawl, entries)``;
- ``parser``: the module of pure parser functions (``parse_document`` / ``parse_interpretation``)
  that ``parse_page`` calls for a detail page.

Everything else lives here: per-column counters (``ColumnStats``), following each list entry to
its detail page once (credited to every column that lists it), parsing, fetching attachments and
extracting their text before the record is emitted, turning every failure into a ``CrawlError``
item (stored in ``crawl_errors``) while the crawl goes on, and backing off from blocked hosts.

Hook points (for incremental crawling and other policies):

- ``wants_more(crawl)``: whether a list walk should ask for its next page; every family asks it
  before requesting one. ``stop_column(crawl, reason)`` makes it answer False from then on.
- ``take(crawl, entries)`` → ``accept_entry(crawl, entry)`` for each new entry: the place to stop a
  column when known, unchanged items are reached.
- ``detail_request(entry, page)``: builds the detail request (the place for conditional requests).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from corpus.store.identity import canonical_url
from corpus.store.records import (
    CrawlError,
    DocumentRecord,
    InterpretationRecord,
    ListEntry,
    ParseError,
)
from corpus.store.save import utcnow
from crawler.attachments import READABLE, AttachmentError, answer_ext, extract_text
from crawler.errors import challenge_reason, classify_failure, fault_seen
from crawler.incremental import Incremental
from crawler.sites import Site, load_sites, select_sites
from crawler.stats import ColumnStats
from crawler.walk import ColumnCrawl, Page

logger = logging.getLogger(__name__)

Record = DocumentRecord | InterpretationRecord
MAX_PAGES = 2000  # a safety stop for a list that never says how many pages it has


class FamilySpider(scrapy.Spider):
    """Crawls the sites of one CMS family from a registry (``sites``, or ``sites_file`` [+ ``site``])."""

    family: ClassVar[str] = ""
    parser: ClassVar[ModuleType | None] = None  # parse_document / parse_interpretation

    def __init__(
        self,
        sites: list[Site] | None = None,
        sites_file: str = "",
        site: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if sites is None:
            sites = select_sites(load_sites(sites_file), site)
        self.sites = [s for s in sites if s.family == self.family]
        self.sites_file = sites_file
        self.column_stats: dict[str, ColumnStats] = {}
        self.pages: dict[str, Page] = {}
        self.blocked_hosts: dict[str, str] = {}
        # What a recrawl may skip (crawler/incremental.py); the real one is made in ``start``.
        self.incremental = Incremental.disabled(self)

    # ------------------------------------------------------------ columns

    async def start(self) -> AsyncIterator[Request]:
        self.incremental = Incremental.for_spider(self)
        for site in self.sites:
            for column in site.columns:
                stats = ColumnStats(site.name, column.url, column.kind, column.title)
                self.column_stats[column.url] = stats
                crawl = ColumnCrawl(site, column, stats)
                self.incremental.open_column(crawl)
                for request in self.start_column(crawl):
                    yield request

    def start_column(self, crawl: ColumnCrawl) -> Iterable[Request]:
        """The first request of a column: its page, into ``parse_column``."""
        yield self.list_request(crawl, crawl.column.url, self.parse_column)

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """The column page: the family discovers its parameters and starts the list walk."""
        raise NotImplementedError

    def list_request(
        self,
        crawl: ColumnCrawl,
        url: str,
        callback: Any,
        *,
        method: str = "GET",
        formdata: dict[str, str] | None = None,
        errback: Any = None,
        **cb_kwargs: Any,
    ) -> Request:
        """A request for a list page or list answer of ``crawl``'s column (never deduplicated)."""
        kwargs = {"crawl": crawl, **cb_kwargs}
        if formdata is not None:
            return scrapy.FormRequest(
                url,
                formdata=formdata,
                method=method,
                callback=callback,
                errback=errback or self.list_failed,
                cb_kwargs=kwargs,
                dont_filter=True,
            )
        return Request(
            url,
            method=method,
            callback=callback,
            errback=errback or self.list_failed,
            cb_kwargs=kwargs,
            dont_filter=True,
        )

    def wants_more(self, crawl: ColumnCrawl) -> bool:
        """Whether the list walk should go on: not stopped, and short of the reported total."""
        if crawl.stopped:
            return False
        reported = crawl.stats.reported
        return reported is None or len(crawl.seen) < reported

    def stop_column(self, crawl: ColumnCrawl, reason: str) -> None:
        """End ``crawl``'s list walk early (``wants_more`` answers False from now on)."""
        if not crawl.stopped:
            crawl.stopped = reason
            crawl.stats.notes.append(reason)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        """A column page or list answer that could not be had."""
        crawl = failure.request.cb_kwargs["crawl"]  # type: ignore[attr-defined]
        error_class, status, reason = classify_failure(failure)
        url = failure.request.url  # type: ignore[attr-defined]
        self.note_block(url, error_class, reason)
        yield self.list_error(crawl, url, error_class, reason, status)

    def list_error(
        self, crawl: ColumnCrawl, url: str, error_class: str, reason: str, status: int | None = None
    ) -> CrawlError:
        """A ``CrawlError`` for the list walk of ``crawl``, counted and noted on its column."""
        crawl.stats.errors += 1
        crawl.stats.notes.append(f"list walk stopped at {len(crawl.seen)}: {reason} ({url})")
        return CrawlError(url, reason, error_class, crawl.site.name, status)

    def unparseable_list(self, crawl: ColumnCrawl, response: Response, reason: str) -> CrawlError:
        """A list page that could not be read: a challenge page (host blocked) or a parse error."""
        challenge = challenge_reason(response)
        if challenge:
            self.note_block(response.url, "blocked", challenge)
        return self.list_error(
            crawl,
            response.url,
            "blocked" if challenge else "parse",
            challenge or reason,
            response.status,
        )

    # ------------------------------------------------------------ items

    def take(self, crawl: ColumnCrawl, entries: Iterable[ListEntry]) -> Generator[Any, None, int]:
        """Schedule the new entries of a list answer; returns (``yield from``) how many were new.

        Repeats within a column are dropped (Hanweb quirk: some proxies repeat the previous
        group's last record); an entry listed by another column too is fetched once and credited
        to both.
        """
        entries = list(entries)
        if not entries and not crawl.stats.listed and crawl.stats.reported:
            self.unreadable_list(crawl)
        new = 0
        for entry in entries:
            url = canonical_url(entry.url)
            if url in crawl.seen:
                continue
            if not self.accept_entry(crawl, entry):
                break
            crawl.seen.add(url)
            crawl.stats.listed += 1
            new += 1
            page = self.pages.get(url)
            if page is not None:
                page.columns.append(crawl)
                if page.state == "fetched":
                    crawl.stats.fetched += 1
                elif page.state == "known":
                    crawl.stats.known += 1
                continue
            page = self.pages[url] = Page(url, [crawl])
            request = self.detail_request(entry, page)
            if request is not None:
                yield request
        listed = self.incremental.flush(crawl)
        if listed is not None:
            yield listed  # remembered in column_items, where the next crawl may stop
        return new

    def unreadable_list(self, crawl: ColumnCrawl) -> None:
        """The site reports items but its list shows none we can read: say so, loudly.

        A redesigned list template is the usual cause; a crawl of it must never look like a
        site with nothing new.
        """
        why = (
            f"LAYOUT CHANGED? the site reports {crawl.stats.reported} items but its list shows "
            "none the parser can read"
        )
        if why not in crawl.stats.notes:
            crawl.stats.notes.append(why)
            logger.warning("%s (%s): %s", crawl.column.url, crawl.site.name, why)

    def accept_entry(self, crawl: ColumnCrawl, entry: ListEntry) -> bool:
        """Whether to take ``entry`` and go on with this list answer (False ends the answer).

        An incremental crawl stops the column here once it reaches known, unchanged items.
        """
        return self.incremental.accept(crawl, entry)

    def detail_request(self, entry: ListEntry, page: Page) -> Request | None:
        """The request for a detail page; None when its host is blocked."""
        host = urlsplit(entry.url).netloc
        crawl = page.columns[0]
        if host in self.blocked_hosts:
            page.state = "failed"
            crawl.stats.notes.append(f"host {host} is blocked: {self.blocked_hosts[host]}")
            return None
        request = Request(
            entry.url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"entry": entry, "page": page},
            dont_filter=True,
        )
        # Known and unchanged: None (not requested); known: a conditional request.
        return self.incremental.prepare(request, page)

    def parse_detail(self, response: Response, entry: ListEntry, page: Page) -> Iterator[Any]:
        """A detail page → a record; its attachments are fetched before it is emitted."""
        crawl = page.columns[0]
        if response.status == 304:  # a conditional request: the page is as stored
            yield from self.incremental.not_modified(response, page)
            return
        try:
            if not isinstance(response, TextResponse):
                raise ParseError("page: not an HTML page")
            record = self.parse_page(response, crawl, entry)
        except ParseError as exc:
            challenge = challenge_reason(response)
            page.state = "failed"
            crawl.stats.errors += 1
            if challenge:
                self.note_block(response.url, "blocked", challenge)
            yield CrawlError(
                response.url,
                challenge or str(exc),
                "blocked" if challenge else "parse",
                crawl.site.name,
                response.status,
            )
            return
        repair = record.meta.get("layout_repair")
        if repair:  # a body no known container held: read all the same, and said so
            error = CrawlError(response.url, repair, "layout", crawl.site.name, response.status)
            self.crawler.signals.send_catch_log(signal=fault_seen, error=error, outcome="repaired")
        if record.url != page.url:
            # Redirected: the list's URL stays the page's identity; where it led is kept.
            record.meta["final_url"] = record.url
            record.url = page.url
        record.fetched_at = utcnow()
        page.state = "fetched"
        for listed_by in page.columns:
            listed_by.stats.fetched += 1
        self.incremental.remember(response)  # its validators, stored with the record
        yield from self.next_attachment(record, 0)

    def parse_page(self, response: TextResponse, crawl: ColumnCrawl, entry: ListEntry) -> Record:
        """The family parser's record for a detail page of ``crawl``'s column."""
        parser = self.parser
        assert parser is not None, f"{type(self).__name__} names no parser module"
        column = crawl.column
        if column.kind == "interpretation":
            return parser.parse_interpretation(
                response, site=crawl.site.name, column_url=column.url, entry=entry
            )
        return parser.parse_document(
            response, site=crawl.site.name, kind=column.kind, column_url=column.url, entry=entry
        )

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        entry, page = kwargs["entry"], kwargs["page"]
        crawl = page.columns[0]
        removed = self.incremental.gone(failure, page)
        if removed is not None:  # a stored page its site no longer has: marked, never deleted
            yield removed
            return
        error_class, status, reason = classify_failure(failure)
        page.state = "failed"
        crawl.stats.errors += 1
        self.note_block(entry.url, error_class, reason)
        yield CrawlError(entry.url, reason, error_class, crawl.site.name, status)

    def note_block(self, url: str, error_class: str, reason: str) -> None:
        """Back off from a host that answers with an anti-bot challenge: request it no more."""
        if error_class == "blocked":
            host = urlsplit(url).netloc
            if host not in self.blocked_hosts:
                logger.warning("host %s is blocked (%s): requesting it no more", host, reason)
            self.blocked_hosts.setdefault(host, reason)

    # ------------------------------------------------------------ attachments

    def next_attachment(self, record: Record, index: int) -> Iterator[Any]:
        """Fetch attachment ``index`` (chained one after another), then emit the record."""
        for i in range(index, len(record.attachments)):
            att = record.attachments[i]
            if att.ext and att.ext not in READABLE:  # no ext: the download will tell
                att.error = f"text extraction not supported for .{att.ext}"
                continue
            if self.incremental.known_attachment(att):
                continue  # read on an earlier crawl: the same file, not downloaded again
            yield Request(
                att.url,
                callback=self.parse_attachment,
                errback=self.attachment_failed,
                cb_kwargs={"record": record, "index": i},
                dont_filter=True,  # the same file may hang under two pages
            )
            return
        yield record

    def parse_attachment(self, response: Response, record: Record, index: int) -> Iterator[Any]:
        att = record.attachments[index]
        att.size = len(response.body)
        if not att.ext:  # a download address that named no type: the answer says it
            att.ext = answer_ext(response.body, response.headers)
        try:
            att.text = extract_text(response.body, att.ext)
            att.error = None
        except AttachmentError as exc:
            att.error = str(exc)
            yield self.attachment_error(record, att.url, "attachment", str(exc), response.status)
        yield from self.next_attachment(record, index + 1)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        record, index = kwargs["record"], kwargs["index"]
        att = record.attachments[index]
        error_class, status, reason = classify_failure(failure)
        att.error = reason
        yield self.attachment_error(record, att.url, error_class, reason, status)
        yield from self.next_attachment(record, index + 1)

    def attachment_error(
        self, record: Record, url: str, error_class: str, reason: str, status: int | None
    ) -> CrawlError:
        stats = self.column_stats.get(record.column_url)
        if stats is not None:
            stats.errors += 1
        return CrawlError(
            url, f"{reason} (attached to {record.url})", error_class, record.site, status
        )


def response_text(response: Response) -> str:
    """A list answer as text (XML or JSON: Scrapy may hand it over as a plain Response)."""
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", errors="replace")
