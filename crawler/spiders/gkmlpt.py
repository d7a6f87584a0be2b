"""The Guangdong gkmlpt spider: one for every gkmlpt site in the registry.

For each column (a category): find the site id (the registry's column options, the API URL, or
the index page's inline config), then ``GET /gkmlpt/api/all/{category}?page=N&sid=S`` until the
articles seen reach ``post_count``. Each article's list data (validity flags, related posts,
attachments) travels with it to its page (``GkmlptEntry``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Request, Response, TextResponse

from corpus.store.records import ParseError
from crawler.parsers import gkmlpt as parser
from crawler.parsers.gkmlpt import ColumnParams, column_target, parse_api, parse_sid
from crawler.spiders.base import MAX_PAGES, FamilySpider, response_text
from crawler.walk import ColumnCrawl


class GkmlptSpider(FamilySpider):
    """Crawls the gkmlpt sites of a registry."""

    name = "gkmlpt"
    family = "gkmlpt"
    parser = parser

    def start_column(self, crawl: ColumnCrawl) -> Iterable[Request]:
        """The API at once when the site id is known, else the index page that names it."""
        column = crawl.column
        try:
            target = column_target(column.url, column.category, column.sid)
        except ParseError as exc:
            crawl.stats.notes.append(str(exc))
            crawl.stats.errors += 1
            return
        if target["sid"]:
            yield self._api(self._params(crawl, target, target["sid"]), 1)
        else:
            yield self.list_request(crawl, target["index"], self.parse_column, target=target)

    def _params(self, crawl: ColumnCrawl, target: dict, sid: str) -> ColumnCrawl:
        crawl.params = ColumnParams(crawl.column.url, target["api_root"], target["category"], sid)
        crawl.stats.params = crawl.params.to_dict()
        return crawl

    def parse_column(self, response: Response, crawl: ColumnCrawl, target: dict) -> Iterator[Any]:
        """The index page: its ``SID``."""
        try:
            if not isinstance(response, TextResponse):
                raise ParseError("index page is not text")
            sid = parse_sid(response.text)
        except ParseError as exc:
            yield self.unparseable_list(crawl, response, str(exc))
            return
        yield self._api(self._params(crawl, target, sid), 1)

    def _api(self, crawl: ColumnCrawl, page: int) -> Request:
        return self.list_request(crawl, crawl.params.page_url(page), self.parse_api, page=page)

    def parse_api(self, response: Response, crawl: ColumnCrawl, page: int) -> Iterator[Any]:
        """One page of the list API; the next follows until ``post_count`` articles are seen."""
        answer = parse_api(response_text(response), response.url)
        if not answer.found:
            yield self.unparseable_list(crawl, response, "list API answer is not JSON")
            return
        if crawl.stats.reported is None and answer.post_count is not None:
            crawl.stats.reported = answer.post_count
        yield from self.take(crawl, answer.entries)
        if answer.articles > len(answer.entries):
            crawl.stats.notes.append(
                f"API page {page}: {answer.articles - len(answer.entries)} articles without a url"
            )
        if not answer.articles or page >= MAX_PAGES:
            return
        if self.wants_more(crawl):
            yield self._api(crawl, page + 1)
