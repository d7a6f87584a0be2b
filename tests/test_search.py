"""Chinese full-text search: segmentation, the query translator, snippets, ranked search."""

import html
import re
import sqlite3

import pytest
import sqlite_utils

from corpus.records import DocumentRecord, InterpretationRecord
from corpus.save import save_document, save_interpretation, save_site
from corpus.schema import ensure_db_shape, stable_id
from corpus.search import (
    NOTHING,
    SEARCH_SQL,
    build_search_index,
    fts_query,
    register_functions,
    search,
    segment,
    snippet,
)

SITE = "jx-a"
DOCS = {
    "eco": dict(
        title="江西省生态环境厅关于加强生态环境保护督察工作的通知",
        doc_number="赣环督〔2023〕5号",
        issuer="江西省生态环境厅",
        body="各设区市生态环境局：为推进生态环境保护督察，现就有关事项通知如下。",
    ),
    "eco_body": dict(
        title="江西省人民政府办公厅关于印发江西省河长制工作方案的通知",
        doc_number="赣府厅字〔2022〕49号",
        issuer="江西省人民政府办公厅",
        body="全面推行河长制，持续改善生态环境质量，建设美丽江西。",
    ),
    "seed": dict(
        title="江西省农业农村厅关于印发《江西省农作物种子生产经营许可管理办法》的通知",
        doc_number="赣农规〔2023〕2号",
        issuer="江西省农业农村厅",
        body="第一条 为了规范农作物种子生产经营许可，根据《中华人民共和国种子法》，制定本办法。\n"
        "第二条 本办法所称农作物种子，是指粮食、棉花、油料等作物的种植材料。",
    ),
    "fert": dict(
        title="江西省农业农村厅关于做好化肥减量增效工作的通知",
        doc_number="赣农字〔2021〕11号",
        issuer="江西省农业农村厅",
        body="各地要推进化肥减量增效，开展测土配方施肥，保护耕地质量和农业生态。",
    ),
    "pension": dict(
        title="江西省人民政府关于完善城乡居民基本养老保险制度的实施意见",
        doc_number="赣府发〔2020〕3号",
        issuer="江西省人民政府",
        body="建立城乡居民基本养老保险待遇确定和基础养老金正常调整机制。",
    ),
}


def _url(key: str) -> str:
    return f"http://a.example/art/{key}.html"


@pytest.fixture(scope="module")
def db():
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_site(db, {"name": SITE, "title": "甲", "family": "hanweb", "columns": []})
    for key, d in DOCS.items():
        save_document(
            db,
            DocumentRecord(
                url=_url(key),
                site=SITE,
                kind="normative",
                title=d["title"],
                doc_number=d["doc_number"],
                doc_number_raw=d["doc_number"].replace("〔", "[").replace("〕", "]"),
                issuer=d["issuer"],
                published_date="2023-05-11",
                body_text=d["body"],
            ),
        )
    save_interpretation(
        db,
        InterpretationRecord(
            url="http://a.example/art/jd1.html",
            site=SITE,
            title="《江西省农作物种子生产经营许可管理办法》政策解读",
            body_text="近日，省农业农村厅印发了农作物种子生产经营许可管理办法。",
        ),
    )
    db.execute("UPDATE documents SET status = '现行有效'")
    db.execute(f"UPDATE documents SET status = '已失效' WHERE id = {stable_id(_url('fert'))}")
    build_search_index(db)
    register_functions(db.conn)
    return db


def _hits(db, q, **kw):
    ids = {stable_id(_url(k)): k for k in DOCS}
    return [ids.get(r["id"], r["table"]) for r in search(db, q, **kw)]


def test_segment_splits_into_search_words():
    assert segment("生态环境保护") == "生态 环境 保护 环境保护"
    assert segment("") == ""


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("生态环境", {"eco", "eco_body"}),
        ("农作物种子", {"seed"}),
        ("养老保险", {"pension"}),
        ("化肥", {"fert"}),
        ("河长制", {"eco_body"}),
        # two terms ANDed
        ("农业 生态", {"fert"}),
        ("生态环境 督察", {"eco"}),
        # a quoted phrase
        ('"城乡居民基本养老保险"', {"pension"}),
        ('"化肥减量增效"', {"fert"}),
        ("江西省农作物种子生产经营许可管理办法", {"seed"}),
    ],
)
def test_chinese_queries_find_the_documents(db, q, expected):
    assert set(_hits(db, q, kind="normative")) == expected


@pytest.mark.parametrize(
    "q",
    [
        "赣府厅字〔2022〕49号",
        "赣府厅字[2022]49号",
        "赣府厅字2022年49号",
        "赣府厅字﹝２０２２﹞49 号",
    ],
)
def test_finds_a_doc_number_in_any_spelling(db, q):
    assert _hits(db, q)[0] == "eco_body"
    assert set(_hits(db, q)) == {"eco_body"}


