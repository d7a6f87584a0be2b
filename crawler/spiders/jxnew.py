"""The spider of Jiangxi's new intensive platform (集约化): one for every such site in the registry.

For each column: read the column page (its jpage call or the options it hands ``loadPageData``:
channel, unit, site code, and whether the site posts ``name[]`` or plain field names; the items
it already holds inline and the total it states), take the inline items, then ``POST /queryList``
from the first page they do not wholly cover until the site's reported total is listed. An item
whose list JSON names a ``relationUrl`` has that JSON read before its page: the related articles
it names become the record's links (a document's interpretations, an interpretation's documents).
Following items, parsing, attachments and error records are ``FamilySpider``'s (``base.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from corpus.store.identity import canonical_url
from corpus.store.records import CrawlError, ListEntry, ParseError
from crawler.errors import classify_failure
from crawler.parsers import jxnew as parser
from crawler.parsers.article import merge_links
from crawler.parsers.jxnew import JxnewEntry, parse_column_page, parse_query_list, parse_relations
from crawler.spiders.base import MAX_PAGES, FamilySpider, Record, response_text
from crawler.walk import ColumnCrawl, Page


class JxnewSpider(FamilySpider):
    """Crawls the Jiangxi new-platform sites of a registry."""

    name = "jxnew"
    family = "jxnew"
    parser = parser

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """The column page: its list options and inline items, then the next ``/queryList`` page."""
        if not isinstance(response, TextResponse):
            yield self.list_error(crawl, response.url, "parse", "column page is not text")
            return
        try:
            params = parse_column_page(response, crawl.column.array_fields)
        except ParseError as exc:
            yield self.unparseable_list(crawl, response, str(exc))
            return
        crawl.params = params
        crawl.stats.params = params.to_dict()
        if params.total is not None:
            crawl.stats.reported = params.total
        if params.entries:
            yield from self.take(crawl, params.entries)
        if not self.wants_more(crawl):
            return
        if not params.unitid:
            crawl.stats.notes.append(
                f"the column page names no unit id: only its {len(params.entries)} inline items "
                "could be listed"
            )
            return
        yield self._query(crawl, params.first_query_page())

    def _query(self, crawl: ColumnCrawl, page: int) -> Request:
        """``POST /queryList`` (a GET answers 404) with the column's form fields."""
        return self.list_request(
            crawl,
            crawl.params.endpoint,
            self.parse_list,
            method="POST",
            formdata=crawl.params.form(page),
            page=page,
        )

    def parse_list(self, response: Response, crawl: ColumnCrawl, page: int) -> Iterator[Any]:
        """One ``/queryList`` answer; the next page follows while the total is not reached."""
        answer = parse_query_list(response_text(response), response.url)
        if not answer.found:
            yield self.unparseable_list(crawl, response, "queryList answer is not the list JSON")
            return
        stated = crawl.params.total
        if answer.total is not None and page == crawl.params.first_query_page():
            if stated is not None and stated != answer.total:
                # The column page is generated ahead of time (the 2025 template was older than
                # items it held): the live answer's count is the one the walk is measured by.
                crawl.stats.notes.append(
                    f"the column page states {stated} items, /queryList {answer.total}"
                )
            crawl.stats.reported = answer.total
        yield from self.take(crawl, answer.entries)
        unreadable = answer.results - len(answer.entries)
        if unreadable:
            crawl.stats.notes.append(
                f"queryList page {page}: {unreadable} of {answer.results} items have no readable "
                "urls.pc link"
            )
        if not answer.results or page >= MAX_PAGES:
            return  # an empty page: the list has ended
        pages = -(-(answer.total or 0) // max(1, crawl.params.per_page))
        if self.wants_more(crawl) and page < pages:
            yield self._query(crawl, page + 1)

    # ------------------------------------------------------------ related articles

    def detail_request(self, entry: ListEntry, page: Page) -> Request | None:
        """The detail request, preceded by its item's relation JSON where the list names one."""
        request = super().detail_request(entry, page)
        relation = entry.relation_url if isinstance(entry, JxnewEntry) else ""
        if request is None or not relation:
            return request
        return Request(
            relation,
            callback=self.parse_relations,
            errback=self.relations_failed,
            cb_kwargs={"entry": entry, "page": page, "detail": request},
            dont_filter=True,
        )

    def parse_relations(
        self, response: Response, entry: JxnewEntry, page: Page, detail: Request
    ) -> Iterator[Any]:
        """The related articles of an item, kept on its entry; then its page is requested."""
        interpretations = page.columns[0].column.kind == "interpretation"
        role = "document" if interpretations else "interpretation"
        own = canonical_url(entry.url)
        entry.links = [
            link
            for link in parse_relations(response_text(response), response.url, role)
            if canonical_url(link.url) != own
        ]
        yield detail

    def relations_failed(self, failure: Failure) -> Iterator[Any]:
        """A relation JSON that could not be had: recorded, and the page is fetched all the same."""
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        entry, page = kwargs["entry"], kwargs["page"]
        crawl = page.columns[0]
        error_class, status, reason = classify_failure(failure)
        url = failure.request.url  # type: ignore[attr-defined]
        crawl.stats.notes.append(f"related articles not read for {entry.url}: {reason}")
        yield CrawlError(
            url, f"{reason} (the related articles of {entry.url})", error_class, crawl.site.name,
            status,
        )  # fmt: skip
        yield kwargs["detail"]

    def parse_page(self, response: TextResponse, crawl: ColumnCrawl, entry: ListEntry) -> Record:
        """The page's record, with the links its relation JSON gave added to those it shows."""
        record = super().parse_page(response, crawl, entry)
        if isinstance(entry, JxnewEntry) and entry.links:
            merge_links(record, entry.links)
        return record
