"""Jiangxi's new intensive platform (集约化, 2024/25 on): column pages, ``POST /queryList``, pages.

As the real platform does: the list comes from ``POST /queryList`` at the site root (a GET
answers 404) with the form fields of the column page's jpage call; department sites post
``webSiteCode[]`` / ``channelCode[]`` (their jpage options are arrays), the portal plain names.
The answer is JSON whose ``urls`` is a JSON string and whose titles are padded, with the whole
body HTML inside. Detail pages carry inline script variables, the head meta tags, a
``发布机构：</strong><span>…</span>`` list (departments) or a disclosure table (portal), the body in
``#zoom`` and attachments as ``p.insertfileTag a``.

A site with ``quirks["column_template"] == "loadPageData"`` serves the 2025 department template
(seen on Jiangxi's 生态环境厅): no jpage call, but ``var params = {…}; loadPageData(params,
'<unitid>')``, the column's first items inline in ``var listData = {articleList: […]}``, its count in
``var channelsTagSelf``, ``<base href="/<siteCode>/">``. Every item names a ``relationUrl``; where
its ``relation`` is 1 that JSON lists the related articles (a document's interpretations, an
interpretation's documents), and the article page leaves them to it: no 相关解读 block, no 原文链接
line after the body.
"""

from __future__ import annotations

import json
import random
from html import escape

from . import families, pages
from .catalog import href
from .model import Article, Column, Document, Interpretation, Ref, Reply, Site
from .world import World

PER_PAGE = 15
JSON = "application/json"


def handle(
    world: World, site: Site, base_port: int, method: str, path: str, query: dict, form: dict
) -> Reply:
    """Answer one request to a new-platform site."""
    if path == "/robots.txt":
        return Reply(200, "User-agent: *\nDisallow: /admin/\n", "text/plain")
    if path == "/queryList":
        if method != "POST":  # quirk: the list endpoint answers GET with a 404
            return Reply(404, pages.not_found_page(site))
        return query_list(world, site, base_port, form)
    if method not in ("GET", "HEAD"):
        return Reply(405, "Method Not Allowed", "text/plain")
    if path in ("/", families.home_path(site)):
        return Reply(200, home(site))
    for column in site.columns:
        if path == families.column_path(site, column.id):
            if _painted(site):
                return Reply(200, painted_column_page(world, site, column, base_port))
            return Reply(200, column_page(site, column))
    if _painted(site) and path.endswith(RELATION_SUFFIX):
        return relation_reply(world, site, base_port, path)
    att = families.attachment_at(world, site, path)
    if att is not None:
        return pages.serve_attachment(att)
    art = _article(world, site, path)
    if art is not None:
        return Reply(200, article_page(world, site, art, base_port))
    return Reply(404, pages.not_found_page(site))


def _article(world: World, site: Site, path: str) -> Article | None:
    return world.pages.get(Ref(site.name, path))


def home(site: Site) -> str:
    items = "".join(
        f'<li><a href="{families.column_path(site, c.id)}">{escape(c.title)}</a></li>'
        for c in site.columns
    )
    return pages.page(site, site.title, f'<div class="w1200"><ul class="zwgk">{items}</ul></div>')


# ---------------------------------------------------------------- column page


def _ids(site: Site, column: Column) -> tuple[str, str]:
    """channelId and websiteId: 19-digit ids of the platform (shown in the page's inline JS)."""
    base = families.JXNEW_ID_BASE
    return str(base - 1_000_003 * (column.id + 7)), str(base - 999_983 * sum(map(ord, site.code)))


def jpage_options(site: Site, column: Column) -> str:
    """The jpage call's options; arrays on department sites (posted as ``name[]``)."""
    if site.quirks.get("array_fields"):
        site_code, channel = f"['{site.code}']", f"['{column.code}']"
    else:
        site_code, channel = f"'{site.code}'", f"'{column.code}'"
    return (
        f"url: '/queryList',\n    unitid: '{column.unitid}',\n    webSiteCode: {site_code},\n"
        f"    channelCode: {channel},\n    perPage: {PER_PAGE},\n    pageSize: {PER_PAGE},\n"
        f"    showMode: 'full',\n    groupSize: 1,\n    barPosition: 'bottom',\n    titleMax: 39,\n"
        f"    templateContainerId: 'div{column.unitid}',\n    themeName: 'default',\n"
        "    sort: 'sortNum',\n    order: 'desc'"
    )


