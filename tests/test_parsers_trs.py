"""The TRS parsers on saved mirror pages (read as bytes), against the truth; the GBK pages too."""

from __future__ import annotations

import pytest
from family_fixtures import FIXTURES, differences, expected, response
from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes

from corpus.store.records import ListEntry
from crawler.charset import better_encoding
from crawler.parsers.trs import parse_document, parse_interpretation, parse_list_page, parse_pager

EXPECTED = expected("trs")
LISTS = EXPECTED["lists"]
PAGES = EXPECTED["pages"]


def listing(name: str):
    row = LISTS[name]
    return parse_list_page(response("trs", name, row["url"], row["content_type"])), row


@pytest.mark.parametrize(
    "name",
    [
        "list-pages-signature.html",
        "list-container-signature-gbk.shtml",
        "list-createpage-signature.shtml",
    ],
)
def test_reads_every_item_of_a_list_page_with_its_date(name):
    page, row = listing(name)
    assert [(e.url, e.title, e.date) for e in page.entries] == [
        (e["url"], e["title"], e["date"]) for e in row["entries"]
    ]
    assert all(
        "/t" in e.url and e.url.startswith(row["column_url"].rsplit("/", 1)[0])
        for e in page.entries
    )


@pytest.mark.parametrize(
    "name",
    [
        "list-pages-signature.html",
        "list-container-signature-gbk.shtml",
        "list-createpage-signature.shtml",
    ],
)
def test_reads_the_pager_in_each_signature(name):
    page, row = listing(name)
    assert page.pager.signature == row["pager"]
    assert page.pager.pages == row["pages"]
    assert page.pager.total == row["total"]


def test_page_n_of_a_list_is_prefix_underscore_n_minus_one():
    page, row = listing("list-container-signature-gbk.shtml")
    column = row["column_url"]
    assert page.pager.page_url(column, 1) == column
    assert page.pager.page_url(column, 3) == column.replace("list.shtml", "list_2.shtml")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(89, 0, "index", "shtml");', ("pages", 89, 1, "index", "shtml", None)),
        (
            "createPageHTML('page_div', 11, 1, 'list', 'shtml', 154);",
            ("container", 11, 1, "list", "shtml", 154),
        ),
        ('createPage(12, 3, "index", "html");', ("createPage", 12, 4, "index", "html", None)),
        (
            "Pager({size:266, current:0, prefix:'index', suffix:'html'});",
            ("Pager", 266, 1, "index", "html", None),
        ),
    ],
)
def test_reads_the_pager_signatures_seen_on_real_sites(script, expected):
    pager = parse_pager(f"<script>{script}</script>")
    assert (
        pager.signature,
        pager.pages,
        pager.current,
        pager.prefix,
        pager.suffix,
        pager.total,
    ) == expected


def test_a_late_stub_page_has_no_items_and_no_pager():
    page, _ = listing("list-stub.html")
    assert page.entries == [] and page.pager is None and page.size < 500


# ---------------------------------------------------------------- the column's own list

# The shape of Gansu's 教育厅 list (2025): the items and the pager call inside a comment in an
# empty <ul>, painted by script; item pages named by a bare number; sidebars beside it.
COMMENTED = """<html><body>
<div class="nav"><ul><li><a href="/jyt/c110635/zwgklist.shtml">政策文件</a></li>
<li><a href="/jyt/c110636/zwgklist.shtml">人事信息</a></li><li><a href="/jyt/">首页</a></li></ul></div>
<div class="sidebar"><h3>热点信息</h3><ul class="side-list">
<li><a href="/jyt/c110641/202510/174220001.shtml">热点一</a><span>2025-10-01</span></li>
<li><a href="/jyt/c110641/202509/174210002.shtml">热点二</a><span>2025-09-01</span></li>
<li><a href="/jyt/c110641/202508/174200003.shtml">热点三</a><span>2025-08-01</span></li>
</ul></div>
<div class="zfxxgk_zdgkc"><ul class="jytxxgklist">
<!--
<li><a target="_blank" href="/jyt/c110634/202511/174240943.shtml" title="关于开展结项工作的通知">
  关于开展结项工作的通知</a><b>2025-11-17</b></li>
<li><a target="_blank" href="/jyt/c110634/202511/174235671.shtml" title="关于做好银龄讲学计划的通知">
  关于做好银龄讲学计划的通知</a><b>2025-11-05</b></li>
<script>createPageHTML('page_div',10, 1,'zwgklist','shtml',200);</script>-->
</ul></div><div id="page_div"></div>
<!--<a class="ztlink" href="/jyt/c250100/202501/174000001.shtml"></a>-->
</body></html>"""
LIST_URL = "https://jyt.example/jyt/c110634/zwgklist.shtml"


