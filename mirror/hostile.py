"""One hostile page: a normative document whose title, body, links and attachment carry markup.

Government sites get defaced and their editors paste anything; the published library must show
whatever a crawled page says as text and execute nothing. This page (on jx-nync, in its
规范性文件 column) carries, as the page's *text* (escaped in its HTML, so the crawler reads
them as literal characters): ``<script>`` in the title, ``<img … onerror=…>`` in the body and in
the attachment's name; and as real markup: a ``javascript:`` link in the body and an ``<img>``
with a real ``onerror=`` attribute. Every payload, if it ran, would set
``document.documentElement.dataset.pwned`` and open an alert: the browser test
(tests/test_browser.py) looks for both.

Otherwise it is an ordinary document with a full ground truth (in force on both as-of dates), so
the crawl and the build treat it like any other. It is added after the world is generated and
draws no random numbers, so it changes nothing else of the world.
"""

from __future__ import annotations

from datetime import date, datetime

from .model import Attachment, Block, Document, Image, Link, Site

SITE = "jx-nync"
COLUMN = 27784  # 规范性文件
ARTICLE_ID = 1990001  # above every generated id of the site (they start at 1900000)


def _payload(where: str) -> str:
    """JavaScript that marks the page and opens an alert, if anything ever runs it."""
    return f"document.documentElement.dataset.pwned='{where}';alert('{where}')"


TITLE = f"江西省农业农村厅关于<script>{_payload('title')}</script>加强农机安全生产监管的通知"
BODY_MARKUP = f'<img src=x onerror="{_payload("body")}">'
ATTACHMENT_NAME = f'农机安全检查表<img src=x onerror="{_payload("attachment")}">.pdf'
JAVASCRIPT_HREF = f"javascript:{_payload('link')}"


def document(site: Site) -> Document:
    """The hostile document of ``site`` (jx-nync), body and attachment included."""
    attachment = Attachment(
        filename="5c2f0e4a9d8b7f6e1a2b3c4d5e6f7a8b.pdf",
        showname=ATTACHMENT_NAME,
        ext="pdf",
        lines=["农机安全检查表", "检查项目 检查结果 备注"],
    )
    doc = Document(
        site=site.name,
        column=COLUMN,
        kind="normative",
        title=TITLE,
        pub=datetime(2025, 2, 24, 10, 30, 15),
        source="江西省农业农村厅",
        body=[
            Block(["各设区市农业农村局："]),
            Block([f"为加强农机安全生产监管，现就有关事项通知如下。{BODY_MARKUP}"]),
            Block(
                ["一、各地要开展农机安全检查，详见", Link("检查要求", href=JAVASCRIPT_HREF), "。"]
            ),
            # A real onerror attribute on the source page (the src value closes its own quote);
            # the crawler keeps no images, so it never reaches the library.
            Block([Image(src=f'x" onerror="{_payload("source-page")}')]),
            Block(["本通知自2025年3月1日起施行，有效期5年。"]),
            Block(["附件：", Link(attachment.showname, href=attachment.href)]),
            Block(["江西省农业农村厅"], align="right"),
            Block(["2025年2月20日"], align="right"),
        ],
        attachments=[attachment],
        article_id=ARTICLE_ID,
        prefix=site.prefix,
        seed=1234567,
        number_raw="赣农规〔2025〕88号",
        number="赣农规〔2025〕88号",
        issuer="江西省农业农村厅",
        written=date(2025, 2, 20),
        layout="B",
        validity_raw="有效",
        index_no="014501372/2025-00088",
        subject="农业、林业、水利",
        effective=date(2025, 3, 1),
        expires=date(2030, 2, 28),
    )
    doc.spec.update(topic="农机安全生产", hostile=True)
    return doc
