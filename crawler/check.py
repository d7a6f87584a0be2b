"""``normdocs sites check``: validate a sites file, then look at each column once.

For every column the check fetches the column URL (and, for families whose list lives elsewhere,
the first list answer: ``POST /queryList`` on Jiangxi's new platform, the gkmlpt API) and runs
the family's own discovery on it, the same pure parser functions the spiders use. It reports
what it found (the family parameters and the total the site reports) or why it failed (network,
HTTP status, robots.txt, anti-bot challenge, a page the parser cannot read). It is polite like
the crawler: robots.txt obeyed, the crawler's User-Agent, a few requests at a time, one column
page per column.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from http.client import HTTPException

from scrapy.http import HtmlResponse

from corpus.store.records import ParseError
from crawler import settings
from crawler.charset import better_encoding
from crawler.errors import challenge_reason
from crawler.parsers import gkmlpt, hanweb, jxnew, trs
from crawler.sites import Column, Site

TIMEOUT = 15.0
WORKERS = 4


class CheckFailed(Exception):
    """A column that could not be checked; the message says why in one line."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind


@dataclass
class Answer:
    """One HTTP answer."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def response(self) -> HtmlResponse:
        """As a Scrapy response (for the parsers), read in the charset it really uses."""
        headers = {k: v for k, v in self.headers.items() if k.lower() == "content-type"}
        response = HtmlResponse(url=self.url, body=self.body, headers=headers)
        found = better_encoding(response)
        return response.replace(encoding=found[1]) if found else response


Fetch = Callable[[str, dict[str, str] | None], Answer]


@dataclass
class ColumnReport:
    """What the check found for one column."""

    site: str
    family: str
    kind: str
    url: str
    ok: bool
    total: int | None = None
    params: dict = field(default_factory=dict)
    error: str = ""
    error_kind: str = ""  # network | http | robots | blocked | parse
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the terminal."""
        if self.ok:
            total = "?" if self.total is None else self.total
            params = json.dumps(self.params, ensure_ascii=False, sort_keys=True)
            return f"ok   {self.site:<16} {self.kind:<14} total {total:<6} {params}  {self.url}"
        return f"FAIL {self.site:<16} {self.kind:<14} {self.error}  {self.url}"


