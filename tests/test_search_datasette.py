"""Search through the real Datasette app: exact table search, the ranked query, bad input."""

import html
import re
import sqlite3
import sys
import urllib.parse
from pathlib import Path

import pytest
import sqlite_utils
from sitekit import served

from corpus.search.index import build_search_index

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from search_corpus import like_sql, write_library  # noqa: E402

DOCS = 300


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    path = tmp_path_factory.mktemp("ds") / "normdocs.db"
    write_library(path, DOCS)
    db = sqlite_utils.Database(path)
    build_search_index(db)
    db.execute("INSERT INTO build_info (key, value) VALUES ('as_of', '2026-11-27')")
    db.conn.commit()
    db.close()
    return path


@pytest.fixture(scope="module")
def site(library):
    with served(library) as get:
        yield get


def _q(value: str) -> str:
    return urllib.parse.quote(value)


def _truth(library, q: str) -> set[int]:
    conn = sqlite3.connect(library)
    try:
        sql, params = like_sql({"q": q, "truth": "like"})
        return {r[0] for r in conn.execute(sql, params)}
    finally:
        conn.close()


@pytest.mark.parametrize(
    "q", ["生态环境", "医疗保障局", "商环境", "养老保险 省级统筹", "生态环境 -督察", "河长制作为"]
)
def test_the_table_search_box_finds_exactly_the_documents_containing_the_words(site, library, q):
    data = site(f"/normdocs/documents.json?_search={_q(q)}&_size=max&_col=id").json()
    truth = _truth(library, q)
    assert truth and data["filtered_table_rows_count"] == len(truth)
    assert {r[0] for r in data["rows"]} == truth
    assert data["suggested_facets"] == []


def test_the_interpretations_search_box_works_for_chinese(site, library):
    conn = sqlite3.connect(library)
    want = {
        r[0] for r in conn.execute("SELECT id FROM interpretations WHERE body_text LIKE '%背景%'")
    }
    conn.close()
    rows = site("/normdocs/interpretations.json?_search=背景&_size=max&_shape=array").json()
    assert want and {r["id"] for r in rows} == want


def test_the_ranked_search_puts_titles_first_with_clean_snippets(site, library):
    rows = site(f"/normdocs/search.json?q={_q('生态环境')}&_shape=array").json()
    assert len(rows) == 100
    in_title = [i for i, r in enumerate(rows) if "生态环境" in r["title"]]
    assert in_title == list(range(len(in_title))) and in_title
    conn = sqlite3.connect(library)
    for row in rows:
        body = conn.execute("SELECT body_text FROM documents WHERE id = ?", [row["id"]]).fetchone()
        plain = html.unescape(re.sub(r"</?mark>", "", row["snippet"])).strip("…")
        assert plain in body[0].replace("\n", " ")  # the original text: no segmentation spaces
    conn.close()
    dates = [r["published_date"] for r in rows[len(in_title) :]]
    assert dates == sorted(dates, reverse=True)  # body matches: newest first


def test_the_ranked_search_filters(site):
    base = f"/normdocs/search.json?q={_q('养老保险')}&_shape=array"
    rows = site(base + "&status=现行有效&since=2015&until=2019-06").json()
    assert rows
    assert all(r["status"] == "现行有效" for r in rows)
    assert all("2015-01-01" <= r["published_date"] <= "2019-06-30" for r in rows)
    issued = site(base + "&issuer=" + _q("医疗保障局")).json()
    assert issued and all("医疗保障局" in r["issuer"] for r in issued)


BAD = ["", " ", '"', '""', "'", "AND", "OR NOT", "(", ")", "*", "NEAR(a b)", "-", "^生态",
       "{title}:生态", "生态 -", '"生态', "\\", "%", "_", "😀", "a" * 3000, "生态 " * 200,
       "赣府厅字〔", "〔2022〕", "；；；"]  # fmt: skip


@pytest.mark.parametrize("q", BAD)
def test_bad_input_never_gives_an_error_page(site, q):
    for path in (
        f"/normdocs/search?q={_q(q)}",
        f"/normdocs/search.json?q={_q(q)}&since={_q(q)}&until={_q(q)}&issuer={_q(q)}",
        f"/normdocs/documents?_search={_q(q)}",
        f"/normdocs/documents.json?_search={_q(q)}",
        f"/normdocs/interpretations.json?_search={_q(q)}",
    ):
        r = site(path)
        assert r.status_code == 200, (path, r.text[:300])


def test_the_search_indexes_are_hidden_tables(site):
    tables = {t["name"]: t["hidden"] for t in site("/normdocs.json").json()["tables"]}
    assert tables["documents_heads_fts"] and tables["documents_fts"]
    assert not tables["documents"]
