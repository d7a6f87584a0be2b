"""Pure parsers for Jiangxi's new intensive platform (集约化, 2024/25 on): column, list, pages.

See docs/sites.md, "Jiangxi's new intensive platform". A column page
(``/{siteCode}/{channel}/index.html`` or ``/{siteCode}/col/{channel}/index.html``) holds no
items: its inline jpage call names the form fields of ``POST /queryList`` at the site root (a
GET answers 404)::

    $('#div371204').jpage({ url: '/queryList', unitid: '371204',
        webSiteCode: ['jxsgyhxxht'], channelCode: ['gfxwj'], perPage: 15, … });

Array options are posted as ``webSiteCode[]=…`` (department sites), plain ones as
``webSiteCode=…`` (the portal); the server ignores the other spelling. The answer is JSON whose
``urls`` is itself a JSON string and whose titles are padded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from corpus.store.normalize import parse_date, squash_spaces
from corpus.store.records import ListEntry, ParseError
from crawler.parsers.article import ArticleLayout

BODY = ("#zoom", "div.article-content", "div.TRS_Editor")
PER_PAGE = 15

_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
# key: 'value' | "value" | ['value', …] | 123
_OPTION = re.compile(r"""(\w+)\s*:\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|[\w.-]+)""")
_INLINE_VAR = re.compile(r"""\b(\w+)\s*=\s*'([^']*)'""")


@dataclass
class ColumnParams:
    """What a column page tells a crawler about its list."""

    column_url: str
    endpoint: str  # absolute URL of /queryList (at the site root)
    unitid: str
    site_code: str
    channel_code: str
    array_fields: bool  # post webSiteCode[] / channelCode[] instead of the plain names
    per_page: int = PER_PAGE
    extra: dict[str, str] = field(default_factory=dict)  # other jpage options, posted as they are

    def form(self, page: int) -> dict[str, str]:
        """The form body of ``POST /queryList`` for ``page`` (1-based)."""
        suffix = "[]" if self.array_fields else ""
        return {
            **self.extra,
            "current": str(page),
            "perPage": str(self.per_page),
            "pageSize": str(self.per_page),
            "unitid": self.unitid,
            f"webSiteCode{suffix}": self.site_code,
            f"channelCode{suffix}": self.channel_code,
        }

    def to_dict(self) -> dict:
        """JSON-ready, for the ``columns.params`` column and ``sites check``."""
        return {
            "endpoint": self.endpoint,
            "unitid": self.unitid,
            "webSiteCode": self.site_code,
            "channelCode": self.channel_code,
            "field_names": "name[]" if self.array_fields else "name",
            "per_page": self.per_page,
        }


def _unquote(value: str) -> str:
    return value.strip().strip("'\"")


def jpage_options(text: str) -> dict[str, str | list[str]]:
    """The options of the page's jpage call; array values become lists."""
    m = _JPAGE.search(text)
    if not m:
        return {}
    out: dict[str, str | list[str]] = {}
    for key, raw in _OPTION.findall(m[1]):
        if raw.startswith("["):
            out[key] = [_unquote(v) for v in raw[1:-1].split(",") if v.strip()]
        else:
            out[key] = _unquote(raw)
    return out


