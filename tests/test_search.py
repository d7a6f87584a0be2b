"""Chinese full-text search: index text, the query language, ranking, filters, snippets, SQL."""

import html
import re
import sqlite3

import pytest
import sqlite_utils

from corpus.search.index import assign_search_rowids, build_search_index
from corpus.search.query import NOTHING, date_bound, doc_number_of, fts_query, parse_query, pieces
from corpus.search.snippets import snippet
from corpus.search.sql import SEARCH_SQL, register_functions, search_sql
from corpus.search.tokens import TAIL, index_text, phrase
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord, InterpretationRecord
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import ensure_db_shape

SITE = "jx-a"
DOCS = {
    "eco": dict(
        title="江西省生态环境厅关于加强生态环境保护督察工作的通知",
        doc_number="赣环督〔2023〕5号",
        issuer="江西省生态环境厅",
        published="2023-05-11",
        body="各设区市生态环境局：为推进生态环境保护督察，现就有关事项通知如下。",
    ),
    "eco_body": dict(
        title="江西省人民政府办公厅关于印发江西省河长制工作方案的通知",
        doc_number="赣府厅字〔2022〕49号",
        issuer="江西省人民政府办公厅",
        published="2022-03-02",
        body="全面推行河长制作为水环境治理的抓手，持续改善生态环境质量，建设美丽江西。",
    ),
    "seed": dict(
        title="江西省农业农村厅关于印发《江西省农作物种子生产经营许可管理办法》的通知",
        doc_number="赣农规〔2023〕2号",
        issuer="江西省农业农村厅",
        published="2023-01-20",
        body="第一条 为了规范农作物种子生产经营许可，根据《中华人民共和国种子法》，制定本办法。\n"
        "第二条 本办法所称农作物种子，是指粮食、棉花、油料等作物的种植材料。",
    ),
    "fert": dict(
        title="江西省农业农村厅关于做好化肥减量增效工作的通知",
        doc_number="赣农字〔2021〕11号",
        issuer="江西省农业农村厅、江西省财政厅",
        published="2021-06-30",
        body="各地要推进化肥减量增效，开展测土配方施肥，保护耕地质量和农业生态。"
        "依据赣府厅字[2022]49号文件精神，加强营商环境建设。",
    ),
    "pension": dict(
        title="江西省人民政府关于完善城乡居民基本养老保险制度的实施意见",
        doc_number="赣府发〔2020〕3号",
        issuer="江西省人民政府",
        published="2020-09-01",
        body="建立城乡居民基本养老保险待遇确定和基础养老金正常调整机制，推进养老保险省级统筹。"
        "由江西省医疗保障局负责PM2.5监测，另见赣府发〔2020〕13号。",
    ),
    "repeal": dict(
        title="江西省人民政府关于废止《河长制工作方案》（赣府厅字〔2022〕49号）的决定",
        doc_number="赣府发〔2024〕1号",
        issuer="江西省人民政府",
        published="2024-01-05",
        body="决定废止上述文件。",
    ),
    "undated": dict(
        title="关于档案整理的通知",
        doc_number="赣档字〔2019〕1号",
        issuer="某档案馆",
        published=None,
        body="做好档案整理。",
    ),
}


def _url(key: str) -> str:
    return f"http://a.example/art/{key}.html"


def _id(key: str) -> int:
    return stable_id(_url(key))


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
                kind="rule" if key == "pension" else "normative",
                title=d["title"],
                doc_number=d["doc_number"],
                doc_number_raw=d["doc_number"].replace("〔", "[").replace("〕", "]"),
                issuer=d["issuer"],
                published_date=d["published"],
                body_text=d["body"],
            ),
        )
    save_interpretation(
        db,
        InterpretationRecord(
            url="http://a.example/art/jd1.html",
            site=SITE,
            title="《江西省农作物种子生产经营许可管理办法》政策解读",
            published_date="2023-02-01",
            body_text="近日，省农业农村厅印发了农作物种子生产经营许可管理办法。",
        ),
    )
    db.execute("UPDATE documents SET status = '现行有效'")
    db.execute(f"UPDATE documents SET status = '已失效' WHERE id = {_id('fert')}")
    build_search_index(db)
    register_functions(db.conn)
    return db


