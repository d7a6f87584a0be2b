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

The 2025 department template (Jiangxi's 生态环境厅) has no jpage call: the same options are a
plain object handed to ``loadPageData``, and the first results are already in the page::

    var params = { current: 1, unitid: '380055', webSiteCode: ['jxssthjt'],
                   channelCode: ['col42150'], perPage: '15', … };
    loadPageData(params, '380055');
    var listData = { articleList: [{"title": …, "pubDate": "2025-07-29 16:59",
                     "urls": "{\"pc\":\"/jxssthjt/col/col42150/content/content_….html\"}",
                     "relation": 1, "relationUrl": "/jxssthjt/col42150/relation/<id>-RelationArticle.json"}, …] };
    var channelsTagSelf = {"code": "col42150", "articleCount": 444, …};

``parse_column_page`` reads every way seen: jpage options, a ``loadPageData`` object, plain
script variables (``websiteCode``, ``codeName``), the codes in the URL, ``<base href>``; it hands
the inline items over as ``entries`` and the column's stated record count as ``total``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from corpus.store.normalize import parse_date, squash_spaces
from corpus.store.records import ListEntry, PageLink, ParseError
from crawler.parsers.article import ArticleLayout

BODY = ("#zoom", "div.article-content", "div.TRS_Editor")
PER_PAGE = 15

_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
# loadPageData(params, '380055') or loadPageData({…}, '380055'): the options object, the unit id
_LOAD_PAGE_DATA = re.compile(
    r"""loadPageData\(\s*(?:(\w+)|\{(.*?)\})\s*(?:,\s*['"]?(\d+)['"]?)?\s*\)""", re.S
)
# key: 'value' | "value" | ['value', …] | 123
_OPTION = re.compile(r"""(\w+)\s*:\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|[\w.-]+)""")
_INLINE_VAR = re.compile(r"""\b(\w+)\s*=\s*'([^']*)'""")
_CONTAINER_UNIT = re.compile(r"""templateContainerId\s*:\s*['"]div(\d+)['"]""")
_ARTICLE_LIST = re.compile(r"""["']?articleList["']?\s*[:=]\s*\[""")
_JSON_VAR = re.compile(r"""\bvar\s+\w+\s*=\s*(?=[\[{]\s*["\]{}])""")
# What loadPageData and jpage post beside the codes: the paging and display options.
_POSTED = ("showMode", "groupSize", "barPosition", "titleMax", "templateContainerId", "themeName",
           "sort", "order", "dataBefore", "dataAfter", "notReturnContent")  # fmt: skip


@dataclass
class JxnewEntry(ListEntry):
    """A list item of the platform: what its JSON says beyond a list entry.

    ``relation_url`` is the item's ``relationUrl`` (a JSON file of related articles: where a
    document's interpretations and an interpretation's documents are named) when the item says it
    has relations; ``links`` are those the spider read from it, added to the page's record.
    """

    relation_url: str = ""
    links: list[PageLink] = field(default_factory=list)


@dataclass
class ColumnParams:
    """What a column page tells a crawler about its list."""

    column_url: str
    endpoint: str  # absolute URL of /queryList (at the site root)
    unitid: str  # "" when the page names none: only its inline items can be had
    site_code: str
    channel_code: str
    array_fields: bool  # post webSiteCode[] / channelCode[] instead of the plain names
    per_page: int = PER_PAGE
    extra: dict[str, str] = field(default_factory=dict)  # other jpage options, posted as they are
    found_in: str = "jpage"  # jpage | loadPageData | variables: where the options were read
    entries: list[ListEntry] = field(default_factory=list)  # the items the page holds inline
    total: int | None = None  # the column's record count as the page states it

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
            "found_in": self.found_in,
            "inline_items": len(self.entries),
            "stated_total": self.total,
        }

    def first_query_page(self) -> int:
        """The first ``/queryList`` page not wholly listed inline (1 without inline items)."""
        return len(self.entries) // max(1, self.per_page) + 1


def _unquote(value: str) -> str:
    return value.strip().strip("'\"")


def jpage_options(text: str) -> dict[str, str | list[str]]:
    """The options of the page's jpage call; array values become lists."""
    m = _JPAGE.search(text)
    return _options(m[1]) if m else {}


