"""Page parts that sites of every family show: head meta tags, body blocks, related links, chrome.

The national guideline for government websites fixes the head meta tags (``ArticleTitle``,
``PubDate``, ``ContentSource`` …), so every family writes them; the rest (where the body sits,
how metadata is laid out) is the family renderer's business.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape
from urllib.parse import quote

from . import families, files
from .catalog import href
from .model import Article, Attachment, Block, Document, Image, Interpretation, Link, Reply, Site
from .world import World

LinkHref = Callable[[Link], str]


def pub_time(art: Article, seconds: bool = True) -> str:
    """``YYYY-MM-DD HH:mm[:ss]``."""
    return art.pub.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def head_metas(site: Site, column_title: str, art: Article) -> str:
    """The guideline's head meta tags."""
    description = next((b.text.strip() for b in art.body if len(b.text) > 30), art.title)[:80]
    tags = [
        ("SiteName", site.title), ("SiteDomain", site.domain), ("SiteIDCode", site.idcode),
        ("ColumnName", column_title), ("ColumnType", column_title),
        ("ArticleTitle", art.title), ("PubDate", pub_time(art, seconds=art.seed % 3 == 0)),
        ("ContentSource", art.source), ("Keywords", art.spec.get("topic", "")),
        ("Description", description), ("Url", f"http://{site.domain}{art.path}"),
    ]  # fmt: skip
    return "\n".join(f'<meta name="{k}" content="{escape(v, quote=True)}">' for k, v in tags)


def page(site: Site, title: str, body: str, metas: str = "", charset: str = "utf-8") -> str:
    """A whole page: head, accessibility bar, header, ``body``, footer."""
    home = families.home_path(site)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(title)}</title>
{metas}
<link rel="stylesheet" href="/images/common.css">
<script src="/js/jquery.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1200"><span id="today"></span>
<a href="javascript:void(0);" id="cniil_wza">无障碍</a> <a href="javascript:void(0);">长者模式</a></div></div>
<div class="header"><div class="w1200"><a class="logo" href="{home}"><img src="/images/logo.png" alt="{escape(site.title)}"></a>
<form class="search" action="/search" method="get"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div></div>
<div class="nav"><ul class="w1200"><li><a href="{home}">首页</a></li><li><a href="{home}">政务公开</a></li><li><a href="{home}">互动交流</a></li></ul></div>
{body}
<div class="footer"><div class="w1200">
<p>主办单位：{escape(site.host_org)}　　网站标识码：{site.idcode}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{site.icp}</a></p>
</div></div>
</body>
</html>
"""


def breadcrumbs(site: Site, column_title: str, column_href: str, article: bool) -> str:
    """当前位置：首页 > 栏目 > 正文."""
    tail = " &gt; 正文" if article else ""
    home = families.home_path(site)
    return (
        f'<div class="position w1200">当前位置：<a href="{home}">首页</a> &gt; '
        f'<a href="{column_href}">{escape(column_title)}</a>{tail}</div>'
    )


def world_href(site: Site, base_port: int) -> LinkHref:
    """How a page of ``site`` writes a link: to a page of the world, or an attachment path."""

    def link_href(link: Link) -> str:
        if link.ref is None:
            return link.href
        return href(link.ref, site, base_port)

    return link_href


def block(b: Block, link_href: LinkHref, rng: random.Random, p_class: str = "") -> str:
    """One body block: a ``<p>`` with its text, links and pictures (one line of body text)."""
    inner = []
    for part in b.parts:
        if isinstance(part, Link):
            target = escape(link_href(part), quote=True)
            inner.append(f'<a href="{target}" target="_blank">{escape(part.text)}</a>')
        elif isinstance(part, Image):
            inner.append(f'<img src="{part.src}" alt="" border="0">')
        else:
            inner.append(escape(part))
    html = "".join(inner)
    if b.strong:
        html = f"<strong>{html}</strong>"
    if rng.random() < 0.3:
        html = f'<span style="font-family: 仿宋_GB2312; font-size: 16pt;">{html}</span>'
    style = {"center": ' style="text-align: center;"', "right": ' style="text-align: right;"'}
    cls = f' class="{p_class}"' if p_class else ""
    return f"<p{cls}{style.get(b.align, '')}>{html}</p>"


def is_attachment_block(b: Block, art: Article) -> bool:
    """A 附件： line inside the body (rendered with the family's attachment markup)."""
    hrefs = {a.href for a in art.attachments}
    return any(isinstance(p, Link) and p.ref is None and p.href in hrefs for p in b.parts)


def related_interpretations(world: World, doc: Document, site: Site, base_port: int) -> str:
    """相关解读: the interpretations a document page links to."""
    if not doc.interpretations:
        return ""
    items = "".join(
        f'<li><a href="{href(ref, site, base_port)}" target="_blank">{escape(world.pages[ref].title)}</a></li>'
        for ref in doc.interpretations
    )
    return f'<div class="xgjd"><h3>相关解读</h3><ul>{items}</ul></div>'


def related_documents(world: World, interp: Interpretation, site: Site, base_port: int) -> str:
    """原文链接 / 相关文件 after the body (when the body does not hold it)."""
    if interp.links_inside or not interp.links:
        return ""
    label = "原文链接：" if len(interp.links) == 1 else "相关文件："
    links = "、".join(
        f'<a href="{href(r, site, base_port)}" target="_blank">《{escape(world.pages[r].title)}》</a>'
        for r in interp.links
    )
    return f'<div class="xgwj">{label}{links}</div>'


def day(d, rng: random.Random) -> str:
    """A date as disclosure tables write it: ISO, or 年月日 with or without zero padding."""
    roll = rng.random()
    if roll < 0.5:
        return d.isoformat()
    return (
        f"{d.year}年{d.month:02d}月{d.day:02d}日"
        if roll < 0.8
        else f"{d.year}年{d.month}月{d.day}日"
    )


def disclosure_fields(doc: Document, rng: random.Random) -> list[tuple[str, str]]:
    """The labelled values a disclosure block shows (layouts A/B); none for layout C."""
    if doc.layout == "C":
        return []
    fields = [("索引号", doc.index_no)]
    if doc.subject:
        fields.append(("主题分类", doc.subject))
    fields += [
        ("发布机构", doc.issuer),
        ("成文日期", day(doc.written, rng)),
        ("文号", "" if doc.number_in_title else doc.number_raw),
        ("发布日期", doc.pub.date().isoformat()),
    ]
    if doc.validity_raw or rng.random() < 0.3:
        fields.append(("有效性", doc.validity_raw))
    return fields


def not_found_page(site: Site) -> str:
    """A plain 404 page."""
    return page(site, "404", '<div class="error"><h2>404</h2><p>您访问的页面不存在！</p></div>')


def serve_attachment(att: Attachment) -> Reply:
    """An attachment's bytes (the same real PDF/DOCX files the Hanweb sites serve)."""
    disposition = f"attachment; filename*=UTF-8''{quote(att.showname)}"
    return Reply(
        200,
        files.file_bytes(att),
        files.CONTENT_TYPES[att.ext],
        {"Content-Disposition": disposition},
    )
