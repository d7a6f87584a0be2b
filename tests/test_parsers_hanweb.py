"""The Hanweb parsers on saved mirror pages (read as bytes), against values from the mirror's truth.

Fixtures and ``expected.json`` are written once by ``tests/fixtures/hanweb/save_fixtures.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure

from corpus.store.identity import canonical_url
from corpus.store.normalize import find_dates, parse_date
from corpus.store.records import ListEntry, ParseError
from crawler.attachments import AttachmentError, check_claim, extract_text
from crawler.errors import challenge_reason, classify_failure
from crawler.parsers.common import (
    html_to_lines,
    interpretation_form,
    is_noise_line,
    label_field,
    read_labelled_values,
    signature_date,
)
from crawler.parsers.hanweb import (
    parse_column_page,
    parse_column_params,
    parse_datastore,
    parse_document,
    parse_interpretation,
    parse_list_item,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hanweb"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
COLUMNS = EXPECTED["columns"]
PROXY = EXPECTED["proxy"]
PAGES = EXPECTED["pages"]
DOCUMENT_PAGES = sorted(n for n in PAGES if n.startswith(("doc-", "rule")))
INTERPRETATION_PAGES = sorted(n for n in PAGES if n.startswith("interpretation-"))
DOC_FIELDS = ("title", "doc_number", "doc_number_raw", "issuer", "written_date", "published_date",
              "validity_raw", "index_no", "subject", "body_text")  # fmt: skip


def response(name: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=(FIXTURES / name).read_bytes())


def column(name: str):
    return parse_column_page(response(name, COLUMNS[name]["url"]))


def listed(name: str) -> ListEntry:
    """The page's list item, as the spider hands it to the parser."""
    e = PAGES[name]["list_entry"]
    return ListEntry(e["url"], e["title"], e["date"], e["date"], e["doc_number_raw"], e["index_no"])


def document(name: str):
    page = PAGES[name]
    return parse_document(
        response(name, page["url"]),
        site=page["site"],
        kind=page["kind"],
        column_url=page["column_url"],
        entry=listed(name),
    )


def interpretation(name: str):
    page = PAGES[name]
    return parse_interpretation(
        response(name, page["url"]),
        site=page["site"],
        column_url=page["column_url"],
        entry=listed(name),
    )


def proxy_entries(name: str) -> list[ListEntry]:
    return parse_datastore(
        (FIXTURES / name).read_bytes().decode("utf-8"), PROXY[name]["url"]
    ).entries


def as_expected(entry: ListEntry) -> dict:
    return {
        "url": canonical_url(entry.url),
        "title": entry.title,
        "date": entry.date,
        "doc_number_raw": entry.doc_number_raw,
        "index_no": entry.index_no,
    }


def _same(want: object, got: object) -> bool:
    return (want if want != "" else None) == (got if got != "" else None)


# ---------------------------------------------------------------- column pages


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_discovers_the_column_parameters(name: str) -> None:
    params, _ = column(name)
    want = COLUMNS[name]["params"]
    got = {k: getattr(params, k) for k in want}
    assert got == want
    assert params.fields["unitid"] == want["unitid"] and params.fields["appid"] == "1"


