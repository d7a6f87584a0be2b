"""The Hanweb JCMS (大汉) spider: one spider for every Hanweb site in the registry.

For each column: fetch the column page, discover its list parameters, take the embedded first
group, then ask the data proxy for the rest until the site's reported total is reached; follow
every item, parse its page, fetch and read its attachments, emit the record. Anything that goes
wrong becomes a ``CrawlError`` item (stored in ``crawl_errors``) and the crawl goes on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import FormRequest, Request, Response, TextResponse
from twisted.python.failure import Failure

from corpus.records import (
    CrawlError,
    DocumentRecord,
    InterpretationRecord,
    ListEntry,
    ParseError,
)
from corpus.save import utcnow
from corpus.schema import canonical_url
from crawler.attachments import READABLE, AttachmentError, extract_text
from crawler.errors import challenge_reason, classify_failure
from crawler.parsers.hanweb import (
    ColumnParams,
    Datastore,
    parse_column_page,
    parse_datastore,
    parse_document,
    parse_interpretation,
)
from crawler.sites import Column, Site, load_sites, select_sites
from crawler.stats import ColumnStats

logger = logging.getLogger(__name__)

Record = DocumentRecord | InterpretationRecord
MAX_PAGES = 2000  # a safety stop for a data proxy that never says how many pages it has


@dataclass
class ColumnCrawl:
    """The state of one column's list walk."""

    site: Site
    column: Column
    stats: ColumnStats
    params: ColumnParams | None = None
    seen: set[str] = field(default_factory=set)  # canonical URLs listed by this column


@dataclass
class Page:
    """A detail page, possibly listed by several columns (credited to each of them)."""

    url: str
    columns: list[ColumnCrawl]
    state: str = "pending"  # pending | fetched | failed


