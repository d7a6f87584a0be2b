"""Changes followed (issue 15, part 4): the feeds of status changes and of searches, through a
real Datasette, and the follow link in a real browser.

The library is built twice, as of 2026-11-27 and as of 2028-12-31, so that real changes are in
``status_history``: a repeal decision takes effect (and repeals a document), a term ends, a
document comes into force; one document is added between the builds (it is new, not a change).
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from corpus.build import build
from corpus.site.serve import checkpoint, make_datasette
from corpus.store.identity import stable_id
from corpus.store.records import Attachment, DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db
from mirror.harness import serve_on_socket

FIRST, SECOND = date(2026, 11, 27), date(2028, 12, 31)
ATOM = "{http://www.w3.org/2005/Atom}"
STHJT, NYNC, GOV = "江西省生态环境厅", "江西省农业农村厅", "江西省人民政府"
HOSTILE = '关于<script>alert("x")</script>加强生态环境 & 〈监测〉 "数据" 管理的通知</title>]]>'

SITES = [
    {"name": "jx-portal", "title": GOV, "family": "hanweb"},
    {"name": "jx-sthjt", "title": STHJT, "family": "hanweb"},
    {"name": "jx-nync", "title": NYNC, "family": "hanweb"},
]
FUND_TITLE = "江西省生态环境厅关于印发《江西省生态环境保护专项资金管理办法》的通知"
# name → record fields; status as of FIRST and as of SECOND
DOCS = {
    "fund": (  # repealed by the decision from 2027-01-01 (the list is in its DOCX)
        dict(site="jx-sthjt", title=FUND_TITLE, doc_number="赣环规〔2020〕8号", issuer=STHJT,
             published_date="2020-03-05", validity_raw="有效",
             body_text="为规范生态环境保护专项资金管理，制定本办法。本办法自2020年4月1日起施行，有效期10年。"),
        "现行有效", "已废止"),
    "term": (  # its own term ends 2027-12-31
        dict(site="jx-sthjt", title="江西省生态环境厅关于加强生态环境执法的通知",
             doc_number="赣环规〔2022〕12号", issuer=STHJT, published_date="2022-12-22",
             body_text="为加强生态环境执法，现通知如下。本通知自2023年1月1日起施行，有效期至2027年12月31日。"),
        "现行有效", "已失效"),
    "pending": (  # in force from 2027-06-01
        dict(site="jx-sthjt", title="江西省生态环境厅关于印发《江西省生态环境信用评价办法》的通知",
             doc_number="赣环规〔2026〕5号", issuer=STHJT, published_date="2026-10-22",
             body_text="为推进生态环境信用体系建设，制定本办法。本办法自2027年6月1日起施行，有效期5年。"),
        "尚未生效", "现行有效"),
    "hostile": (  # markup in its title; its term ends 2028-06-30
        dict(site="jx-nync", title=HOSTILE, doc_number="赣农规〔2023〕4号", issuer=NYNC,
             published_date="2023-06-20",
             body_text="为保护农业生态环境，现通知如下。本通知自2023年7月1日起施行，有效期至2028年6月30日。"),
        "现行有效", "已失效"),
    "decision": (  # in force from 2027-01-01; repeals the fund's document
        dict(site="jx-portal", title="江西省人民政府关于废止部分省政府行政规范性文件的决定",
             doc_number="赣府发〔2026〕30号", issuer=GOV, published_date="2026-10-12",
             validity_raw="有效",
             body_text="经清理，决定对下列文件予以废止（目录见附件）。本决定自2027年1月1日起施行。"),
        "尚未生效", "现行有效"),
    "unknown": (  # nothing known at either date: no change
        dict(site="jx-portal", title="关于开展春耕备耕工作的通知", doc_number=None, issuer=GOV,
             published_date="2024-02-01", body_text="请各地认真组织实施生态环境保护工作。"),
        "未知", "未知"),
    "rule": (  # a rule in force throughout, about 生态环境: never changes
        dict(site="jx-portal", title="江西省生态环境保护条例实施办法", kind="rule",
             doc_number="江西省人民政府令第260号", issuer=GOV, published_date="2025-03-01",
             body_text="第一条 为保护生态环境，制定本办法。本办法自2025年5月1日起施行。"),
        "现行有效", "现行有效"),
}  # fmt: skip
# added between the two builds: new in the second, not a change
LATE = (
    dict(site="jx-sthjt", title="江西省生态环境厅关于做好2028年生态环境监测工作的通知",
         doc_number="赣环规〔2028〕1号", issuer=STHJT, published_date="2028-03-01",
         validity_raw="有效", body_text="为做好生态环境监测工作，现通知如下。"),
    None, "现行有效")  # fmt: skip
ALL = {**DOCS, "late": LATE}
CHANGED = [n for n, (_, before, after) in DOCS.items() if before != after]
DECISION_LIST = (
    f"废止的省政府行政规范性文件目录\n序号 文件名称 文号\n1 {FUND_TITLE} 赣环规〔2020〕8号"
)


def url(name: str) -> str:
    return f"http://example.gov.cn/art/{name}.html"


def doc_id(name: str) -> int:
    return stable_id(url(name))


def _save(db, name: str, fields: dict) -> None:
    attachments = []
    if name == "decision":
        attachments = [Attachment(url(name) + "?f=list.docx", "目录.docx", "docx", DECISION_LIST)]
    fields = {"kind": "normative", **fields}
    save_document(
        db,
        DocumentRecord(
            url=url(name), doc_number_raw=fields["doc_number"] or "",
            written_date=fields["published_date"], attachments=attachments, **fields,
        ),
    )  # fmt: skip


def make_library(path: Path) -> None:
    db = open_db(str(path))
    for site in SITES:
        save_site(db, {**site, "columns": []})
    for name, (fields, _, _) in DOCS.items():
        _save(db, name, fields)
    build(db, FIRST)
    _save(db, "late", LATE[0])
    build(db, SECOND)
    db.conn.close()
    checkpoint(path)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("follow") / "normdocs.db"
    make_library(path)
    return path


def _client(path: Path):
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()

    def get(p: str):
        return loop.run_until_complete(ds.client.get(p))

    return get, loop


@pytest.fixture(scope="module")
def site(library):
    get, loop = _client(library)
    yield get
    loop.close()


def _db_rows(path: Path, sql: str, args=()) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- reading a feed


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: str
    content: str
    author: str | None


@dataclass(frozen=True)
class Feed:
    title: str
    id: str
    updated: str
    entries: list[Entry]


def parse(body: bytes) -> Feed:
    """An Atom document, read strictly: every element a valid feed and entry must have."""
    root = ET.fromstring(body)
    assert root.tag == ATOM + "feed"

    def one(element, tag: str) -> str:
        found = element.findall(ATOM + tag)
        assert len(found) == 1, (tag, found)
        return found[0].text or ""

    entries = []
    for e in root.findall(ATOM + "entry"):
        (link,) = e.findall(ATOM + "link")
        author = e.find(f"{ATOM}author/{ATOM}name")
        entries.append(
            Entry(
                id=one(e, "id"),
                title=one(e, "title"),
                link=link.get("href"),
                updated=utc(one(e, "updated")),
                content=one(e, "content"),
                author=None if author is None else author.text,
            )  # fmt: skip
        )
    # times as instants in UTC (RFC 3339: any offset)
    return Feed(one(root, "title"), one(root, "id"), utc(one(root, "updated")), entries)


def feed(site, path: str) -> Feed:
    response = site(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/xml")
    return parse(response.content)


def _q(value: str) -> str:
    return urllib.parse.quote(value)


def built_at(path: Path) -> str:
    """When the last build ran (every change it recorded carries this time)."""
    return _db_rows(path, "select value from build_info where key = 'built_at'")[0][0]


def utc(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_ids(path: Path) -> dict[str, int]:
    """name → the status_history row of its change in the second build."""
    names = {doc_id(n): n for n in ALL}
    rows = _db_rows(path, "select id, document_id from status_history where old_status is not null")
    return {names[d]: i for i, d in rows}


def change_entry(path: Path, name: str) -> Entry:
    """The entry a change must be, exactly."""
    fields, before, after = ALL[name]
    why = _db_rows(path, "select status_basis from documents where id = ?", [doc_id(name)])[0][0]
    content = (
        f"效力状态：{before} → {after}（截至 {SECOND}）\n原因：{why}\n"
        f"文号：{fields['doc_number'] or '无'}\n发文机关：{fields['issuer']}\n原网页：{url(name)}"
    )
    return Entry(
        id=f"tag:normdocs,2026:status-changes/{history_ids(path)[name]}",
        title=f"{fields['title']}：{before} → {after}",
        link=f"/normdocs/documents/{doc_id(name)}#validity",
        updated=utc(built_at(path)),
        content=content,
        author=fields["issuer"],
    )


def document_entry(path: Path, name: str) -> Entry:
    fields, _, after = ALL[name]
    why = _db_rows(path, "select status_basis from documents where id = ?", [doc_id(name)])[0][0]
    published = date.fromisoformat(fields["published_date"])
    content = (
        f"文号：{fields['doc_number'] or '无'}\n发文机关：{fields['issuer']}\n"
        f"发布日期：{published}\n效力状态：{after}（截至 {SECOND}）\n判定依据：{why}\n"
        f"原网页：{url(name)}"
    )
    midnight_china = datetime(published.year, published.month, published.day) - timedelta(hours=8)
    return Entry(
        id=f"tag:normdocs,2026:documents/{doc_id(name)}",
        title=fields["title"],
        link=f"/normdocs/documents/{doc_id(name)}",
        updated=midnight_china.strftime("%Y-%m-%dT%H:%M:%SZ"),
        content=content,
        author=fields["issuer"],
    )


# ---------------------------------------------------------------- the library


def test_the_two_builds_made_the_changes_these_tests_expect(library):
    statuses = dict(_db_rows(library, "select id, status from documents"))
    assert statuses == {doc_id(n): after for n, (_, _, after) in ALL.items()}
    changes = _db_rows(
        library,
        "select document_id, old_status, new_status, as_of from status_history"
        " where old_status is not null",
    )
    expected = {(doc_id(n), ALL[n][1], ALL[n][2], SECOND.isoformat()) for n in CHANGED}
    assert set(changes) == expected and len(changes) == len(CHANGED)
    stamps = _db_rows(
        library, "select distinct built_at from status_history where old_status is not null"
    )
    assert stamps == [(built_at(library),)]


# ---------------------------------------------------------------- the change feeds


def test_the_change_feed_holds_every_change_and_nothing_else(site, library):
    got = feed(site, "/normdocs/changes.atom")
    assert got.title == "效力变化订阅"  # the query's title (not its SQL) when none is asked
    newest_first = sorted(CHANGED, key=lambda n: history_ids(library)[n], reverse=True)
    assert got.entries == [change_entry(library, n) for n in newest_first]
    assert got.updated == utc(built_at(library))
    for entry in got.entries:
        assert site(entry.link.split("#")[0]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"department={_q(STHJT)}", {"fund", "term", "pending"}),
        (f"department={_q(NYNC)}", {"hostile"}),
        (f"department={_q(GOV)}", {"decision"}),
        (f"department={_q('生态环境厅')}", set()),  # a department is named exactly
        ("document={fund}", {"fund"}),
        ("document={hostile}", {"hostile"}),
        ("document={unknown}", set()),  # never changed
        ("document={late}", set()),  # added by the second build: new, not a change
        ("document={rule}&department=" + _q(STHJT), set()),
        ("document={fund}&department=" + _q(STHJT), {"fund"}),
        ("document=abc", set()),
    ],
)
def test_the_change_feed_per_department_and_per_document(site, library, query, expected):
    query = query.format(**{n: doc_id(n) for n in ALL})
    got = feed(site, f"/normdocs/changes.atom?{query}&_feed_title={_q('规范性文件库 · 测试')}")
    assert got.title == "规范性文件库 · 测试"
    assert {e.id for e in got.entries} == {change_entry(library, n).id for n in expected}
    assert got.entries == [change_entry(library, n) for n in _in_feed_order(library, expected)]
    if not expected:  # a valid empty feed, dated by the build
        assert got.updated == utc(built_at(library))


def _in_feed_order(library, names) -> list[str]:
    return sorted(names, key=lambda n: history_ids(library)[n], reverse=True)


def test_the_first_builds_statuses_are_not_changes(tmp_path):
    path = tmp_path / "normdocs.db"
    db = open_db(str(path))
    for s in SITES:
        save_site(db, {**s, "columns": []})
    for name, (fields, _, _) in DOCS.items():
        _save(db, name, fields)
    build(db, FIRST)
    db.conn.close()
    checkpoint(path)
    get, loop = _client(path)
    try:
        assert len(_db_rows(path, "select * from status_history")) == len(DOCS)
        got = feed(get, "/normdocs/changes.atom")
        assert (got.title, got.entries) == ("效力变化订阅", [])
        assert feed(get, f"/normdocs/search_feed.atom?q={_q('生态环境')}").entries  # new docs
    finally:
        loop.close()


def test_entry_ids_and_times_are_stable_across_requests_and_builds(site, library, tmp_path):
    first = feed(site, "/normdocs/changes.atom")
    assert feed(site, "/normdocs/changes.atom") == first
    search = f"/normdocs/search_feed.atom?q={_q('生态环境')}&status={_q('现行有效')}"
    first_search = feed(site, search)
    assert feed(site, search) == first_search

    # The library built again (the same date: nothing changes), then going back a year (every
    # change goes back): the entries a reader has seen keep their ids and times.
    copy = tmp_path / "normdocs.db"
    shutil.copy(library, copy)
    build(str(copy), SECOND)
    build(str(copy), date(2027, 3, 1))
    checkpoint(copy)
    get, loop = _client(copy)
    try:
        again = feed(get, "/normdocs/changes.atom").entries
    finally:
        loop.close()
    assert again[len(again) - len(first.entries) :] == first.entries
    new = again[: len(again) - len(first.entries)]
    assert new and not {e.id for e in new} & {e.id for e in first.entries}
    assert all(e.updated >= first.entries[0].updated for e in new)


def test_hostile_titles_are_escaped_text_in_every_feed(site, library):
    hostile = doc_id("hostile")
    for path in (
        "/normdocs/changes.atom",
        f"/normdocs/changes.atom?document={hostile}",
        f"/normdocs/search_feed.atom?q={_q('农业生态环境')}",
    ):
        response = site(path)
        assert "<script>" not in response.text and "]]>" not in response.text
        titles = [e.title for e in parse(response.content).entries]
        assert f"{HOSTILE}：现行有效 → 已失效" in titles, path
    # the page's feed link, whose title holds the document's title, is escaped too
    page = site(f"/normdocs/documents/{hostile}").text
    assert "<script>alert" not in page
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)"', page)
    assert [html.unescape(t) for t in links] == [HOSTILE + " · 效力变化"]
    got = feed(site, _follow_link(page))
    assert got.title == f"规范性文件库 · {HOSTILE} · 效力变化"
    assert got.entries == [change_entry(library, "hostile")]


# ---------------------------------------------------------------- the search feed


@pytest.mark.parametrize(
    ("query", "documents", "changes"),
    [
        # in force now, and every change from or to 现行有效 of a document about 生态环境
        ("q=生态环境&status=现行有效", {"pending", "rule", "late"},
         {"fund", "term", "pending", "hostile"}),
        ("q=生态环境", {"fund", "term", "pending", "hostile", "unknown", "rule", "late"},
         {"fund", "term", "pending", "hostile"}),
        ("q=生态环境&status=已废止", {"fund"}, {"fund"}),
        ("q=生态环境&status=尚未生效", set(), {"pending"}),
        ("q=生态环境&status=未知", {"unknown"}, set()),
        ("q=生态环境&kind=rule", {"rule"}, set()),
        ("q=生态环境&kind=normative&status=现行有效", {"pending", "late"},
         {"fund", "term", "pending", "hostile"}),
        ("q=生态环境&issuer=农业农村", {"hostile"}, {"hostile"}),
        ("q=生态环境&issuer=生态环境厅&status=现行有效", {"pending", "late"},
         {"fund", "term", "pending"}),
        ("q=生态环境&since=2026", {"pending", "late"}, {"pending"}),
        ("q=生态环境&since=2022-12&until=2023-06", {"term", "hostile"}, {"term", "hostile"}),
        ("q=生态环境&until=2019", set(), set()),
        ("q=生态环境 -执法&status=现行有效", {"pending", "rule", "late"},
         {"fund", "pending", "hostile"}),
        ("q=专项资金", {"fund"}, {"fund"}),
        ("q=赣环规2022年12号", {"term"}, {"term"}),  # a 文号 in any spelling
        ("q=废止部分", {"decision"}, {"decision"}),
        ("q=春耕&status=现行有效", set(), set()),
        ("q=", set(), set()),  # nothing to search for: the search finds nothing
        ("q=&status=现行有效", set(), set()),
        ("q=不存在的词语", set(), set()),
    ],
)  # fmt: skip
def test_the_search_feed_has_the_searchs_matches_and_their_changes(
    site, library, query, documents, changes
):
    args = urllib.parse.urlencode(urllib.parse.parse_qsl(query, keep_blank_values=True))
    got = feed(site, f"/normdocs/search_feed.atom?{args}")
    assert got.title == "检索订阅"
    expected = [document_entry(library, n) for n in documents]
    expected += [change_entry(library, n) for n in changes]
    assert sorted(got.entries, key=lambda e: e.id) == sorted(expected, key=lambda e: e.id)
    stamps = [(e.updated, e.id) for e in got.entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    if not expected:
        assert got.updated == utc(built_at(library))
    # the same words and filters as the search: every document entry is one of its rows
    rows = site(f"/normdocs/search.json?{args}&_shape=array").json()
    assert {r["id"] for r in rows} == {doc_id(n) for n in documents}


def test_the_search_feeds_html_page_shows_chinese_columns(site):
    page = site(f"/normdocs/search_feed?q={_q('生态环境')}&status={_q('现行有效')}").text
    assert "检索订阅" in page and ">事件</th>" in page and ">原状态</th>" in page
    assert "col-atom_" not in page
    page = site(f"/normdocs/changes?department={_q(STHJT)}").text
    assert "效力变化订阅" in page and ">新状态</th>" in page and 'for="qp1">文件编号' in page


# ---------------------------------------------------------------- the links on the pages


def _follow_link(page: str) -> str:
    m = re.search(r'<a class="nd-follow-link" href="([^"]+)"[^>]*>关注此文件</a>', page)
    assert m, "the document page offers to follow the document"
    return html.unescape(m[1])


@pytest.mark.parametrize("name", ["fund", "unknown", "late"])
def test_the_document_page_offers_to_follow_the_document(site, library, name):
    page = site(f"/normdocs/documents/{doc_id(name)}").text
    link = _follow_link(page)
    assert link.startswith(f"/normdocs/changes.atom?document={doc_id(name)}&")
    assert "RSS 阅读器" in re.search(r'<p class="nd-follow".*?</p>', page, flags=re.S)[0]
    assert f'type="application/atom+xml" title="{html.escape(ALL[name][0]["title"])}' in page
    got = feed(site, link)
    assert got.title == f"规范性文件库 · {ALL[name][0]['title']} · 效力变化"
    assert got.entries == ([change_entry(library, name)] if name in CHANGED else [])


def test_the_department_page_links_its_change_feed(site, library):
    page = site("/department/" + _q(STHJT)).text
    m = re.search(r'<a class="nd-change-feed" href="([^"]+)">订阅效力变化（Atom）</a>', page)
    assert m
    link = html.unescape(m[1])
    assert f'href="{m[1]}"' in page.split("</head>")[0]  # and the head announces it
    got = feed(site, link)
    assert got.title == f"规范性文件库 · {STHJT}文件效力变化"
    assert {e.id for e in got.entries} == {
        change_entry(library, n).id for n in ("fund", "term", "pending")
    }


def test_the_home_page_links_the_feed_of_every_change(site):
    page = site("/").text
    links = re.findall(r'<a href="(/normdocs/changes\.atom\?[^"]+)">全部文件效力变化</a>', page)
    assert len(links) == 1
    assert len(feed(site, html.unescape(links[0])).entries) == len(CHANGED)


def _search_feed_link(page: str) -> str | None:
    m = re.search(r'<p class="nd-search-feed"><a href="([^"]+)"[^>]*>订阅此检索（Atom）</a>', page)
    return html.unescape(m[1]) if m else None


@pytest.mark.parametrize(
    "params",
    [
        {"q": "生态环境", "status": "现行有效"},
        {
            "q": "生态环境",
            "kind": "normative",
            "issuer": "生态环境厅",
            "since": "2022",
            "until": "",
        },
        {"q": '"生态环境" & <b>', "status": ""},  # markup typed into the box: text in the link
        {"q": "不存在的词语"},  # no results yet: a reader may still subscribe
    ],
)
def test_the_search_page_links_the_feed_of_that_search(site, params):
    page = site("/normdocs/search?" + urllib.parse.urlencode(params)).text
    assert "<b>" not in page.split('<p class="nd-search-feed">')[1].split("</p>")[0]
    link = _search_feed_link(page)
    assert link and link.startswith("/normdocs/search_feed.atom?")
    args = dict(urllib.parse.parse_qsl(link.split("?", 1)[1]))
    title = args.pop("_feed_title")
    assert args == {k: v for k, v in params.items() if v}
    assert title.startswith(f"规范性文件库 · 检索“{params['q']}”")
    direct = feed(site, "/normdocs/search_feed.atom?" + urllib.parse.urlencode(params))
    got = feed(site, link)
    assert got.title == title and got.entries == direct.entries


def test_the_search_feed_title_says_the_filters(site):
    params = {"q": "生态环境", "status": "现行有效", "kind": "normative", "issuer": "生态环境厅",
              "since": "2022", "until": "2028-06"}  # fmt: skip
    link = _search_feed_link(site("/normdocs/search?" + urllib.parse.urlencode(params)).text)
    title = dict(urllib.parse.parse_qsl(link.split("?", 1)[1]))["_feed_title"]
    assert title == (
        "规范性文件库 · 检索“生态环境” · 现行有效 · 行政规范性文件 · 发文机关含“生态环境厅”"
        " · 2022 起 · 至 2028-06"
    )


def test_a_search_without_words_offers_no_feed(site):
    assert _search_feed_link(site("/normdocs/search").text) is None
    assert _search_feed_link(site(f"/normdocs/search?q=&status={_q('现行有效')}").text) is None
    # and other query pages none
    assert _search_feed_link(site(f"/normdocs/in_force?issuer={_q(STHJT)}&site=").text) is None


# ---------------------------------------------------------------- a real browser


@pytest.mark.integration
def test_in_a_browser_the_follow_link_leads_to_the_documents_feed(library, tmp_path):
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        message = f"{chromium} is missing: install Debian's chromium (`make chromium`, as root)"
        if os.environ.get("NORMDOCS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "NORMDOCS_DB": str(library)}

    def command(fd: int) -> list[str]:
        args = [sys.executable, "-m", "uvicorn", "corpus.site.asgi:app", "--fd", str(fd)]
        return [*args, "--log-level", "warning"]

    with (
        serve_on_socket(command, ready_path="/-/versions.json", env=env) as base,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"], locale="zh-CN",
        )  # fmt: skip
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
            page.goto(f"{base}/normdocs/documents/{doc_id('hostile')}")
            follow = page.get_by_role("link", name="关注此文件", exact=True)
            assert follow.is_visible()
            assert "RSS 阅读器" in page.inner_text("#follow")
            with page.expect_response(re.compile(r"/normdocs/changes\.atom\?")) as answer:
                follow.click()
            response = answer.value
            assert response.status == 200
            assert response.headers["content-type"].startswith("application/xml")
            got = parse(response.body())
            page.wait_for_url(re.compile(r"/normdocs/changes\.atom\?document="))
            assert got.title == f"规范性文件库 · {HOSTILE} · 效力变化"
            assert got.entries == [change_entry(library, "hostile")]
            # the entry's link leads back to the evidence
            page.goto(urllib.parse.urljoin(page.url, got.entries[0].link))
            assert page.locator("#validity").is_visible()
            assert errors == []
        finally:
            context.close()


def test_the_feeds_urls_in_the_readme_answer(site):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Feeds", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^(/normdocs/(?:changes|search_feed)\.atom\S*)", section, flags=re.M)
    assert len(paths) >= 5
    for path in paths:
        feed(site, urllib.parse.quote(path, safe="/?=&"))
