"""A tiny throwaway Hanweb-shaped server for the fault cases the mirror does not stage.

One column of three items: a good page whose ``.pdf`` attachment is really an HTML error page,
a page that answers 404, and a good page with a real PDF. Served by aiohttp on a loopback port
the system gives, in a background thread; it stops with the test.
"""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

COLUMN = "/col/col100/index.html"
GOOD = "/art/2024/1/2/art_100_1.html"
MISSING = "/art/2024/1/2/art_100_2.html"
GOOD_PDF = "/art/2024/1/3/art_100_3.html"
FAKE_PDF = "/module/download/downfile.jsp?classid=0&filename=" + "a" * 32 + ".pdf&showname=fake.pdf"
REAL_PDF = "/module/download/downfile.jsp?classid=0&filename=" + "b" * 32 + ".pdf&showname=real.pdf"


def _li(path: str, title: str) -> str:
    return f'<record><![CDATA[<li><a href="{path}" title="{title}">{title}</a><span class="bt-data-time">2024-01-02</span></li>]]></record>'


COLUMN_PAGE = f"""<html><body><div id="900"><script type="text/xml"><datastore>
<nextgroup><![CDATA[]]></nextgroup><recordset>{_li(GOOD, "好页面")}{_li(MISSING, "缺失页面")}</recordset>
</datastore></script></div>
<script>var param_900 = {{col:1,appid:1,webid:9,path:'/',columnid:100,sourceContentType:1,unitid:'900',webname:'测试站',permissiontype:0}};</script>
<script>$('#900').jpage({{proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:1,totalRecord:3,groupSize:2,objId:'900',ajaxParam:param_900}});</script>
</body></html>"""

PROXY_ANSWER = f"""<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>
<recordset>{_li(GOOD_PDF, "带附件的页面")}</recordset><totalrecord>3</totalrecord></datastore>"""


def _article(title: str, attachment: str) -> str:
    return f"""<html><head><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2024-01-02 09:00"><meta name="ContentSource" content="测试厅"></head>
<body><div id="zoom"><meta name="ContentStart"><p>{title}正文。</p>
<p><a href="{attachment}">附件</a></p><meta name="ContentEnd"></div></body></html>"""


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(50, 800, "real attachment text")
    c.save()
    return buf.getvalue()


def _app() -> web.Application:
    pdf = _pdf()

    def page(text: str, content_type: str = "text/html"):
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=text, content_type=content_type)

        return handler

    async def download(request: web.Request) -> web.Response:
        if request.query.get("filename", "").startswith("a"):
            # The fault staged here: a missing file answered with an HTML page and status 200.
            return web.Response(
                text="<html><body>文件不存在</body></html>", content_type="text/html"
            )
        return web.Response(body=pdf, content_type="application/pdf")

    app = web.Application()
    app.router.add_get(COLUMN, page(COLUMN_PAGE))
    app.router.add_post("/module/web/jpage/dataproxy.jsp", page(PROXY_ANSWER, "text/xml"))
    app.router.add_get(GOOD, page(_article("好页面", FAKE_PDF)))
    app.router.add_get(GOOD_PDF, page(_article("带附件的页面", REAL_PDF)))
    app.router.add_get("/module/download/downfile.jsp", download)
    return app


@contextmanager
def serve() -> Iterator[str]:
    """Run the fake site; yields its origin ``http://127.0.0.1:PORT``.

    The socket is bound here, on a port the system gives, and served as it is (``SockSite``): no
    other process can take the port between its choice and the server.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app())
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def sites_yaml(origin: str) -> str:
    """A sites file with the fake site's one column."""
    return (
        "sites:\n"
        "  - name: fake-hanweb\n"
        "    title: 测试站\n"
        "    family: hanweb\n"
        f"    columns:\n      - {{url: '{origin}{COLUMN}', kind: normative}}\n"
    )
