"""The Jiangxi-new-platform parsers on saved mirror pages (read as bytes), against the truth."""

from __future__ import annotations

import json

import pytest
from family_fixtures import differences, expected, response
from scrapy.http import HtmlResponse

from corpus.store.records import ListEntry, ParseError
from crawler.parsers.jxnew import (
    inline_variables,
    jpage_options,
    parse_column_page,
    parse_document,
    parse_interpretation,
    parse_query_list,
)

EXPECTED = expected("jxnew")
LISTS = EXPECTED["lists"]
PAGES = EXPECTED["pages"]
COLUMNS = sorted(n for n in LISTS if n.startswith("column-"))


def page(name: str):
    row = PAGES[name]
    return response("jxnew", name, row["url"], row["content_type"]), row


@pytest.mark.parametrize("name", COLUMNS)
def test_reads_the_list_parameters_from_the_column_pages_jpage_call(name):
    params = parse_column_page(response("jxnew", name, LISTS[name]["url"]))
    assert params.to_dict() == LISTS[name]["params"]


def test_posts_array_field_names_where_the_jpage_options_are_arrays():
    department = parse_column_page(
        response("jxnew", "column-department.html", LISTS["column-department.html"]["url"])
    )
    portal = parse_column_page(
        response("jxnew", "column-portal.html", LISTS["column-portal.html"]["url"])
    )
    assert department.form(3) == {
        **department.extra,
        "current": "3", "perPage": "15", "pageSize": "15", "unitid": "371204",
        "webSiteCode[]": "jxsgyhxxht", "channelCode[]": "gfxwj",
    }  # fmt: skip
    assert "webSiteCode" in portal.form(1) and "webSiteCode[]" not in portal.form(1)
    assert portal.form(1)["channelCode"] == "col72576"


def test_a_registry_option_overrides_the_discovered_field_names():
    url = LISTS["column-department.html"]["url"]
    assert (
        parse_column_page(response("jxnew", "column-department.html", url), False).array_fields
        is False
    )


def test_refuses_a_column_page_without_a_jpage_call():
    with pytest.raises(ParseError, match="jpage"):
        parse_column_page(
            response("jxnew", "doc-portal-table.html", PAGES["doc-portal-table.html"]["url"])
        )


def test_reads_array_and_plain_jpage_options():
    options = jpage_options(
        "$('#div1').jpage({ url: '/queryList', unitid: '7', webSiteCode: ['a', 'b'], perPage: 15 });"
    )
    assert options == {
        "url": "/queryList",
        "unitid": "7",
        "webSiteCode": ["a", "b"],
        "perPage": "15",
    }


def test_reads_the_query_list_answer_with_its_json_string_urls_and_padded_titles():
    row = LISTS["querylist-page2.json"]
    text = (response("jxnew", "querylist-page2.json", row["url"]).body).decode("utf-8")
    answer = parse_query_list(text, row["url"])
    assert answer.total == row["total"] == 50
    assert answer.results == len(answer.entries) == 15
    assert [(e.url, e.title, e.date) for e in answer.entries] == [
        (e["url"], e["title"], e["date"]) for e in row["entries"]
    ]
    raw = json.loads(text)["data"]["results"][0]["source"]
    assert isinstance(raw["urls"], str) and raw["title"] != raw["title"].strip()


def test_counts_items_without_a_link_and_refuses_what_is_not_the_list_json():
    text = json.dumps({"data": {"total": 2, "results": [{"source": {"title": "a", "link": "/x"}}]}})
    answer = parse_query_list(text, "http://h/queryList")
    assert (answer.total, answer.results, answer.entries) == (2, 1, [])
    assert parse_query_list("<html>404</html>", "http://h/queryList").found is False


DOCS = sorted(n for n in PAGES if n.startswith("doc-"))
INTERPS = sorted(n for n in PAGES if n.startswith("interpretation-"))


def _entry(row: dict) -> ListEntry:
    e = row["list_entry"]
    return ListEntry(e["url"], e["title"], e["date"], e["date"])


@pytest.mark.parametrize("name", DOCS)
def test_every_document_field_agrees_with_the_truth(name):
    resp, row = page(name)
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


@pytest.mark.parametrize("name", INTERPS)
def test_every_interpretation_field_agrees_with_the_truth(name):
    resp, row = page(name)
    record = parse_interpretation(
        resp, site=row["site"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}
    assert record.links, "the 原文链接 is found inside or after #zoom"


def test_reads_the_inline_script_variables():
    resp, row = page("doc-department-list.html")
    variables = inline_variables(resp.text)
    assert variables["title"] == row["title"]
    assert variables["pubDate"][:10] == row["published_date"]


def test_takes_attachments_from_insertfile_paragraphs():
    resp, row = page("doc-department-attachments.html")
    assert 'class="insertfileTag"' in resp.text
    record = parse_document(resp, site=row["site"], kind=row["kind"], column_url=row["column_url"])
    assert [a.url for a in record.attachments] == [a["url"] for a in row["attachments"]]


def test_an_empty_labelled_item_stays_empty_instead_of_taking_the_next_text():
    html = (
        '<html><head><meta name="ArticleTitle" content="标题"></head><body><ul>'
        "<li><strong>发布机构：</strong><span>江西省工业和信息化厅</span></li>"
        "<li><strong>有效性：</strong><span></span></li></ul>"
        '<div id="zoom"><p>正文</p></div><div class="tools">【<a>打印本页</a>】</div></body></html>'
    )
    resp = HtmlResponse(url="http://h/a.html", body=html.encode(), encoding="utf-8")
    record = parse_document(resp, site="s", kind="normative")
    assert (record.issuer, record.validity_raw, record.body_text) == (
        "江西省工业和信息化厅",
        "",
        "正文",
    )
