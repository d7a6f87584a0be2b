"""Scrapy's per-page DEBUG log records: built only when the log level shows them."""

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.logformatter import QuietLogFormatter


def _formatter(level: str) -> QuietLogFormatter:
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    return QuietLogFormatter.from_crawler(crawler)


@pytest.mark.parametrize("level", ["INFO", "WARNING", "ERROR"])
def test_says_nothing_of_each_page_and_item_above_debug(level: str) -> None:
    request = Request("http://127.0.0.1/a.html")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    formatter = _formatter(level)
    assert formatter.crawled(request, response, Spider("s")) is None
    assert formatter.scraped({"url": request.url}, response, Spider("s")) is None


def test_logs_each_page_and_item_at_debug() -> None:
    request = Request("http://127.0.0.1/a.html")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    formatter = _formatter("DEBUG")
    assert formatter.crawled(request, response, Spider("s"))["msg"].startswith("Crawled")
    assert formatter.scraped({"url": request.url}, response, Spider("s"))["msg"].startswith(
        "Scraped"
    )


def test_the_crawler_uses_it() -> None:
    from crawler import settings  # noqa: PLC0415

    assert settings.LOG_FORMATTER == "crawler.logformatter.QuietLogFormatter"
