"""The gkmlpt parsers on saved mirror pages and API answers, against the truth."""

from __future__ import annotations

import json

import pytest
from family_fixtures import FIXTURES, differences, expected, response

from corpus.store.records import ParseError
from corpus.validity.rules import map_page_status
from crawler.parsers.gkmlpt import (
    column_target,
    parse_api,
    parse_document,
    parse_interpretation,
    parse_sid,
    post_url,
    validity_from_flags,
)

EXPECTED = expected("gkmlpt")
LISTS = EXPECTED["lists"]
PAGES = EXPECTED["pages"]


def _api(name: str, url: str):
    return parse_api((FIXTURES / "gkmlpt" / name).read_text(encoding="utf-8"), url)


def test_reads_the_site_id_from_the_index_page():
    row = LISTS["index.html"]
    assert parse_sid(response("gkmlpt", "index.html", row["url"]).text) == row["sid"] == "2"
    with pytest.raises(ParseError, match="SID"):
        parse_sid("<html></html>")


@pytest.mark.parametrize(
    ("url", "category", "sid"),
    [
        ("http://h/gkmlpt/index#5", "5", ""),
        ("http://h/gkmlpt/api/all/505?sid=200025", "505", "200025"),
        ("http://h/dept/gkmlpt/index#7", "7", ""),
    ],
)
def test_reads_category_and_sid_from_the_column_url(url, category, sid):
    target = column_target(url)
    assert (target["category"], target["sid"]) == (category, sid)
    assert target["api_root"].endswith("/gkmlpt/api/all")


def test_a_column_url_without_a_category_is_refused():
    with pytest.raises(ParseError, match="category"):
        column_target("http://h/gkmlpt/index")


@pytest.mark.parametrize("name", ["api-5-page1.json", "api-7-page1.json"])
def test_reads_every_article_of_an_api_page_with_post_count(name):
    row = LISTS[name]
    answer = _api(name, row["url"])
    assert answer.post_count == row["post_count"]
    assert [(e.url, e.title, e.date) for e in answer.entries] == [
        (e["url"], e["title"], e["date"]) for e in row["entries"]
    ]


def test_unix_second_dates_are_read_in_china_time():
    answer = parse_api(
        json.dumps({"articles": [{"url": "/p.html", "date": 1704038400}]}), "http://h/"
    )
    assert answer.entries[0].date == "2024-01-01"  # 2023-12-31 16:00 UTC is 1 January in Beijing


@pytest.mark.parametrize(
    ("expired", "abolished", "raw", "status"),
    [
        (0, 0, "", None),
        (1, 0, "已失效", "已失效"),
        (0, 1, "已废止", "已废止"),
        (1, 1, "已废止", "已废止"),
    ],
)
def test_validity_flags_become_page_status_words_the_build_reads(expired, abolished, raw, status):
    assert validity_from_flags(expired, abolished) == raw
    assert map_page_status(raw or None) == status


def test_post_urls_follow_from_post_ids():
    assert (
        post_url("http://h/gkmlpt/index", "4311907")
        == "http://h/gkmlpt/content/4/4311/post_4311907.html"
    )


def _entry(row: dict):
    answer = _api(row["api_file"], row["url"])
    return next(e for e in answer.entries if e.url == row["url"])


@pytest.mark.parametrize("name", sorted(n for n in PAGES if n.startswith("doc-")))
def test_every_document_field_agrees_with_the_truth(name):
    row = PAGES[name]
    resp = response("gkmlpt", name, row["url"], row["content_type"])
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


def test_the_validity_flags_travel_from_the_list_to_the_record():
    row = PAGES["doc-abolished.html"]
    entry = _entry(row)
    assert (entry.is_abolished, entry.is_expired) == (1, 0)
    resp = response("gkmlpt", "doc-abolished.html", row["url"], row["content_type"])
    record = parse_document(resp, site=row["site"], kind="normative", column_url="", entry=entry)
    assert record.validity_raw == row["validity_raw"] == "已废止"
    assert record.meta["gkmlpt_flags"] == "is_expired=0 is_abolished=1"
    without = parse_document(resp, site=row["site"], kind="normative", column_url="")
    assert without.validity_raw == ""  # the page itself says nothing: only the list knows


def test_relation_links_a_document_to_its_interpretations():
    row = PAGES["doc-with-relation.html"]
    entry = _entry(row)
    assert entry.relation
    resp = response("gkmlpt", "doc-with-relation.html", row["url"], row["content_type"])
    record = parse_document(resp, site=row["site"], kind="normative", column_url="", entry=entry)
    assert sorted(link.url for link in record.links) == sorted(row["interpretation_urls"])


def test_every_interpretation_field_agrees_with_the_truth():
    row = PAGES["interpretation-relation.html"]
    resp = response("gkmlpt", "interpretation-relation.html", row["url"], row["content_type"])
    record = parse_interpretation(
        resp, site=row["site"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}
