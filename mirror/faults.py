"""Switchable faults of real government hosts, served by the mirror on demand.

A fault spec is a comma-separated list of ``SITE:FAULT[@RATE%][xTIMES][~SCOPE]``::

    jx-nync:503@5%            5% of jx-nync's URLs answer 503 to their first request
    *:timeout@2%x2~detail     2% of article pages on every site hang on their first two requests
    jx-portal:412~detail      every article page of the portal answers with a 瑞数 challenge
    jx-sthjt:robots           robots.txt closes the whole site

``SITE`` is a site name or ``*``; ``RATE`` defaults to 100%; ``SCOPE`` is ``any`` (default),
``list`` (column pages and list APIs), ``detail`` (article pages) or ``file`` (attachments).
Which URLs are hit is decided by a hash of (seed, site, fault, path and query): the same URLs on
every run, whatever the order of requests. Transient faults (500, 502, 503, timeout, reset,
truncated, slow) hit the first ``TIMES`` requests of a chosen URL (default 1) and then let it
answer normally, as a flaky host does; the others hit every request of a chosen URL.
robots.txt is never faulted except by ``robots``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import socket
import struct
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from .model import Reply, Site

TRANSIENT = ("500", "502", "503", "timeout", "reset", "truncated", "slow")
PERSISTENT = ("412", "521", "js", "charset", "redirect-loop", "oversized")
KINDS = (*TRANSIENT, *PERSISTENT, "robots")
SCOPES = ("any", "list", "detail", "file")
LOOP_PARAM = "jump"  # the query parameter a redirect loop bounces on

_SPEC = re.compile(
    r"^(?P<site>\*|[a-z0-9][a-z0-9-]*):(?P<kind>[a-z0-9-]+)"
    r"(?:@(?P<rate>\d+(?:\.\d+)?)%)?(?:x(?P<times>\d+))?(?:~(?P<scope>[a-z]+))?$"
)
_FILE_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar")


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message names the part and says why."""


@dataclass(frozen=True)
class Fault:
    """One switched-on fault: where, what, how often, how many times."""

    site: str
    kind: str
    rate: float = 1.0
    times: int = 1
    scope: str = "any"

    def __str__(self) -> str:
        return f"{self.site}:{self.kind}@{self.rate * 100:g}%x{self.times}~{self.scope}"


def parse_faults(spec: str) -> list[Fault]:
    """``"jx-nync:503@5%,*:timeout~detail"`` → faults; raises FaultSpecError on a bad part."""
    faults = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = _SPEC.match(part)
        if not m:
            raise FaultSpecError(f"fault {part!r}: expected SITE:FAULT[@RATE%][xTIMES][~SCOPE]")
        kind, scope = m["kind"], m["scope"] or "any"
        if kind not in KINDS:
            raise FaultSpecError(
                f"fault {part!r}: unknown fault {kind!r} (known: {', '.join(KINDS)})"
            )
        if scope not in SCOPES:
            raise FaultSpecError(
                f"fault {part!r}: unknown scope {scope!r} (known: {', '.join(SCOPES)})"
            )
        rate = float(m["rate"]) / 100 if m["rate"] else 1.0
        if not 0 < rate <= 1:
            raise FaultSpecError(f"fault {part!r}: the rate must be in (0, 100]%")
        faults.append(Fault(m["site"], kind, rate, int(m["times"] or 1), scope))
    return faults


def scope_of(path: str) -> str:
    """What kind of URL a path is: ``list``, ``detail``, ``file``, ``home`` or ``robots``."""
    if path == "/robots.txt":
        return "robots"
    lower = path.lower()
    if "/module/download/" in lower or lower.endswith(_FILE_EXTS) or "/picture/" in lower:
        return "file"
    if path.rstrip("/").count("/") <= 1 and lower.endswith(("/", "/index.html")):
        return "home"
    if (
        "/col/" in lower
        or "dataproxy" in lower
        or "querylist" in lower
        or "/api/" in lower
        or re.search(r"/(index|list)(_\d+)?\.s?html$", lower)
    ):
        return "list"
    return "detail"


def _key(path: str, query: dict[str, str]) -> str:
    """A request's identity for fault choice and hit counts: path and sorted query."""
    return path + ("?" + urlencode(sorted(query.items())) if query else "")