def column_page(site: Site, column: Column) -> str:
    """A column page: an empty list container and the inline JS that fills it."""
    channel_id, website_id = _ids(site, column)
    unit = column.unitid
    script = (
        f"<script>\n  var channelId = '{channel_id}', codeName = '{column.code}'\n"
        f"  var websiteId = '{website_id}', siteId = '{website_id}'\n</script>\n"
        f'<script src="/js/jpage.js"></script>\n'
        f"<script type=\"text/javascript\">\n$(function () {{\n  $('#div{unit}').jpage({{\n    "
        f"{jpage_options(site, column)}\n  }});\n}});\n</script>"
    )
    column_href = families.column_path(site, column.id)
    body = (
        pages.breadcrumbs(site, column.title, column_href, article=False)
        + f'\n<div class="w1200 main"><div class="list-title">{escape(column.title)}</div>\n'
        f'<div id="div{unit}" class="list-box"></div>\n{script}\n</div>'
    )
    return pages.page(site, f"{column.title}_{site.title}", body)


# ---------------------------------------------------------------- the 2025 column template

RELATION_SUFFIX = "-RelationArticle.json"


def _painted(site: Site) -> bool:
    """The 2025 department template: the list painted by ``loadPageData`` from inline data."""
    return site.quirks.get("column_template") == "loadPageData"


def _related(world: World, art: Article) -> list[Ref]:
    """What a relation JSON names: a document's interpretations, an interpretation's documents."""
    if isinstance(art, Document):
        return list(art.interpretations)
    if isinstance(art, Interpretation):
        return list(art.links)
    return []


def relation_path(site: Site, column: Column, art: Article) -> str:
    """``/{siteCode}/{channel}/relation/{id}-RelationArticle.json``, as the real items name it."""
    return f"/{site.code}/{column.code}/relation/{families.jxnew_content_id(art)}{RELATION_SUFFIX}"


def _item(world: World, site: Site, column: Column, art: Article) -> dict:
    """One article as the platform's script data has it (inline list, relation JSON)."""
    related = _related(world, art)
    return {
        "classify": 0,
        "relationUrl": relation_path(site, column, art),
        "title": art.title,
        "type": 0,
        "pubDate": art.pub.strftime("%Y-%m-%d %H:%M"),
        "relation": 1 if related else 0,
        "urls": json.dumps({"pc": art.path}),  # quirk: a JSON string inside the JSON
        "contentSource": art.source,
        "showTitle": f"<p>{escape(art.title)}</p>",
        "id": str(families.jxnew_content_id(art)),
    }


def relation_reply(world: World, site: Site, base_port: int, path: str) -> Reply:
    """A relation JSON: the related articles of one item (an empty list where it has none)."""
    for art in (a for a in world.pages.values() if a.site == site.name):
        column = site.column(art.column)
        if column is not None and relation_path(site, column, art) == path:
            rows = []
            for ref in _related(world, art):
                target = world.pages[ref]
                rows.append(
                    {
                        "id": str(families.jxnew_content_id(target)),
                        "title": target.title,
                        "pubDate": target.pub.strftime("%Y-%m-%d %H:%M"),
                        "urls": json.dumps({"pc": href(ref, site, base_port)}),
                    }
                )
            body = json.dumps({"code": 200, "data": rows}, ensure_ascii=False)
            return Reply(200, body, JSON)
    return Reply(404, pages.not_found_page(site))


