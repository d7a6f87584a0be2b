"""Hanweb JCMS (大汉) family: column pages, the jpage data proxy, robots.txt and routing.

Article pages are in ``hanweb_article.py``; attachments in ``files.py``.
"""

from __future__ import annotations

import math
import re
from html import escape
from urllib.parse import quote

from . import chrome, files, hanweb_article, realpages
from .catalog import href
from .model import Article, Column, Document, Ref, Reply, Site
from .world import World

PROXY = "/module/web/jpage/dataproxy.jsp"
PER_PAGE, GROUP = 15, 3
XML = "text/xml"
_ART = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")
_COL = re.compile(r"^/col/col(\d+)/index\.html$")
# A 1×1 transparent PNG for the pictures of 图解 pages.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b4944415478da636000020000050001e9fadcd80000000049454e44ae426082"
)


def handle(
    world: World, site: Site, base_port: int, method: str, path: str, query: dict, form: dict
) -> Reply:
    """Answer one request to ``site``."""
    if site.quirks.get("detail_shapes"):  # document pages on real structures (realpages.py)
        reply = realpages.handle(world, site, base_port, method, path, query)
        if reply is not None:
            return reply
    if path == "/robots.txt":
        return robots(site)
    if path == PROXY:
        return dataproxy(world, site, base_port, method, query, form)
    if path == "/module/download/downfile.jsp":
        return files.download(world, site, query)
    if method not in ("GET", "HEAD"):
        return Reply(405, "Method Not Allowed", "text/plain")
    if path.startswith("/picture/"):
        return Reply(200, PIXEL, "image/png")
    if path in ("/", "/index.html", f"{site.prefix}/", f"{site.prefix}/index.html"):
        return Reply(200, home(site))
    if not path.startswith(site.prefix + "/"):
        return not_found(site)
    local = path[len(site.prefix) :]  # pages live under the site-code prefix, if any
    if (m := _COL.match(local)) and (column := site.column(int(m[1]))):
        return Reply(200, column_page(world, site, column, base_port))
    if _ART.match(local) and (art := world.pages.get(Ref(site.name, path))):
        return Reply(200, hanweb_article.render(world, site, art, base_port))
    return not_found(site)


def robots(site: Site) -> Reply:
    """robots.txt: open, missing (404), or closing a path the crawler never needs."""
    if site.style.robots == "missing":
        return not_found(site)
    if site.style.robots == "disallow":
        body = f"User-agent: *\nDisallow: /private/\nDisallow: {site.prefix}/private/\n"
    else:
        body = "User-agent: *\nAllow: /\n"
    return Reply(200, body, "text/plain")


def not_found(site: Site) -> Reply:
    """The JCMS 404 page."""
    body = (
        '<div class="w1200 error"><h2>404</h2><p>对不起，您访问的页面不存在或已被删除！</p></div>'
    )
    return Reply(404, chrome.page(site, "404 页面不存在", body))


def home(site: Site) -> str:
    """The home page: links to the columns."""
    items = "".join(
        f'<li><a href="{chrome.column_path(site, c.id)}" target="_blank">{escape(c.title)}</a></li>'
        for c in site.columns
    )
    body = (
        f'<div class="w1200 home"><div class="zwgk"><h3>政务公开</h3><ul>{items}</ul></div></div>'
    )
    return chrome.page(site, site.title, body)


# ---------------------------------------------------------------- list items


def list_item(site: Site, column: Column, art: Article, base_port: int) -> str:
    """One ``<li>`` as this site writes it (quotes, date tag, padding, spans, link form)."""
    q, style = site.style.quote, site.style
    pad = "\n\t\t\t\t\t\t" if style.padded else ""
    link = href(art.ref, site, base_port, absolute=style.absolute_links)
    if column.id in style.xxgkhide_columns:
        link += "?xxgkhide=1"
    title = escape(art.title, quote=True)
    shown = title
    if style.truncate_titles and len(art.title) > style.truncate_titles:
        shown = escape(art.title[: style.truncate_titles]) + "..."
    day = art.pub.strftime("%Y-%m-%d")
    if style.split_dates and art.seed % 2:
        day = f"{day[:5]}\n\t\t\t\t\t\t\t{day[5:]}"
    day = f"{pad}\t{day}{pad}" if pad else day
    date_html = (
        f"<b>{day}</b>" if style.date_tag == "b" else f"<span class={q}bt-data-time{q}>{day}</span>"
    )
    anchor = f"<a href={q}{link}{q} title={q}{title}{q} target={q}_blank{q}>{pad}\t{shown}{pad}</a>"
    if site.layout_changed:
        # A redesigned template (``--layout-changed``): items open by script, with no href.
        anchor = f"<a onclick={q}openArticle('{link}'){q} title={q}{title}{q}>{shown}</a>"
    if not pad:
        anchor = anchor.replace(">\t", ">", 1)
    if column.kind == "rule" and isinstance(art, Document):
        w = art.written
        parts = [
            f"<h1>{anchor}</h1>",
            f"<h2>({art.number_raw}　{w.year}年{w.month}月{w.day}日)</h2>",
            date_html,
        ]
    elif column.id in style.number_spans and isinstance(art, Document):
        wh = f"<span class={q}wh{q}>{escape(art.number_raw)}</span>"
        parts = [anchor, wh, f"<span class={q}syh{q}>{art.index_no}</span>", date_html]
    else:
        parts = [anchor, date_html]
    return f"<li>{pad}{pad.join(parts)}{pad[:-1]}</li>"


def _records(site: Site, column: Column, arts: list[Article], base_port: int) -> str:
    return "\n".join(
        f"<record><![CDATA[\n{list_item(site, column, a, base_port)}\n]]></record>" for a in arts
    )