def _unit(*parts: object) -> float:
    """A number in [0, 1) from a hash of ``parts``: the same on every machine and run."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Faults:
    """The faults a mirror serves, and what it has served (for tests and the bench)."""

    faults: list[Fault]
    seed: int = 8
    hang: float = 60.0  # seconds a ``timeout`` answer waits (longer than the crawler's timeout)
    delay: float = 0.05  # seconds a ``slow`` answer waits
    oversize: int = 64 * 1024 * 1024  # bytes of an ``oversized`` answer (Scrapy's limit: 50 MB)
    hits: Counter = field(default_factory=Counter)  # (site, path?query) → requests seen
    served: Counter = field(default_factory=Counter)  # (site, fault kind) → faulty answers
    # (site, kind, key, path?query as requested): the key includes a POST's form fields
    log: list[tuple[str, str, str, str]] = field(default_factory=list)
    _attempts: Counter = field(default_factory=Counter)

    @classmethod
    def from_spec(cls, spec: str, **options: float) -> Faults:
        """Faults from a ``--faults`` string (see the module docstring)."""
        return cls(parse_faults(spec), **options)

    def chosen(self, fault: Fault, site: str, key: str) -> bool:
        """Whether ``fault`` hits the URL ``key`` of ``site`` (deterministic)."""
        return fault.rate >= 1 or _unit(self.seed, site, fault.kind, key) < fault.rate

    def pick(self, site: str, path: str, query: dict[str, str], port: int = 0) -> Fault | None:
        """The fault this request meets, if any (counts the request).

        ``port`` tells copies of the world apart (``--scale``): each copy's URLs fail their first
        requests on their own.
        """
        key = _key(path, query)
        self.hits[site, key] += 1
        scope = scope_of(path)
        if scope == "robots":
            return None
        for fault in self.faults:
            if fault.site not in ("*", site) or fault.kind == "robots":
                continue
            if fault.scope != "any" and fault.scope != scope:
                continue
            if fault.kind == "redirect-loop" and LOOP_PARAM in query:
                return fault  # the other end of a loop always bounces back
            if not self.chosen(fault, site, key):
                continue
            if fault.kind in TRANSIENT:
                self._attempts[fault, site, port, key] += 1
                if self._attempts[fault, site, port, key] > fault.times:
                    continue
            return fault
        return None

    def robots(self, site: Site) -> str | None:
        """The robots.txt a ``robots`` fault imposes on ``site``, or None."""
        for fault in self.faults:
            if fault.kind == "robots" and fault.site in ("*", site.name):
                if fault.scope == "detail":
                    # Article pages of every family: Hanweb /art/, the new platform's /content/,
                    # TRS ./YYYYMM/t…, gkmlpt /gkmlpt/content/.
                    lines = [f"{site.prefix}/art/", "/*/content/", "/*/t20", "/gkmlpt/content/"]
                elif fault.scope in ("list", "file"):
                    lines = [f"{site.prefix}/col/", "/module/"]
                else:
                    lines = ["/"]
                body = "".join(f"Disallow: {line}\n" for line in lines)
                return f"User-agent: *\n{body}"
        return None

    async def respond(
        self,
        request: web.Request,
        site: Site,
        answer: Callable[[], Reply],
        to_response: Callable[[Reply], web.StreamResponse],
    ) -> web.StreamResponse:
        """Answer ``request`` as the faults say: normally (``answer()``), or with a fault."""
        if request.path == "/robots.txt" and (text := self.robots(site)) is not None:
            self.hits[site.name, "/robots.txt"] += 1
            self.served[site.name, "robots"] += 1
            return web.Response(text=text, content_type="text/plain")
        # A POST's identity includes its form (data proxies share one path for every column).
        fields = dict(request.query)
        if request.method == "POST":
            posted = await request.post()  # read once by aiohttp, cached for the renderer
            fields.update({k: v for k, v in posted.items() if isinstance(v, str)})
        fault = self.pick(site.name, request.path, fields, request.url.port or 0)
        if fault is None:
            return to_response(answer())
        self.served[site.name, fault.kind] += 1
        self.log.append((site.name, fault.kind, _key(request.path, fields), request.path_qs))
        serve = _SERVERS[fault.kind]
        return await serve(self, fault, request, site, answer, to_response)


# ---------------------------------------------------------------- the faulty answers
# Each takes (faults, fault, request, site, answer, to_response) and returns the response.

Serve = Callable[
    [Faults, Fault, web.Request, Site, Callable[[], Reply], Callable[[Reply], web.StreamResponse]],
    Awaitable[web.StreamResponse],
]

_ERROR_PAGES = {
    500: "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
    502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
    503: "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>",
}


async def _status(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """An HTTP 500/502/503 error page, as nginx or Tomcat write them."""
    code = int(fault.kind)
    return web.Response(status=code, text=_ERROR_PAGES[code], content_type="text/html")


async def _timeout(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """No answer for ``hang`` seconds (the crawler gives up first), then the page."""
    await asyncio.sleep(faults.hang)
    return to_response(answer())


async def _slow(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """A slow host: the page after ``delay`` seconds."""
    await asyncio.sleep(faults.delay)
    return to_response(answer())


async def _reset(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """The connection reset (TCP RST) before any byte of an answer."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    raise asyncio.CancelledError  # nothing more to send on this connection