def _list(html: str, url: str = LIST_URL, container: str = ""):
    return parse_list_page(HtmlResponse(url=url, body=html.encode(), encoding="utf-8"), container)


def test_reads_the_items_and_the_pager_inside_a_comment_of_an_empty_list():
    page = _list(COMMENTED)
    assert [(e.url, e.title, e.date) for e in page.entries] == [
        (
            "https://jyt.example/jyt/c110634/202511/174240943.shtml",
            "关于开展结项工作的通知",
            "2025-11-17",
        ),
        (
            "https://jyt.example/jyt/c110634/202511/174235671.shtml",
            "关于做好银龄讲学计划的通知",
            "2025-11-05",
        ),
    ]
    assert (page.pager.pages, page.pager.total, page.pager.prefix) == (10, 200, "zwgklist")
    assert page.in_comment and page.container.startswith("ul.jytxxgklist")


def test_leaves_out_sidebar_and_navigation_links_to_detail_pages():
    page = _list(COMMENTED)
    assert not any("c110641" in e.url or "c250100" in e.url for e in page.entries)
    assert page.left_out == 3  # the three 热点信息 items; navigation is not item-like at all


def test_a_comment_beside_a_live_list_is_not_read():
    live = COMMENTED.replace(
        '<ul class="jytxxgklist">',
        '<ul class="jytxxgklist"><li><a href="/jyt/c110634/202512/174250000.shtml">现行</a><b>2025-12-01</b></li>',
    )
    assert [e.title for e in _list(live).entries] == ["现行"]


def test_the_list_is_the_group_with_most_items_under_the_columns_folder():
    # A sidebar of 最新 with more items than the column's own short page, but of other columns.
    html = (
        """<html><body><div class="side"><ul>"""
        + "".join(
            f'<li><a href="../../other/202401/t20240101_{n}.html">新闻{n}</a><span>2024-01-01</span></li>'
            for n in range(6)
        )
        + """</ul></div><ul class="list">
<li><a href="./202401/t20240105_900.html">本栏目一</a><span>2024-01-05</span></li>
<li><a href="./202401/t20240104_901.html">本栏目二</a><span>2024-01-04</span></li></ul></body></html>"""
    )
    page = _list(html, "https://h.example/xxgk/gfxwj/index_3.html")
    assert [e.title for e in page.entries] == ["本栏目一", "本栏目二"]
    assert page.entries[0].date == "2024-01-05"


def test_the_container_of_page_one_wins_on_a_short_last_page():
    # On the last page the column shows fewer items than its own 最新 sidebar (same folder).
    side = "".join(f'<li><a href="./202401/t20240110_{n}.html">最新{n}</a></li>' for n in range(5))
    html = f"""<html><body><div class="side"><ul class="side-list">{side}</ul></div>
<div class="main"><ul class="list"><li><a href="./202301/t20230101_1.html">末页一</a></li></ul></div>
</body></html>"""
    url = "https://h.example/xxgk/gfxwj/index_4.html"
    assert [e.title for e in _list(html, url).entries][0] == "最新0"  # without a hint
    page = _list(html, url, container="ul.list < div.main")
    assert [e.title for e in page.entries] == ["末页一"]


def test_an_item_is_its_first_page_link_not_the_interpretation_link_beside_it():
    html = """<html><body><ul class="list">
<li><a href="./202401/t20240105_900.html">关于印发办法的通知</a>
  <a href="../zcjd/202401/t20240106_950.html">[解读]</a><span>2024-01-05</span></li>
<li><a href="./202401/t20240104_901.html">关于开展工作的通知</a><span>2024-01-04</span></li>
</ul></body></html>"""
    page = _list(html, "https://h.example/xxgk/gfxwj/index.html")
    assert [e.title for e in page.entries] == ["关于印发办法的通知", "关于开展工作的通知"]


