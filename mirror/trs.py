"""TRS WCM (拓尔思) sites: static list pages with ``createPageHTML``, ``./YYYYMM/tYYYYMMDD_N.html``.

As real TRS hosts do: the list is ``index.html`` then ``index_1.html`` … (page n is
``{prefix}_{n-1}``); the number of pages comes from a script call in one of several signatures
(``site.quirks["pager"]``); detail links are relative to the column folder; bodies sit in
``div.TRS_Editor`` (or ``div.trs_editor_view TRS_UEDITOR``) behind a ``<style>`` block; attachments
are ``./P0….pdf`` links beside the article. Quirks served here: a GBK site whose HTTP header says
UTF-8 (articles) or names no charset (lists, some without a ``<meta>`` charset either); a last list
page that is a near-empty stub. A site with ``quirks["list_in_comment"]`` (Gansu's 教育厅, 2025)
keeps its items and pager call inside an HTML comment in an empty ``<ul>``, painted by script, and
with ``quirks["sidebar"]`` shows 热点信息 (the newest pages of its other columns) and 最新 (the
newest of this one) beside the list: links to detail pages that are no items of the column.
"""

from __future__ import annotations

import math
import random
import re
from html import escape

from . import families, pages, realpages
from .model import Article, Column, Document, Interpretation, Link, Ref, Reply, Site
from .world import World

_STYLE = (
    '<style type="text/css">.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.8;'
    "font-family:仿宋;font-size:16pt;}.TRS_Editor DIV{margin-top:0px;margin-bottom:12px;}</style>"
)


def handle(
    world: World, site: Site, base_port: int, method: str, path: str, query: dict, form: dict
) -> Reply:
    """Answer one request to a TRS site."""
    if site.quirks.get("detail_shapes"):  # document pages on real structures (realpages.py)
        reply = realpages.handle(world, site, base_port, method, path, query)
        if reply is not None:
            return reply
    if path == "/robots.txt":
        return Reply(200, "User-agent: *\nDisallow: /protect/\n", "text/plain")
    if method not in ("GET", "HEAD"):
        return Reply(405, "Method Not Allowed", "text/plain")
    if path in ("/", "/index.html"):
        return _html(site, home(site), list_page=True)
    for column in site.columns:
        page = _list_page_number(site, column, path)
        if page is not None:
            return _list_reply(world, site, column, page)
    att = families.attachment_at(world, site, path)
    if att is not None:
        return pages.serve_attachment(att)
    art = world.pages.get(Ref(site.name, path))
    if art is not None:
        return _html(site, article_page(world, site, art, base_port), list_page=False, art=art)
    return _html(site, pages.not_found_page(site), list_page=True, status=404)


def _gbk(site: Site) -> bool:
    return site.quirks.get("charset") == "gbk"


def _html(
    site: Site,
    text: str,
    list_page: bool,
    art: Article | None = None,
    status: int = 200,
) -> Reply:
    """A page in the site's charset, with the header the real host sends."""
    if not _gbk(site):
        return Reply(status, text)
    # Quirk of real hosts: GBK bytes. Article pages say UTF-8 in the HTTP header (wrong); list pages
    # name no charset; one article in three has lost its <meta> charset as well.
    if art is not None and art.seed % 3 == 0:
        text = text.replace(
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n', ""
        )
    header = "text/html" if list_page else "text/html; charset=UTF-8"
    return Reply(status, text.encode("gb18030"), "text/html", {"Content-Type": header})


def home(site: Site) -> str:
    items = "".join(
        f'<li><a href="{families.column_path(site, c.id)}">{escape(c.title)}</a></li>'
        for c in site.columns
    )
    return pages.page(
        site, site.title, f'<div class="w1200"><ul>{items}</ul></div>', charset=_charset(site)
    )


def _charset(site: Site) -> str:
    return "gb2312" if _gbk(site) else "utf-8"


# ---------------------------------------------------------------- list pages


def _list_page_number(site: Site, column: Column, path: str) -> int | None:
    """Which page of ``column``'s list ``path`` names (``index.html`` 1, ``index_1.html`` 2 …)."""
    if not path.startswith(column.code):
        return None
    name = path[len(column.code) :]
    prefix, suffix = site.quirks["prefix"], site.quirks["suffix"]
    if name == f"{prefix}.{suffix}":
        return 1
    m = re.fullmatch(rf"{re.escape(prefix)}_(\d+)\.{re.escape(suffix)}", name)
    return int(m[1]) + 1 if m else None


def _real_pages(site: Site, count: int) -> int:
    return max(1, math.ceil(count / site.quirks["per_page"]))