def loadpagedata_options(text: str) -> tuple[dict[str, str | list[str]], str]:
    """The options object a ``loadPageData(params, '<unitid>')`` call hands over, and that unit id.

    The object is either written in the call or a script variable named there (``var params =
    {…}``, the 2025 department template); ({}, "") when the page makes no such call.
    """
    m = _LOAD_PAGE_DATA.search(text)
    if not m:
        return {}, ""
    body = m[2]
    if body is None:
        var = re.search(
            rf"\b(?:var|let|const)?\s*\b{re.escape(m[1])}\s*=\s*\{{(.*?)\}}\s*;?", text, re.S
        )
        body = var[1] if var else ""
    return _options(body), m[3] or ""


def _options(body: str) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, raw in _OPTION.findall(body):
        if raw.startswith("["):
            out[key] = [_unquote(v) for v in raw[1:-1].split(",") if v.strip()]
        else:
            out[key] = _unquote(raw)
    return out


def _url_codes(url: str) -> tuple[str, str]:
    """(site code, channel) from ``/{site}/col/{channel}/index.html`` or ``/{site}/{channel}/…``."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and "." in parts[-1]:
        parts = parts[:-1]  # index.html
    site = parts[0] if parts else ""
    rest = [p for p in parts[1:] if p != "col"]
    return site, rest[0] if rest else ""


def parse_column_page(response: TextResponse, array_fields: bool | None = None) -> ColumnParams:
    """The list parameters of a column page, its inline items and the total it states.

    The options come from the page's jpage call, else from the object its ``loadPageData`` call
    is given; the site code and channel fall back on the inline variables (``websiteCode =
    'jxssthjt'``, ``codeName = 'col14590'``) and the URL's path (``/{site}/col/{channel}/…``),
    the unit id on ``loadPageData``'s second argument and the template container's id. Relative
    URLs resolve against ``<base href>`` where the page sets one. ``array_fields`` overrides
    what the options say (a registry option for a site whose discovery guesses wrong); a page
    whose options are plain variables only is taken to post arrays, as the 2025 template does.
    A page that names neither list options nor inline items is not a column page.
    """
    text = response.text
    base = get_base_url(response)
    found_in = "jpage"
    options = jpage_options(text)
    load_unit = ""
    if not options:
        options, load_unit = loadpagedata_options(text)
        found_in = "loadPageData" if options or load_unit else "variables"
    inline = dict(_INLINE_VAR.findall(text))
    url_site, url_channel = _url_codes(response.url)
    site_opt, channel_opt = options.get("webSiteCode"), options.get("channelCode")
    site_code = (
        _first(site_opt)
        or inline.get("websiteCode", "")
        or inline.get("webSiteCode", "")
        or inline.get("siteCode", "")
        or url_site
    )
    channel = (
        _first(channel_opt)
        or inline.get("codeName", "")
        or inline.get("channelCode", "")
        or url_channel
    )
    container = _CONTAINER_UNIT.search(text)
    unitid = str(options.get("unitid") or load_unit or (container[1] if container else ""))
    entries = inline_entries(text, base)
    if not (site_code and channel) or not (unitid or entries):
        raise ParseError(
            "column params: no jpage call, loadPageData options or inline list on the column page"
            if found_in == "variables"
            else "column params: webSiteCode, channelCode or unitid missing"
        )
    if array_fields is None:
        listed = isinstance(site_opt, list) or isinstance(channel_opt, list)
        array_fields = listed or found_in == "variables"
    per = str(options.get("perPage") or options.get("pageSize") or PER_PAGE)
    extra = {k: str(v) for k, v in options.items() if k in _POSTED and isinstance(v, str)}
    endpoint = urljoin(base, str(options.get("url") or "/queryList"))
    return ColumnParams(
        column_url=response.url,
        endpoint=endpoint,
        unitid=unitid,
        site_code=site_code,
        channel_code=channel,
        array_fields=array_fields,
        per_page=int(per) if per.isdigit() and int(per) > 0 else PER_PAGE,
        extra=extra,
        found_in=found_in,
        entries=entries,
        total=stated_total(text, channel),
    )


def inline_entries(text: str, base_url: str) -> list[ListEntry]:
    """The items a column page carries in its script (``articleList: [{…}, …]``), in page order.

    Each item is read as a ``/queryList`` result is (``urls`` a JSON string, padded titles);
    an array that is not JSON gives nothing.
    """
    m = _ARTICLE_LIST.search(text)
    if not m:
        return []
    try:
        items, _ = json.JSONDecoder().raw_decode(text, m.end() - 1)
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [e for e in (_entry(item, base_url) for item in items) if e is not None]


def stated_total(text: str, channel: str) -> int | None:
    """The column's record count the page states: ``articleCount`` (or ``total``) beside the
    inline list, else the ``articleCount`` of the channel's own record (``var channelsTagSelf =
    {"code": "<channel>", "articleCount": 444, …}``; parent and sibling channels are skipped)."""
    m = _ARTICLE_LIST.search(text)
    if m:
        try:
            _, end = json.JSONDecoder().raw_decode(text, m.end() - 1)
        except ValueError:
            end = m.end()
        rest = text[end : end + 400].split("}", 1)[0]
        count = re.search(r"""["']?(?:articleCount|totalCount|total)["']?\s*:\s*['"]?(\d+)""", rest)
        if count:
            return int(count[1])
    for var in _JSON_VAR.finditer(text):
        try:
            value, _ = json.JSONDecoder().raw_decode(text, var.end())
        except ValueError:
            continue
        found = _channel_count(value, channel)
        if found is not None:
            return found
    return None