def test_a_list_split_over_several_containers_of_one_kind_is_read_whole():
    blocks = "".join(
        '<ul class="list">'
        + "".join(
            f'<li><a href="./202401/t20240101_{b}{n}.html">条目{b}{n}</a></li>' for n in range(3)
        )
        + "</ul><div class='line'></div>"
        for b in range(3)
    )
    html = f"<html><body><div class='main'>{blocks}</div></body></html>"
    page = _list(html, "https://h.example/xxgk/gfxwj/index.html")
    assert len(page.entries) == 9 and page.entries[0].title == "条目00" and page.left_out == 0


DOCS = sorted(n for n in PAGES if n.startswith("doc-"))


def _entry(row: dict) -> ListEntry:
    e = row["list_entry"]
    return ListEntry(e["url"], e["title"], e["date"], e["date"])


@pytest.mark.parametrize("name", DOCS)
def test_every_document_field_agrees_with_the_truth(name):
    row = PAGES[name]
    resp = response("trs", name, row["url"], row["content_type"])
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


def test_every_interpretation_field_agrees_with_the_truth():
    row = PAGES["interpretation.shtml"]
    resp = response("trs", "interpretation.shtml", row["url"], row["content_type"])
    record = parse_interpretation(
        resp, site=row["site"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


def test_takes_relative_p0_attachments_beside_the_article():
    row = PAGES["doc-attachments-after.html"]
    resp = response("trs", "doc-attachments-after.html", row["url"], row["content_type"])
    assert 'href="./P0' in resp.text
    record = parse_document(resp, site=row["site"], kind=row["kind"], column_url=row["column_url"])
    assert [a.url for a in record.attachments] == [a["url"] for a in row["attachments"]]


# ---------------------------------------------------------------- GBK with a wrong charset


@pytest.mark.parametrize("name", ["doc-gbk-no-meta.shtml", "doc-gbk-meta.shtml"])
def test_a_gbk_page_served_as_utf8_is_read_as_gb18030(name):
    row = PAGES[name]
    body = (FIXTURES / "trs" / name).read_bytes()
    assert row["content_type"] == "text/html; charset=UTF-8"  # what the server says: wrong
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    raw = HtmlResponse(url=row["url"], body=body, headers={"Content-Type": row["content_type"]})
    assert "\ufffd" in raw.text  # what Scrapy alone would store
    assert better_encoding(raw) == ("utf-8", "gb18030")
    resp = response("trs", name, row["url"], row["content_type"])
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert record.body_text == row["body_text"] and record.title == row["title"]
    assert "\ufffd" not in record.body_text + record.title


def test_the_gbk_fixtures_hold_characters_outside_gb2312():
    row = PAGES["doc-gbk-meta.shtml"]
    assert "〇" in row["body_text"]  # GBK A996, not in GB2312: a GB2312 decoder would fail
    assert b"charset=gb2312" in (FIXTURES / "trs" / "doc-gbk-meta.shtml").read_bytes()
    assert b"charset=" not in (FIXTURES / "trs" / "doc-gbk-no-meta.shtml").read_bytes()


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("江西省".encode("gbk"), "text/html", ("cp1252", "gb18030")),  # no charset anywhere
        ("江西省".encode(), "text/html; charset=utf-8", None),
        ("江西省".encode("gbk"), "text/html; charset=gbk", None),
        (b"%PDF-1.4 \xb9\xf3", "application/pdf", None),  # never re-read a file
    ],
)
def test_rereads_only_pages_no_declared_charset_decodes(body, content_type, expected):
    headers = Headers({"Content-Type": content_type})
    cls = responsetypes.from_args(headers=headers, url="http://h/a", body=body)  # as Scrapy does
    found = better_encoding(cls(url="http://h/a", body=body, headers=headers))
    assert (found[1] if found else None) == (expected[1] if expected else None)
