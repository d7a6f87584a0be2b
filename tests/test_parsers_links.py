"""Link blocks and attachments of article pages (crawler.parsers.links), on small shapes of the
markup real sites use; and the type of a download whose link names none (crawler.attachments)."""

from __future__ import annotations

import io
import zipfile

import pytest
from parsel import Selector

from crawler.attachments import AttachmentError, answer_ext, check_claim
from crawler.parsers import gkmlpt
from crawler.parsers.links import attachments, page_links, title_subject

BASE = "http://example.gov.cn/art/2024/1/5/art_1_100.html"
TITLE = "关于印发《某市住房公积金提取管理办法》的通知"


def links(html: str, role: str = "interpretation", title: str = TITLE, **kw) -> list[str]:
    page = Selector(text=f"<html><body>{html}</body></html>")
    return [link.url for link in page_links(page, BASE, role, title=title, own_url=BASE, **kw)]


def files(html: str) -> list[tuple[str, str, str]]:
    page = Selector(text=f"<html><body>{html}</body></html>")
    return [(a.url, a.name, a.ext) for a in attachments(page, BASE)]


# ---------------------------------------------------------------- labelled blocks


def test_reads_a_policy_interpretation_link_after_a_colon_label() -> None:
    html = '<p>政策解读：<a href="/art/2024/1/6/art_2_101.html">关于提取政策的解读</a></p>'
    assert links(html) == ["http://example.gov.cn/art/2024/1/6/art_2_101.html"]


@pytest.mark.parametrize(
    "label", ["部门解读", "媒体视角", "图解：", "政策解读（文字版）", "【相关解读】"]
)
def test_reads_every_spelling_of_an_interpretation_label(label: str) -> None:
    html = f'<div><span>{label}</span><a href="/jd/t1.html">某文</a></div>'
    assert links(html) == ["http://example.gov.cn/jd/t1.html"]


def test_a_block_continues_over_the_link_paragraphs_that_follow() -> None:
    html = (
        '<p><span>相关解读：</span><a href="/jd/a.html">解读一</a></p>'
        '<p><span>　　　</span><a href="/jd/b.html">二十问二十答</a></p>'
        '<p><a href="/jd/c.html">点击查看</a>（图文）</p>'
        '<p>正文又开始了，<a href="/other.html">别的链接</a>不属于解读。</p>'
    )
    assert links(html) == [f"http://example.gov.cn/jd/{x}.html" for x in "abc"]


def test_a_label_alone_in_its_paragraph_takes_the_link_paragraphs_below() -> None:
    html = (
        "<div><p>武汉住房公积金管理中心</p><p>2026年4月2日</p>"
        "<p><span>政策解读：</span></p><p><br/></p>"
        '<p><a href="/zcjd/t1.html">点击查看</a>（文字）</p></div>'
    )
    assert links(html) == ["http://example.gov.cn/zcjd/t1.html"]


def test_a_heading_then_a_list_is_one_block() -> None:
    html = (
        '<div class="item"><div class="title"><i></i>部门解读</div>'
        '<ul><li><i></i><a href="../bmjd/t1.html">《某措施》的政策解读</a></li></ul></div>'
    )
    assert links(html) == ["http://example.gov.cn/art/2024/1/bmjd/t1.html"]


def test_a_tab_that_is_a_link_without_address_labels_the_list_beside_it() -> None:
    html = (
        '<div class="xgdt"><div class="title"><ul><li class="on"><a>相关文档</a></li></ul></div>'
        '<div class="list"><ul><li><a href="/jdhy/t1.html">图解《某若干措施》</a></li></ul></div></div>'
    )
    assert links(html) == ["http://example.gov.cn/jdhy/t1.html"]


def test_shared_labels_keep_on_a_document_page_only_links_that_say_解读() -> None:
    html = (
        '<div><h2>相关链接</h2><ul><li><a href="/c/t1.shtml">《某措施》政策解读</a></li>'
        '<li><a href="http://www.gov.cn/">中国政府网</a></li>'
        '<li><a href="/c/t2.shtml">某厅召开会议</a></li></ul></div>'
    )
    assert links(html) == ["http://example.gov.cn/c/t1.shtml"]


def test_an_interpretation_page_links_its_document_under_document_and_shared_labels() -> None:
    html = (
        '<div class="zc_zcwj"><span>政策文件：</span> <a href="../../zc/t1.html">某办法</a></div>'
        '<p>相关文章：<a href="/art/1/art_9_2.html">某局关于某事的实施意见</a></p>'
        '<p>相关解读：<a href="/art/1/art_9_3.html">图解某实施意见</a></p>'
    )
    assert links(html, role="document", title="解读《某办法》") == [
        "http://example.gov.cn/art/2024/zc/t1.html",
        "http://example.gov.cn/art/1/art_9_2.html",
    ]