def _channel_count(value: object, channel: str) -> int | None:
    if isinstance(value, dict):
        count = value.get("articleCount")
        if value.get("code") == channel and str(count).isdigit():
            return int(str(count))
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _channel_count(child, channel)
        if found is not None:
            return found
    return None


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
    entries = [
        e
        for e in (_entry((item or {}).get("source") or {}, base_url) for item in results)
        if e is not None
    ]
    return ListAnswer(entries, int(total) if str(total).isdigit() else None, len(results))


def _entry(item: object, base_url: str) -> JxnewEntry | None:
    """One article of a list (a ``/queryList`` result's ``source`` or an inline item); None
    without a readable ``urls.pc`` link. Its relation file is kept unless the item says it has no
    relations (``"relation": 0``)."""
    if not isinstance(item, dict):
        return None
    href = _pc_url(item.get("urls"))
    if not href:
        return None
    raw_date = squash_spaces(str(item.get("pubDate") or ""))
    relation = str(item.get("relationUrl") or "")
    has_relations = str(item.get("relation", "1")) not in ("0", "", "False", "false")
    return JxnewEntry(
        url=urljoin(base_url, href),
        title=squash_spaces(str(item.get("title") or "")),
        date_raw=raw_date,
        date=parse_date(raw_date) if raw_date else None,
        relation_url=urljoin(base_url, relation) if relation and has_relations else "",
    )


def parse_relations(text: str, base_url: str, role: str, label: str = "relation") -> list[PageLink]:
    """The related articles of a ``relationUrl`` JSON file, as links of ``role``.

    Read as the platform writes articles everywhere: any object with a ``urls`` (a JSON string
    or object with ``pc``), ``url``, ``pcUrl`` or ``link``, and a ``title``, at any depth
    (a bare list, or a list under ``data`` / ``results`` / ``articleList``). Not JSON: none.
    """
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    links: list[PageLink] = []
    seen: set[str] = set()
    for item in _objects(doc):
        href = _pc_url(item.get("urls")) or next(
            (str(item[k]) for k in ("pcUrl", "url", "link") if isinstance(item.get(k), str)), ""
        )
        if not href or not href.startswith(("/", "http", ".")):
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        title = squash_spaces(str(item.get("title") or item.get("showTitle") or ""))
        links.append(PageLink(url, title, role, label))  # type: ignore[arg-type]
    return links


def _objects(value: object) -> list[dict]:
    """Every JSON object in ``value`` that names an article (has a title), in document order."""
    out: list[dict] = []
    if isinstance(value, dict):
        if "title" in value or "showTitle" in value:
            out.append(value)
        for child in value.values():
            if isinstance(child, (dict, list)):
                out += _objects(child)
    elif isinstance(value, list):
        for child in value:
            out += _objects(child)
    return out


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