def _announced_pages(site: Site, column: Column, count: int) -> int:
    """Pages the pager announces: one more than needed where the last one is a stub."""
    return _real_pages(site, count) + (1 if site.quirks.get("stub_page") else 0)


def pager_call(site: Site, pages_total: int, n: int, count: int) -> str:
    """The pager script in the site's signature (``site.quirks["pager"]``)."""
    prefix, suffix = site.quirks["prefix"], site.quirks["suffix"]
    kind = site.quirks["pager"]
    if kind == "container":
        return f"createPageHTML('page_div', {pages_total}, {n}, '{prefix}', '{suffix}', {count});"
    if kind == "createPage":
        return f'createPage({pages_total}, {n - 1}, "{prefix}", "{suffix}");'
    return f'createPageHTML({pages_total}, {n - 1}, "{prefix}", "{suffix}");'


def _item(site: Site, art: Article, column: Column) -> str:
    link = "./" + art.path[len(column.code) :]
    title = escape(art.title, quote=True)
    day = art.pub.strftime("%Y-%m-%d")
    if site.layout_changed:
        # The redesign: items open through a script, with no link a crawler can follow.
        return f'<li><span class="tit" onclick="openDoc(this)" data-id="{art.article_id}">{title}</span><span>{day}</span></li>'
    if _gbk(site):
        return f'<tr><td class="tit"><a href="{link}" target="_blank" title="{title}">{title}</a></td><td class="date">{day}</td></tr>'
    return (
        f'<li><a href="{link}" target="_blank" title="{title}">{title}</a><span>{day}</span></li>'
    )


def _comment_item(art: Article) -> str:
    """An item as Gansu's template writes it: a site-absolute link, the date in ``<b>``."""
    title = escape(art.title, quote=True)
    return (
        f'\n    <li>\n        <a target="_blank" href="{art.path}" title="{title}">\n'
        f"            {title}\n        </a>\n        <b>{art.pub:%Y-%m-%d}</b>\n    </li>\n"
    )


def _sidebar(world: World, site: Site, column: Column) -> str:
    """热点信息 and 最新: detail pages of the site beside the list (never items of the column)."""

    def box(heading: str, arts: list[Article]) -> str:
        items = "".join(
            f'<li><a href="{a.path}" target="_blank" title="{escape(a.title, quote=True)}">'
            f"{escape(a.title)}</a><span>{a.pub:%m-%d}</span></li>"
            for a in arts
        )
        return f'<div class="side-box"><h3>{heading}</h3><ul class="side-list">{items}</ul></div>'

    others = [
        a for c in site.columns if c.id != column.id for a in world.column_articles(site.name, c.id)
    ]
    own = world.column_articles(site.name, column.id)
    return f'<div class="sidebar">{box("热点信息", others[:4])}{box("最新", own[:5])}</div>'


def _list_reply(world: World, site: Site, column: Column, n: int) -> Reply:
    arts = world.column_articles(site.name, column.id)
    total = _announced_pages(site, column, len(arts))
    if n > total:
        return _html(site, pages.not_found_page(site), list_page=True, status=404)
    if n > _real_pages(site, len(arts)):
        # Quirk: the pager announces one page too many; it is a few hundred bytes of nothing.
        stub = (
            f"<html>\n<head>\n<title>{escape(column.title)}</title>\n</head>\n<body>\n"
            '<div class="list"><ul>\n</ul></div>\n<!-- 暂无信息 -->\n</body>\n</html>\n'
        )
        return _html(site, stub, list_page=True)
    per = site.quirks["per_page"]
    chosen = arts[(n - 1) * per : n * per]
    if site.quirks.get("list_in_comment"):
        return _html(site, _commented_list(world, site, column, n, total, chosen), list_page=True)
    items = "\n".join(_item(site, a, column) for a in chosen)
    wrapper = (
        f"<table class='list'>{items}</table>" if _gbk(site) else f'<ul class="list">{items}</ul>'
    )
    script = f'<script type="text/javascript">{pager_call(site, total, n, len(arts))}</script>'
    pager = f'<div class="page"><div id="page_div"></div>{script}</div>'
    column_href = families.column_path(site, column.id)
    body = (
        pages.breadcrumbs(site, column.title, column_href, article=False)
        + f'\n<div class="w1200 main"><div class="list-title">{escape(column.title)}</div>\n'
        f"{wrapper}\n{pager}\n</div>"
    )
    return _html(
        site,
        pages.page(site, f"{column.title}_{site.title}", body, charset=_charset(site)),
        list_page=True,
    )


