"""Settings overlay for crawls of the local mirror and of test servers on loopback.

``crawler.settings`` is written for real government hosts: AutoThrottle, a one-second floor between
requests, two requests in flight per host. Against the mirror, which is ours and answers at once,
those delays would stretch a crawl of a few seconds into ten minutes. This module is applied on top
of the production settings (``python -m crawler.run --settings-module mirror.loopback``, or the
``NORMDOCS_SETTINGS_MODULE`` environment variable; ``mirror.harness`` does it for tests, the
benches and ``normdocs demo``). The crawler never imports it.

A dict setting here extends the production one (``crawler.run`` merges them), so the production
downloader middlewares stay in place and ``LoopbackMiddleware`` is added before them.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

# Loopback: no delay, real concurrency. Scrapy keys a download slot by host name without the
# port, so every port of the mirror shares the one slot of its host. 127.0.0.2 … 127.0.0.254 are
# the hosts a mirror spread over many hosts serves on (``python -m mirror serve --hosts K``).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", *(f"127.0.0.{n}" for n in range(2, 255)))
DOWNLOAD_SLOTS = {host: {"concurrency": 8, "delay": 0.0, "jitter": 0} for host in LOOPBACK_HOSTS}
DOWNLOADER_MIDDLEWARES = {"mirror.loopback.LoopbackMiddleware": 50}


class LoopbackMiddleware:
    """Keep AutoThrottle's hands off requests to loopback hosts (the mirror, test servers).

    AutoThrottle raises a slot's delay to at least DOWNLOAD_DELAY after every response, which
    would override the zero delay ``DOWNLOAD_SLOTS`` gives the loopback hosts. The meta key below
    is AutoThrottle's documented opt-out for one request.
    """

    def __init__(self, hosts: tuple[str, ...]) -> None:
        self.hosts = set(hosts)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LoopbackMiddleware:
        return cls(tuple(crawler.settings.getlist("LOOPBACK_HOSTS")))

    def process_request(self, request: Request) -> None:
        if urlparse_cached(request).hostname in self.hosts:
            request.meta.setdefault("autothrottle_dont_adjust_delay", True)
