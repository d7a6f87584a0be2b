"""Conditional GET, as the static article pages of real hosts answer it (nginx, Apache).

Article pages and column pages are static HTML files on Hanweb and TRS hosts: they carry an
``ETag`` and article pages a ``Last-Modified`` (the time the page was last published or edited),
and a request with a matching ``If-None-Match`` (or, without one, an ``If-Modified-Since`` not
older than the page) gets ``304 Not Modified`` with no body. JSP and JSON list answers carry
neither, as on the real hosts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from .model import Article, Ref, Reply, Site
from .world import World

CHINA = timedelta(hours=8)  # page times are Beijing time; HTTP dates are GMT


def last_modified(art: Article) -> datetime:
    """When the page was last published or edited (``spec["modified"]`` after an edit), in UTC."""
    local = art.spec.get("modified") or art.pub
    return (local - CHINA).replace(tzinfo=UTC)


def etag(body: str | bytes) -> str:
    """A strong validator of the page's bytes."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return '"' + hashlib.sha1(raw).hexdigest()[:20] + '"'


def apply(
    world: World, site: Site, method: str, path: str, headers: Mapping[str, str], reply: Reply
) -> Reply:
    """Add validators to a 200 HTML answer, and turn it into a 304 when the client has it."""
    if method not in ("GET", "HEAD") or reply.status != 200 or reply.content_type != "text/html":
        return reply
    tag = etag(reply.body)
    extra = {"ETag": tag}
    art = world.pages.get(Ref(site.name, path))
    modified = last_modified(art) if art is not None else None
    if modified is not None:
        extra["Last-Modified"] = format_datetime(modified, usegmt=True)
    reply = Reply(reply.status, reply.body, reply.content_type, {**reply.headers, **extra})
    if _not_modified(headers, tag, modified):
        return Reply(304, b"", reply.content_type, extra)
    return reply


def _not_modified(headers: Mapping[str, str], tag: str, modified: datetime | None) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return inm.strip() == "*" or tag in [t.strip() for t in inm.split(",")]
    ims = headers.get("If-Modified-Since")
    if ims is None or modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified <= since
