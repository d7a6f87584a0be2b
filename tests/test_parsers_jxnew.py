"""The Jiangxi-new-platform parsers on saved mirror pages (read as bytes), against the truth."""

from __future__ import annotations

import json
import re

import pytest
from family_fixtures import differences, expected, response
from scrapy.http import HtmlResponse

from corpus.store.records import ListEntry, ParseError
from crawler.parsers.jxnew import (
    JxnewEntry,
    inline_variables,
    jpage_options,
    parse_column_page,
    parse_document,
    parse_interpretation,
    parse_query_list,
    parse_relations,
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
    # A jpage column page holds no items inline and states no total: /queryList says it.
    inline = {"found_in": "jpage", "inline_items": 0, "stated_total": None}
    assert params.to_dict() == {**LISTS[name]["params"], **inline}
    assert params.entries == [] and params.first_query_page() == 1


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


def test_refuses_a_page_that_names_neither_list_options_nor_inline_items():
    # A detail page has a channel code and the site code in its URL, but no list.
    with pytest.raises(ParseError, match="no jpage call, loadPageData options or inline list"):
        parse_column_page(
            response("jxnew", "doc-portal-table.html", PAGES["doc-portal-table.html"]["url"])
        )


# ---------------------------------------------------------------- the 2025 column template

# The shape of Jiangxi's 2025 department column pages (生态环境厅): no jpage call, the options in
# ``var params`` handed to loadPageData, the first items inline, the count in channelsTagSelf.
PAINTED = """<html><head><base href="/jxsx/" />
<script>
  var websiteId = '1753255916894359552', websiteCode = 'jxsx',
    channelId = '1765025142823501824', codeName = 'col9';
  var channelsTagSelf = {"code":"col9","showName":"<p>政策解读</p>","articleCount":44,
    "crumbs":[{"urls":{"pc":"/jxsx/col/col9/index.html"},"name":"政策解读"}]};
  var channelsTagParent = {"code":"col1","articleCount":2,"children":[
    {"code":"col8","articleCount":7},{"code":"col9","articleCount":44}]};
  var listData = {
    articleList: [
      {"title":"  甲解读 ","pubDate":"2025-07-29 16:59","relation":1,
       "relationUrl":"/jxsx/col9/relation/11-RelationArticle.json",
       "urls":"{\\"pc\\":\\"/jxsx/col/col9/content/content_11.html\\"}","id":"11"},
      {"title":"乙解读","pubDate":"2025-07-24 11:36","relation":0,
       "relationUrl":"/jxsx/col9/relation/12-RelationArticle.json",
       "urls":"{\\"pc\\":\\"/jxsx/col/col9/content/content_12.html\\"}","id":"12"},
      {"title":"无链接","pubDate":"2025-07-20 09:00","urls":""}
    ],
  };
</script></head><body><div id="380055"></div>
<script>
  var params = { current: 1, unitid: '380055', webSiteCode: ['jxsx'], channelCode: ['col9'],
    dataBefore: '', dataAfter: '', perPage: '15', notReturnContent:false, showMode: 'normal',
    templateContainerId: 'div380055', };
  loadPageData(params, '380055');
</script></body></html>"""


def _page(html: str, url: str = "https://h.example/jxsx/col/col9/index.html") -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode(), encoding="utf-8")


def test_reads_the_options_a_loadpagedata_call_is_handed_in_a_var_params_object():
    params = parse_column_page(_page(PAINTED))
    assert (params.found_in, params.unitid, params.site_code, params.channel_code) == (
        "loadPageData", "380055", "jxsx", "col9",
    )  # fmt: skip
    assert params.array_fields is True and params.per_page == 15
    form = params.form(2)
    assert form["webSiteCode[]"] == "jxsx" and form["channelCode[]"] == "col9"
    assert (form["dataBefore"], form["notReturnContent"], form["current"]) == ("", "false", "2")
    assert params.endpoint == "https://h.example/queryList"


def test_hands_over_the_inline_items_in_page_order_and_the_channels_own_stated_total():
    params = parse_column_page(_page(PAINTED))
    assert [(e.url, e.title, e.date) for e in params.entries] == [
        ("https://h.example/jxsx/col/col9/content/content_11.html", "甲解读", "2025-07-29"),
        ("https://h.example/jxsx/col/col9/content/content_12.html", "乙解读", "2025-07-24"),
    ]
    assert params.total == 44  # channelsTagSelf's articleCount, not the parent's or a sibling's
    assert params.to_dict()["inline_items"] == 2 and params.first_query_page() == 1


