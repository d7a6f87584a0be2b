"""Guangdong's gkmlpt (政府信息公开目录平台): a JSON list API beside static post pages.

As the real platform does: ``/gkmlpt/index`` carries the site id (``SID: '2'``) in its inline
config; ``GET /gkmlpt/api/all/{category}?page=N&sid=S`` answers ``{"classify": {…, "post_count"},
"articles": [{id, title, date (Unix seconds), publisher, identifier (索引号), document_number, url,
is_expired, is_abolished, relation, attachment}]}``; a crawler stops when it has seen
``post_count`` articles. Validity flags and the related posts (``relation``: ids, comma-separated)
come in the list only. Detail pages ``/gkmlpt/content/x/xxxx/post_N.html`` show a ``classify``
table and the body in ``div.article-content``.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, timedelta, timezone
from html import escape

from . import families, pages
from .catalog import origin
from .model import Article, Column, Document, Interpretation, Ref, Reply, Site
from .world import World

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
JSON = "application/json"
_API = re.compile(r"^/gkmlpt/api/all/(\d+)$")


def handle(
    world: World, site: Site, base_port: int, method: str, path: str, query: dict, form: dict
) -> Reply:
    """Answer one request to a gkmlpt site."""
    if path == "/robots.txt":
        return Reply(404, pages.not_found_page(site))  # Quirk: no robots.txt at all
    if method not in ("GET", "HEAD"):
        return Reply(405, "Method Not Allowed", "text/plain")
    if path in ("/", "/gkmlpt", "/gkmlpt/", "/gkmlpt/index", "/gkmlpt/policy"):
        return Reply(200, index_page(site))
    m = _API.match(path)
    if m:
        return api(world, site, base_port, m[1], query)
    att = families.attachment_at(world, site, path)
    if att is not None:
        return pages.serve_attachment(att)
    art = world.pages.get(Ref(site.name, path))
    if art is not None:
        return Reply(200, article_page(world, site, art, base_port))
    return Reply(404, pages.not_found_page(site))


def index_page(site: Site) -> str:
    """The catalogue page: the site config (SID) and the category tree, filled in by script."""
    tree = json.dumps(
        [{"id": int(c.code), "name": c.title, "parent": 0} for c in site.columns],
        ensure_ascii=False,
    )
    script = (
        "<script>\nwindow._CONFIG = {\n"
        f"  SID: '{site.code}',\n  SITE_NAME: '{site.title}',\n  API_ROOT: '/gkmlpt/api',\n"
        "  PAGE_SIZE: 100\n};\n"
        f"var CLASSIFY_TREE = {tree};\n</script>"
    )
    body = f'<div id="app" class="gkmlpt"></div>\n{script}\n<script src="/gkmlpt/static/js/app.js"></script>'
    return pages.page(site, f"政府信息公开_{site.title}", body)


def _unix(art: Article) -> int:
    """Unix seconds of the publication time (China time)."""
    return int(art.pub.replace(tzinfo=CHINA).astimezone(UTC).timestamp())


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def api(world: World, site: Site, base_port: int, category: str, query: dict) -> Reply:
    """``/gkmlpt/api/all/{category}?page=N&sid=S``: one page of a category, newest first."""
    column = next((c for c in site.columns if c.code == category), None)
    if column is None or query.get("sid") != site.code:
        return Reply(200, json.dumps({"classify": None, "articles": [], "total": 0}), JSON)
    arts = world.column_articles(site.name, column.id)
    per = site.quirks["per_page"]
    page = max(1, _int(query.get("page"), 1))
    chosen = arts[(page - 1) * per : page * per]
    classify = {"id": int(column.code), "name": column.title, "post_count": len(arts)}
    articles = [_article_json(world, site, base_port, art) for art in chosen]
    if site.layout_changed:
        # The redesign: the list moved under data.list (the crawler's reader finds nothing).
        doc = {"classify": classify, "data": {"list": articles}, "total": len(arts)}
    else:
        doc = {"classify": classify, "articles": articles, "total": len(arts)}
    return Reply(200, json.dumps(doc, ensure_ascii=False), JSON)


def _relation(world: World, refs: list[Ref]) -> str:
    return ",".join(str(world.pages[r].article_id) for r in refs)


def _article_json(world: World, site: Site, base_port: int, art: Article) -> dict:
    here = origin(site, base_port)
    is_doc = isinstance(art, Document)
    expired, abolished = families.gkmlpt_flags(art.validity_raw) if is_doc else (0, 0)
    if is_doc:
        relation = _relation(world, art.interpretations)
    else:
        relation = _relation(world, art.links) if isinstance(art, Interpretation) else ""
    return {
        "id": art.article_id,
        "title": art.title,
        "date": _unix(art),
        "publisher": art.issuer if is_doc else art.source,
        "identifier": art.index_no if is_doc else "",
        "document_number": art.number_raw if is_doc else "",
        "url": here + art.path,
        "is_expired": expired,
        "is_abolished": abolished,
        "relation": relation,
        "attachment": [{"name": a.showname, "url": here + a.href} for a in art.attachments],
    }


def _classify(doc: Document) -> str:
    rows = [
        ("索引号", doc.index_no, "分类", doc.subject),
        ("发布机构", doc.issuer, "成文日期", doc.written.isoformat()),
        ("名称", doc.title, None, None),
        ("文号", doc.number_raw, "发布日期", doc.pub.date().isoformat()),
    ]
    out = []
    for a, av, b, bv in rows:
        first = f'<td class="first">{a}：</td><td><span>{escape(av)}</span></td>'
        second = f'<td class="first">{b}：</td><td><span>{escape(bv)}</span></td>' if b else ""
        out.append(f"<tr>{first}{second}</tr>")
    return f'<div class="introduce"><table class="classify">{"".join(out)}</table></div>'


def article_page(world: World, site: Site, art: Article, base_port: int) -> str:
    rng = random.Random(art.seed ^ 0x4242)
    column: Column = site.column(art.column)
    link_href = pages.world_href(site, base_port)
    blocks = "\n".join(pages.block(b, link_href, rng) for b in art.body)
    attachments = ""
    if art.attachments and art.spec.get("attachments_outside"):
        links = "".join(
            f'<p><a href="{escape(a.href, quote=True)}" target="_blank">{escape(a.showname)}</a></p>'
            for a in art.attachments
        )
        attachments = f'<div class="attachment"><span>附件：</span>{links}</div>'
    parts = [
        _classify(art) if isinstance(art, Document) else "",
        '<div class="content">',
        f'<h1 class="title">{escape(art.title)}</h1>',
        f'<div class="date-row"><span>发布时间：{pages.pub_time(art)}</span> '
        f"<span>来源：{escape(art.source)}</span></div>",
        f'<div class="article-content">\n{blocks}\n</div>',
        attachments,
        "</div>",
    ]
    if isinstance(art, Interpretation):
        parts.append(pages.related_documents(world, art, site, base_port))
    metas = pages.head_metas(site, column.title, art)
    return pages.page(site, f"{art.title} - {site.title}", "\n".join(parts), metas)