def painted_column_page(world: World, site: Site, column: Column, base_port: int) -> str:
    """A column page of the 2025 template: script data and a template, no list in the HTML."""
    channel_id, website_id = _ids(site, column)
    arts = world.column_articles(site.name, column.id)
    inline = [_item(world, site, column, a) for a in arts[: site.quirks["inline_items"]]]
    unit = column.unitid
    own = {
        "code": column.code,
        "showName": f"<p>{escape(column.title)}</p>",
        "articleCount": len(arts),
        "urls": json.dumps({"pc": families.column_path(site, column.id)}),
    }
    parent = {
        "code": f"{site.code}-zwgk",
        "showName": "政务公开",
        "articleCount": 2,
        "children": [
            {"code": c.code, "showName": c.title,
             "articleCount": len(world.column_articles(site.name, c.id))}
            for c in site.columns
        ],
    }  # fmt: skip
    head_script = (
        f"<script>\n  var websiteId = '{website_id}',\n    websiteCode = '{site.code}',\n"
        f"    channelId = '{channel_id}',\n    codeName = '{column.code}';\n"
        f"  var channelsTagSelf = {json.dumps(own, ensure_ascii=False)};\n"
        f"  var channelsTagParent = {json.dumps(parent, ensure_ascii=False)};\n"
        f"  var listData = {{\n    articleList: {json.dumps(inline, ensure_ascii=False)},\n  }};\n"
        "</script>"
    )
    template = (
        f'<script id="div{unit}" type="text/x-handlebars-template"><ul class="List_list">'
        "{{#each articleList}}{{#with this}}<li><a href='{{pcUrl}}' target='_blank' "
        "title='{{title}}'>{{title}}</a><span class='list_span'>{{formatDate pubDate "
        "'YYYY-MM-DD'}}</span></li>{{/with}}{{/each}}</ul></script>"
    )
    params = (
        f"<script>\n  var params = {{\n    current: 1,\n    unitid: '{unit}',\n"
        f"    webSiteCode: ['{site.code}'],\n    channelCode: ['{column.code}'],\n"
        f"    dataBefore: '',\n    dataAfter: '',\n    perPage: '{PER_PAGE}',\n"
        "    notReturnContent:false,\n    showMode: 'normal',\n    groupSize: 1,\n"
        f"    barPosition: 'bottom',\n    titleMax: '34',\n    templateContainerId: 'div{unit}',\n"
        f"    themeName: 'lucidity',\n  }};\n\n  loadPageData(params, '{unit}');\n</script>"
    )
    column_href = families.column_path(site, column.id)
    body = (
        pages.breadcrumbs(site, column.title, column_href, article=False)
        + f'\n<div class="w1200 main"><div class="list-title">{escape(column.title)}</div>\n'
        f'<div id="{unit}"></div>\n{template}\n'
        '<script src="commonfiles/jquery.jpage.js"></script>\n'
        f'<script src="commonfiles/utils.js"></script>\n{params}\n</div>'
    )
    metas = f'<base href="/{site.code}/" />\n{head_script}\n'
    return pages.page(site, f"{column.title}_{site.title}", body, metas)


# ---------------------------------------------------------------- /queryList


def _form_value(form: dict, name: str, array: bool) -> str | None:
    """A posted field in the site's own convention (``name[]`` or ``name``): the other is ignored."""
    return form.get(f"{name}[]" if array else name)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def query_list(world: World, site: Site, base_port: int, form: dict) -> Reply:
    """``POST /queryList``: one page of a channel's items as JSON."""
    array = bool(site.quirks.get("array_fields"))
    code = _form_value(form, "webSiteCode", array)
    channel = _form_value(form, "channelCode", array)
    column = next(
        (c for c in site.columns if c.code == channel and c.unitid == form.get("unitid")), None
    )
    per = max(1, min(_int(form.get("pageSize") or form.get("perPage"), PER_PAGE), 100))
    current = max(1, _int(form.get("current"), 1))
    if column is None or code != site.code:
        # What the platform answers to fields it does not recognise: an empty, successful page.
        data = {"page": current, "rows": per, "total": 0, "results": []}
        return Reply(200, json.dumps({"code": 200, "msg": "success", "data": data}), JSON)
    arts = world.column_articles(site.name, column.id)
    chosen = arts[(current - 1) * per : current * per]
    results = [_result(world, site, column, art, base_port) for art in chosen]
    data = {"page": current, "rows": per, "total": len(arts), "results": results}
    body = json.dumps({"code": 200, "msg": "success", "data": data}, ensure_ascii=False)
    return Reply(200, body, JSON)