# What the site runs: the ranked canned query for documents, and for interpretations the search
# box of their table (metadata.yml: fts_table interpretations_fts, fts_pk search_rowid, sorted
# by published_date; Datasette's ?_search= is `match escape_fts(:search)`, the issuer its
# ?source__contains= filter). RANKED is SEARCH_SQL with each row's tier.
NO_FILTERS = {"kind": "", "status": "", "issuer": "", "since": "", "until": ""}
RANKED = search_sql(100, with_tier=True)
INTERPRETATIONS_SQL = """\
select id, published_date from interpretations
where search_rowid in (select rowid from interpretations_fts
                       where interpretations_fts match escape_fts(:q))
  and (:issuer = '' or source like '%' || :issuer || '%')
order by published_date desc"""


def _found(db, q, **filters):
    """Rows the site finds for ``q``: documents (SEARCH_SQL), then interpretations (their table's
    search box) unless a filter is one interpretations do not have (kind, status, dates)."""
    params = NO_FILTERS | {"q": q} | filters
    rows = []
    if params["kind"] != "interpretation":
        rows += [dict(r, table="documents") for r in db.query(SEARCH_SQL, params)]
    if params["kind"] in ("", "interpretation") and not (
        params["status"] or params["since"] or params["until"]
    ):
        rows += [dict(r, table="interpretations") for r in db.query(INTERPRETATIONS_SQL, params)]
    return rows


def _hits(db, q, **filters):
    ids = {_id(k): k for k in DOCS}
    return [ids.get(r["id"], r["table"]) for r in _found(db, q, **filters)]


def _ranked(db, q):
    return list(db.query(RANKED, NO_FILTERS | {"q": q}))


def _containing(text: str) -> set[str]:
    return {
        k
        for k, d in DOCS.items()
        if any(text in d[f] for f in ("title", "doc_number", "body"))
        or text in d["doc_number"].replace("〔", "[").replace("〕", "]")
    }


# ---------------------------------------------------------------- the index text


def test_index_text_is_overlapping_bigrams_and_the_last_character_where_a_name_goes_on():
    # a character that only ends a run gets a tail token (TAIL + 护): a lone 护 finds the text
    assert index_text("生态环境保护") == f"生态 态环 环境 境保 保护 {TAIL}护"
    # … but not when it starts a token elsewhere in the text (护 in 护林)
    assert index_text("生态环境保护。护林") == f"生态 态环 环境 境保 保护 护林 {TAIL}林"
    # before a digit, a bracket or a closing mark the run's last character is a token too
    assert index_text("赣府厅字〔2022〕") == "赣府 府厅 厅字 字 2022"
    assert index_text("赣府厅字2022年") == "赣府 府厅 厅字 字 2022 年"
    assert index_text("《管理办法》") == "管理 理办 办法 法"
    assert index_text("号") == "号"
    assert index_text("") == ""


def test_index_text_keeps_latin_words_folds_widths_and_drops_punctuation():
    assert (
        index_text("赣府厅字〔２０２２〕49号文，PM2.5")
        == f"赣府 府厅 厅字 字 2022 49 号文 PM2 5 {TAIL}文"
    )


# ---------------------------------------------------------------- the query language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("生态环境", '"生态 态环 环境"'),
        ("生态", '"生态"'),
        ("号", f'("号" * OR "{TAIL}号")'),  # a lone character starts a token or is a tail
        ("49号", '"49 号" *'),
        ("号2022", '"号 2022"'),  # the text's run ends at 号: its final token
        ("管理办法》", '"管理 理办 办法 法"'),  # 》 ends the run: 管理办法实施 does not match
        ("本省。", '"本省"'),  # clause punctuation is not part of what is looked for
        ("ＰＭ２.５", '"PM2 5"'),
        ("、。！", None),
    ],
)
def test_a_term_is_an_exact_phrase_of_bigrams(text, expected):
    assert phrase(text) == expected


