"""The ranked search says how many documents match in all (共 N 份) and pages past the first 100:
through the real Datasette (in-process), on a built synthetic library (keywords included, so the
keywords tier ranks too). The count is checked against one made here from the rows (LIKE), the
pages against one unpaged ranking; the count both ways it is made (with and without keyword
matches), for every kind of query, and kept per file and search (``MatchCounts``) but never
served once the file has changed.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
import sqlite3
import sys
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from sitekit import synthetic_library

from corpus.build import build
from corpus.search.index import HEADS
from corpus.search.sql import MatchCounts, register_functions, search_sql
from corpus.search.tokens import facet_tokens, index_text
from corpus.site import search_page
from corpus.site.serve import checkpoint, make_datasette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from search_corpus import like_sql  # noqa: E402

AS_OF = date(2026, 11, 27)
DOCS = 400
NO_FILTERS = {"kind": "", "status": "", "issuer": "", "since": "", "until": ""}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("paging") / "normdocs.db", DOCS)


@pytest.fixture(scope="module")
def site(library):
    ds = make_datasette(library)
    loop = asyncio.new_event_loop()

    def get(path: str):
        return loop.run_until_complete(ds.client.get(path))

    yield get
    loop.close()


def _q(value: str) -> str:
    return urllib.parse.quote(value)


def _truth(library: Path, q: str, where: str = "", params: tuple = ()) -> set[int]:
    """The documents containing the words (LIKE over title, 文号, body), and ``where``."""
    conn = sqlite3.connect(library)
    try:
        sql, like = like_sql({"q": q, "truth": "like"})
        if where:
            sql += f" AND {where}"
        return {r[0] for r in conn.execute(sql, [*like, *params])}
    finally:
        conn.close()


def _pages(site, args: str) -> list[list[dict]]:
    pages, page = [], 1
    while True:
        rows = site(f"/normdocs/search.json?{args}&page={page}&_shape=array").json()
        if not rows:
            return pages
        pages.append(rows)
        page += 1


@pytest.mark.parametrize(
    "q", ["安全", "养老保险", "生态环境 -督察", "通知", "医疗保障局", "河长制作为"]
)
def test_the_search_says_how_many_documents_match_and_pages_through_all_of_them(site, library, q):
    truth = _truth(library, q)
    assert truth
    pages = _pages(site, f"q={_q(q)}")
    rows = [r for page in pages for r in page]
    assert {r["matches"] for r in rows} == {len(truth)}  # 共 N 份: every match
    assert [r["id"] for r in rows if r["id"] in truth] == [r["id"] for r in rows]
    assert {r["id"] for r in rows} == truth and len(rows) == len(truth)  # each once
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(len(page) == 100 for page in pages[:-1])


def test_pages_are_the_one_ranking_cut_in_hundreds(site, library):
    conn = sqlite3.connect(library)
    register_functions(conn)
    whole = [r[0] for r in conn.execute(search_sql(1000), {"q": "通知", **NO_FILTERS})]
    conn.close()
    rows = [r["id"] for page in _pages(site, f"q={_q('通知')}") for r in page]
    assert len(whole) > 300 and rows == whole


def test_the_count_keeps_the_filters(site, library):
    q = "安全"
    args = f"q={_q(q)}&status={_q('未知')}&kind=normative&since=2012&until=2020-06"
    truth = _truth(
        library,
        q,
        "status = ? AND kind = ? AND published_date BETWEEN '2012-01-01' AND '2020-06-30'",
        ("未知", "normative"),
    )
    rows = [r for page in _pages(site, args) for r in page]
    assert truth and {r["id"] for r in rows} == truth
    assert {r["matches"] for r in rows} == {len(truth)}


def test_page_two_shows_results_101_to_200_and_links_back_and_on(site, library):
    q, status = "通知", "未知"
    n = len(_truth(library, q, "status = ?", (status,)))
    assert n > 200
    page = site(f"/normdocs/search?q={_q(q)}&status={_q(status)}&page=2").text
    assert f"共 {n:,} 份</span>，第 101–200 份" in page
    positions = re.findall(r'<td class="col-position">(\d+)</td>', page)
    assert positions == [str(i) for i in range(101, 201)]
    assert "col-matches" not in page  # the count is said once, not in every row
    previous = html.unescape(
        re.search(r'class="nd-page-previous" rel="prev" href="([^"]+)"', page)[1]
    )
    following = html.unescape(re.search(r'class="nd-page-next" rel="next" href="([^"]+)"', page)[1])
    for link, first in ((previous, "1"), (following, "201")):
        args = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        assert args["q"] == [q] and args["status"] == [status]  # the filters kept
        there = site(link).text
        assert re.findall(r'<td class="col-position">(\d+)</td>', there)[0] == first
    assert "page" not in urllib.parse.parse_qs(urllib.parse.urlsplit(previous).query)


def test_the_last_page_has_no_next_link_and_a_page_past_it_says_so(site, library):
    q = "养老保险"
    n = len(_truth(library, q))
    last = -(-n // 100)
    page = site(f"/normdocs/search?q={_q(q)}&page={last}").text
    assert "nd-page-next" not in page and "nd-page-previous" in page
    past = site(f"/normdocs/search?q={_q(q)}&page={last + 1}").text
    assert "此页没有结果" in past and "回到第 1 页" in past


@pytest.mark.parametrize("value", ["0", "-1", "x", "１", "2.5", "", "99999999999999999999"])
def test_odd_pages_are_the_first_or_the_last_there_is(site, value):
    rows = site(f"/normdocs/search.json?q={_q('通知')}&page={_q(value)}&_shape=array").json()
    first = rows[0]["position"] if rows else None
    assert first in (1, (search_page.MAX_PAGES - 1) * 100 + 1, None)


def test_a_search_with_no_match_says_nothing_to_page(site):
    page = site(f"/normdocs/search?q={_q('不存在的词语组合')}").text
    assert "没有结果" in page and "nd-pages" not in page


def _connect(path: Path, counts: MatchCounts) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    register_functions(conn, counts)
    return conn


def _count(conn: sqlite3.Connection, q: str, **filters: str) -> int | None:
    """共 N 份 as the paged search says it (None: no row on the first page)."""
    params = {"q": q, **NO_FILTERS, **filters, "p": 0}
    row = conn.execute(f"select * from ({search_sql(100, page='p')}) limit 1", params).fetchone()
    return row[-1] if row else None


def _keyword_matches(conn: sqlite3.Connection, q: str) -> bool:
    sql = f"select 1 from {HEADS} where {HEADS} match nd_match(?, 'keywords', '', '', '') limit 1"
    return conn.execute(sql, [q]).fetchone() is not None


# single words (one token, and phrases of several), a quoted phrase, words apart, an exclusion,
# a run-together term that falls back to its words
COUNTED = ["安全", "通知", "养老保险", '"养老保险"', "养老 保险", "生态环境 -督察", "河长制作为"]


def test_the_count_is_exact_with_and_without_keyword_matches(library):
    conn = _connect(library, MatchCounts())
    ways = set()
    for q in COUNTED:
        assert _count(conn, q) == len(_truth(library, q)), q
        ways.add(_keyword_matches(conn, q))
    # both ways of counting ran: the body tier's matches alone, and with the keywords' (a union)
    assert ways == {True, False}


def test_the_count_of_a_doc_number_is_every_document_with_it(library):
    conn = _connect(library, MatchCounts())
    number = conn.execute(
        "select doc_number from documents where doc_number like '%〔%' group by doc_number"
        " order by count(*) desc, doc_number limit 1"
    ).fetchone()[0]
    sql, like = like_sql({"truth": "number", "number": number})
    truth = {r[0] for r in conn.execute(sql, like)}
    assert truth and _count(conn, number) == len(truth)
    code, rest = number.split("〔")
    assert _count(conn, f"{code}[{rest.replace('〕', ']')}") == len(truth)  # another spelling


@pytest.mark.parametrize(
    "filters, where, params",
    [
        ({"since": "2015"}, "published_date >= '2015-01-01'", ()),
        ({"until": "2013-06"}, "published_date <= '2013-06-30'", ()),
        ({"status": "现行有效"}, "status = ?", ("现行有效",)),
        ({"kind": "normative", "since": "2012", "until": "2020"},
         "kind = ? AND published_date BETWEEN '2012-01-01' AND '2020-12-31'", ("normative",)),
    ],
)  # fmt: skip
def test_each_filter_has_its_own_count(library, filters, where, params):
    counts = MatchCounts()  # one cache for all: the filters are part of what it is kept under
    conn = _connect(library, counts)
    for q in ("安全", "生态环境 -督察"):
        assert _count(conn, q) == len(_truth(library, q))
        truth = _truth(library, q, where, params)
        assert _count(conn, q, **filters) == (len(truth) if truth else None), (q, filters)


def test_a_document_matching_by_its_keywords_alone_is_counted(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    q = "养老保险"
    truth = _truth(path, q)
    conn = sqlite3.connect(path)
    with conn:  # keywords that are not in its text: it matches by them alone
        other = conn.execute(
            f"select id, keywords from documents where id not in ({','.join(map(str, truth))})"
            " and keywords is not null order by id limit 1"
        ).fetchone()
        words = json.loads(other[1])
        conn.execute(
            "update documents set keywords = ? where id = ?", [json.dumps([q, *words]), other[0]]
        )
    conn.close()
    build(str(path), AS_OF)
    checkpoint(path)
    conn = _connect(path, MatchCounts())
    assert _count(conn, q) == len(truth) + 1
    ranked = [r[0] for r in conn.execute(search_sql(1000), {"q": q, **NO_FILTERS})]
    assert other[0] in ranked and set(ranked) == truth | {other[0]}


def test_a_count_is_kept_for_the_file_and_never_served_once_it_changed(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    counts = MatchCounts()
    conn = _connect(path, counts)
    n = _count(conn, "安全")
    assert n == len(_truth(path, "安全")) and len(counts) == 1
    assert _count(conn, "安全") == n and len(counts) == 1  # page 2 … read it
    (key,) = counts.keys()
    counts.put(key, n + 1000)  # what is kept is what the page says: it is not counted again
    assert _count(conn, "安全") == n + 1000
    writer = sqlite3.connect(path)
    with writer:  # one more row in the index, matching: the file is another one now
        rowid = writer.execute("select max(rowid) + 1 from documents_fts").fetchone()[0]
        writer.execute(
            "insert into documents_fts(rowid, body, title, doc_number, issuer, facets)"
            " values (?, ?, '', '', '', ?)",
            [rowid, index_text("安全生产"), facet_tokens("normative", "未知")],
        )
    writer.close()
    assert _count(conn, "安全") == n + 1


def test_the_kept_counts_are_bounded():
    counts = MatchCounts(size=2)
    for i in range(3):
        counts.put(("file", str(i)), i)
    assert counts.get(("file", "0")) is None and counts.get(("file", "2")) == 2
    assert len(counts) == 2