def test_keeps_the_relation_json_only_of_items_that_say_they_have_relations():
    first, second = parse_column_page(_page(PAINTED)).entries
    assert isinstance(first, JxnewEntry)
    assert first.relation_url == "https://h.example/jxsx/col9/relation/11-RelationArticle.json"
    assert second.relation_url == ""  # "relation": 0


def test_a_total_beside_the_inline_list_comes_before_the_channel_record():
    html = PAINTED.replace("    ],\n  };", "    ],\n    articleCount: 45,\n  };")
    assert parse_column_page(_page(html)).total == 45


def test_the_first_query_page_is_the_first_one_the_inline_items_do_not_wholly_cover():
    items = ",".join(
        f'{{"title":"t{n}","pubDate":"2025-01-01","urls":"/jxsx/col/col9/content/content_{n}.html"}}'
        for n in range(20)
    )
    html = re.sub(r"articleList: \[.*?\n    \],", f"articleList: [{items}],", PAINTED, flags=re.S)
    params = parse_column_page(_page(html))
    assert len(params.entries) == 20 and params.first_query_page() == 2  # 16-30 at 15 a page


def test_falls_back_on_script_variables_the_url_and_the_template_container():
    # No options object at all: the codes from the variables (or the URL), the unit id from the
    # template container's id; items inline.
    html = PAINTED.replace("loadPageData(params, '380055');", "").replace(
        "var params = {", "var other = {"
    )
    html = html.replace("templateContainerId: 'div380055'", "x: 1")
    html = html.replace(
        '<div id="380055"></div>',
        "<script>$('#x').tpl({templateContainerId: 'div380055'})</script>",
    )
    params = parse_column_page(_page(html))
    assert (params.found_in, params.site_code, params.channel_code, params.unitid) == (
        "variables", "jxsx", "col9", "380055",
    )  # fmt: skip
    bare = html.replace("websiteCode = 'jxsx',", "").replace("codeName = 'col9'", "x = 'y'")
    from_url = parse_column_page(_page(bare, "https://h.example/jxsy/col/col7/index.html"))
    assert (from_url.site_code, from_url.channel_code) == ("jxsy", "col7")


def test_an_inline_list_without_a_unit_id_is_still_read():
    html = re.sub(r"<script>\n  var params.*?</script>", "", PAINTED, flags=re.S)
    params = parse_column_page(_page(html))
    assert params.unitid == "" and len(params.entries) == 2


def test_relative_item_links_resolve_against_the_base_href():
    html = PAINTED.replace(
        "/jxsx/col/col9/content/content_12.html", "col/col9/content/content_12.html"
    )
    urls = [e.url for e in parse_column_page(_page(html)).entries]
    assert urls[1] == "https://h.example/jxsx/col/col9/content/content_12.html"


def test_reads_the_related_articles_of_a_relation_json_in_any_wrapper():
    rows = [
        {
            "title": "关于印发《办法》的通知",
            "urls": json.dumps({"pc": "/jxsx/col/col8/content/content_7.html"}),
        },
        {"title": "另一文件", "url": "https://h.example/jxsx/col/col8/content/content_8.html"},
        {"title": "无链接"},
    ]
    base = "https://h.example/jxsx/col9/relation/11-RelationArticle.json"
    for doc in (rows, {"code": 200, "data": rows}, {"data": {"results": rows}}):
        links = parse_relations(json.dumps(doc, ensure_ascii=False), base, "document")
        assert [(link.url, link.text, link.role) for link in links] == [
            (
                "https://h.example/jxsx/col/col8/content/content_7.html",
                "关于印发《办法》的通知",
                "document",
            ),
            ("https://h.example/jxsx/col/col8/content/content_8.html", "另一文件", "document"),
        ]
    assert parse_relations("<html>404</html>", base, "document") == []


def test_a_query_list_result_names_its_relation_json_too():
    source = {"title": "甲", "pubDate": "2025-07-29", "urls": '{"pc": "/a/content_1.html"}',
              "relation": 1, "relationUrl": "/a/relation/1-RelationArticle.json"}  # fmt: skip
    answer = parse_query_list(
        json.dumps({"data": {"total": 1, "results": [{"source": source}]}}), "http://h/queryList"
    )
    assert answer.entries[0].relation_url == "http://h/a/relation/1-RelationArticle.json"


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
