"""The document pages of ``mirror/realshapes.py``, each in its shape, and the jpaas gateway.

``handle`` answers what these sites serve beyond their family (``mirror/hanweb.py`` and
``mirror/trs.py`` ask it first for a site with ``quirks["detail_shapes"]``): a document page in
its shape, a file behind ``/api-gateway/…/file-download?fileUrl=…``. Everything else (lists,
interpretation pages, the family's own file addresses) is the family's.
"""

from __future__ import annotations

import random
from html import escape
from urllib.parse import quote

from . import chrome, families, files, pages
from .catalog import href
from .model import Attachment, Document, Ref, Reply, Site
from .realshapes import GATEWAY, TAGS
from .world import World

# ---------------------------------------------------------------- serving


def handle(
    world: World, site: Site, base_port: int, method: str, path: str, query: dict
) -> Reply | None:
    """The answers these sites give beyond their family's: document pages in their shapes and
    the jpaas gateway's downloads. None: the family answers."""
    if method not in ("GET", "HEAD"):
        return None
    if path == GATEWAY:
        att = _gateway_file(world, site, query.get("fileUrl", ""))
        if att is None:
            return Reply(404, "<html><body>文件不存在</body></html>")
        name = f"{att.showname}.{att.ext}"
        return Reply(
            200,
            files.file_bytes(att),
            "application/octet-stream",
            {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    art = world.pages.get(Ref(site.name, path))
    if isinstance(art, Document) and art.spec.get("shape"):
        return Reply(200, render(world, site, art, base_port))
    return None


_GATEWAY_FILES: dict[tuple[int, str], dict[str, Attachment]] = {}


def _gateway_file(world: World, site: Site, file_url: str) -> Attachment | None:
    key = (id(world), site.name)
    index = _GATEWAY_FILES.get(key)
    if index is None:
        index = _GATEWAY_FILES[key] = {
            att.href.split("fileUrl=", 1)[1]: att
            for art in world.pages.values()
            if art.site == site.name
            for att in art.attachments
            if att.href.startswith(GATEWAY + "?")
        }
    return index.get(file_url)


# ---------------------------------------------------------------- pages


def render(world: World, site: Site, doc: Document, base_port: int) -> str:
    """The document page in its shape."""
    rng = random.Random(doc.seed ^ 0x7E57)
    shape = doc.spec["shape"]
    column = site.column(doc.column)
    title, head = doc.title, ""
    if shape == "repealed_title":
        title = f"[已废止]{doc.title}"
    elif shape == "wuhan":
        title = f"{TAGS[doc.seed % len(TAGS)]}{doc.number}{doc.title}"
    elif shape == "easysite":
        head = (
            '<meta name="ContentStart" content="[contentStart]" />\n'
            '<meta name="ContentEnd" content="[contentEnd]" />'
        )
    metas = _metas(site, column.title, doc, title) + ("\n" + head if head else "")
    body = RENDER[shape](world, site, doc, base_port, rng, title)
    if site.family == "hanweb":
        crumbs = chrome.breadcrumbs(site, column.id, column.title, article=True)
        return chrome.page(site, f"{title}_{column.title}_{site.title}", f"{crumbs}\n{body}", metas)
    column_href = families.column_path(site, column.id)
    crumbs = pages.breadcrumbs(site, column.title, column_href, article=True)
    return pages.page(site, title, f"{crumbs}\n{body}", metas)


def _metas(site: Site, column_title: str, doc: Document, title: str) -> str:
    """The guideline's head meta tags, with the title as the page shows it."""
    description = next((b.text.strip() for b in doc.body if len(b.text) > 30), doc.title)[:80]
    tags = [
        ("SiteName", site.title), ("SiteDomain", site.domain), ("SiteIDCode", site.idcode),
        ("ColumnName", column_title), ("ColumnType", column_title), ("ArticleTitle", title),
        ("PubDate", pages.pub_time(doc, seconds=doc.seed % 3 == 0)),
        ("ContentSource", doc.source), ("Keywords", doc.spec.get("topic", "")),
        ("Description", description), ("Url", f"http://{site.domain}{doc.path}"),
    ]  # fmt: skip
    return "\n".join(f'<meta name="{k}" content="{escape(v, quote=True)}">' for k, v in tags)


def _blocks(doc: Document, site: Site, base_port: int, rng: random.Random) -> str:
    """The body's blocks as ``<p>``s (links to pages of the world, files by their address)."""
    link_href = pages.world_href(site, base_port)
    return "\n".join(pages.block(b, link_href, rng) for b in doc.body)


def _related(
    world: World, doc: Document, site: Site, base_port: int, label: str = "相关解读"
) -> str:
    """The document's interpretations under ``label`` (nothing when it has none)."""
    if not doc.interpretations:
        return ""
    items = _interpretation_items(world, doc, site, base_port)
    return f'<div class="xgjd"><div class="xgjd-tit">{label}</div><ul>{items}</ul></div>'


def _interpretation_items(world: World, doc: Document, site: Site, base_port: int) -> str:
    """One ``<li>`` link per interpretation of ``doc``, in the templates' common markup."""
    return "".join(
        f'<li><a href="{href(ref, site, base_port)}" target="_blank">'
        f"{escape(world.pages[ref].title)}</a></li>"
        for ref in doc.interpretations
    )


def _number(doc: Document) -> str:
    """The 文号 as the page prints it: the number, or the shape's placeholder."""
    return escape(doc.spec.get("number_shown") or doc.number_raw)


def _day(d, rng: random.Random) -> str:
    return pages.day(d, rng)


def _pub(doc: Document) -> str:
    return doc.pub.date().isoformat()


def _zoom_class(world, site, doc, base_port, rng, title) -> str:
    def row(*cells: tuple[str, str]) -> str:
        return "<tr>" + "".join(f"<td>{k}</td><td>{v}</td>" for k, v in cells) + "</tr>"

    table = (
        '<table class="xxgk_article" align="center"><tbody>'
        + row(("索　引　号", doc.index_no), ("文　　号", _number(doc)))
        + row(("组配分类", "行政规范性文件"), ("发布机构", escape(doc.issuer)))
        + row(("发文日期", _day(doc.written, rng)), ("有　效　性", escape(doc.validity_raw)))
        + "</tbody></table>"
    )
    info = (
        f'<div class="xl_doc"><span>发布时间：{doc.pub:%Y-%m-%d  %H:%M}</span>'
        f'<span>浏览次数：<script src="/module/visitcount/articlehits.jsp?artid={doc.article_id}">'
        f"</script></span><span>信息来源：{escape(doc.source)}</span></div>"
    )
    return (
        f'<div class="xl_con">\n{table}\n<div class="xl_title">{escape(title)}</div>\n{info}\n'
        f'<div class="zoom" style="padding:20px">\n{_blocks(doc, site, base_port, rng)}\n</div>\n'
        f"{_related(world, doc, site, base_port)}\n</div>"
    )


def _easysite(world, site, doc, base_port, rng, title) -> str:
    items = [
        ("主题分类", escape(doc.subject), ""),
        ("文件有效性", escape(doc.validity_raw), ""),
        ("制发单位", escape(doc.issuer), ""),
        ("成文日期", f"{doc.written.isoformat()} 00:00:00", ' class="dateRq"'),
        ("发文字号", _number(doc), ""),
        ("发布日期", _pub(doc), ' class="dateRq"'),
    ]
    lis = "\n".join(f"<li><span>{k}：</span><p{cls}>{v}</p></li>" for k, v, cls in items)
    script = (
        '<script>\n$(".dateRq").each(function(){\n   var time = $(this).text().split(" ")[0];\n'
        "   $(this).text(time);\n})\n</script>"
    )
    detail = (
        f'<div class="detail"><span>日期：{_pub(doc)}</span> '
        f'<span style="margin-left: 15px;">来源：{escape(doc.source)}</span> '
        '<span class="easysite-print fr" onclick="window.print()">打印</span></div>'
    )
    return (
        f'<div class="fw_content"><ul class="clearfix">\n{lis}\n</ul></div>\n{script}\n'
        f'<div class="detailCon clearfix"><div class="subArticleTitle"><h2>{escape(title)}</h2>'
        f'{detail}</div>\n<div class="article clearfix">\n{_blocks(doc, site, base_port, rng)}\n'
        f"</div></div>\n{_related(world, doc, site, base_port)}"
    )


def _con_main(world, site, doc, base_port, rng, title) -> str:
    def row(*cells: tuple[str, str]) -> str:
        return "<tr>" + "".join(f"<td>{k}:</td><td>{v}</td>" for k, v in cells) + "</tr>"

    table = (
        '<style type="text/css">#xxgkhide { display: block !important; }</style>\n'
        '<div id="xxgkhide" style="display:none;"><table class="xxgkinfo">'
        + row(("索引号", doc.index_no), ("公开方式", "主动公开"))
        + row(("文号", _number(doc)), ("公开日期", _pub(doc)))
        + row(("发布单位", escape(doc.issuer)), ("有效性", escape(doc.validity_raw)))
        + "</table></div>\n"
        '<table class="tybh"><tr><td>政策层级分类：</td><td>meta_695767_2</td>'
        f"<td>主题分类：</td><td>{escape(doc.subject)}</td></tr></table>"
    )
    share = (
        '<div class="small-title"><div class="fare"><div class="bshare-custom"><span>'
        "<div id=\"share-2\"></div><script>$('#share-2').share({sites: ['qzone', 'weibo', "
        "'wechat']});</script></span></div></div></div>"
    )
    tools = (
        '<div class="main-txt"><div class="pcpdf"></div></div>'
        '<div class="main-word clearfix"><div class="main-word-right">'
        '<a href="javascript:window.print()">打印</a>'
        "<a href=\"javascript:window.opener=null;window.open('','_self');window.close();\">关闭</a>"
        "</div></div>"
    )
    return (
        f'<div class="main-con">\n{table}\n<p class="con-title">{escape(title)}</p>\n'
        f'<div class="con-main">\n{share}\n{_blocks(doc, site, base_port, rng)}\n{tools}\n</div>\n'
        f"{_related(world, doc, site, base_port)}\n</div>"
    )


def _marked(doc: Document, site: Site, base_port: int, rng: random.Random) -> str:
    """``div#zoom`` with the ZJEG_RSS comments and ContentStart/ContentEnd metas."""
    return (
        '<div id="zoom">\n<!--ZJEG_RSS.content.begin--><meta name="ContentStart"/>\n'
        f"{_blocks(doc, site, base_port, rng)}\n"
        '<meta name="ContentEnd"/><!--ZJEG_RSS.content.end-->\n</div>'
    )


def _signature_only(world, site, doc, base_port, rng, title) -> str:
    return (
        f'<div class="news-con">\n<h3 class="tit">{escape(title)}</h3>\n'
        f'<div class="info"><span>发布日期：{pages.pub_time(doc, seconds=False)}</span> '
        f"<span>信息来源：{escape(doc.source)}</span></div>\n"
        f"{_marked(doc, site, base_port, rng)}\n{_related(world, doc, site, base_port)}\n</div>"
    )


def _repealed_title(world, site, doc, base_port, rng, title) -> str:
    def row(label: str, value: str) -> str:
        return f'<ul><li class="gk-l1">{label}:</li><li class="gk-l2">{value}</li></ul>'

    rows = [
        row("索引号", doc.index_no),
        row("文件编号", _number(doc)),
        row("成文日期", f"<span>{_day(doc.written, rng)}</span>"),
        row("发布机构", escape(doc.issuer)),
        row("发布日期", _pub(doc)),
        "<!--" + row("主题分类", "城乡建设（含住房）") + "-->",
    ]
    return (
        f'<div class="gk-bq">\n{"".join(rows)}\n</div>\n<h3>{escape(title)}</h3>\n'
        f'{_marked(doc, site, base_port, rng)}\n<div class="ly">来源：{escape(doc.source)}</div>\n'
        f"{_related(world, doc, site, base_port)}"
    )


def _jpaas(world, site, doc, base_port, rng, title) -> str:
    def flex(*pairs: tuple[str, str]) -> str:
        return (
            '<div class="flex">' + "".join(f"<h1>{k}：</h1><p>{v}</p>" for k, v in pairs) + "</div>"
        )

    unified = f"ZJSD{doc.seed % 90 + 10}-{doc.written.year}-{doc.seed % 9000 + 1:04d}"
    grid = (
        '<div class="article-top"><div class="row"><div class="col-xs-12 col-sm-6">'
        + flex(("索引号", doc.index_no))
        + flex(("发布机构", escape(doc.issuer)))
        + flex(("组配分类", "规范性文件"))
        + flex(("规范性文件编号", unified))
        + flex(("有效性", escape(doc.validity_raw)))
        + '</div><div class="col-xs-12 col-sm-6">'
        + flex(("主题分类", escape(doc.subject)))
        + flex(("发布日期", _pub(doc)), ("成文日期", _day(doc.written, rng)))
        + flex(("公开范围", "面向社会"))
        + flex(("文件编号", _number(doc)))
        + "</div></div></div>"
    )
    links = []
    for ref in doc.interpretations:
        target = href(ref, site, base_port)
        links.append(
            f'<a href="{target}" target="_blank"><i>●</i>'
            f"<span>{escape(world.pages[ref].title)}</span></a>"
        )
    side = ""
    if links:
        first, rest = links[0], links[1:]
        paragraphs = "".join(f"<p>{a}</p>" for a in rest)
        side = (
            '<div class="bt-right article-con-right"><div class="article-con-list">'
            f'<p><span class="con-title">政策解读（文字版）</span>{first}</p>{paragraphs}</div></div>'
        )
    return (
        f'<div class="container container-gfxwj">\n<div class="bt-left">\n{grid}\n'
        f'<div class="xl-title"><h1 class="title">{escape(title)}</h1></div>\n'
        f'<div class="article" id="zoom"><div class="letter">\n'
        f"{_blocks(doc, site, base_port, rng)}\n</div></div>\n</div>\n{side}\n</div>"
    )


def _beijing(world, site, doc, base_port, rng, title) -> str:
    if doc.number:
        code, rest = doc.number.split("〔", 1)
        year, n = rest.split("〕", 1)
        spans = (code, f"〔{year}〕", n)
    else:
        spans = ("", "〔〕", "号")
    number = (
        f'<span><span class="fwzhdz">{escape(spans[0])}</span><span class="fwzhnf">{spans[1]}'
        f'</span><span class="fwzhxh">{escape(spans[2])}</span></span>'
    )
    shown = "否" if doc.validity_raw == "失效" else "是"
    stated = doc.spec["page_dates"]  # (label, 实施日期, label, 废止日期) as shown
    info = (
        '<ol class="doc-info clearfix">\n'
        f'<li>[主题分类] <span class="ztfl">{escape(doc.subject)}</span></li>\n'
        f'<li>[发文机构] <span class="fwdw">{escape(doc.issuer)}</span></li>\n'
        f"<li>[实施日期] <span>{stated[1]}</span></li>\n"
        f"<li>[成文日期] <span>{doc.written.isoformat()}</span></li>\n"
        f'<li class="fwzh">[发文字号] {number}</li>\n'
        f"<li>[废止日期] <span>{stated[3]}</span></li>\n"
        f"<li>[发布日期] <span>{_pub(doc)}</span></li>\n"
        f'<li class="yxx">[有效性] <span>{shown}</span></li>\n</ol>'
    )
    script = (
        '<script type="text/javascript">\n//发文字号判断\nvar n=0;\n'
        'if($("span.fwzhdz").html()==""){n++;}\n'
        'if($("span.fwzhnf").html()=="〔〕"){$("span.fwzhnf").html("");n++;}\n'
        'if($("span.fwzhxh").html()=="号"){$("span.fwzhxh").html("");n++;}\n'
        'if(n>1){$(".fwzh>span").html("----");}\n//有效性判断\n'
        'if($(".yxx span").html()=="是"){$(".yxx span").html("现行有效");}\n'
        'if($(".yxx span").html()=="否"){$(".yxx span").html("失效");}\n</script>'
    )
    related = ""
    if doc.interpretations:
        items = _interpretation_items(world, doc, site, base_port)
        related = f'<div class="relevantdoc xgjd"><h4>相关解读</h4><ul>{items}</ul></div>'
    return (
        f'<div class="box"><div class="container">\n{info}\n{script}\n'
        f'<div class="leftbox clearfix"><div class="header"><h1><p>{escape(title)}</p></h1></div>\n'
        f'<div id="mainText"><div class="view TRS_UEDITOR trs_paper_default trs_web">\n'
        f"{_blocks(doc, site, base_port, rng)}\n</div></div>\n{related}\n</div></div></div>"
    )


def _chongqing(world, site, doc, base_port, rng, title) -> str:
    others = [w for w in ("现行有效", "失效", "废止") if w != doc.validity_raw][:2]

    def cell(label: str, value: str) -> str:
        return f'<td class="td-label">{label}：</td><td>{value}</td>'

    rows = [
        "<tr>" + cell("索 引 号", doc.index_no) + cell("发布机构", escape(doc.issuer)) + "</tr>",
        "<tr>" + cell("成文日期", _day(doc.written, rng)) + cell("发布日期", _pub(doc)) + "</tr>",
        "<tr>" + cell("发文字号", _number(doc)) + cell("标　　题", escape(title)) + "</tr>",
        f'<tr style="display:none">{cell("文件状态", others[0])}</tr>',
        f"<tr>{cell('文件状态', escape(doc.validity_raw))}</tr>",
        f'<tr style="display: none;">{cell("文件状态", others[1])}</tr>',
    ]
    table = f'<table class="table"><tbody>{"".join(rows)}</tbody></table>'
    folder = doc.path.rsplit("/", 1)[0] + "/"
    files_ = "".join(
        '<li><img style="display: inline-block;" src="/images/ll-fujian.png" />'
        f"<a onclick=\"downloadFj('{escape(a.showname, quote=True)}','./{a.href[len(folder) :]}')\">"
        f"{escape(a.showname)}</a></li>"
        for a in doc.attachments
    )
    downloads = (
        f'<div class="fj-box"><p>附件下载：</p><ul class="detail_fj">{files_}</ul></div>\n'
        "<script>function downloadFj(fileName, filePath) { window.location.href = filePath; }"
        "</script>"
    )
    related = ""
    if doc.interpretations:
        items = _interpretation_items(world, doc, site, base_port)
        related = f'<div class="item"><div class="title">部门解读</div><ul>{items}</ul></div>'
    return (
        f'<div class="content"><div class="left">\n{table}\n'
        f'<div class="document"><div class="view TRS_UEDITOR trs_paper_default">\n'
        f"{_blocks(doc, site, base_port, rng)}\n</div></div>\n{downloads}\n</div>\n"
        f'<div class="right">{related}</div></div>'
    )


def _changsha(world, site, doc, base_port, rng, title) -> str:
    registration = f"CSCR-{doc.written.year}-{doc.seed % 90000 + 10000:05d}"
    items = [
        f"索　引　号：{doc.index_no}",
        f"统一登记号：{registration}",
        "公开责任部门：市司法局",
        f"公布日期：{_pub(doc)}",
        f"生　效　日　期：{doc.spec['page_dates'][1]}",
        f"信息时效期：{escape(doc.validity_raw)}",
        "公开方式：主动公开",
        f"文　　号：{_number(doc)}",
    ]
    lis = "\n".join(f"<li><span>{item}</span></li>" for item in items)
    return (
        f'<div class="content details-wrap">\n<div class="wjxx"><ul>\n{lis}\n</ul>'
        f'<div class="clear"></div></div>\n<h2>{escape(title)}</h2>\n'
        f'<div class="info"><span>发布时间：{_pub(doc)}</span><span class="dozoom">字体：[ '
        '<a class="bigger" href="javascript:;">大</a> <a class="medium" href="javascript:;">中</a> '
        '<a class="smaller" href="javascript:;">小</a> ]</span></div>\n'
        f'<div class="content-main">\n{_blocks(doc, site, base_port, rng)}\n</div>\n'
        f"{_related(world, doc, site, base_port)}\n</div>"
    )


def _fujian(world, site, doc, base_port, rng, title) -> str:
    code = {"失效": "02", "废止": "03"}.get(doc.validity_raw) or ("01" if doc.seed % 2 else "")
    pad = "\n                                            "
    items = [
        f'<li class="trt-col-12 trt-col-sm-24">索 引 号：{pad}{doc.index_no}{pad[:-4]}</li>',
        f'<li class="trt-col-12 trt-col-sm-24">备注/文号：{pad}{_number(doc)}{pad[:-4]}</li>',
        f'<li class="trt-col-12 trt-col-sm-24">发布机构：{pad}{escape(doc.issuer)}{pad[:-4]}</li>',
        f'<li class="trt-col-12 trt-col-sm-24">公文生成日期：{pad}{doc.written.isoformat()}'
        f"{pad[:-4]}</li>",
    ]
    for option, word in (("", "有效"), ("01", "有效"), ("02", "失效"), ("03", "废止")):
        items.append(
            f'<li class="trt-col-12 trt-col-sm-24" ms-visible=\'"{code}"=="{option}"\' '
            f'style="display:none">有效性：<em class="red_base">{word}</em></li>'
        )
    return (
        '<div class="index_box shadow_base pad_base"><ul class="trt-row">\n'
        + "\n".join(items)
        + "\n</ul></div>\n"
        '<div class="article_component" ms-controller="windowRoot">'
        '<div class="article_title_group"><div class="article_title text_align_center">'
        f"{escape(title)}</div></div>\n"
        f'<div class="article_extend"><span>来源：{escape(doc.source)}</span> '
        f"<span>时间：{pages.pub_time(doc, seconds=False)}</span></div>\n"
        f'<div class="word_con"><div class="article_content"><div class="TRS_Editor">\n'
        f"{_blocks(doc, site, base_port, rng)}\n</div></div></div></div>\n"
        f"{_related(world, doc, site, base_port)}"
    )


def _wuhan(world, site, doc, base_port, rng, title) -> str:
    return (
        f'<div class="detail-box">\n<div class="title"><p>{escape(title)}</p></div>\n'
        f'<div class="iShare"><span>发布日期：{pages.pub_time(doc)}</span>　 '
        f"<span>来源：{escape(doc.source)}</span> "
        '<a href="javascript:downloadword()">【 下载 】</a></div>\n'
        f'<div class="paragraph"><div class="trs_editor_view TRS_UEDITOR trs_paper_default">\n'
        f"{_blocks(doc, site, base_port, rng)}\n</div></div>\n"
        f"{_related(world, doc, site, base_port)}\n</div>"
    )


def _gansu(world, site, doc, base_port, rng, title) -> str:
    shown = escape(title).replace("印发《", "印发<br>《", 1)
    return (
        '<div id="xxgknr"><div class="main mt8">\n'
        f"<h1>{shown}</h1>\n"
        f'<div class="info clearbox zcinfos"><p class="">日期：{pages.pub_time(doc, seconds=False)} '
        '来源：</p><div class="m-share"><span class="fl fxd">分享：</span></div></div>\n'
        f'<div class="detailContent" id="detailContent">\n{_blocks(doc, site, base_port, rng)}\n'
        f"</div>\n{_related(world, doc, site, base_port)}\n</div></div>"
    )


RENDER = {
    "zoom_class": _zoom_class,
    "easysite": _easysite,
    "con_main": _con_main,
    "signature_only": _signature_only,
    "repealed_title": _repealed_title,
    "jpaas": _jpaas,
    "beijing": _beijing,
    "chongqing": _chongqing,
    "changsha": _changsha,
    "fujian": _fujian,
    "wuhan": _wuhan,
    "gansu": _gansu,
}