def test_finds_a_doc_number_by_its_parts(db):
    assert "eco_body" in _hits(db, "〔2022〕49号")


def test_title_matches_rank_above_body_matches(db):
    assert _hits(db, "生态环境", kind="normative")[0] == "eco"


def test_filters_by_status_and_kind(db):
    assert _hits(db, "农业", status="已失效") == ["fert"]
    assert _hits(db, "农作物种子", kind="interpretation") == ["interpretations"]
    assert "interpretations" in _hits(db, "农作物种子")


@pytest.mark.parametrize(
    "q", ["", " ", '"', '""', "AND OR NOT", "*", "(", ")", "😀", "NEAR(", "-", "^种子", "a:b", "'"]
)
def test_weird_input_never_raises(db, q):
    expr = fts_query(q)
    db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [expr])
    search(db, q)
    snippet("正文", q)
    assert list(db.query(SEARCH_SQL, {"q": q, "kind": "", "status": "", "issuer": ""})) is not None


@pytest.mark.parametrize("q", ["", "   ", "😀", "*", "(", "、。"])
def test_nothing_searchable_matches_nothing(db, q):
    assert fts_query(q) == NOTHING
    assert search(db, q) == []


def test_operators_are_literal_text():
    assert fts_query("AND OR NOT") == '"AND" AND "OR" AND "NOT"'
    assert fts_query('种子"') == '"种子"'


def test_snippet_marks_matches_in_the_original_text():
    text = DOCS["seed"]["body"]
    s = snippet(text, "农作物种子", width=40)
    assert "<mark>农作物种子</mark>" in s
    plain = html.unescape(re.sub(r"</?mark>", "", s)).strip("…")
    assert plain in text.replace("\n", " ")
    assert s.endswith("…")


def test_snippet_has_no_segmentation_spaces_and_escapes_html():
    s = snippet("根据<规定>，加强生态环境保护督察。", "生态环境")
    assert s == "根据&lt;规定&gt;，加强<mark>生态环境</mark>保护督察。"


def test_snippet_marks_a_doc_number_written_differently():
    s = snippet("根据赣府厅字[2022]49号文件精神", "赣府厅字〔2022〕49号")
    assert "<mark>赣府厅字[2022]49号</mark>" in s


def test_snippet_without_a_visible_match_shows_the_opening():
    assert (
        snippet("一二三四五六七八九十" * 10, "河长制", width=20)
        == "一二三四五六七八九十一二三四五六七八九十…"
    )


def test_sql_functions_and_datasette_escape_fts(db):
    conn = db.conn
    assert conn.execute("SELECT nd_segment('生态环境')").fetchone()[0] == "生态 环境 生态环境"
    assert conn.execute("SELECT nd_fts_query('')").fetchone()[0] == NOTHING
    assert conn.execute("SELECT escape_fts('生态环境')").fetchone()[0] == fts_query("生态环境")
    assert (
        "<mark>" in conn.execute("SELECT nd_snippet('加强生态环境保护', '生态环境')").fetchone()[0]
    )
    assert conn.execute("SELECT nd_snippet(NULL, NULL)").fetchone()[0] == ""
    # what Datasette's ?_search= runs against the table named in metadata
    rows = conn.execute(
        "SELECT id FROM documents WHERE rowid IN (SELECT rowid FROM documents_fts"
        " WHERE documents_fts MATCH escape_fts(?))",
        ["农作物种子"],
    ).fetchall()
    assert rows == [(stable_id(_url("seed")),)]


def test_canned_search_query(db):
    rows = list(db.query(SEARCH_SQL, {"q": "生态环境", "kind": "", "status": "", "issuer": ""}))
    assert [r["id"] for r in rows][:1] == [stable_id(_url("eco"))]
    assert set(rows[0]) == {
        "id", "title", "doc_number", "issuer", "published_date", "status", "snippet"
    }  # fmt: skip
    assert "<mark>生态环境</mark>" in rows[0]["snippet"]
    only = list(db.query(SEARCH_SQL, {"q": "生态", "kind": "", "status": "已失效", "issuer": ""}))
    assert [r["id"] for r in only] == [stable_id(_url("fert"))]
    by_issuer = list(
        db.query(
            SEARCH_SQL, {"q": "生态", "kind": "normative", "status": "", "issuer": "生态环境厅"}
        )
    )
    assert [r["id"] for r in by_issuer] == [stable_id(_url("eco"))]


def test_index_is_contentless_and_rebuilds_cleanly(db):
    build_search_index(db)
    build_search_index(db)
    n = db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '\"生态\"'")
    assert n.fetchone()[0] == 3
    assert db.execute("SELECT title FROM documents_fts LIMIT 1").fetchone()[0] is None


def test_register_functions_works_on_a_plain_connection():
    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    assert conn.execute("SELECT nd_fts_query('种子')").fetchone()[0] == '"种子"'