def _nextgroup(site: Site, column: Column) -> str:
    webname = quote(site.title)
    args = f"webid={site.webid}&path=/&columnid={column.id}&unitid={column.unitid}&webname={webname}&permissiontype=0"
    if site.style.dataproxy == "pages":
        return f'<nextgroup><![CDATA[<a href="{PROXY}?page=1&appid=1&{args}"></a>]]></nextgroup>'
    first = GROUP * PER_PAGE + 1
    return (
        f'<nextgroup><![CDATA[<a href="{PROXY}?startrecord={first}&endrecord={first + GROUP * PER_PAGE - 1}'
        f'&perpage={PER_PAGE}&appid=1&{args}"></a>]]></nextgroup>'
    )


def param_block(site: Site, column: Column) -> str:
    """``var param_{UNITID} = {…};`` the form fields of every data-proxy request."""
    return (
        f"var param_{column.unitid} = {{col:1,appid:1,webid:{site.webid},path:'/',columnid:{column.id},"
        f"sourceContentType:1,unitid:'{column.unitid}',webname:'{site.title}',permissiontype:0}};"
    )


def column_page(world: World, site: Site, column: Column, base_port: int) -> str:
    """A column page: the first group of records embedded, then the jpage call."""
    arts = world.column_articles(site.name, column.id)
    first = arts[: GROUP * PER_PAGE]
    unit = column.unitid
    datastore = (
        f'<div id="{unit}"><script type="text/xml"><datastore>{_nextgroup(site, column)}\n<recordset>\n'
        f"{_records(site, column, first, base_port)}\n</recordset></datastore></script></div>"
    )
    script = (
        f'<script type="text/javascript">{param_block(site, column)}</script>\n'
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
        f"<script type=\"text/javascript\">$(document).ready(function(){{$('#{unit}').jpage({{"
        f"dataStore:'',proxyUrl:'{PROXY}',perPage:{PER_PAGE},totalRecord:{len(arts)},groupSize:{GROUP},"
        f"barPosition:'bottom',dataBefore:'<ul class=\"list\">',dataAfter:'</ul>',showMode:'full',"
        f"ajaxParam:param_{unit},pageInfo:['首页','上一页','下一页','尾页']}});}});</script>"
    )
    on = ' class="on"'
    side = "".join(
        f'<li{on if c.id == column.id else ""}><a href="{chrome.column_path(site, c.id)}">{escape(c.title)}</a></li>'
        for c in site.columns
    )
    body = (
        chrome.breadcrumbs(site, column.id, column.title, article=False)
        + f'\n<div class="w1200 main"><div class="left-nav"><h3>政务公开</h3><ul>{side}</ul></div>\n'
        f'<div class="right-list"><div class="list-title">{escape(column.title)}</div>\n'
        f"{datastore}\n{script}\n</div></div>"
    )
    return chrome.page(site, f"{column.title}_{site.title}", body)


# ---------------------------------------------------------------- data proxy


def _xml(site: Site, column: Column, arts: list[Article], base_port: int, tail: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"{_nextgroup(site, column)}\n<recordset>\n{_records(site, column, arts, base_port)}\n</recordset>\n"
        f"{tail}</datastore>\n"
    )
    return Reply(200, body, XML)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def dataproxy(
    world: World, site: Site, base_port: int, method: str, query: dict, form: dict
) -> Reply:
    """``/module/web/jpage/dataproxy.jsp`` in the site's convention (record ranges or pages)."""
    fields = {**query, **form}
    column = site.column(_int(fields.get("columnid"), -1))
    if site.style.dataproxy == "pages":
        if method == "POST":  # this host only answers the GET page form
            return Reply(405, "Method Not Allowed", "text/plain")
        return _pages(world, site, column, fields, base_port)
    if method == "GET" and "startrecord" not in query:
        return Reply(400, "Bad Request", "text/plain")
    return _ranges(world, site, column, fields, base_port)


def _empty(tail: str) -> Reply:
    """What the proxy answers to parameters it does not recognise: an empty recordset."""
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n{tail}</datastore>\n'
    return Reply(200, body, XML)


def _ranges(world: World, site: Site, column: Column | None, fields: dict, base_port: int) -> Reply:
    """POST ?startrecord=46&endrecord=90&perpage=15 (1-based, inclusive)."""
    if column is None or str(fields.get("webid")) != str(site.webid):
        return _empty("<totalrecord>0</totalrecord>\n")
    arts = world.column_articles(site.name, column.id)
    start = max(1, _int(fields.get("startrecord"), 1))
    end = min(len(arts), _int(fields.get("endrecord"), start + GROUP * PER_PAGE - 1))
    if site.style.lookahead and start > 1:
        start -= 1  # quirk: the previous group's last record comes first again
    chosen = arts[start - 1 : end] if start <= end else []
    return _xml(site, column, chosen, base_port, f"<totalrecord>{len(arts)}</totalrecord>\n")


def _pages(world: World, site: Site, column: Column | None, fields: dict, base_port: int) -> Reply:
    """GET ?page=N&appid=1&webid=…&columnid=…&unitid=… (15 per page)."""
    if column is None or str(fields.get("unitid")) != column.unitid:
        return _empty("<totalrecord>0</totalrecord><totalpage>0</totalpage>\n")
    arts = world.column_articles(site.name, column.id)
    page = max(1, _int(fields.get("page"), 1))
    chosen = arts[(page - 1) * PER_PAGE : page * PER_PAGE]
    pages = math.ceil(len(arts) / PER_PAGE)
    tail = f"<totalrecord>{len(arts)}</totalrecord><totalpage>{pages}</totalpage>\n"
    return _xml(site, column, chosen, base_port, tail)
