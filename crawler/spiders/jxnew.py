"""The spider of Jiangxi's new intensive platform (集约化): one for every such site in the registry.

For each column: read the column page's jpage call (channel, unit, site code, and whether the
site posts ``name[]`` or plain field names), then ``POST /queryList`` page after page until the
site's reported total is listed. Following items, parsing, attachments and error records are
``FamilySpider``'s (``base.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response, TextResponse

from corpus.store.records import ParseError
from crawler.parsers import jxnew as parser
from crawler.parsers.jxnew import parse_column_page, parse_query_list
from crawler.spiders.base import MAX_PAGES, FamilySpider, response_text
from crawler.walk import ColumnCrawl


class JxnewSpider(FamilySpider):
    """Crawls the Jiangxi new-platform sites of a registry."""

    name = "jxnew"
    family = "jxnew"
    parser = parser

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """The column page: the jpage options, then the first ``/queryList`` page."""
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
        yield self._query(crawl, 1)

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
        if crawl.stats.reported is None and answer.total is not None:
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