def _padded(title: str, seed: int) -> str:
    """Quirk: titles come padded with spaces, tabs or full-width spaces."""
    pads = ["  ", " \t", "\u3000", "   "]
    return pads[seed % 4] + title + pads[(seed // 4) % 4]


def _result(world: World, site: Site, column: Column, art: Article, base_port: int) -> dict:
    urls = json.dumps({"pc": art.path, "h5": art.path.replace(".html", "_h5.html")})
    source = {
        "id": str(families.jxnew_content_id(art)),
        "title": _padded(art.title, art.seed),
        "subTitle": "",
        "pubDate": art.pub.date().isoformat(),
        "contentSource": art.source,
        "channelCode": column.code,
        "siteCode": site.code,
        "urls": urls,  # quirk: a JSON string inside the JSON
        "content": {"content": body_html(art, site, base_port)},
        "images": "",
    }
    if _painted(site):  # the 2025 template's answers name each item's relation JSON too
        item = _item(world, site, column, art)
        source.update(relationUrl=item["relationUrl"], relation=item["relation"])
    if site.layout_changed:
        # The redesign: the link moved into ``link`` and ``urls`` is gone (a list whose items the
        # crawler can no longer read must end the crawl loudly, not silently).
        source["link"] = json.loads(urls)["pc"]
        del source["urls"]
    return {"id": source["id"], "index": site.code, "type": "content", "source": source}


# ---------------------------------------------------------------- detail pages


def body_html(art: Article, site: Site, base_port: int) -> str:
    """The body blocks; 附件 lines are ``p.insertfileTag`` paragraphs."""
    rng = random.Random(art.seed ^ 0x1234)
    link_href = pages.world_href(site, base_port)
    out = []
    for b in art.body:
        cls = "insertfileTag" if pages.is_attachment_block(b, art) else ""
        out.append(pages.block(b, link_href, rng, cls))
    return "\n".join(out)


def _info(doc_or_interp: Article, site: Site, rng: random.Random) -> str:
    """The article's info: a 发布机构 list (departments) or a disclosure table (portal)."""
    if isinstance(doc_or_interp, Document):
        fields = pages.disclosure_fields(doc_or_interp, rng)
    else:
        fields = []
    if not fields:
        fields = [("信息来源", doc_or_interp.source), ("发布时间", pages.pub_time(doc_or_interp))]
    if site.quirks.get("template") == "portal" and isinstance(doc_or_interp, Document):
        cells = [f"<td>{label}：{escape(value)}</td>" for label, value in fields]
        rows = "".join(
            "<tr>" + "".join(cells[i : i + 3]) + "</tr>" for i in range(0, len(cells), 3)
        )
        return f'<div class="xxgk-table"><table>{rows}</table></div>'
    items = "".join(
        f"<li><strong>{label}：</strong><span>{escape(value)}</span></li>"
        for label, value in fields
    )
    return f'<div class="article-info"><ul>{items}</ul></div>'


def _attachments_after(art: Article) -> str:
    if not art.attachments or not art.spec.get("attachments_outside"):
        return ""
    items = "".join(
        f'<p class="insertfileTag"><a href="{escape(a.href, quote=True)}" target="_blank">'
        f"{escape(a.showname)}</a></p>"
        for a in art.attachments
    )
    return f'<div class="fjxz"><h4>附件下载</h4>{items}</div>'


def article_page(world: World, site: Site, art: Article, base_port: int) -> str:
    """A detail page."""
    rng = random.Random(art.seed ^ 0x77)
    column = site.column(art.column)
    column_href = families.column_path(site, column.id)
    title_js = art.title.replace("\\", "\\\\").replace("'", "\\'")
    script = (
        f"<script>\n  var title = '{title_js}', pubDate = '{pages.pub_time(art)}',\n"
        f"    contentSource = '{art.source}', channelCode = '{column.code}';\n</script>"
    )
    parts = [
        pages.breadcrumbs(site, column.title, column_href, article=True),
        '<div class="w1200 article">',
        script,
        f'<h1 class="article-title">{escape(art.title)}</h1>',
        _info(art, site, rng),
        f'<div id="zoom" class="article-content">\n{body_html(art, site, base_port)}\n</div>',
        _attachments_after(art),
    ]
    if _painted(site) and _related(world, art):
        pass  # the 2025 template paints related articles from the item's relation JSON
    elif isinstance(art, Document):
        parts.append(pages.related_interpretations(world, art, site, base_port))
    elif isinstance(art, Interpretation):
        parts.append(pages.related_documents(world, art, site, base_port))
    parts.append('<div class="tools">【<a href="javascript:window.print()">打印本页</a>】</div>')
    parts.append("</div>")
    metas = pages.head_metas(site, column.title, art)
    return pages.page(site, f"{art.title}_{site.title}", "\n".join(parts), metas)
