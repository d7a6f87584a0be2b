"""The Hanweb JCMS (大汉) spider: one spider for every Hanweb site in the registry.

For each column: fetch the column page, discover its list parameters, take the embedded first
group, then ask the data proxy for the rest until the site's reported total is reached. Following
items, parsing, attachments and error records are ``FamilySpider``'s (``base.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from corpus.store.records import ParseError
from crawler.errors import classify_failure
from crawler.parsers import hanweb as parser
from crawler.parsers.hanweb import parse_column_page, parse_datastore
from crawler.spiders.base import MAX_PAGES, FamilySpider, response_text
from crawler.walk import ColumnCrawl

logger = logging.getLogger(__name__)


class HanwebSpider(FamilySpider):
    """Crawls the Hanweb sites of a registry (``sites``, or ``sites_file`` [+ ``site``])."""

    name = "hanweb"
    family = "hanweb"
    parser = parser

    # ------------------------------------------------------------ columns

    def parse_column(self, response: Response, crawl: ColumnCrawl) -> Iterator[Any]:
        """The column page: parameters, the embedded first group, then the data proxy."""
        if not isinstance(response, TextResponse):
            yield self.list_error(crawl, response.url, "parse", "column page is not text")
            return
        try:
            params, store = parse_column_page(response)
        except ParseError as exc:
            yield self.unparseable_list(crawl, response, str(exc))
            return
        crawl.params = params
        crawl.stats.reported = params.total
        crawl.stats.params = params.to_dict()
        yield from self.take(crawl, store.entries)
        if not self.wants_more(crawl):
            return  # listed in full, or an incremental crawl stopped at known items
        if crawl.column.dataproxy == "pages":
            crawl.stats.params["dataproxy"] = "pages (configured)"
            yield self._page_request(crawl, 1)
        else:
            crawl.stats.params["dataproxy"] = "records"
            yield self._records_request(crawl, store.records + 1, first=True)

    def _records_request(self, crawl: ColumnCrawl, start: int, first: bool = False) -> Request:
        """POST dataproxy.jsp?startrecord=…&endrecord=…&perpage=… with the param_ fields."""
        assert crawl.params is not None
        end = start + crawl.params.group - 1
        return self.list_request(
            crawl,
            crawl.params.records_url(start, end),
            self.parse_records,
            method="POST",
            formdata=crawl.params.fields,
            errback=self.records_failed,
            start=start,
            end=end,
            first=first,
        )

    def _page_request(self, crawl: ColumnCrawl, page: int) -> Request:
        """GET dataproxy.jsp?page=N&appid=…&webid=…&columnid=…&unitid=…."""
        assert crawl.params is not None
        return self.list_request(crawl, crawl.params.page_url(page), self.parse_pages, page=page)

    def parse_records(
        self, response: Response, crawl: ColumnCrawl, start: int, end: int, first: bool
    ) -> Iterator[Any]:
        """A record-range answer; the next range follows until the reported total is listed."""
        store = parse_datastore(response_text(response), response.url)
        if not store.found:
            if first:
                yield from self._fall_back_to_pages(crawl, "POST answered without a datastore")
                return
            yield self.list_error(
                crawl, response.url, "parse", "data proxy answer has no datastore"
            )
            return
        if crawl.stats.reported is None and store.total_record is not None:
            crawl.stats.reported = store.total_record
        new = yield from self.take(crawl, store.entries)
        if not self.wants_more(crawl):
            return
        if new == 0:
            crawl.stats.notes.append(
                f"the data proxy gave no new records from startrecord={start}; "
                f"the list ends at {len(crawl.seen)}"
            )
            return
        if crawl.stats.reported is None and store.records < end - start + 1:
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
        store = parse_datastore(response_text(response), response.url)
        if not store.found:
            yield self.list_error(
                crawl, response.url, "parse", "data proxy answer has no datastore"
            )
            return
        if crawl.stats.reported is None and store.total_record is not None:
            crawl.stats.reported = store.total_record
        yield from self.take(crawl, store.entries)
        # Page 1 overlaps the embedded group, so an answer without new records is no reason to
        # stop; an empty answer, the announced last page or a stopped walk is.
        if not store.entries or crawl.stopped:
            return
        reported = crawl.stats.reported
        last = store.total_page
        if last is None and reported:
            last = -(-reported // len(store.entries))
        if page < min(last or MAX_PAGES, MAX_PAGES):
            yield self._page_request(crawl, page + 1)