def test_query_terms_quotes_and_exclusions():
    terms = parse_query('养老保险  "城乡 居民" -督察 -"保护 督察" a-b')
    assert [(t.text, t.quoted, t.negated) for t in terms] == [
        ("养老保险", False, False),
        ("城乡 居民", True, False),
        ("督察", False, True),
        ("保护 督察", True, True),
        ("a-b", False, False),
    ]


@pytest.mark.parametrize(
    "q",
    [
        "赣府厅字〔2022〕49号",
        "赣府厅字 〔2022〕 49 号",
        "赣府厅字２０２２年４９号",
        "赣府厅字[2022]49",
    ],
)
def test_a_doc_number_typed_in_any_spelling_is_one_term(q):
    terms = parse_query(q)
    assert len(terms) == 1
    assert doc_number_of(terms[0].text) == "赣府厅字〔2022〕49号"


def test_a_sentence_holding_a_doc_number_is_not_a_doc_number():
    assert doc_number_of("赣府厅字〔2022〕49号文件精神") is None
    assert [t.text for t in parse_query("生态 赣府发〔2021〕3号")] == ["生态", "赣府发〔2021〕3号"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("生态环境", {"eco", "eco_body"}),
        ("农作物种子", {"seed"}),
        ("养老保险", {"pension"}),
        ("化肥", {"fert"}),
        ("河长制", {"eco_body", "repeal"}),
        ("商环境", {"fert"}),  # not a word: inside 营商环境
        ("态环", {"eco", "eco_body"}),
        ("医疗保障局", {"pension"}),
        ("PM2.5", {"pension"}),
        # two terms ANDed
        ("农业 生态", {"fert"}),
        ("生态环境 督察", {"eco"}),
        # exclusion
        ("生态环境 -督察", {"eco_body"}),
        ('江西省 -"生态环境"', {"seed", "fert", "pension", "repeal"}),
        # a quoted phrase
        ('"城乡居民基本养老保险"', {"pension"}),
        ("江西省农作物种子生产经营许可管理办法", {"seed"}),
    ],
)
def test_chinese_queries_find_exactly_the_documents_containing_them(db, q, expected):
    assert set(_hits(db, q, kind="normative")) | set(_hits(db, q, kind="rule")) == expected


@pytest.mark.parametrize("q", ["生态环境", "河长制", "态环", "农作物种子", "商环境", "保险"])
def test_single_terms_equal_a_substring_scan(db, q):
    assert {k for k in _hits(db, q) if k in DOCS} == _containing(q)


def test_an_exclusion_alone_lists_everything_else(db):
    everything_else = {"seed", "fert", "pension", "repeal", "undated", "interpretations"}
    assert set(_hits(db, "-生态环境")) == everything_else


@pytest.mark.parametrize(
    "q",
    [
        "赣府厅字〔2022〕49号",
        "赣府厅字[2022]49号",
        "赣府厅字（2022）49号",
        "赣府厅字2022年49号",
        "赣府厅字﹝２０２２﹞49 号",
        "赣府厅字〔2022〕49",
        "赣府厅字 〔2022〕 49 号",
    ],
)
def test_finds_a_doc_number_in_any_spelling_owner_first(db, q):
    hits = _hits(db, q)
    assert hits[0] == "eco_body"  # its own document first, before a newer title citing it
    assert set(hits) == {"eco_body", "fert", "repeal"}  # fert cites it as 赣府厅字[2022]49号


def test_a_number_is_a_whole_word(db):
    assert _hits(db, "赣府发〔2020〕3号") == ["pension"]  # not 赣府发〔2020〕13号
    assert "pension" not in _hits(db, "赣府发〔2020〕1号")


def test_run_together_words_that_never_occur_fall_back_to_their_pieces(db):
    # 河长制水环境治理 occurs nowhere as written; its pieces 河长制 + 水环境治理 do
    assert _hits(db, "河长制水环境治理") == ["eco_body"]
    assert "AND" in db.execute("SELECT escape_fts('河长制水环境治理')").fetchone()[0]
    # a term that occurs is never split, and quotes keep it exact
    assert "AND" not in db.execute("SELECT escape_fts('生态环境保护督察')").fetchone()[0]
    assert _hits(db, '"河长制水环境治理"') == []


