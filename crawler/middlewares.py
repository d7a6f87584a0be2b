"""Downloader middlewares of our own: the faults of real hosts.

``FaultsMiddleware`` is where the faults of government hosts are met, so that every
spider family gets the same handling (the table in ``crawler/errors.py``): anti-bot challenges
recognised and their host blocked, retries spaced by an exponential backoff, wrong charsets
repaired, and every retry and repair reported to the pipeline for ``crawl_errors``.
``RedirectLoopMiddleware`` stops a redirect that comes back to where it started.
"""

from __future__ import annotations

import logging
import random
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet import reactor
from twisted.internet.task import deferLater

from corpus.store.identity import canonical_url
from corpus.store.records import CrawlError
from crawler.errors import (
    HostBlocked,
    RedirectLoop,
    challenge_reason,
    charset_repair,
    classify_exception,
    fault_seen,
    host_blocked,
)
from crawler.hostlimit import limits_for

logger = logging.getLogger(__name__)


class FaultsMiddleware:
    """Challenges, retries with backoff, charset repair; placed just outside RetryMiddleware.

    Order matters (Scrapy calls ``process_response`` from the highest number down): at 560 this
    sees answers after decompression (590) and before RetryMiddleware (550) decides on a retry,
    so it can note the retry that is about to happen; ``process_request`` of a retried request
    sleeps for the backoff before the download.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.retry_enabled = settings.getbool("RETRY_ENABLED")
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_exceptions = tuple(
            load_object(x) if isinstance(x, str) else x
            for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("NORMDOCS_RETRY_BACKOFF", 2.0)
        self.backoff_max = settings.getfloat("NORMDOCS_RETRY_BACKOFF_MAX", 60.0)
        # Hosts found blocked, shared by every family's crawler of the run (crawler.hostlimit):
        # one family's challenge page is the host's answer to all of them.
        self.blocked = limits_for(settings.get("NORMDOCS_RUN_ID")).blocked
        self.jitter = random.Random(20261127)
        self._sites: dict[str, str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FaultsMiddleware:
        return cls(crawler)

    # ------------------------------------------------------------ requests

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if host in self.blocked:
            reason, status = self.blocked[host]
            raise HostBlocked(f"not requested: host {host} is blocked ({reason})", status, True)
        retries = request.meta.get("retry_times", 0)
        if retries:
            delay = self.backoff(retries, request.meta.get("normdocs_retry_after"))
            if delay > 0:
                await deferred_to_future(deferLater(reactor, delay, lambda: None))

    def backoff(self, retries: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retries``: base·2^(n−1), jittered, capped.

        A ``Retry-After`` the server sent (503, 429) is honoured up to the cap.
        """
        delay = self.backoff_base * 2 ** (retries - 1) * self.jitter.uniform(0.75, 1.25)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.backoff_max)

    # ------------------------------------------------------------ answers

    def process_response(self, request: Request, response: Response) -> Response:
        challenge = challenge_reason(response)
        if challenge:
            self._block(request, response.status, challenge)
            raise HostBlocked(challenge, response.status)
        if response.status in self.retry_codes and self._will_retry(request):
            retry_after = _retry_after(response)
            if retry_after is not None:
                request.meta["normdocs_retry_after"] = retry_after
            self._note(request, "http_status", response.status, f"HTTP {response.status}")
        repair = charset_repair(response)
        if repair:
            wrong, right = repair
            response = response.replace(encoding=right)
            self._note(
                request,
                "charset",
                response.status,
                f"the HTTP header says charset {wrong}, the page is {right}: read as {right}",
                outcome="repaired",
            )
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.retry_exceptions) and self._will_retry(request):
            error_class, status, reason = classify_exception(exception)
            self._note(request, error_class, status, reason)

    # ------------------------------------------------------------ bookkeeping

    def _will_retry(self, request: Request) -> bool:
        """Whether RetryMiddleware is about to retry this request (same rule as its own)."""
        if not self.retry_enabled or request.meta.get("dont_retry", False):
            return False
        most = request.meta.get("max_retry_times", self.max_retry_times)
        return request.meta.get("retry_times", 0) < most

    def _note(
        self,
        request: Request,
        error_class: str,
        status: int | None,
        reason: str,
        outcome: str = "retried",
    ) -> None:
        """Report a retried or repaired fault to the pipeline (stored in crawl_errors)."""
        if outcome == "retried":
            attempt = request.meta.get("retry_times", 0) + 1
            reason = f"{reason}; retry {attempt} of {request.meta.get('max_retry_times', self.max_retry_times)}"
        error = CrawlError(request.url, reason, error_class, self._site(request.url), status)
        self.crawler.signals.send_catch_log(signal=fault_seen, error=error, outcome=outcome)
        self.crawler.stats.inc_value(f"normdocs/faults/{outcome}/{error_class}")

    def _block(self, request: Request, status: int | None, reason: str) -> None:
        host = urlparse_cached(request).netloc
        if host in self.blocked:
            return
        self.blocked[host] = (reason, status)
        logger.warning("host %s is blocked (%s): requesting it no more", host, reason)
        self.crawler.stats.inc_value("normdocs/blocked_hosts")
        self.crawler.signals.send_catch_log(
            signal=host_blocked,
            host=host,
            site=self._site(request.url),
            url=request.url,
            status=status,
            reason=reason,
        )

    def _site(self, url: str) -> str:
        """The registry name of the site ``url`` belongs to ("" when unknown)."""
        if self._sites is None:
            self._sites = {}
            for site in getattr(self.crawler.spider, "sites", []):
                for u in [site.home_url, *(c.url for c in site.columns)]:
                    if u:
                        self._sites.setdefault(urlsplit(u).netloc, site.name)
        return self._sites.get(urlsplit(url).netloc, "")


def _retry_after(response: Response) -> float | None:
    """A ``Retry-After`` in seconds (the HTTP-date form is rare on these hosts and ignored)."""
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


class RedirectLoopMiddleware:
    """Refuse a redirect that leads back to a URL already visited on the way.

    Scrapy would follow it REDIRECT_MAX_TIMES times first; at 620 this runs before
    RedirectMiddleware (600) sees the answer, so the loop ends at its first repeat.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = canonical_url(urljoin(request.url, location.decode("latin-1")))
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical_url(u) for u in visited}:
            raise RedirectLoop(
                f"{request.url} redirects to {target}, already visited after "
                f"{len(visited) - 1} redirect(s)"
            )
        return response
