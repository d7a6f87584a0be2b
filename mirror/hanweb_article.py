"""Hanweb article pages: head meta tags, disclosure table (layouts A/B or none), content, noise.

Only the blocks between ``ContentStart`` and ``ContentEnd`` are body text; the 相关解读 and
相关文件 blocks, attachments listed after the content, and all chrome sit outside the markers.
"""

from __future__ import annotations

import random
from html import escape

from . import chrome, pages
from .catalog import href, site_by_name
from .model import Article, Block, Document, Image, Link, Site
from .world import World


def pub_date(art: Article, site: Site) -> str:
    """PubDate as the page writes it: ``YYYY-MM-DD HH:mm`` or with seconds."""
    seconds = random.Random(art.seed + 1).random() < site.style.pubdate_seconds
    return art.pub.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def display_title(art: Article) -> str:
    """ArticleTitle: the title, sometimes padded with spaces (squashed in the truth)."""
    return f"  {art.title} " if art.seed % 7 == 0 else art.title


def render(world: World, site: Site, art: Article, base_port: int) -> str:
    """The whole article page."""
    rng = random.Random(art.seed ^ 0x5A5A)
    column = site.column(art.column)
    meta = _meta(site, column.title, art, base_port)
    parts = [
        chrome.breadcrumbs(site, column.id, column.title, article=True),
        '<div class="w1200 article">',
    ]
    if isinstance(art, Document) and art.layout in ("A", "B"):
        parts.append(_table_a(art, rng) if art.layout == "A" else _table_b(art, site, rng))
    parts.append(f'<div class="art-title"><h1>{escape(art.title)}</h1></div>')
    parts.append(_info(art, site, rng))
    parts.append(_content(art, site, base_port, rng))
    parts.append(_attachments_after(art))
    if isinstance(art, Document):
        parts.append(_related_interpretations(world, art, site, base_port))
    elif not art.links_inside and art.links:
        parts.append(pages.related_documents(world, art, site, base_port))
    parts += [chrome.tools(), _prev_next(world, art), _reading(world, art, rng), "</div>"]
    return chrome.page(site, f"{art.title}_{column.title}_{site.title}", "\n".join(parts), meta)


def _meta(site: Site, column_title: str, art: Article, base_port: int) -> str:
    words = art.spec.get("topic", "")
    description = next((b.text.strip() for b in art.body if len(b.text) > 30), art.title)[:80]
    tags = [
        ("SiteName", site.title), ("SiteDomain", site.domain), ("SiteIDCode", site.idcode),
        ("ColumnName", column_title), ("ColumnDescription", ""), ("ColumnKeywords", ""),
        ("ColumnType", column_title), ("ArticleTitle", display_title(art)),
        ("PubDate", pub_date(art, site)), ("ContentSource", art.source), ("Keywords", words),
        ("Author", ""), ("Description", description), ("Image", ""),
        ("Url", f"http://{site.domain}{art.path}"),
    ]  # fmt: skip
    return "\n".join(f'<meta name="{k}" content="{escape(v, quote=True)}" />' for k, v in tags)


def _pad(label: str, rng: random.Random) -> str:
    """文      号 / 文&nbsp;&nbsp;号 / 文　　号: two-character labels padded as pages do."""
    if len(label) == 2:
        filler = rng.choice(["&nbsp;" * 6, "　　", "      ", "&nbsp;&nbsp;"])
        return label[0] + filler + label[1]
    if len(label) == 3:
        return rng.choice(["&nbsp;", "　", " "]).join(label)
    return label


