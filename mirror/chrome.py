"""Page chrome of a Hanweb JCMS site: toolbar, header, navigation, footer, and article noise.

Everything here sits outside the content markers; none of it is body text.
"""

from __future__ import annotations

import random
from html import escape

from .model import Site

DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)


def home_path(site: Site) -> str:
    """The site's home page path."""
    return f"{site.prefix}/" if site.prefix else "/"


def column_path(site: Site, column_id: int) -> str:
    """``{prefix}/col/col{ID}/index.html``."""
    return f"{site.prefix}/col/col{column_id}/index.html"


def page(site: Site, title: str, body: str, meta: str = "") -> str:
    """A whole page: head (with ``meta`` tags), toolbar, header, nav, ``body``, footer."""
    nav = "".join(
        f'<li><a href="{column_path(site, c.id)}">{escape(c.title)}</a></li>' for c in site.columns
    )
    return f"""{DOCTYPE}
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{escape(title)}</title>
{meta}
<link href="/images/{site.webid}/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/script/{site.webid}/common.js"></script>
</head>
<body>
<div class="wza-bar"><div class="w1200">
<a href="javascript:void(0);" id="cniil_wza" title="是否打开信息无障碍浏览">是否打开信息无障碍浏览</a>
<span class="old-mode"><a href="javascript:void(0);">长者模式</a></span>
<span class="date" id="today"></span>
</div></div>
<div class="header"><div class="w1200">
<div class="logo"><a href="{home_path(site)}"><img src="/images/{site.webid}/logo.png" alt="{escape(site.title)}" /></a></div>
<div class="search"><form action="/jrobot/search.do" method="get" target="_blank">
<input type="text" name="q" class="keyword" value="" placeholder="请输入关键字" />
<input type="hidden" name="webid" value="{site.webid}" /><input type="submit" value="搜索" /></form></div>
</div></div>
<div class="nav"><ul class="w1200"><li><a href="{home_path(site)}">首页</a></li>{nav}<li><a href="/col/col{site.webid}00/index.html">互动交流</a></li></ul></div>
{body}
{footer(site)}
</body>
</html>
"""


def footer(site: Site) -> str:
    """主办单位, 网站标识码, ICP and public-security filing numbers."""
    return f"""<div class="footer"><div class="w1200">
<p><a href="/col/col{site.webid}01/index.html">网站地图</a> | <a href="/col/col{site.webid}02/index.html">联系我们</a> | <a href="/col/col{site.webid}03/index.html">隐私声明</a></p>
<p>主办单位：{escape(site.host_org)}　　承办单位：{escape(site.host_org)}信息中心</p>
<p>网站标识码：{site.idcode}　　<a href="https://beian.miit.gov.cn/" target="_blank">{site.icp}</a>　　<img src="/images/ga.png" alt="" />赣公网安备 3601{site.idcode[-6:]}号</p>
<p>建议使用1920×1080分辨率 IE10以上版本浏览器</p>
</div></div>"""


def breadcrumbs(site: Site, column_id: int, column_title: str, article: bool) -> str:
    """当前位置：首页 > 栏目 > 正文."""
    tail = " &gt; 正文" if article else ""
    col = f'<a href="{column_path(site, column_id)}">{escape(column_title)}</a>'
    return f'<div class="position w1200">当前位置：<a href="{home_path(site)}">首页</a> &gt; {col}{tail}</div>'


_ZOOMS = [
    '【字体：<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a>】',
    '【字号：<a href="javascript:void(0);" onclick="doZoom(18)">大</a>&nbsp;<a href="javascript:void(0);" onclick="doZoom(16)">中</a>&nbsp;<a href="javascript:void(0);" onclick="doZoom(14)">小</a>】',
    '字体：[ <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a> ]',
    '【字体：<span class="zoom" onclick="doZoom(18)">大</span> <span class="zoom" onclick="doZoom(16)">中</span> <span class="zoom" onclick="doZoom(14)">小</span>】',
]


def zoom(rng: random.Random) -> str:
    """The 【字体：大 中 小】 links, in one of the spellings seen."""
    return rng.choice(_ZOOMS)


def hits(rng: random.Random, column_id: int, article_id: int) -> str:
    """浏览次数: a number, or the script that would fetch it."""
    if rng.random() < 0.5:
        return f'浏览次数：<span id="hits">{rng.randint(30, 20000)}</span>'
    src = f"/module/visitcount/articlehits.jsp?colid={column_id}&amp;artid={article_id}"
    return f'浏览次数：<script language="javascript" src="{src}"></script>'


def tools() -> str:
    """打印本页, 关闭窗口, 分享到, and the QR code."""
    return """<div class="art-tools">
<span class="print">【<a href="javascript:window.print()">打印本页</a>】</span>
<span class="close">【<a href="javascript:window.opener=null;window.open('','_self');window.close();">关闭窗口</a>】</span>
<div class="share">分享到：<a href="javascript:void(0);" class="wx">微信</a> <a href="javascript:void(0);" class="wb">微博</a> <a href="javascript:void(0);" class="qq">QQ空间</a></div>
<div class="qrcode"><img src="/images/qrcode.png" alt="" /><p>扫一扫在手机打开当前页</p></div>
</div>"""