def fetch(url: str, form: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Answer:
    """GET ``url`` (POST ``form`` when given) with the crawler's User-Agent; never raises on a
    4xx/5xx answer (it is returned), raises ``CheckFailed("network", …)`` when none came."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Answer(answer.geturl(), answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as exc:
        return Answer(url, exc.code, dict(exc.headers or {}), exc.read() or b"")
    except urllib.error.URLError as exc:
        raise CheckFailed("network", f"{url.split('/')[2]}: {exc.reason}") from exc
    except (TimeoutError, OSError, HTTPException) as exc:
        raise CheckFailed("network", f"{type(exc).__name__}: {exc}") from exc


@lru_cache(maxsize=256)
def _robots(origin: str, timeout: float) -> urllib.robotparser.RobotFileParser | None:
    """The robots.txt of ``origin``, or None when it has none (everything is allowed then)."""
    try:
        answer = fetch(f"{origin}/robots.txt", timeout=timeout)
    except CheckFailed:
        return None
    if answer.status != 200:
        return None
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(answer.body.decode("utf-8", errors="replace").splitlines())
    return parser


def allowed(url: str, timeout: float = TIMEOUT) -> bool:
    """Whether robots.txt lets the crawler's User-Agent fetch ``url``."""
    parts = urllib.parse.urlsplit(url)
    robots = _robots(f"{parts.scheme}://{parts.netloc}", timeout)
    return robots is None or robots.can_fetch(settings.USER_AGENT, url)


def _page(get: Fetch, url: str, form: dict[str, str] | None = None) -> HtmlResponse:
    """Fetch ``url`` and insist on a readable 200 answer."""
    answer = get(url, form)
    probe = HtmlResponse(url=answer.url, body=answer.body, status=answer.status)
    challenge = challenge_reason(probe)
    if answer.status in (412, 521) or challenge:
        raise CheckFailed("blocked", challenge or f"HTTP {answer.status} anti-bot challenge")
    if answer.status != 200:
        raise CheckFailed("http", f"HTTP {answer.status} for {answer.url}")
    return answer.response()


# ---------------------------------------------------------------- per family


def _hanweb(column: Column, get: Fetch) -> tuple[dict, int | None]:
    params, store = hanweb.parse_column_page(_page(get, column.url))
    out = params.to_dict()
    out["first_group"] = len(store.entries)
    return out, params.total


def _jxnew(column: Column, get: Fetch) -> tuple[dict, int | None]:
    params = jxnew.parse_column_page(_page(get, column.url), column.array_fields)
    answer = _page(get, params.endpoint, params.form(1))
    listed = jxnew.parse_query_list(answer.text, answer.url)
    if not listed.found:
        raise CheckFailed("parse", "the /queryList answer is not the list JSON")
    out = params.to_dict()
    out["first_page"] = len(listed.entries)
    return out, listed.total


def _trs(column: Column, get: Fetch) -> tuple[dict, int | None]:
    page = trs.parse_list_page(_page(get, column.url))
    if page.pager is None and not page.entries:
        raise CheckFailed("parse", "no list items and no pager call on the list page")
    out = page.pager.to_dict() if page.pager else {"pager": "none", "pages": 1}
    out["first_page"] = len(page.entries)
    total = page.pager.total if page.pager else len(page.entries)
    return out, total


def _gkmlpt(column: Column, get: Fetch) -> tuple[dict, int | None]:
    target = gkmlpt.column_target(column.url, column.category, column.sid)
    sid = target["sid"] or gkmlpt.parse_sid(_page(get, target["index"]).text)
    params = gkmlpt.ColumnParams(column.url, target["api_root"], target["category"], sid)
    answer = _page(get, params.page_url(1))
    listed = gkmlpt.parse_api(answer.text, answer.url)
    if not listed.found:
        raise CheckFailed("parse", "the list API answer is not JSON")
    out = params.to_dict()
    out["first_page"] = len(listed.entries)
    return out, listed.post_count


FAMILY_CHECKS: dict[str, Callable[[Column, Fetch], tuple[dict, int | None]]] = {
    "hanweb": _hanweb,
    "jxnew": _jxnew,
    "trs": _trs,
    "gkmlpt": _gkmlpt,
}


def check_column(site: Site, column: Column, timeout: float = TIMEOUT) -> ColumnReport:
    """Fetch ``column`` once and report what its family's discovery finds there."""
    report = ColumnReport(site.name, site.family, column.kind, column.url, ok=False)
    started = time.monotonic()

    def get(url: str, form: dict[str, str] | None = None) -> Answer:
        if not allowed(url, timeout):
            raise CheckFailed("robots", f"robots.txt forbids {url}")
        return fetch(url, form, timeout)

    try:
        report.params, report.total = FAMILY_CHECKS[site.family](column, get)
        report.ok = True
    except CheckFailed as exc:
        report.error, report.error_kind = str(exc), exc.kind
    except ParseError as exc:
        report.error, report.error_kind = f"parse: {exc}", "parse"
    report.seconds = round(time.monotonic() - started, 2)
    return report


def check_sites(
    sites: list[Site], timeout: float = TIMEOUT, workers: int = WORKERS
) -> list[ColumnReport]:
    """Check every column of ``sites`` (a few at a time), in the file's order."""
    jobs = [(site, column) for site in sites for column in site.columns]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda job: check_column(*job, timeout=timeout), jobs))


def as_json(reports: list[ColumnReport]) -> str:
    """The reports as JSON (for scripts)."""
    return json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=1)
