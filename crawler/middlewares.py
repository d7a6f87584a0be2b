"""Downloader middlewares of our own."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached


class LoopbackMiddleware:
    """Keep AutoThrottle's hands off requests to loopback hosts (the mirror, test servers).

    AutoThrottle raises a slot's delay to at least DOWNLOAD_DELAY after every response, which
    would override the zero delay that ``DOWNLOAD_SLOTS`` gives 127.0.0.1. The meta key below is
    AutoThrottle's documented opt-out for one request.
    """

    def __init__(self, hosts: tuple[str, ...]) -> None:
        self.hosts = set(hosts)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LoopbackMiddleware:
        return cls(tuple(crawler.settings.getlist("LOOPBACK_HOSTS")))

    def process_request(self, request: Request) -> None:
        if urlparse_cached(request).hostname in self.hosts:
            request.meta.setdefault("autothrottle_dont_adjust_delay", True)
