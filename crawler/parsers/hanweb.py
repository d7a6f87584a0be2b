"""Pure parsers for Hanweb JCMS (大汉) sites: column parameters, list records, article pages.

See docs/sites.md, "Hanweb JCMS", for the shapes. Nothing here does I/O or reads the clock: every
function takes a response (or text) and returns typed records, raising ``ParseError`` naming the
field when a required one is missing.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from corpus.store.normalize import (
    find_dates,
    find_doc_numbers,
    parse_date,
    squash_spaces,
    strip_all_spaces,
)
from corpus.store.records import ListEntry, ParseError
from crawler.parsers.article import ArticleLayout
from crawler.parsers.common import page_fields

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"

# ---------------------------------------------------------------- column pages


@dataclass
class ColumnParams:
    """What a column page tells a crawler about its list (the ``param_`` block and jpage call)."""

    column_url: str
    unitid: str
    columnid: str
    webid: str
    webname: str
    proxy_url: str  # absolute
    per_page: int = 15
    group_size: int = 3
    total: int | None = None  # totalRecord: what the site says the column holds
    prefix: str = ""  # site-code path prefix such as /jxssthjt ("" on most sites)
    fields: dict[str, str] = field(default_factory=dict)  # the param_ object, as a form body

    @property
    def group(self) -> int:
        """Records per group, as a browser asks for them (perPage × groupSize, typically 45)."""
        return max(1, self.per_page * self.group_size)

    def records_url(self, start: int, end: int) -> str:
        """``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` (1-based, inclusive)."""
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": self.per_page})
        return f"{self.proxy_url}?{query}"

    def page_url(self, page: int) -> str:
        """``dataproxy.jsp?page=2&appid=1&webid=…&columnid=…&unitid=…`` (the GET convention)."""
        query = {"page": page, **{k: v for k, v in self.fields.items() if k != "page"}}
        return f"{self.proxy_url}?{urlencode(query)}"

    def to_dict(self) -> dict:
        """JSON-ready, for the ``columns.params`` column."""
        return {
            "unitid": self.unitid,
            "columnid": self.columnid,
            "webid": self.webid,
            "webname": self.webname,
            "proxy_url": self.proxy_url,
            "per_page": self.per_page,
            "group_size": self.group_size,
            "total": self.total,
            "prefix": self.prefix,
        }


# var param_389995 = {col:1,appid:1,webid:3,path:'/',columnid:48469,…,webname:'江西省人民政府',…};
_PARAM_BLOCK = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}\s*;?", re.S)
_JS_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]*))""")
_COL_PATH = re.compile(r"^(?P<prefix>/.*?)?/col/col(?P<id>\d+)/")
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_LOOSE_OPTION = re.compile(
    r"""\b(proxyUrl|perPage|totalRecord|groupSize)\s*[:=]\s*['"]?([^'",;}\s]+)"""
)
_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)


def _js_object(body: str) -> dict[str, str]:
    """``{col:1,path:'/',webname:"江西"}`` → ``{"col": "1", "path": "/", "webname": "江西"}``."""
    out: dict[str, str] = {}
    for m in _JS_PAIR.finditer(body):
        key = m[1]
        value = next(v for v in (m[2], m[3], m[4]) if v is not None)
        out.setdefault(key, value.strip())
    return out


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def parse_column_params(response: TextResponse) -> ColumnParams:
    """Read the list parameters of a column page.

    The page carries::

        <div id="389995"><script type="text/xml"><datastore>…</datastore></script></div>
        <script>var param_389995 = {col:1,appid:1,webid:3,path:'/',columnid:48469,
            sourceContentType:1,unitid:'389995',webname:'江西省人民政府',permissiontype:0};</script>
        <script>$('#389995').jpage({…, proxyUrl:'/module/web/jpage/dataproxy.jsp',
            perPage:15, totalRecord:200, groupSize:3, …, ajaxParam:param_389995});</script>

    A page may hold several list units (a sidebar too): the one whose ``columnid`` is the
    column's own id in the URL wins.
    """
    text = response.text
    path = urlsplit(response.url).path
    m = _COL_PATH.match(path)
    url_column = m["id"] if m else ""
    prefix = (m["prefix"] or "") if m else ""

    blocks = {unit: _js_object(body) for unit, body in _PARAM_BLOCK.findall(text)}
    if not blocks:
        raise ParseError("column params: no `var param_…` block on the column page")
    unit = next(
        (u for u, f in blocks.items() if f.get("columnid") == url_column), next(iter(blocks))
    )
    fields = blocks[unit]
    jpage = _jpage_for(text, unit)

    columnid = fields.get("columnid") or url_column
    webid = fields.get("webid", "")
    if not webid:
        raise ParseError("column params: webid missing from the param_ block")
    proxy = jpage.get("proxyUrl") or (prefix + DEFAULT_PROXY)
    return ColumnParams(
        column_url=response.url,
        unitid=fields.get("unitid") or unit,
        columnid=columnid,
        webid=webid,
        webname=fields.get("webname", ""),
        proxy_url=urljoin(response.url, proxy),
        per_page=_int(jpage.get("perPage")) or 15,
        group_size=_int(jpage.get("groupSize")) or 3,
        total=_int(jpage.get("totalRecord")),
        prefix=prefix,
        fields=fields,
    )


def _jpage_for(text: str, unit: str) -> dict[str, str]:
    """The options of the jpage call for ``unit`` (the one naming ``param_{unit}``, else the first)."""
    calls = [_js_object(body) for body in _JPAGE_CALL.findall(text)]
    for call in calls:
        if call.get("objId") == unit or call.get("ajaxParam") == f"param_{unit}":
            return call
    if calls:
        return calls[0]
    # No jpage call as such: some templates set the options as loose assignments
    # (``var totalRecord = 812;``).
    loose: dict[str, str] = {}
    for key, value in _LOOSE_OPTION.findall(text):
        loose.setdefault(key, value)
    return loose


# ---------------------------------------------------------------- list records


@dataclass
class Datastore:
    """One ``<datastore>``: its records as list entries and the totals it announces."""

    entries: list[ListEntry]
    total_record: int | None = None
    total_page: int | None = None
    found: bool = True  # False: the text held no datastore at all (an error page, a refusal)
    records: int = 0  # <record> elements, with or without a readable link


_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)


def parse_datastore(text: str, base_url: str) -> Datastore:
    """The records of a ``<datastore>`` (embedded in a column page, or a data-proxy answer)::

    <datastore><nextgroup>…</nextgroup><recordset>
      <record><![CDATA[ <li>…</li> ]]></record> …
    </recordset><totalrecord>200</totalrecord><totalpage>14</totalpage></datastore>
    """
    m = _DATASTORE.search(text)
    if not m:
        return Datastore([], found=False)
    store = m[1]
    entries = []
    records = _RECORD.findall(store)
    for cdata, plain in records:
        fragment = cdata if cdata else html_lib.unescape(plain)
        entry = parse_list_item(fragment, base_url)
        if entry is not None:
            entries.append(entry)
    total_record = _TOTAL_RECORD.search(store)
    total_page = _TOTAL_PAGE.search(store)
    return Datastore(
        entries,
        total_record=int(total_record[1]) if total_record else None,
        total_page=int(total_page[1]) if total_page else None,
        records=len(records),
    )


def parse_column_page(response: TextResponse) -> tuple[ColumnParams, Datastore]:
    """Parameters and the embedded first group of a column page."""
    params = parse_column_params(response)
    # The embedded datastore sits in <div id="{unitid}">; fall back to the page's first one.
    unit = re.search(
        rf"""<div[^>]*\bid\s*=\s*["']?{re.escape(params.unitid)}["']?[^>]*>(.*?)</datastore>""",
        response.text,
        re.S,
    )
    chunk = unit[1] + "</datastore>" if unit else response.text
    return params, parse_datastore(chunk, response.url)


_INDEX_NO = re.compile(
    r"(?<![\d/])(?:[0-9A-Za-z]{6,}/\d{4}-\d{3,}|\d{4}-\d{2}-\d{5,})(?![\d])"
)  # 014500353/2022-00123 (org code form) or 2026-02-00018 (dated form: not a date!)


def parse_list_item(fragment: str, base_url: str) -> ListEntry | None:
    """One list record, in every variant the sites show::

        <li><a href="/art/2022/5/25/art_48469_1.html" title="全标题">截断的标题…</a>
            <span class="bt-data-time">2022-05-25</span></li>
        <li><a href='…'>…</a><b>2022-
             05-25</b></li>                                   (single quotes, padding, split date)
        <li><h1><a href="…">江西省…办法</a></h1>
            <h2>(江西省人民政府令第252号 公布 2022年5月11日)</h2></li>          (rules)
        <li><a …>…</a><span>赣环字〔2026〕3号</span><span>2026-02-00018</span><b>2026-02-10</b></li>

    An 索引号 such as ``2026-02-00018`` is recognised as such and never read as a date.
    Returns None for a record without a link.
    """
    sel = Selector(text=f"<div>{fragment}</div>")
    anchor = sel.xpath("//a[@href]")
    if not anchor:
        return None
    a = anchor[0]
    href = a.attrib["href"].strip()
    title = squash_spaces(a.attrib.get("title", "")) or squash_spaces(
        " ".join(a.xpath(".//text()").getall())
    )
    # Everything outside the title link, one text node per piece (dates may be split inside one).
    pieces = [squash_spaces(t) for t in sel.xpath("//text()[not(ancestor::a)]").getall()]
    pieces = [p for p in pieces if p]
    labelled = _labelled_list_values(pieces)
    rest = " | ".join(pieces)

    index_no = labelled.get("index_no", "")
    if not index_no:
        m = _INDEX_NO.search(rest)
        index_no = m[0] if m else ""
    rest_no_index = rest.replace(index_no, " ") if index_no else rest

    doc_number_raw = labelled.get("doc_number", "")
    if not doc_number_raw:
        found = find_doc_numbers(rest_no_index)
        doc_number_raw = squash_spaces(found[0][0]) if found else ""

    date_raw = labelled.get("date", "")
    date = parse_date(date_raw) if date_raw else None
    if not date:
        dates = find_dates(rest_no_index)
        date_raw, date = dates[-1] if dates else ("", None)
    return ListEntry(
        url=urljoin(base_url, href),
        title=title,
        date_raw=squash_spaces(date_raw),
        date=date,
        doc_number_raw=doc_number_raw,
        index_no=index_no,
    )


_LIST_LABELS = {"索引号": "index_no", "文号": "doc_number", "发文字号": "doc_number",
                "发布日期": "date", "日期": "date", "成文日期": "date"}  # fmt: skip


def _labelled_list_values(pieces: list[str]) -> dict[str, str]:
    """``文号：赣环字〔2026〕3号`` style pieces of a list item."""
    out: dict[str, str] = {}
    for i, piece in enumerate(pieces):
        m = re.match(r"^([^:：]{1,6})[:：]\s*(.*)$", piece)
        if not m:
            continue
        key = _LIST_LABELS.get(strip_all_spaces(m[1]))
        if key:
            value = m[2] or (pieces[i + 1] if i + 1 < len(pieces) else "")
            out.setdefault(key, squash_spaces(value))
    return out


# ---------------------------------------------------------------- article pages

# <meta name="ContentStart"> … <meta name="ContentEnd"> (sometimes self-closed: <meta …/>).
_CONTENT_START = re.compile(r"""<meta\s+name\s*=\s*["']?ContentStart["']?[^>]*>""", re.I)
_CONTENT_END = re.compile(r"""<meta\s+name\s*=\s*["']?ContentEnd["']?[^>]*>""", re.I)
_RSS_BEGIN = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->", re.I)
_RSS_END = re.compile(r"<!--\s*ZJEG_RSS\.content\.end\s*-->", re.I)
_SOURCE_COMMENT = re.compile(
    r"<!--\s*<\$\[信息来源\]>\s*begin\s*-->(.*?)<!--\s*<\$\[信息来源\]>\s*end\s*-->", re.S
)


def split_body(text: str) -> tuple[str, str, str] | None:
    """(before, body, after) around the content markers, or None when the page has none.

    ``<!--ZJEG_RSS.content.begin--><meta name="ContentStart">…<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->``
    with the meta tags self-closed or not; the ZJEG comments alone also mark the body.
    """
    for start_rx, end_rx in ((_CONTENT_START, _CONTENT_END), (_RSS_BEGIN, _RSS_END)):
        start = start_rx.search(text)
        if not start:
            continue
        end = end_rx.search(text, start.end())
        if end:
            return text[: start.start()], text[start.end() : end.start()], text[end.end() :]
    return None


def source_comment(text: str) -> str:
    """信息来源 in the ``<!--<$[信息来源]>begin-->来源：…<!--<$[信息来源]>end-->`` span ("" if none)."""
    m = _SOURCE_COMMENT.search(text)
    if not m:
        return ""
    value = squash_spaces(Selector(text=f"<div>{m[1]}</div>").xpath("string()").get() or "")
    return re.sub(r"^(?:信息)?来源\s*[:：]\s*", "", value)


# Article pages are read by the rules every family shares (crawler.parsers.article); these are
# the Hanweb habits it is told about.
ARTICLE = ArticleLayout(
    # Quirk: a page without markers; the body is then the whole #zoom element.
    body_css=("#zoom",),
    split_body=split_body,  # ContentStart/ContentEnd metas or ZJEG_RSS comments around the body
    read_fields=page_fields,  # the disclosure table, in any of its layouts
    title_tag="title",  # no ArticleTitle meta and no 标题 cell: the page's <title>
    source_span=source_comment,  # between the ContentSource meta and a 信息来源 field
)
parse_document = ARTICLE.parse_document
parse_interpretation = ARTICLE.parse_interpretation
