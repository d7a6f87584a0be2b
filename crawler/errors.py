"""Turning what went wrong into a ``CrawlError``: its class, HTTP status and reason in words.

The classes (``crawl_errors.error_class``) and what the crawler does about each:

=============== ================================================ ==========================
class           what happened                                    handling
=============== ================================================ ==========================
http_status     an error status (500, 502, 503, 404 …)           5xx/408/429 retried with
                                                                 backoff; others not
timeout         no answer within DOWNLOAD_TIMEOUT                retried with backoff
connection      refused, or reset by the peer                    retried with backoff
truncated       the body ended before its Content-Length         retried with backoff
blocked         an anti-bot challenge: 瑞数 412, 加速乐 521, an  never retried; the host is
                HTTP 200 "please enable JavaScript" page         marked blocked, requested
                                                                 no more, nothing stored
robots          robots.txt forbids the URL                       never requested
redirect_loop   a redirect that comes back to where it started   never retried
oversized       larger than DOWNLOAD_MAXSIZE                     cancelled, never retried
charset         the HTTP header's charset does not decode the    repaired (the page's own
                page                                             meta charset), recorded
dns, download   the host name does not resolve; anything else    dns retried; download not
parse           a page without a required field                  recorded, not retried
layout          a body no known container holds, taken as the    repaired (the record is
                block with the most prose (or none: a page       kept), recorded
                whose text is only in its attachments)
attachment      an attachment whose text cannot be extracted     recorded, record kept
=============== ================================================ ==========================

Retries and repairs are recorded by ``crawler.middlewares.FaultsMiddleware`` (outcome
``retried`` / ``repaired``; a layout repair by the spider that read the page); what is still wrong once retries are spent reaches the spider's
errbacks, which store it (outcome ``failed``).
"""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx
from twisted.python.failure import Failure

# Anti-bot gateways seen on government hosts (docs/sites.md): recognised, recorded, never fought.
BLOCK_STATUSES = {412: "瑞数 (RiverSecurity) challenge", 521: "加速乐 (__jsl_clearance) challenge"}
_CHALLENGE_MARKS = (
    (b"FSSBBIl1UgzbN7N80S", "瑞数 (RiverSecurity) challenge cookie"),
    (b"$_ts", "瑞数 (RiverSecurity) challenge script"),
    (b"__jsl_clearance", "加速乐 (__jsl_clearance) challenge"),
    (b"('_')+('_')+('j')+('s')+('l')", "加速乐 (__jsl_clearance) challenge"),
    ("请开启JavaScript".encode(), "a 'please enable JavaScript' page"),
    ("启用JavaScript".encode(), "a 'please enable JavaScript' page"),
    (b"enable JavaScript", "a 'please enable JavaScript' page"),
)
_CHALLENGE_COOKIES = (
    ("FSSBBIl1UgzbN7N80S", "瑞数 (RiverSecurity) challenge cookie"),
    ("__jsluid", "加速乐 (__jsl_clearance) challenge"),
)
# A challenge page is a few kilobytes of script; a real page of these sites is tens of kilobytes.
# A page this large that merely mentions JavaScript (a <noscript> hint) is not a challenge.
CHALLENGE_MAX_BYTES = 16 * 1024


# Signals of FaultsMiddleware, stored by the pipeline: ``fault_seen(error, outcome)`` for a fault
# that was retried or repaired, ``host_blocked(host, site, url, status, reason)``.
fault_seen = object()
host_blocked = object()