def _day(d, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return d.isoformat()
    return (
        f"{d.year}年{d.month:02d}月{d.day:02d}日"
        if roll < 0.8
        else f"{d.year}年{d.month}月{d.day}日"
    )


def _number_cell(doc: Document) -> str:
    return "" if doc.number_in_title else escape(doc.number_raw)


def _table_a(doc: Document, rng: random.Random) -> str:
    """Cells holding ``label：value``: 索引号 | 发布机构 | 文号, 主题分类 | 成文日期 | 发布日期."""
    colon = rng.choice(["：", ":"])
    fmt = rng.random()

    def cell(label: str, value: str, extra: str = "") -> str:
        return (
            f"<td{extra}><strong>{label}{colon}</strong>{value}</td>"
            if fmt < 0.5
            else f"<td{extra}>{label}{colon}{value}</td>"
        )

    rows = [
        [
            cell("索引号", doc.index_no),
            cell("发布机构", escape(doc.issuer)),
            cell("文号", _number_cell(doc)),
        ],
        [
            cell("主题分类", escape(doc.subject)),
            cell("成文日期", _day(doc.written, rng)),
            cell("发布日期", doc.pub.date().isoformat()),
        ],
    ]
    if doc.validity_raw or rng.random() < 0.3:
        rows.append([cell("有效性", doc.validity_raw, ' colspan="3"')])
    body = "\n".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    wrapper = "screen xxgkTitle" if rng.random() < 0.6 else "artile_zw"
    return f'<div class="{wrapper}"><table width="100%" border="0" cellspacing="0" cellpadding="0">\n{body}\n</table></div>'


_UNIFIED = {"jx-portal": "ZF", "jx-nync": "NY", "jx-sthjt": "HB"}  # 统一登记号 prefixes (invented)
_LABELS = {
    "issuer": ["发文机关", "发布机构", "发文机构"],
    "written": ["成文日期", "生成日期"],
    "number": ["文号", "发文字号", "文件编号"],
    "pub": ["发布日期", "发文日期"],
    "validity": ["有效性", "效力状态", "时效"],
    "unified": ["统一编号", "统一登记号"],
}


def _table_b(doc: Document, site: Site, rng: random.Random) -> str:
    """``<td><b>文      号:</b></td><td>value</td>`` rows with alternative label names."""
    colon = rng.choice([":", "：", ""])

    def pair(key: str, value: str) -> str:
        label = key if key in ("索引号", "主题分类", "标题") else rng.choice(_LABELS[key])
        return f'<td class="bt"><b>{_pad(label, rng)}{colon}</b></td><td class="nr">{value}</td>'

    rows = [[pair("索引号", doc.index_no)]]
    if doc.subject:
        rows[0].append(pair("主题分类", escape(doc.subject)))
    rows.append([pair("issuer", escape(doc.issuer)), pair("written", _day(doc.written, rng))])
    rows.append([pair("标题", escape(doc.title))])
    rows.append([pair("number", _number_cell(doc)), pair("pub", doc.pub.date().isoformat())])
    last = []
    if doc.validity_raw or rng.random() < 0.3:
        last.append(pair("validity", doc.validity_raw))
    if rng.random() < 0.5:
        last.append(
            pair("unified", f"JX{_UNIFIED[site.name]}-{doc.written.year}-{doc.seed % 97 + 1:04d}")
        )
    if last:
        rows.append(last)
    body = "\n".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return f'<div class="xxgk-info"><table class="xxgk_table" cellspacing="0" cellpadding="0" border="1">\n{body}\n</table></div>'


def _info(art: Article, site: Site, rng: random.Random) -> str:
    """Source and date line; sometimes wrapped in the <!--<$[信息来源]>begin--> comments."""
    date = pub_date(art, site)
    if rng.random() < 0.6:
        source = f"<!--<$[信息来源]>begin-->信息来源：{escape(art.source)}<!--<$[信息来源]>end-->"
        when = f"<!--<$[发布日期]>begin-->发布时间：{date}<!--<$[发布日期]>end-->"
    else:
        source, when = f"来源：{escape(art.source)}", f"日期：{date}"
    return (
        f'<div class="art-info"><span class="source">{source}</span> <span class="time">{when}</span> '
        f'<span class="hits">{chrome.hits(rng, art.column, art.article_id)}</span> '
        f'<span class="zoom">{chrome.zoom(rng)}</span></div>'
    )


def _link_href(link: Link, site: Site, base_port: int, rng: random.Random) -> str:
    if link.ref is None:
        return escape(link.href, quote=True)
    target = site_by_name(link.ref.site)
    url = href(link.ref, site, base_port)
    column = int(link.ref.path.rsplit("_", 2)[1])
    if column in target.style.xxgkhide_columns and rng.random() < 0.5:
        url += "?xxgkhide=1"  # links into a disclosure column often keep the flag
    return url


def _block(block: Block, site: Site, base_port: int, rng: random.Random) -> str:
    """One <p> (or <div>) line of the content."""
    inner = []
    for part in block.parts:
        if isinstance(part, Link):
            inner.append(
                f'<a href="{_link_href(part, site, base_port, rng)}" target="_blank">{escape(part.text)}</a>'
            )
        elif isinstance(part, Image):
            inner.append(f'<img src="{part.src}" alt="" border="0" />')
        else:
            inner.append(escape(part))
    html = "".join(inner)
    if site.style.padded and html.startswith("　　"):
        html = html.lstrip("　")  # this site indents with CSS instead of full-width spaces
    if block.strong:
        html = f"<strong>{html}</strong>"
    if rng.random() < 0.4:
        html = f'<span style="font-family: 仿宋_GB2312; font-size: 16pt;">{html}</span>'
    style = {"center": ' style="text-align: center;"', "right": ' style="text-align: right;"'}.get(
        block.align, ""
    )
    if not style and site.style.padded:
        style = ' style="text-indent: 2em;"'
    tag = "div" if block.align == "center" and site.style.center_div else "p"
    return f"<{tag}{style}>{html}</{tag}>"


def _content(art: Article, site: Site, base_port: int, rng: random.Random) -> str:
    """The #zoom div with the ZJEG_RSS markers around the body blocks."""
    closed = "/" if rng.random() < site.style.self_closed_meta else ""
    lines = "\n".join(_block(b, site, base_port, rng) for b in art.body)
    return (
        f'<div id="zoom">\n<!--ZJEG_RSS.content.begin--><meta name="ContentStart"{closed}>\n{lines}\n'
        f'<meta name="ContentEnd"{closed}><!--ZJEG_RSS.content.end-->\n</div>'
    )


def _attachments_after(art: Article) -> str:
    if not art.attachments or not art.spec.get("attachments_outside"):
        return ""
    items = "".join(
        f'<li><a href="{escape(a.href, quote=True)}" target="_blank">{escape(a.showname)}</a></li>'
        for a in art.attachments
    )
    return f'<div class="fujian"><p>附件下载：</p><ul>{items}</ul></div>'


def _related_interpretations(world: World, doc: Document, site: Site, base_port: int) -> str:
    """相关解读: the interpretations the document page links to (文字解读, 图解 …)."""
    if not doc.interpretations:
        return ""
    items = []
    for ref in doc.interpretations:
        interp = world.pages[ref]
        link = href(ref, site, base_port)
        items.append(
            f'<li><span class="jdlx">[{interp.form}]</span><a href="{link}" target="_blank">{escape(interp.title)}</a></li>'
        )
    return f'<div class="xgjd"><div class="xgjd-tit">相关解读</div><ul>{"".join(items)}</ul></div>'


def _prev_next(world: World, art: Article) -> str:
    arts = world.column_articles(art.site, art.column)
    i = arts.index(art)
    prev = arts[i - 1] if i > 0 else None
    nxt = arts[i + 1] if i + 1 < len(arts) else None

    def one(label: str, other: Article | None) -> str:
        if other is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="{other.path}">{escape(other.title)}</a></p>'

    return f'<div class="prev-next">{one("上一篇", prev)}{one("下一篇", nxt)}</div>'


def _reading(world: World, art: Article, rng: random.Random) -> str:
    """相关阅读: other items of the same column (not interpretations of this page)."""
    arts = [a for a in world.column_articles(art.site, art.column) if a is not art]
    picks = rng.sample(arts, min(3, len(arts)))
    items = "".join(
        f'<li><a href="{a.path}" target="_blank">{escape(a.title)}</a></li>' for a in picks
    )
    return f'<div class="xgyd"><h3>相关阅读</h3><ul>{items}</ul></div>'