def test_finds_the_site_code_prefix_and_the_proxy_at_the_host_root() -> None:
    params, _ = column("sthjt-normative-column.html")
    assert params.prefix == "/jxssthjt"
    assert params.proxy_url.endswith(":18703/module/web/jpage/dataproxy.jsp")
    assert params.records_url(46, 90).endswith(
        "dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    )


def test_builds_the_get_page_url_from_the_param_fields() -> None:
    params, _ = column("nync-normative-column.html")
    url = params.page_url(2)
    assert "?page=2&" in url and "webid=46" in url and "columnid=27784" in url
    assert "unitid=305681" in url


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_reads_the_45_embedded_records_of_a_column_page(name: str) -> None:
    _, store = column(name)
    assert len(store.entries) == 45
    assert [as_expected(e) for e in store.entries] == COLUMNS[name]["entries"]


def test_reads_the_order_number_and_takes_the_list_date_from_rule_items() -> None:
    _, store = column("portal-rules-column.html")
    numbers = [e.doc_number_raw for e in store.entries]
    assert all("江西省人民政府令" in n for n in numbers)
    assert len(set(numbers)) == 45


def test_takes_the_full_title_from_the_title_attribute_when_the_text_is_cut() -> None:
    _, store = column("nync-normative-column.html")
    assert not [e for e in store.entries if e.title.endswith("...")]
    assert max(len(e.title) for e in store.entries) > 28  # the link text is cut at 28


def test_reads_dates_split_over_lines() -> None:
    _, store = column("nync-normative-column.html")
    split = [e for e in store.entries if " " in e.date_raw]
    assert len(split) == 19  # counted in the saved page: "2025-\n\t\t\t03-23"
    assert all(e.date == parse_date(e.date_raw.replace(" ", "")) for e in split)


def test_reads_doc_number_and_index_spans_and_never_takes_the_index_for_a_date() -> None:
    _, store = column("sthjt-normative-column.html")
    assert all(e.index_no and e.doc_number_raw for e in store.entries)
    dated = [e for e in store.entries if e.index_no.count("-") == 2]
    assert len(dated) == 45  # the dated form: 2026-02-00018
    assert all(e.date and e.date_raw not in e.index_no for e in dated)
    assert parse_list_item(
        '<li><a href="/x.html">T</a><span class="syh">2026-02-00018</span></li>', "http://h/"
    ) == ListEntry("http://h/x.html", "T", index_no="2026-02-00018")


def test_a_column_page_without_a_param_block_raises_a_parse_error_naming_it() -> None:
    page = HtmlResponse(url="http://h/col/col1/index.html", body=b"<html><body>hi</body></html>")
    with pytest.raises(ParseError, match="column params"):
        parse_column_params(page)


# ---------------------------------------------------------------- data-proxy answers


def test_reads_a_record_range_answer() -> None:
    name = "portal-normative-records-46-90.xml"
    store = parse_datastore((FIXTURES / name).read_text(encoding="utf-8"), PROXY[name]["url"])
    assert len(store.entries) == 45
    assert store.total_record == PROXY[name]["total_record"] == 200
    assert [as_expected(e) for e in store.entries] == PROXY[name]["entries"]


def test_reads_the_look_ahead_record_that_repeats_the_previous_group() -> None:
    name = "sthjt-normative-records-46-90-lookahead.xml"
    entries = proxy_entries(name)
    assert len(entries) == 36  # records 45..80 of 80: 46..90 asked, one look-ahead record
    _, store = column("sthjt-normative-column.html")
    assert canonical_url(entries[0].url) == canonical_url(store.entries[-1].url)
    assert [as_expected(e) for e in entries] == PROXY[name]["entries"]


def test_reads_a_page_answer_with_its_totals() -> None:
    name = "nync-normative-page-2.xml"
    store = parse_datastore((FIXTURES / name).read_text(encoding="utf-8"), PROXY[name]["url"])
    assert (len(store.entries), store.total_record, store.total_page) == (15, 100, 7)
    assert [as_expected(e) for e in store.entries] == PROXY[name]["entries"]


def test_an_answer_without_a_datastore_is_flagged() -> None:
    store = parse_datastore("Method Not Allowed", "http://h/")
    assert store.found is False and store.entries == []


ALL_ENTRIES = [
    pytest.param(e, id=f"{name}#{i}")
    for name in sorted(COLUMNS)
    for i, e in enumerate(column(name)[1].entries)
] + [
    pytest.param(e, id=f"{name}#{i}")
    for name in sorted(PROXY)
    for i, e in enumerate(proxy_entries(name))
]


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_every_list_item_has_an_absolute_article_url_a_title_and_a_date(entry: ListEntry) -> None:
    assert entry.url.startswith("http://127.0.0.1:")
    assert "/art/" in entry.url and entry.url.split("?")[0].endswith(".html")
    assert entry.title and entry.title == entry.title.strip() and "..." not in entry.title
    assert entry.date and entry.date == parse_date(entry.date_raw)
    assert not find_dates(entry.index_no)


def test_counts_every_list_item() -> None:
    assert len(ALL_ENTRIES) == 4 * 45 + 45 + 36 + 15


# ---------------------------------------------------------------- article pages


@pytest.mark.parametrize("name", DOCUMENT_PAGES)
def test_reads_every_field_of_a_document_page(name: str) -> None:
    record, want = document(name), PAGES[name]
    for field in DOC_FIELDS:
        assert _same(want[field], getattr(record, field)), field
    assert [(a.url, a.name, a.ext) for a in record.attachments] == [
        (a["url"], a["name"], a["ext"]) for a in want["attachments"]
    ]
    assert sorted(canonical_url(link.url) for link in record.links) == sorted(
        want["interpretation_urls"]
    )
    assert record.url == want["url"] and record.meta["ArticleTitle"].strip() == want["title"]


@pytest.mark.parametrize("name", INTERPRETATION_PAGES)
def test_reads_every_field_of_an_interpretation_page(name: str) -> None:
    record, want = interpretation(name), PAGES[name]
    for field in ("title", "published_date", "source", "form", "body_text"):
        assert _same(want[field], getattr(record, field)), field
    assert [(a.url, a.name, a.ext) for a in record.attachments] == [
        (a["url"], a["name"], a["ext"]) for a in want["attachments"]
    ]
    assert sorted(canonical_url(link.url) for link in record.links) == sorted(
        want["linked_document_urls"]
    )


def test_gets_the_doc_number_from_a_padded_label() -> None:
    record = document("doc-layout-b-padded-labels.html")  # <b>文&nbsp;&nbsp;号：</b>
    assert (record.doc_number_raw, record.doc_number) == (
        "赣农规〔２０１５〕３２号",
        "赣农规〔2015〕32号",
    )


def test_reads_the_alternative_label_names() -> None:
    record = document("doc-layout-b-padded-labels.html")  # 生成日期, 发文日期, 有 效 性, 统一登记号
    assert (record.written_date, record.published_date) == ("2015-11-10", "2015-11-12")
    assert (record.validity_raw, record.unified_no) == ("有效", "JXNY-2015-0034")
    assert record.index_no == "014501372/2015-00017"


def test_reads_label_value_cells() -> None:
    record = document("doc-layout-a-with-interpretations.html")
    assert record.doc_number_raw == "赣府厅发〔2024〕22号"
    assert record.index_no == PAGES["doc-layout-a-with-interpretations.html"]["index_no"]
    assert (record.written_date, record.published_date) == ("2024-09-29", "2024-10-03")


def test_reads_a_page_without_a_table_from_its_body_and_head() -> None:
    record = document("doc-layout-c-no-table.html")
    assert record.doc_number == "赣农规〔2015〕13号"  # the centred first line
    assert record.issuer == record.meta["ContentSource"]
    assert (record.written_date_raw, record.written_date) == (
        "二〇一五年三月二十二日",
        "2015-03-22",
    )


def test_reads_a_signature_date_written_with_a_full_width_o() -> None:
    record = document("doc-layout-c-attachments-after.html")
    assert (record.written_date_raw, record.written_date) == ("二Ｏ一五年十二月九日", "2015-12-09")
    assert record.index_no == "2015-12-00010"  # no table: the 索引号 comes from the list item
    assert record.attachments and record.attachments[0].url.startswith(
        "http://127.0.0.1:18703/module/"
    )


def test_takes_the_doc_number_from_the_title_when_the_cell_is_empty() -> None:
    record = document("doc-number-in-title.html")
    assert record.title.endswith("（赣府厅字〔2016〕6号）")
    assert (record.doc_number_raw, record.doc_number) == ("赣府厅字〔2016〕6号",) * 2


def test_reads_the_two_line_order_number_of_a_rule() -> None:
    record = document("rule.html")
    assert record.doc_number == "江西省人民政府令第199号"
    assert record.body_text.startswith("江西省人民政府令\n第199号\n")


def test_links_a_document_to_its_interpretations() -> None:
    record = document("doc-layout-a-with-interpretations.html")
    assert record.links and {link.role for link in record.links} == {"interpretation"}
    assert {link.label for link in record.links} == {"相关解读"}
    assert all(link.text for link in record.links)


def test_links_an_interpretation_to_its_documents_inside_and_after_the_content() -> None:
    inside = interpretation("interpretation-link-inside.html")
    after = interpretation("interpretation-links-after.html")
    assert "原文链接：" in inside.body_text and "原文链接" not in after.body_text
    for record in (inside, after):
        assert record.links and {link.role for link in record.links} == {"document"}
        assert all(link.text and link.label in ("原文链接", "相关文件") for link in record.links)


def test_reads_an_interpretations_attachment_and_form() -> None:
    record = interpretation("interpretation-graphic.html")
    assert record.form == "图解" and not record.links
    assert [a.ext for a in record.attachments] == ["pdf"]


@pytest.mark.parametrize("name", DOCUMENT_PAGES + INTERPRETATION_PAGES)
def test_keeps_page_furniture_out_of_the_body(name: str) -> None:
    page = PAGES[name]
    parse = interpretation if name in INTERPRETATION_PAGES else document
    body = parse(name).body_text
    for noise in (
        "打印本页",
        "关闭窗口",
        "分享到",
        "扫一扫",
        "浏览次数",
        "当前位置",
        "上一篇",
        "相关阅读",
        "主办单位",
        "无障碍",
    ):
        assert noise not in body
    assert body == page["body_text"]


def test_a_challenge_page_raises_a_parse_error_naming_the_body() -> None:
    page = HtmlResponse(
        url="http://h/art/2024/1/1/art_1_1.html",
        body="<html><head><title>x</title></head><body>请开启JavaScript</body></html>".encode(),
    )
    with pytest.raises(ParseError, match="^body"):
        parse_document(page, site="s", kind="normative")


def test_a_page_without_any_title_raises_a_parse_error_naming_the_title() -> None:
    page = HtmlResponse(
        url="http://h/art/2024/1/1/art_1_1.html",
        body=b'<html><body><div id="zoom"><meta name="ContentStart"><p>x</p><meta name="ContentEnd"></div></body></html>',
    )
    with pytest.raises(ParseError, match="^title"):
        parse_document(page, site="s", kind="normative")


# ---------------------------------------------------------------- attachments


@pytest.mark.parametrize("name", ["attachment.pdf", "attachment.docx"])
def test_extracts_attachment_text_as_lines(name: str) -> None:
    want = PAGES[name]
    text = extract_text((FIXTURES / name).read_bytes(), want["ext"])
    assert text == want["text"]
    assert len(text.splitlines()) == len(want["text"].splitlines()) > 3


def test_rejects_an_html_page_that_claims_to_be_a_pdf() -> None:
    with pytest.raises(AttachmentError, match="claims .pdf but is an HTML page"):
        extract_text(
            b"<html><body>\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</body></html>",
            "pdf",
        )


def test_rejects_a_pdf_that_claims_to_be_a_docx() -> None:
    with pytest.raises(AttachmentError, match="claims .docx but is a pdf file"):
        check_claim("docx", (FIXTURES / "attachment.pdf").read_bytes())


def test_reads_a_docx_table_row_by_row_with_merged_cells_once() -> None:
    import io  # noqa: PLC0415

    import docx  # noqa: PLC0415

    document = docx.Document()
    document.add_paragraph("废止目录")
    table = document.add_table(rows=3, cols=3)
    for i in range(3):
        for j in range(3):
            table.cell(i, j).text = f"{i}{j}"
    table.cell(0, 0).merge(table.cell(1, 0))  # a vertical span
    table.cell(2, 1).merge(table.cell(2, 2))  # a horizontal span
    document.add_paragraph("附件2")
    out = io.BytesIO()
    document.save(out)
    assert (
        extract_text(out.getvalue(), "docx")
        == "废止目录\n00 10 01 02\n00 10 11 12\n20 21 22\n附件2"
    )


def test_does_not_read_types_it_has_no_reader_for() -> None:
    assert extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "doc") is None