class HostBlocked(IgnoreRequest):
    """A request refused because its host answers with an anti-bot challenge."""

    def __init__(self, reason: str, status: int | None = None, skipped: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.skipped = skipped  # True: not requested at all, the host was blocked earlier


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already visited on the way."""


def challenge_reason(response: Response) -> str | None:
    """Why an answer is really an anti-bot challenge page (412, 521, or a small 200), or None."""
    if response.status in BLOCK_STATUSES:
        return f"HTTP {response.status}: {BLOCK_STATUSES[response.status]}"
    body = response.body
    if not isinstance(response, TextResponse):
        return None  # an attachment's bytes may contain anything
    if response.status == 200 and len(body) > CHALLENGE_MAX_BYTES:
        return None
    for mark, reason in _CHALLENGE_MARKS:
        if mark in body:
            return reason
    cookies = b" ".join(response.headers.getlist("Set-Cookie")).decode("latin-1")
    for name, reason in _CHALLENGE_COOKIES:
        if name in cookies and response.status >= 400:
            return reason
    return None


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """(error_class, HTTP status, reason) for a failed request."""
    exc = failure.value
    if isinstance(exc, HostBlocked):
        return "blocked", exc.status, exc.reason
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in BLOCK_STATUSES:
            return "blocked", status, f"HTTP {status}: {BLOCK_STATUSES[status]}"
        return "http_status", status, f"HTTP {status}"
    if isinstance(exc, RedirectLoop) or (
        isinstance(exc, IgnoreRequest) and "max redirections" in str(exc)
    ):
        return "redirect_loop", None, f"redirect loop: {exc}"
    if isinstance(exc, IgnoreRequest) and "robots" in str(exc).lower():
        return "robots", None, "forbidden by robots.txt"
    return classify_exception(exc)


def classify_exception(exc: BaseException) -> tuple[str, int | None, str]:
    """(error_class, None, reason) for a download exception (timeouts, resets, sizes …)."""
    text = str(exc)
    if isinstance(exc, DownloadTimeoutError | tx.TimeoutError | tx.TCPTimedOutError):
        return "timeout", None, f"timed out: {text}"
    if isinstance(exc, DownloadCancelledError | defer.CancelledError):
        if "max size" in text or "maxsize" in text:
            return "oversized", None, f"too large: {text}"
        return "download", None, f"cancelled: {text}"
    if isinstance(exc, ResponseDataLossError):
        return "truncated", None, "the body ended before its declared length (data loss)"
    if isinstance(exc, CannotResolveHostError | tx.DNSLookupError):
        return "dns", None, f"host not found: {text}"
    if isinstance(exc, DownloadConnectionRefusedError | tx.ConnectionRefusedError):
        return "connection", None, f"connection refused: {text}"
    if isinstance(exc, tx.ConnectionLost | tx.ConnectionDone) or (
        isinstance(exc, DownloadFailedError) and re.search(r"Connection(Lost|Done)", text)
    ):
        return "connection", None, "connection reset or closed before an answer"
    if isinstance(exc, tx.ConnectError):
        return "connection", None, f"{type(exc).__name__}: {text}"
    return "download", None, f"{type(exc).__name__}: {text}"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
# WHATWG: the labels gb2312 and gbk mean the GBK decoder, which is gb18030's.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def declared_meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its own ``<meta>`` (first 4 kB), normalised, or None."""
    m = _META_CHARSET.search(body[:4096])
    if not m:
        return None
    label = m[1].decode("ascii").lower()
    return _ALIASES.get(label, label)


def charset_repair(response: Response) -> tuple[str, str] | None:
    """(wrong, right) when the HTTP header's charset does not decode the page but its meta does.

    Old hosts serve GBK pages with ``charset=UTF-8`` in the header, or none (docs/sites.md); Scrapy
    trusts the header, so without this the stored text would be mojibake.
    """
    if not isinstance(response, TextResponse) or response.status != 200:
        return None
    header = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    m = re.search(r"charset=([a-z0-9_-]+)", header)
    meta = declared_meta_charset(response.body)
    if meta is None:
        return None
    declared = _ALIASES.get(m[1], m[1]) if m else None
    if declared == meta:
        return None
    try:
        response.body.decode(meta)
    except (LookupError, UnicodeDecodeError):
        return None
    if declared is not None:
        try:
            response.body.decode(declared)
            return None  # both decode: trust the header, as browsers do
        except (LookupError, UnicodeDecodeError):
            pass
    else:
        current = response.encoding.replace("_", "-").lower()
        if _ALIASES.get(current, current) == meta:
            return None  # no header charset, and Scrapy already read the meta
    return declared or "(none)", meta