def test_pieces_are_the_longest_runs_of_words_that_occur():
    corpus = "全面推行河长制作为水环境治理的抓手，推进养老保险省级统筹"
    assert pieces("河长制水环境治理", lambda p: p in corpus) == ["河长制", "水环境治理"]
    assert pieces("养老保险统筹", lambda p: p in corpus) == ["养老保险", "统筹"]


def test_title_matches_rank_above_body_matches_then_newest(db):
    assert _hits(db, "生态环境", kind="normative") == ["eco", "eco_body"]
    tiers = [r["tier"] for r in _ranked(db, "农业")]
    assert tiers == sorted(tiers)
    rows = _ranked(db, "江西省")
    assert [r["tier"] for r in rows] == sorted(r["tier"] for r in rows)
    assert [r["id"] for r in rows] == [r["id"] for r in _found(db, "江西省")][: len(rows)]
    dates = [r["published_date"] for r in rows if r["tier"] == 0]
    assert dates == sorted(dates, reverse=True) and len(dates) == 6


def test_filters_by_status_kind_issuer_and_date(db):
    assert _hits(db, "农业", status="已失效") == ["fert"]
    assert _hits(db, "农作物种子", kind="interpretation") == ["interpretations"]
    assert "interpretations" in _hits(db, "农作物种子")
    assert _hits(db, "江西省", kind="rule") == ["pension"]
    assert set(_hits(db, "江西省", issuer="农业农村厅")) == {"seed", "fert"}
    assert _hits(db, "江西省", issuer="财政厅") == ["fert"]  # a joint document
    assert set(_hits(db, "江西省", since="2022", until="2022-12")) == {"eco_body"}
    assert set(_hits(db, "江西省", since="2023-01-21", until="2023-12-31")) == {"eco"}
    assert set(_hits(db, "江西省", since="2023-01-21")) == {"eco", "repeal"}
    assert _hits(db, "江西省", until="2019") == []
    assert _hits(db, "档案") == ["undated"]
    assert _hits(db, "档案", until="2030") == _hits(db, "档案", since="1990") == []


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2023", False, "2023-01-01"),
        ("2023", True, "2023-12-31"),
        ("2024-02", True, "2024-02-29"),
        ("２０２３年５月", False, "2023-05-01"),
        ("2023-05-11", True, "2023-05-11"),
        ("2023年5月11日", False, "2023-05-11"),
        ("", False, ""),
        ("昨天", False, ""),
        ("2023-13", False, ""),
    ],
)
def test_date_bounds_from_what_a_user_types(value, end, expected):
    assert date_bound(value, end) == expected


@pytest.mark.parametrize(
    "q",
    ["", " ", '"', '""', "AND OR NOT", "*", "(", ")", "😀", "NEAR(", "-", "^种子", "a:b", "'",
     '"生态', "生态 -", "{body}:生态", "生态*", "生" * 2000, "生态 " * 100, "-\"", "\x00"],
)  # fmt: skip
def test_weird_input_never_raises(db, q):
    expr = fts_query(q)
    db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [expr])
    db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH escape_fts(?)", [q])
    _hits(db, q)
    snippet("正文", q)
    params = {"q": q, "kind": "", "status": "", "issuer": "", "since": "", "until": ""}
    assert list(db.query(SEARCH_SQL, params)) is not None


@pytest.mark.parametrize("q", ["", "   ", "😀", "*", "(", "、。", "-督察"])
def test_nothing_searchable_matches_nothing_in_the_ranked_tiers(db, q):
    assert fts_query(q, column="title") == NOTHING
    if q != "-督察":
        assert fts_query(q) == NOTHING
        assert _hits(db, q) == []


def test_operators_are_literal_text():
    assert fts_query("AND OR NOT") == '({body title doc_number} : ("AND" AND "OR" AND "NOT"))'
    assert fts_query('种子"') == '({body title doc_number} : ("种子"))'