class HanwebSpider(scrapy.Spider):
    """Crawls the Hanweb sites of a registry (``sites``, or ``sites_file`` [+ ``site``])."""

    name = "hanweb"
    family = "hanweb"

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

    # ------------------------------------------------------------ columns

    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites:
            for column in site.columns:
                stats = ColumnStats(site.name, column.url, column.kind, column.title)
                self.column_stats[column.url] = stats
                crawl = ColumnCrawl(site, column, stats)
                yield Request(
                    column.url,
                    callback=self.parse_column,
                    errback=self.list_failed,
                    cb_kwargs={"crawl": crawl},
                    dont_filter=True,
                )

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """The column page: parameters, the embedded first group, then the data proxy."""
        if not isinstance(response, TextResponse):
            yield self._list_error(crawl, response.url, "parse", "column page is not text")
            return
        try:
            params, store = parse_column_page(response)
        except ParseError as exc:
            cls = "blocked" if challenge_reason(response) else "parse"
            yield self._list_error(crawl, response.url, cls, str(exc))
            return
        crawl.params = params
        crawl.stats.reported = params.total
        crawl.stats.params = params.to_dict()
        yield from self._take(crawl, store)
        if crawl.column.dataproxy == "pages":
            crawl.stats.params["dataproxy"] = "pages (configured)"
            yield self._page_request(crawl, 1)
        elif self._wants_more(crawl):
            crawl.stats.params["dataproxy"] = "records"
            yield self._records_request(crawl, store.records + 1, first=True)

    def _wants_more(self, crawl: ColumnCrawl) -> bool:
        reported = crawl.stats.reported
        return reported is None or len(crawl.seen) < reported

    def _records_request(self, crawl: ColumnCrawl, start: int, first: bool = False) -> Request:
        """POST dataproxy.jsp?startrecord=…&endrecord=…&perpage=… with the param_ fields."""
        assert crawl.params is not None
        end = start + crawl.params.group - 1
        return FormRequest(
            crawl.params.records_url(start, end),
            formdata=crawl.params.fields,
            callback=self.parse_records,
            errback=self.records_failed,
            cb_kwargs={"crawl": crawl, "start": start, "end": end, "first": first},
            dont_filter=True,
        )

    def _page_request(self, crawl: ColumnCrawl, page: int) -> Request:
        """GET dataproxy.jsp?page=N&appid=…&webid=…&columnid=…&unitid=…."""
        assert crawl.params is not None
        return Request(
            crawl.params.page_url(page),
            callback=self.parse_pages,
            errback=self.list_failed,
            cb_kwargs={"crawl": crawl, "page": page},
            dont_filter=True,
        )

    def parse_records(
        self, response: Response, crawl: ColumnCrawl, start: int, end: int, first: bool
    ) -> Iterator[Any]:
        """A record-range answer; the next range follows until the reported total is listed."""
        store = parse_datastore(_text(response), response.url)
        if not store.found:
            if first:
                yield from self._fall_back_to_pages(crawl, "POST answered without a datastore")
                return
            yield self._list_error(
                crawl, response.url, "parse", "data proxy answer has no datastore"
            )
            return
        if crawl.stats.reported is None and store.total_record is not None:
            crawl.stats.reported = store.total_record
        new = yield from self._take(crawl, store)
        reported = crawl.stats.reported
        if reported is not None and len(crawl.seen) >= reported:
            return
        if new == 0:
            crawl.stats.notes.append(
                f"the data proxy gave no new records from startrecord={start}; "
                f"the list ends at {len(crawl.seen)}"
            )
            return
        if reported is None and store.records < end - start + 1:
            return  # an unknown total, and a short answer: that was the last group
        yield self._records_request(crawl, end + 1)

    def records_failed(self, failure: Failure) -> Iterator[Any]:
        """A refused POST on the first range means the site wants the GET page form."""
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        crawl = kwargs["crawl"]
        error_class, status, reason = classify_failure(failure)
        if kwargs["first"] and error_class in ("http_status", "download"):
            yield from self._fall_back_to_pages(crawl, f"POST refused ({reason})")
            return
        yield from self.list_failed(failure)

    def _fall_back_to_pages(self, crawl: ColumnCrawl, why: str) -> Iterator[Request]:
        logger.info("%s: %s; using the GET page form", crawl.column.url, why)
        crawl.stats.params["dataproxy"] = f"pages ({why})"
        yield self._page_request(crawl, 1)

    def parse_pages(self, response: Response, crawl: ColumnCrawl, page: int) -> Iterator[Any]:
        """A page answer (``<totalrecord>``/``<totalpage>`` beside the records)."""
        store = parse_datastore(_text(response), response.url)
        if not store.found:
            yield self._list_error(
                crawl, response.url, "parse", "data proxy answer has no datastore"
            )
            return
        if crawl.stats.reported is None and store.total_record is not None:
            crawl.stats.reported = store.total_record
        yield from self._take(crawl, store)
        # Page 1 overlaps the embedded group, so an answer without new records is no reason to
        # stop; an empty answer or the announced last page is.
        if not store.entries:
            return
        reported = crawl.stats.reported
        last = store.total_page
        if last is None and reported:
            last = -(-reported // len(store.entries))
        if page < min(last or MAX_PAGES, MAX_PAGES):
            yield self._page_request(crawl, page + 1)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        """A column page or data-proxy answer that could not be had."""
        crawl = failure.request.cb_kwargs["crawl"]  # type: ignore[attr-defined]
        error_class, status, reason = classify_failure(failure)
        url = failure.request.url  # type: ignore[attr-defined]
        self._note_block(url, error_class, reason)
        yield self._list_error(crawl, url, error_class, reason, status)

    def _list_error(
        self, crawl: ColumnCrawl, url: str, error_class: str, reason: str, status: int | None = None
    ) -> CrawlError:
        crawl.stats.errors += 1
        crawl.stats.notes.append(f"list walk stopped at {len(crawl.seen)}: {reason} ({url})")
        return CrawlError(url, reason, error_class, crawl.site.name, status)

    # ------------------------------------------------------------ items

    def _take(self, crawl: ColumnCrawl, store: Datastore) -> Iterator[Request]:
        """Schedule the new items of a list answer; returns how many were new.

        Quirk (one site): each group repeats the previous group's last record first; the
        per-column ``seen`` set drops it, and any other repeat.
        """
        new = 0
        for entry in store.entries:
            url = canonical_url(entry.url)
            if url in crawl.seen:
                continue
            crawl.seen.add(url)
            crawl.stats.listed += 1
            new += 1
            page = self.pages.get(url)
            if page is not None:  # listed by another column too: fetched once, credited to both
                page.columns.append(crawl)
                if page.state == "fetched":
                    crawl.stats.fetched += 1
                continue
            page = self.pages[url] = Page(url, [crawl])
            request = self._detail_request(entry, page)
            if request is not None:
                yield request
        return new

    def _detail_request(self, entry: ListEntry, page: Page) -> Request | None:
        host = urlsplit(entry.url).netloc
        crawl = page.columns[0]
        if host in self.blocked_hosts:
            page.state = "failed"
            crawl.stats.notes.append(f"host {host} is blocked: {self.blocked_hosts[host]}")
            return None
        return Request(
            entry.url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"entry": entry, "page": page},
            dont_filter=True,
        )

    def parse_detail(self, response: Response, entry: ListEntry, page: Page) -> Iterator[Any]:
        """An article page → a record; its attachments are fetched before it is emitted."""
        crawl = page.columns[0]
        try:
            if not isinstance(response, TextResponse):
                raise ParseError("page: not an HTML page")
            record = self._parse(response, crawl, entry)
        except ParseError as exc:
            challenge = challenge_reason(response)
            page.state = "failed"
            crawl.stats.errors += 1
            if challenge:
                self._note_block(response.url, "blocked", challenge)
            yield CrawlError(
                response.url,
                challenge or str(exc),
                "blocked" if challenge else "parse",
                crawl.site.name,
                response.status,
            )
            return
        if record.url != page.url:
            # Redirected: the list's URL stays the page's identity; where it led is kept.
            record.meta["final_url"] = record.url
            record.url = page.url
        record.fetched_at = utcnow()
        page.state = "fetched"
        for listed_by in page.columns:
            listed_by.stats.fetched += 1
        yield from self._next_attachment(record, 0)

    def _parse(self, response: TextResponse, crawl: ColumnCrawl, entry: ListEntry) -> Record:
        column = crawl.column
        if column.kind == "interpretation":
            return parse_interpretation(
                response, site=crawl.site.name, column_url=column.url, entry=entry
            )
        return parse_document(
            response, site=crawl.site.name, kind=column.kind, column_url=column.url, entry=entry
        )

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        entry, page = kwargs["entry"], kwargs["page"]
        crawl = page.columns[0]
        error_class, status, reason = classify_failure(failure)
        page.state = "failed"
        crawl.stats.errors += 1
        self._note_block(entry.url, error_class, reason)
        yield CrawlError(entry.url, reason, error_class, crawl.site.name, status)

    def _note_block(self, url: str, error_class: str, reason: str) -> None:
        """Back off from a host that answers with an anti-bot challenge: request it no more."""
        if error_class == "blocked":
            host = urlsplit(url).netloc
            if host not in self.blocked_hosts:
                logger.warning("host %s is blocked (%s): requesting it no more", host, reason)
            self.blocked_hosts.setdefault(host, reason)

    # ------------------------------------------------------------ attachments

    def _next_attachment(self, record: Record, index: int) -> Iterator[Any]:
        """Fetch attachment ``index`` (chained one after another), then emit the record."""
        for i in range(index, len(record.attachments)):
            att = record.attachments[i]
            if att.ext not in READABLE:
                att.error = f"text extraction not supported for .{att.ext or '?'}"
                continue
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
        try:
            att.text = extract_text(response.body, att.ext)
            att.error = None
        except AttachmentError as exc:
            att.error = str(exc)
            yield self._attachment_error(record, att.url, "attachment", str(exc), response.status)
        yield from self._next_attachment(record, index + 1)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        record, index = kwargs["record"], kwargs["index"]
        att = record.attachments[index]
        error_class, status, reason = classify_failure(failure)
        att.error = reason
        yield self._attachment_error(record, att.url, error_class, reason, status)
        yield from self._next_attachment(record, index + 1)

    def _attachment_error(
        self, record: Record, url: str, error_class: str, reason: str, status: int | None
    ) -> CrawlError:
        stats = self.column_stats.get(record.column_url)
        if stats is not None:
            stats.errors += 1
        return CrawlError(
            url, f"{reason} (attached to {record.url})", error_class, record.site, status
        )


def _text(response: Response) -> str:
    """A data-proxy answer as text (it is XML; Scrapy may hand it over as a plain Response)."""
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", errors="replace")
