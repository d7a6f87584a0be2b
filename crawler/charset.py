"""Pages whose declared charset is wrong or missing: read them as what they are (GBK → gb18030).

Older government hosts (TRS; docs/sites.md) serve GBK pages with ``charset=UTF-8`` in the HTTP
header, or with no charset anywhere. Scrapy trusts the header, else the ``<meta>``, else guesses (UTF-8,
then cp1252), so such a page would be stored as mojibake. ``FaultsMiddleware`` repairs a wrong
header when the page's ``<meta>`` names the right charset; this middleware, which runs after it,
handles what is left: a page that no declared charset decodes, or that declares none and is not
UTF-8. The only legacy encoding in use on Chinese government sites is GB2312/GBK, read as its
superset gb18030. Every re-decoding is counted (``normdocs/charset/redecoded``) and recorded as
a repaired fault.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from corpus.store.records import CrawlError
from crawler.errors import fault_seen

logger = logging.getLogger(__name__)

LEGACY = "gb18030"
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def _decodes(body: bytes, encoding: str | None) -> bool:
    if not encoding:
        return False
    try:
        body.decode(resolve_encoding(encoding) or encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def header_charset(response: Response) -> str | None:
    """The charset the HTTP header names, or None."""
    value = response.headers.get(b"Content-Type", b"").decode("latin-1")
    m = _HEADER_CHARSET.search(value)
    return m[1] if m else None


def _is_text(response: Response) -> bool:
    """A page or list answer (Scrapy hands PDFs over as TextResponse too: never re-read those)."""
    if isinstance(response, HtmlResponse | XmlResponse):
        return True
    mime = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].lower()
    return mime.startswith("text/") or mime.endswith(("json", "xml", "javascript"))


def better_encoding(response: Response) -> tuple[str, str] | None:
    """(what was used, what to use) when ``response`` is being read in the wrong charset.

    - the encoding in use decodes the bytes without error and was declared (header or meta), or
      the page is valid UTF-8: nothing to do;
    - else UTF-8 if the bytes are UTF-8, else gb18030 if they are that; else nothing (the page
      stays as Scrapy reads it).
    """
    if not isinstance(response, TextResponse) or not response.body or not _is_text(response):
        return None
    body = response.body
    current = response.encoding
    declared = header_charset(response) or html_body_declared_encoding(body)
    if _decodes(body, current) and (declared or current in ("utf-8", "ascii")):
        return None
    for candidate in ("utf-8", LEGACY):
        if candidate != current and _decodes(body, candidate):
            return current, candidate
    return None


class CharsetFallbackMiddleware:
    """Re-read a page whose declared charset does not decode it (placed after FaultsMiddleware)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetFallbackMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        found = better_encoding(response)
        if found is None:
            return response
        used, right = found
        said = header_charset(response) or "none"
        logger.info(
            "%s: charset %s (header: %s) does not fit, read as %s", response.url, used, said, right
        )
        self.crawler.stats.inc_value("normdocs/charset/redecoded")
        host = urlsplit(response.url).netloc
        sites = getattr(self.crawler.spider, "sites", [])
        site = next(
            (s.name for s in sites for c in s.columns if urlsplit(c.url).netloc == host), ""
        )
        error = CrawlError(
            response.url,
            f"the page was read as {used} (HTTP header charset: {said}) but is {right}: read as {right}",
            "charset",
            site,
            response.status,
        )
        self.crawler.signals.send_catch_log(signal=fault_seen, error=error, outcome="repaired")
        return response.replace(encoding=right)