def test_an_empty_block_does_not_borrow_the_links_of_the_next_block() -> None:
    html = (
        '<div class="rightbox"><div class="relevantdoc"><div class="t"><span>相关解读</span></div>'
        '<ul></ul></div><div class="relevantdoc"><div class="t"><span>相关政策</span></div>'
        '<ul><li><span>否</span><a href="./t1.html">另一个文件</a></li></ul></div></div>'
    )
    assert links(html) == []


def test_a_column_box_with_its_more_link_is_no_block() -> None:
    html = (
        '<div class="box"><h3>政策解读</h3><ul><li><a href="/jd/t1.html">甲的解读</a></li>'
        '<li><a href="/jd/t2.html">乙的解读</a></li></ul><a href="/jd/t3.html">更多&gt;&gt;</a></div>'
    )
    assert links(html) == []


def test_links_to_files_directories_and_the_page_itself_are_not_counterparts() -> None:
    html = (
        '<p>相关解读：<a href="/jd/x.pdf">解读.pdf</a> <a href="/zcjd/">栏目</a> '
        f'<a href="{BASE}">本页</a> <a href="">空</a></p>'
    )
    assert links(html) == []


# ---------------------------------------------------------------- links that say what they are


def test_a_link_naming_itself_the_interpretation_of_this_document_counts_anywhere() -> None:
    html = (
        '<div class="TRS_Editor"><p>（八）本文件由县住建局负责解释。</p>'
        '<p><a href="/zcjd/t1.htm">《某市住房公积金提取管理办法》 政策解读</a></p></div>'
        '<ul class="sidebar"><li><a href="/zcjd/t2.htm">《另一个办法》政策解读</a></li></ul>'
    )
    assert links(html) == ["http://example.gov.cn/zcjd/t1.htm"]


def test_the_subject_of_a_title_is_what_it_issues() -> None:
    assert title_subject(TITLE) == "某市住房公积金提取管理办法"
    assert title_subject("某中心关于优化住房公积金提取政策的通知") == "优化住房公积金提取政策"


def test_a_picture_button_between_title_and_body_opens_the_interpretation() -> None:
    html = (
        '<a href="/"><img src="/logo.png"></a>'
        f'<table><tr><td class="title">{TITLE}</td></tr>'
        '<tr><td><a href="http://example.gov.cn/art/2024/1/5/art_2_101.html">'
        '<img src="/pic/0/181203.jpg"></a></td></tr></table>'
        '<div id="zoom"><p>各单位：</p></div>'
        '<a href="http://example.gov.cn/art/2024/1/9/art_3_7.html"><img src="/ad.jpg"></a>'
    )
    assert links(html, body_css=("#zoom",)) == ["http://example.gov.cn/art/2024/1/5/art_2_101.html"]


def test_related_posts_in_the_gkmlpt_page_data_are_links_but_the_page_s_copy_is_not() -> None:
    html = (
        f'<html><head><script>window._CONFIG = {{DETAIL: {{"title": "{TITLE}", '
        '"related_posts":[{"id":11,"title":"'
        + TITLE
        + '","url":"http://www.x.gov.cn/post_11.html"},'
        '{"id":12,"title":"《某办法》政策解读","url":"http:\\/\\/www.x.gov.cn\\/post_12.html"}],'
        '"updated":"2026"}};</script></head><body><div class="classify"><table><tr><td>名称：</td>'
        f"<td>{TITLE}</td></tr></table></div><h1>{TITLE}</h1>"
        '<div class="article-content"><p>各单位：现印发。</p></div><div class="tab__slot"></div>'
        "</body></html>"
    )
    from scrapy.http import HtmlResponse

    response = HtmlResponse(url=BASE, body=html.encode(), encoding="utf-8")
    record = gkmlpt.parse_document(response, site="x", kind="normative")
    assert [(link.url, link.role) for link in record.links] == [
        ("http://www.x.gov.cn/post_12.html", "interpretation")
    ]


# ---------------------------------------------------------------- attachments


def test_downfile_jsp_takes_its_name_from_showname_and_its_type_from_filename() -> None:
    html = (
        '<a href="/module/download/downfile.jsp?classid=0&amp;filename=ab12.docx'
        '&amp;showname=%E9%99%84%E4%BB%B6.docx">附件.docx</a>'
    )
    url = "http://example.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.docx"
    assert files(html) == [(url + "&showname=%E9%99%84%E4%BB%B6.docx", "附件.docx", "docx")]


