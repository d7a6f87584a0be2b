"""The TRS WCM (拓尔思) spider: one for every TRS site in the registry.

For each column: read page 1 (the column URL) and its pager call, then the following pages
(``index_1.html`` …) one after another. A pager that gives the number of items sets the reported
total; one that gives only pages makes the total the number of items those pages held, counted
once every announced page has been read (a page that fails leaves the total unknown, so the
column is never reported complete by accident). A late page that is an empty stub is noted.
Only the items of the column's own list are taken (``parse_list_page``: not sidebars, not 热点信息);
the container page 1 kept them in is preferred on the pages after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.parsers import trs as parser
from crawler.parsers.trs import Pager, parse_list_page
from crawler.spiders.base import MAX_PAGES, FamilySpider
from crawler.walk import ColumnCrawl

STUB_BYTES = 1024  # a list page smaller than this with no items is a stub, not a layout


class TrsSpider(FamilySpider):
    """Crawls the TRS sites of a registry."""

    name = "trs"
    family = "trs"
    parser = parser

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """Page 1 of the list: its pager says how many pages (and maybe items) there are."""
        yield from self.parse_list(response, crawl, 1)

    def parse_list(
        self, response: Response, crawl: ColumnCrawl, page: int, container: str = ""
    ) -> Iterator[Any]:
        """One list page (``container``: where page 1 kept the column's items)."""
        if not isinstance(response, TextResponse):
            yield self.list_error(crawl, response.url, "parse", "list page is not text")
            return
        listing = parse_list_page(response, container)
        container = container or listing.container
        if page == 1:
            if listing.pager is None and not listing.entries:
                yield self.unparseable_list(crawl, response, "no list items and no pager call")
                return
            # A single page may carry no pager at all.
            crawl.params = listing.pager or Pager("none", 1, 1, "index", "html")
            crawl.stats.params = {**crawl.params.to_dict(), "container": listing.container}
            if listing.in_comment:
                crawl.stats.notes.append("the list sits inside an HTML comment (painted by script)")
            if crawl.params.total is not None:
                crawl.stats.reported = crawl.params.total
        pager: Pager = crawl.params
        if listing.left_out and page == 1:
            crawl.stats.notes.append(
                f"{listing.left_out} item links beside the column's list (sidebars, 热点信息) "
                "left out"
            )
        yield from self.take(crawl, listing.entries)
        if not listing.entries:
            # Quirk (docs/sites.md, TRS): late pages are sometimes a few hundred bytes of nothing.
            stub = page > 1 and listing.size < STUB_BYTES
            where = "the first list page" if page == 1 else f"list page {page} of {pager.pages}"
            crawl.stats.notes.append(
                f"{where} holds no item links ({listing.size} bytes)"
                + (": an empty stub" if stub else "")
            )
        last = min(pager.pages, MAX_PAGES)
        if page >= last:
            self._count_pages(crawl, pager)
            return
        if self.wants_more(crawl):
            url = pager.page_url(crawl.column.url, page + 1)
            yield self.list_request(crawl, url, self.parse_list, page=page + 1, container=container)

    def _count_pages(self, crawl: ColumnCrawl, pager: Pager) -> None:
        """Every announced page read: a pager without an item count gives the items seen."""
        if crawl.stats.reported is not None or not crawl.seen:
            return  # an explicit total; or nothing listed at all, which confirms nothing
        crawl.stats.reported = len(crawl.seen)
        crawl.stats.notes.append(
            f"the pager gives {pager.pages} pages, not items: the total is the {len(crawl.seen)} "
            "items those pages listed"
        )