# ---------------------------------------------------------------- shared helpers


def test_makes_every_block_element_a_line_and_keeps_cells_on_their_row() -> None:
    html = "<p>第一条　<b>总则</b></p><div>甲<br>乙</div><table><tr><td>序号</td><td>名称</td></tr></table><!-- x --><script>y</script>"
    assert html_to_lines(html) == ["第一条 总则", "甲", "乙", "序号 名称"]


@pytest.mark.parametrize(
    "label",
    ["文      号:", "文\u00a0\u00a0号：", "文\u3000\u3000号", "【文号】", "发文字号", "文件编号："],
)
def test_normalises_padded_and_alternative_labels(label: str) -> None:
    assert label_field(label) == "doc_number"


def test_reads_label_cells_and_label_value_cells_alike() -> None:
    cells = [
        "索引号：000014349/2022-00018",
        "发 布 机 构",
        "江西省人民政府",
        "文号：",
        "主题分类:综合政务",
    ]
    assert read_labelled_values(cells) == {
        "index_no": ("索引号", "000014349/2022-00018"),
        "issuer": ("发 布 机 构", "江西省人民政府"),
        "doc_number": ("文号", ""),
        "subject": ("主题分类", "综合政务"),
    }


@pytest.mark.parametrize(
    ("title", "form"),
    [
        ("视频解读：图解《江西省…办法》", "视频"),
        ("一图读懂《江西省…办法》", "图解"),
        ("省政府新闻发布会答记者问", "答记者问"),
        ("专家解读《…》", "专家解读"),
        ("关于《…》的起草说明", "起草说明"),
        ("《江西省…办法》政策解读", "文字解读"),
    ],
)
def test_gives_the_interpretation_form_from_the_title(title: str, form: str) -> None:
    assert interpretation_form(title) == form


