"""Keywords (corpus/search/keywords.py): jieba's TF-IDF on rjieba cuts, stored once per content, ranked."""

import json

import jieba
import jieba.analyse
import pytest
import rjieba
import sqlite_utils

import mirror
from corpus.search.index import build_search_index
from corpus.search.keywords import BOILERPLATE, assign_keywords, keywords, tfidf
from corpus.search.sql import register_functions, search_sql
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import ensure_db_shape


@pytest.fixture(scope="module")
def truth():
    return mirror.truth(8701)


class _NoHMM:
    """jieba's own tokenizer, asked for cuts without HMM (the words rjieba gives)."""

    def cut(self, text):
        return jieba.dt.cut(text, HMM=False)


def test_tfidf_on_rjieba_cuts_is_jiebas_extract_tags(truth):
    reference = jieba.analyse.TFIDF()
    reference.tokenizer = _NoHMM()
    bodies = [d["body_text"] for d in truth["documents"] if d["body_text"]]
    assert len(bodies) > 500
    for body in bodies:
        ours = tfidf(rjieba.cut(body, False), stop=frozenset(reference.stop_words), top=8)
        assert ours == reference.extract_tags(body, topK=8), body[:60]


def test_keywords_are_content_words_not_boilerplate_issuer_or_numbers(truth):
    seen = 0
    for d in truth["documents"]:
        words = keywords(d["title"], d["body_text"], d["issuer"])
        assert len(words) == len(set(words)) <= 8
        for w in words:
            seen += 1
            assert w not in BOILERPLATE
            assert any("\u4e00" <= c <= "\u9fff" for c in w), w
            assert w not in (d["issuer"] or ""), (w, d["issuer"])
            assert not w.endswith("省"), w
    assert seen > 8 * 600


def test_the_title_says_what_a_document_is_about():
    title = "江西省农业农村厅关于印发《江西省农作物种子生产经营许可管理办法》的通知"
    body = (
        "各设区市农业农村局：现将《江西省农作物种子生产经营许可管理办法》印发给你们，请认真贯彻执行。"
        "第一条 为了规范农作物种子生产经营许可，根据《中华人民共和国种子法》，制定本办法。"
        "第二条 本办法适用于本省行政区域内的许可及其监督管理活动。"
    )
    words = keywords(title, body, "江西省农业农村厅")
    assert {"农作物", "种子"} <= set(words[:4])
    assert not {"关于", "印发", "通知", "农业农村厅", "江西省", "本办法"} & set(words)


SITE = "kw"


def _save(db, key: str, title: str, body: str, published: str) -> int:
    url = f"http://kw.example/art/{key}.html"
    save_document(
        db,
        DocumentRecord(
            url=url,
            site=SITE,
            kind="normative",
            title=title,
            issuer="江西省林业局",
            published_date=published,
            body_text=body,
        ),
    )
    return stable_id(url)


@pytest.fixture
def db():
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_site(db, {"name": SITE, "title": "林业局", "family": "hanweb", "columns": []})
    return db


def test_keywords_are_computed_once_per_content(db):
    wetland = _save(
        db,
        "wetland",
        "江西省林业局关于印发《江西省自然保护地管理办法》的通知",
        "加强湿地保护，湿地公园、湿地保护小区和重要湿地名录由省林业局公布。" * 3,
        "2021-04-01",
    )
    assert assign_keywords(db) == {"documents_keywords": 1, "interpretations_keywords": 0}
    stored = json.loads(db["documents"].get(wetland)["keywords"])
    assert stored[0] == "湿地"
    assert assign_keywords(db) == {"documents_keywords": 0, "interpretations_keywords": 0}
    _save(
        db,
        "wetland",
        "江西省林业局关于印发《江西省自然保护地管理办法》的通知",
        "加强森林防火，森林消防队伍由省林业局统一调度。" * 3,
        "2021-04-01",
    )
    assert assign_keywords(db)["documents_keywords"] == 1
    assert json.loads(db["documents"].get(wetland)["keywords"])[0] == "森林"


def test_a_document_about_the_query_ranks_above_a_newer_one_that_mentions_it(db):
    about = _save(
        db,
        "about",
        "江西省林业局关于印发《江西省自然保护地管理办法》的通知",
        "加强湿地保护，湿地公园、湿地保护小区和重要湿地名录由省林业局公布。" * 3,
        "2021-04-01",
    )
    mentions = _save(
        db,
        "mentions",
        "江西省林业局关于做好森林防火工作的通知",
        "做好森林防火，加强巡护值守，落实防火责任，森林消防队伍统一调度。"
        "严格火源管控，清明祭扫期间严禁野外用火，重点林区设立检查站，"
        "完善监测预警，储备扑火物资，开展应急演练，林区与湿地周边也要巡查。",
        "2024-02-01",
    )
    assign_keywords(db)
    assert "湿地" in json.loads(db["documents"].get(about)["keywords"])
    assert "湿地" not in json.loads(db["documents"].get(mentions)["keywords"])
    build_search_index(db)
    register_functions(db.conn)  # the site's ranked search (SEARCH_SQL), with each row's tier
    params = {"kind": "", "status": "", "issuer": "", "since": "", "until": ""}
    hits = list(db.query(search_sql(100, with_tier=True), params | {"q": "湿地"}))
    assert [(r["id"], r["tier"]) for r in hits] == [(about, 2), (mentions, 3)]
    # recall is untouched: the tier only orders, both documents are found
    body_only = db.query(search_sql(100, with_tier=True), params | {"q": "湿地 -森林"})
    assert {r["id"] for r in body_only} == {about}  # no keyword tier: body tier