def _commented_list(
    world: World, site: Site, column: Column, n: int, total: int, chosen: list[Article]
) -> str:
    """A list page whose items and pager call sit in a comment inside an empty ``<ul>``."""
    arts = world.column_articles(site.name, column.id)
    items = "".join(_comment_item(a) for a in chosen)
    pager = (
        '<script type="text/javascript" src="/jyt/xhtml/js/page.js"></script>'
        f"<script>{pager_call(site, total, n, len(arts))}</script>"
    )
    column_href = families.column_path(site, column.id)
    main = (
        f'<div class="scroll_main1"><div class="zfxxgk_zdgktit"><a style="cursor: default;">'
        f"{escape(column.title)}</a></div>\n"
        '<div class="zfxxgk_zdgkc"><input id="page" type="hidden" value="1">'
        f'<input id="pageSize" type="hidden" value="{site.quirks["per_page"]}">\n'
        f'<ul class="jytxxgklist">\n<!--\n{items}{pager}-->\n</ul></div>\n'
        '<div class="fenye2"><div class="page"><div id="page_div"></div></div></div></div>'
    )
    sidebar = _sidebar(world, site, column) if site.quirks.get("sidebar") else ""
    body = (
        pages.breadcrumbs(site, column.title, column_href, article=False)
        + f'\n<div class="w1200 main">{sidebar}\n{main}\n</div>'
    )
    return pages.page(site, f"{column.title}_{site.title}", body, charset=_charset(site))


# ---------------------------------------------------------------- article pages


def _relative(art: Article):
    """Links as TRS writes them: attachments relative to the article (``./P0….pdf``)."""
    folder = art.path.rsplit("/", 1)[0] + "/"

    def link_href(link: Link, world_href) -> str:
        target = world_href(link)
        return "./" + target[len(folder) :] if target.startswith(folder) else target

    return link_href


def _table(doc: Document, rng: random.Random) -> str:
    fields = pages.disclosure_fields(doc, rng)
    if not fields:
        return ""
    if doc.layout == "B":
        cells = [
            f'<td class="bt"><b>{label}：</b></td><td class="nr">{escape(value)}</td>'
            for label, value in fields
        ]
        per_row = 2
    else:
        cells = [f"<td>{label}：{escape(value)}</td>" for label, value in fields]
        per_row = 3
    rows = "".join(
        "<tr>" + "".join(cells[i : i + per_row]) + "</tr>" for i in range(0, len(cells), per_row)
    )
    return f'<div class="xxgk_table"><table cellspacing="0" cellpadding="0">{rows}</table></div>'


def _attachments_after(art: Article) -> str:
    if not art.attachments or not art.spec.get("attachments_outside"):
        return ""
    folder = art.path.rsplit("/", 1)[0] + "/"
    items = "".join(
        f'<p><a href="./{a.href[len(folder) :]}" OLDSRC="/protect{a.href}" target="_blank">'
        f"{escape(a.showname)}</a></p>"
        for a in art.attachments
    )
    return f'<div class="fj"><p>附件：</p>{items}</div>'


def article_page(world: World, site: Site, art: Article, base_port: int) -> str:
    rng = random.Random(art.seed ^ 0x3C3C)
    column = site.column(art.column)
    world_href = pages.world_href(site, base_port)
    relative = _relative(art)

    def link_href(link: Link) -> str:
        return relative(link, world_href)

    blocks = "\n".join(pages.block(b, link_href, rng) for b in art.body)
    body_class = site.quirks.get("body_class", "TRS_Editor")
    column_href = families.column_path(site, column.id)
    parts = [
        pages.breadcrumbs(site, column.title, column_href, article=True),
        '<div class="w1200 article">',
        _table(art, rng) if isinstance(art, Document) else "",
        f'<h1 class="title">{escape(art.title)}</h1>',
        f'<div class="info"><span>来源：{escape(art.source)}</span> '
        f"<span>发布时间：{pages.pub_time(art, seconds=False)}</span> "
        '<span>【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a>】</span></div>',
        f'<div class="{body_class}">{_STYLE}<div class="Custom_UnionStyle">\n{blocks}\n</div></div>',
        _attachments_after(art),
    ]
    if isinstance(art, Document):
        parts.append(pages.related_interpretations(world, art, site, base_port))
    elif isinstance(art, Interpretation):
        parts.append(pages.related_documents(world, art, site, base_port))
    parts.append("</div>")
    metas = pages.head_metas(site, column.title, art)
    return pages.page(
        site, f"{art.title}-{site.title}", "\n".join(parts), metas, charset=_charset(site)
    )