def test_a_file_path_is_an_attachment_named_by_its_link() -> None:
    assert files('<li><a href="./P020221130.pdf">某通知.pdf</a></li>') == [
        ("http://example.gov.cn/art/2024/1/5/P020221130.pdf", "某通知.pdf", "pdf")
    ]


def test_a_download_address_with_the_file_in_a_parameter() -> None:
    href = "/api-gateway/jpaas-web-server/front/document/file-download?fileUrl=/cms/attach/0/ab.doc"
    html = f'<p>附件：1.<a href="{href}"><img src="/icons/word.png"/>审核表.doc</a></p>'
    assert files(html) == [("http://example.gov.cn" + href, "审核表.doc", "doc")]


def test_a_download_token_takes_its_type_from_the_link_text() -> None:
    html = (
        '<a href="/front/document/download?fileUrl=YW5Uzzl%2BvC%3D">市政办发〔2022〕167号.pdf</a>'
    )
    assert files(html) == [
        (
            "http://example.gov.cn/front/document/download?fileUrl=YW5Uzzl%2BvC%3D",
            "市政办发〔2022〕167号.pdf",
            "pdf",
        )
    ]


def test_a_download_that_names_no_type_is_kept_for_the_answer_to_tell() -> None:
    assert files('<a href="/file/download?id=77">下载附件</a>') == [
        ("http://example.gov.cn/file/download?id=77", "下载附件", "")
    ]


def test_navigation_to_a_download_centre_is_no_attachment() -> None:
    assert files('<a href="/download/">下载中心</a><a href="/xzzx/download.html">下载</a>') == []


def test_a_download_by_script_click_is_an_attachment() -> None:
    html = (
        "<ul class=\"detail_fj\"><li><a onclick=\"downloadFj('某通知.docx','./W0202206.docx')\">"
        "某通知.docx</a></li></ul>"
    )
    assert files(html) == [
        ("http://example.gov.cn/art/2024/1/5/W0202206.docx", "某通知.docx", "docx")
    ]


def test_files_listed_only_in_a_script_are_attachments() -> None:
    html = (
        "<script>var qzbFile = ''; var mime = {'pdf': 'application/pdf'};"
        'var apps = [ { name: "某措施的通知.pdf", url: "http://example.gov.cn/gk/202209/P0203.pdf" } ];'
        "</script>"
    )
    assert files(html) == [("http://example.gov.cn/gk/202209/P0203.pdf", "某措施的通知.pdf", "pdf")]


# ---------------------------------------------------------------- downloads that named no type


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "headers", "ext"),
    [
        (b"%PDF-1.7 ...", {"Content-Type": b"application/octet-stream"}, "pdf"),
        (_docx(), {}, "docx"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            {"Content-Disposition": b'attachment; filename="a.xls"'},
            "xls",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            {"Content-Disposition": b"attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.wps"},
            "wps",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", {"Content-Type": b"application/msword"}, "doc"),
        (b"plain", {}, ""),
    ],
)
def test_the_type_of_a_download_comes_from_its_bytes_then_its_headers(
    body: bytes, headers: dict, ext: str
) -> None:
    assert answer_ext(body, headers) == ext


def test_a_download_that_named_no_type_and_is_a_page_is_an_error() -> None:
    with pytest.raises(AttachmentError, match="HTML page"):
        check_claim("", b"<!doctype html><html><body>404</body></html>")


def test_an_address_that_only_contains_down_is_no_download() -> None:
    assert (
        files('<a href="/api/dropdown.do?id=3">菜单</a><a href="/countdown.jsp?d=1">倒计时</a>')
        == []
    )
    assert [ext for _, _, ext in files('<a href="/sys/downloadFile.do?id=3">附件</a>')] == [""]


def test_related_data_of_an_interpretation_page_gives_its_documents_only() -> None:
    from crawler.parsers.links import json_links

    items = [
        {"title": "某局关于印发某办法的通知", "url": "/post_1.html"},
        {"title": "图解《某办法》", "url": "/post_2.html"},
        {"title": "《某办法》政策解读", "url": "/post_3.html"},
    ]
    found = json_links(items, BASE, "document", "related_posts", own_title="《某办法》政策解读")
    assert [(link.url, link.role) for link in found] == [
        ("http://example.gov.cn/post_1.html", "document")
    ]


def test_a_click_handler_on_any_element_downloads_its_file_but_a_bare_function_call_does_not() -> (
    None
):
    html = (
        "<li onclick=\"openFile('/upload/2024/某表.xlsx')\">某表</li>"
        '<p onclick="downloadword();"><span>【下载】</span></p>'
    )
    assert files(html) == [("http://example.gov.cn/upload/2024/某表.xlsx", "某表", "xlsx")]