async def _truncated(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """The head promises the whole body (Content-Length); half of it comes, then the close."""
    reply = answer()
    body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    response.content_type = reply.content_type
    if isinstance(reply.body, str):
        response.charset = "utf-8"
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()  # flushes what was written, then FIN: the rest never comes
    return response


# 瑞数 (RiverSecurity): a first answer of 412 with an obfuscated script, a meta token and the
# FSSBBIl1UgzbN7N80S cookie; the browser runs the script, which sets the T cookie and reloads.
_RS_PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Expires" content="0"><meta http-equiv="Cache-Control" content="no-cache">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{token}" r='m'>
<script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};$_ts.nsd={nsd};$_ts.cd="{cd}";if($_ts.lcd)$_ts.lcd();</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.{js}.js" r='m'></script>
</head><body></body></html>"""

# 加速乐 (Knownsec jiasule): 521 and a script that assembles the __jsl_clearance cookie.
_JSL_PAGE = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')"
    "+('a')+('r')+('a')+('n')+('c')+('e')+('_')+('s')+('=')+(-~[]+'{t}')+('|-1|')+'{h}'"
    "+(';max-age=3600;path=/');location.href=location.pathname+location.search</script>"
    "<!-- __jsl_clearance_s --></body></html>"
)

# HTTP 200 pages that are really challenges: nothing but a demand for JavaScript.
_JS_PAGES = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
    "<noscript><h1>请开启JavaScript并刷新该页</h1></noscript>"
    '<script src="/_guard/auto.js?{h}"></script></body></html>',
    '<html><head><meta charset="utf-8"></head><body><p>Please enable JavaScript to view the page '
    "content.</p><script>window.onload=function(){{setTimeout(function(){{location.reload()}},{n})}}"
    "</script></body></html>",
)


async def _rs412(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    h = hashlib.sha1(f"{site.name}{request.path_qs}".encode()).hexdigest()
    page = _RS_PAGE.format(token=h * 2, nsd=int(h[:5], 16), cd=h * 6, js=h[:7])
    response = web.Response(status=412, text=page, content_type="text/html")
    response.set_cookie("FSSBBIl1UgzbN7N80S", h[:40] + "_" + h[:24], path="/", httponly=True)
    return response


async def _jsl521(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    h = hashlib.sha1(f"{site.name}{request.path_qs}".encode()).hexdigest()
    response = web.Response(
        status=521, text=_JSL_PAGE.format(t=int(h[:8], 16), h=h[:24]), content_type="text/html"
    )
    response.set_cookie("__jsluid_h", h[:32], max_age=31536000, path="/", httponly=True)
    return response


async def _js200(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    h = hashlib.sha1(f"{site.name}{request.path_qs}".encode()).hexdigest()
    page = _JS_PAGES[int(h[0], 16) % 2].format(h=h[:10], n=1000 + int(h[1:3], 16))
    return web.Response(text=page, content_type="text/html", charset="utf-8")


async def _charset(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """The page in GB18030, declared gb2312 in its meta tag; the HTTP header says UTF-8 or nothing.

    Old TRS hosts do this. A crawler that trusts the header reads mojibake.
    """
    reply = answer()
    if not isinstance(reply.body, str) or reply.content_type != "text/html":
        return to_response(reply)
    text = re.sub(r"charset=utf-8", "charset=gb2312", reply.body, flags=re.I)
    body = text.encode("gb18030")
    wrong = _unit(site.name, request.path_qs, "charset") < 0.5
    ctype = "text/html; charset=UTF-8" if wrong else "text/html"
    return web.Response(
        status=reply.status, body=body, headers={**reply.headers, "Content-Type": ctype}
    )


async def _redirect_loop(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """302 to the same page with ``?jump=1``, which sends back: a loop a crawler must see."""
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if LOOP_PARAM in query:
        query.pop(LOOP_PARAM)
    else:
        query[LOOP_PARAM] = "1"
    location = request.path + ("?" + urlencode(query) if query else "")
    return web.Response(status=302, headers={"Location": location}, text="")


async def _oversized(
    faults: Faults, fault: Fault, request, site, answer, to_response
) -> web.StreamResponse:
    """An answer of ``oversize`` bytes, declared in Content-Length, streamed until the client quits."""
    reply = answer()
    response = web.StreamResponse(status=200, headers=reply.headers)
    response.content_type = reply.content_type
    response.content_length = faults.oversize
    await response.prepare(request)
    chunk = b"%PDF-1.4\n" + b"0" * (65536 - 9)
    sent = 0
    try:
        while sent < faults.oversize:
            piece = chunk[: faults.oversize - sent]
            await response.write(piece)
            sent += len(piece)
    except (ConnectionError, RuntimeError):
        return response  # the crawler hung up: it saw the size and refused the rest
    await response.write_eof()
    return response


_SERVERS: dict[str, Serve] = {
    "500": _status,
    "502": _status,
    "503": _status,
    "timeout": _timeout,
    "slow": _slow,
    "reset": _reset,
    "truncated": _truncated,
    "412": _rs412,
    "521": _jsl521,
    "js": _js200,
    "charset": _charset,
    "redirect-loop": _redirect_loop,
    "oversized": _oversized,
}