def parse_column_page(response: TextResponse, array_fields: bool | None = None) -> ColumnParams:
    """The list parameters of a column page.

    ``array_fields`` overrides what the page's jpage options say (a registry option for a site
    whose discovery guesses wrong). The site code and channel fall back on the inline variables
    (``codeName = 'col14590'``) and the URL's first path segment.
    """
    text = response.text
    options = jpage_options(text)
    if not options:
        raise ParseError("column params: no jpage call on the column page")
    inline = dict(_INLINE_VAR.findall(text))
    site_opt, channel_opt = options.get("webSiteCode"), options.get("channelCode")
    path_parts = [p for p in urlsplit(response.url).path.split("/") if p]
    site_code = _first(site_opt) or (path_parts[0] if path_parts else "")
    channel = _first(channel_opt) or inline.get("codeName", "")
    unitid = str(options.get("unitid") or "")
    if not (site_code and channel and unitid):
        raise ParseError("column params: webSiteCode, channelCode or unitid missing")
    if array_fields is None:
        array_fields = isinstance(site_opt, list) or isinstance(channel_opt, list)
    per = str(options.get("perPage") or options.get("pageSize") or PER_PAGE)
    extra = {
        k: str(v)
        for k, v in options.items()
        if k in ("showMode", "groupSize", "barPosition", "titleMax", "templateContainerId",
                 "themeName", "sort", "order") and isinstance(v, str)
    }  # fmt: skip
    endpoint = urljoin(response.url, str(options.get("url") or "/queryList"))
    return ColumnParams(
        column_url=response.url,
        endpoint=endpoint,
        unitid=unitid,
        site_code=site_code,
        channel_code=channel,
        array_fields=array_fields,
        per_page=int(per) if per.isdigit() else PER_PAGE,
        extra=extra,
    )


def _first(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


@dataclass
class ListAnswer:
    """One ``/queryList`` answer."""

    entries: list[ListEntry]
    total: int | None
    results: int  # items in the answer, readable or not
    found: bool = True  # False: not the JSON shape at all (an error page, a challenge)


def parse_query_list(text: str, base_url: str) -> ListAnswer:
    """The items of a ``/queryList`` answer::

    {"data": {"page": 1, "rows": 15, "total": 50, "results": [{"source": {"title": "  …  ",
      "pubDate": "2026-09-03", "urls": "{\\"pc\\":\\"/jxsgyhxxht/gfxwj/content/content_….html\\"}",
      "content": {"content": "<p>…</p>"}, …}}]}}

    Titles are stripped of their padding; an item without a readable ``urls.pc`` is counted in
    ``results`` but gives no entry.
    """
    try:
        doc = json.loads(text)
        data = doc["data"]
        results = data.get("results") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return ListAnswer([], None, 0, found=False)
    total = data.get("total")
    entries = []
    for item in results:
        source = (item or {}).get("source") or {}
        href = _pc_url(source.get("urls"))
        if not href:
            continue
        raw_date = squash_spaces(str(source.get("pubDate") or ""))
        entries.append(
            ListEntry(
                url=urljoin(base_url, href),
                title=squash_spaces(str(source.get("title") or "")),
                date_raw=raw_date,
                date=parse_date(raw_date) if raw_date else None,
            )
        )
    return ListAnswer(entries, int(total) if str(total).isdigit() else None, len(results))


def _pc_url(urls: object) -> str:
    """``urls`` is a JSON string ``{"pc": "/…html", "h5": …}`` (quirk), sometimes already a dict."""
    if isinstance(urls, str):
        try:
            urls = json.loads(urls)
        except ValueError:
            return urls if urls.startswith(("/", "http")) else ""
    if isinstance(urls, dict):
        return str(urls.get("pc") or "")
    return ""


def inline_variables(text: str) -> dict[str, str]:
    """``var title = '…', pubDate = '2026-09-03 10:31:00'`` → {"title": …, "pubDate": …}."""
    return {k: v.replace("\\'", "'") for k, v in _INLINE_VAR.findall(text)}


def inline_pub_date(text: str) -> str:
    """发布日期 from the page script's ``pubDate = '2026-09-03 10:31:00'`` (when nothing else says)."""
    return inline_variables(text).get("pubDate", "")


# Document pages: a ``发布机构：</strong><span>…</span>`` list or a disclosure table, body ``#zoom``;
# the publication date may be in the page script only.
ARTICLE = ArticleLayout(BODY, published_fallback=inline_pub_date)
parse_document = ARTICLE.parse_document
parse_interpretation = ARTICLE.parse_interpretation
