"""Turning what went wrong into a ``CrawlError``: its class, HTTP status and reason in words."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure

# Anti-bot gateways seen on government hosts (SITES.md): recognised, recorded, never fought.
BLOCK_STATUSES = {412: "瑞数 (RiverSecurity) challenge", 521: "加速乐 (__jsl_clearance) challenge"}
_CHALLENGE_MARKS = (
    (b"FSSBBIl1UgzbN7N80S", "瑞数 (RiverSecurity) challenge cookie"),
    (b"$_ts", "瑞数 (RiverSecurity) challenge script"),
    (b"__jsl_clearance", "加速乐 (__jsl_clearance) challenge"),
    ("请开启JavaScript".encode(), "a 'please enable JavaScript' page"),
    (b"enable JavaScript", "a 'please enable JavaScript' page"),
)


def challenge_reason(response: Response) -> str | None:
    """Why an HTTP 200 answer is really an anti-bot challenge page, or None."""
    head = response.body[:20000]
    for mark, reason in _CHALLENGE_MARKS:
        if mark in head:
            return reason
    return None


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """(error_class, HTTP status, reason) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in BLOCK_STATUSES:
            return "blocked", status, f"HTTP {status}: {BLOCK_STATUSES[status]}"
        return "http_status", status, f"HTTP {status}"
    if isinstance(exc, IgnoreRequest) and "robots" in str(exc).lower():
        return "robots", None, "forbidden by robots.txt"
    if isinstance(exc, DownloadTimeoutError | tx.TimeoutError | tx.TCPTimedOutError):
        return "timeout", None, f"timed out: {exc}"
    if isinstance(exc, CannotResolveHostError | tx.DNSLookupError):
        return "dns", None, f"host not found: {exc}"
    if isinstance(exc, DownloadConnectionRefusedError | tx.ConnectError | tx.ConnectionLost):
        return "connection", None, f"{type(exc).__name__}: {exc}"
    return "download", None, f"{type(exc).__name__}: {exc}"