# ---------------------------------------------------------------- snippets


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


def test_snippet_marks_the_pieces_of_a_run_together_term():
    s = snippet(DOCS["eco_body"]["body"], "河长制水环境治理")
    assert "<mark>河长制</mark>" in s and "<mark>水环境治理</mark>" in s


def test_snippet_without_a_visible_match_shows_the_opening():
    assert (
        snippet("一二三四五六七八九十" * 10, "河长制", width=20)
        == "一二三四五六七八九十一二三四五六七八九十…"
    )


# ---------------------------------------------------------------- SQL, Datasette's path


def test_sql_functions_and_datasette_escape_fts(db):
    conn = db.conn
    assert conn.execute("SELECT escape_fts('')").fetchone()[0] == NOTHING
    assert conn.execute("SELECT escape_fts('生态环境')").fetchone()[0] == fts_query("生态环境")
    assert (
        "<mark>" in conn.execute("SELECT nd_snippet('加强生态环境保护', '生态环境')").fetchone()[0]
    )
    assert conn.execute("SELECT nd_snippet(NULL, NULL)").fetchone()[0] == ""
    assert conn.execute("SELECT nd_date('2023', 'end')").fetchone()[0] == "2023-12-31"
    # what Datasette's ?_search= runs against the tables named in metadata (fts_pk search_rowid)
    for table, q, expected in [
        ("documents", "农作物种子", {_id("seed")}),
        ("documents", "生态环境", {_id("eco"), _id("eco_body")}),
        ("interpretations", "许可管理", {stable_id("http://a.example/art/jd1.html")}),
    ]:
        rows = conn.execute(
            f"SELECT id FROM {table} WHERE search_rowid IN (SELECT rowid FROM {table}_fts"
            f" WHERE {table}_fts MATCH escape_fts(?))",
            [q],
        ).fetchall()
        assert {r[0] for r in rows} == expected


def test_canned_search_query(db):
    params = {"q": "生态环境", "kind": "", "status": "", "issuer": "", "since": "", "until": ""}
    rows = list(db.query(SEARCH_SQL, params))
    assert [r["id"] for r in rows] == [_id("eco"), _id("eco_body")]
    assert set(rows[0]) == {
        "id", "title", "doc_number", "issuer", "published_date", "status", "snippet", "article"
    }  # fmt: skip
    assert "<mark>生态环境</mark>" in rows[0]["snippet"]
    only = list(db.query(SEARCH_SQL, params | {"q": "生态", "status": "已失效"}))
    assert [r["id"] for r in only] == [_id("fert")]
    by_issuer = list(db.query(SEARCH_SQL, params | {"q": "生态", "issuer": "生态环境厅"}))
    assert [r["id"] for r in by_issuer] == [_id("eco")]
    dated = list(db.query(SEARCH_SQL, params | {"since": "2022-01-01", "until": "2022-12-31"}))
    assert [r["id"] for r in dated] == [_id("eco_body")]
    # a 文号: its own document first, then the newer title that cites it, then bodies
    numbered = list(db.query(SEARCH_SQL, params | {"q": "赣府厅字2022年49号"}))
    assert [r["id"] for r in numbered] == [_id("eco_body"), _id("repeal"), _id("fert")]


def test_rowids_follow_publication_and_only_changes_are_written(db):
    order = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY search_rowid")]
    by_date = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY published_date, id")]
    assert order == by_date
    assert assign_search_rowids(db, "documents") == 0


def test_index_is_contentless_and_rebuilds_cleanly(db):
    build_search_index(db)
    build_search_index(db)
    n = db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '\"生态\"'")
    assert n.fetchone()[0] == 3
    assert db.execute("SELECT body FROM documents_fts LIMIT 1").fetchone()[0] is None


def test_register_functions_works_on_a_plain_connection():
    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    assert conn.execute("SELECT escape_fts('种子')").fetchone()[0] == (
        '({body title doc_number} : ("种子"))'
    )
    # no index: the fallback's check finds nothing and says so without an error
    assert conn.execute("SELECT escape_fts('养老保险省级统筹')").fetchone()[0]