@pytest.mark.parametrize(
    "line",
    ["【字体：大 中 小】", "字体：[ 大 中 小 ]", "【打印本页】【关闭窗口】", "分享到：", "浏览次数：123",
     "当前位置：首页 > 规范性文件 > 正文", "扫一扫在手机打开当前页", "赣ICP备05004238号"],
)  # fmt: skip
def test_recognises_page_furniture(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "第一条 为了规范管理，制定本办法。",
        "大",
        "附件：名单.pdf",
        "（此件主动公开）",
        "主办单位：省农业农村厅",
    ],
)
def test_keeps_document_lines(line: str) -> None:
    assert not is_noise_line(line)


def test_finds_the_signature_date_only_under_a_signature() -> None:
    lines = [
        "本办法自2023年4月1日起施行。",
        "江西省农业农村厅",
        "二○二三年三月八日",
        "（此件主动公开）",
    ]
    assert signature_date(lines) == ("二○二三年三月八日", "2023-03-08")
    assert signature_date(lines[:1]) is None


# ---------------------------------------------------------------- faults


def _failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


def _answer(status: int, body: bytes = b"") -> HtmlResponse:
    return HtmlResponse(url="http://h/art/1.html", status=status, body=body)


@pytest.mark.parametrize(
    ("exc", "want"),
    [
        (HttpError(_answer(412), "x"), ("blocked", 412)),
        (HttpError(_answer(521), "x"), ("blocked", 521)),
        (HttpError(_answer(404), "x"), ("http_status", 404)),
        (IgnoreRequest("Forbidden by robots.txt"), ("robots", None)),
        (DownloadTimeoutError("took 30s"), ("timeout", None)),
        (DownloadConnectionRefusedError("refused"), ("connection", None)),
        (ConnectionLost("reset by peer"), ("connection", None)),
    ],
)
def test_classifies_what_went_wrong(exc: Exception, want: tuple) -> None:
    error_class, status, reason = classify_failure(_failure(exc))
    assert (error_class, status) == want and reason


def test_recognises_an_anti_bot_challenge_served_with_status_200() -> None:
    page = _answer(200, b"<html><script>var $_ts=window['$_ts'];</script></html>")
    assert "瑞数" in challenge_reason(page)
    assert challenge_reason(response("rule.html", PAGES["rule.html"]["url"])) is None
