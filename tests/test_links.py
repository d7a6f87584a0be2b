"""Linking interpretations to documents: hyperlinks, quoted titles, 文号, and the decoys."""

import pytest
import sqlite_utils

from corpus.links import document_keys, interpretation_title_names, link_interpretations
from corpus.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.save import save_document, save_interpretation, save_site
from corpus.schema import ensure_db_shape, stable_id

SITE = "jx-nync"
SEED = "江西省农作物种子生产经营许可管理办法"


def doc_url(n: int) -> str:
    return f"http://nync.example/art/doc{n}.html"


def jd_url(n: int) -> str:
    return f"http://nync.example/art/jd{n}.html"


def add_doc(db, n, title, published, doc_number=None, links=()):
    save_document(
        db,
        DocumentRecord(
            url=doc_url(n),
            site=SITE,
            kind="normative",
            title=title,
            doc_number=doc_number,
            published_date=published,
            links=[PageLink(url=u, text="政策解读", role="interpretation") for u in links],
        ),
    )


def add_jd(db, n, title, published, body="", links=()):
    save_interpretation(
        db,
        InterpretationRecord(
            url=jd_url(n),
            site=SITE,
            title=title,
            published_date=published,
            body_text=body,
            links=[
                PageLink(url=u, text="原文链接", role="document", label="原文链接") for u in links
            ],
        ),
    )


@pytest.fixture
def db():
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_site(db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []})
    return db


def links_of(db) -> dict[tuple[int, int], tuple[str, float]]:
    return {
        (r["document_id"], r["interpretation_id"]): (r["method"], r["confidence"])
        for r in db.query("SELECT * FROM document_interpretations")
    }


def pair(d: int, j: int) -> tuple[int, int]:
    return (stable_id(doc_url(d)), stable_id(jd_url(j)))


def test_document_keys_include_the_inner_title_and_drop_the_issuer():
    keys = document_keys(f"江西省农业农村厅关于印发《{SEED}》的通知")
    assert SEED in keys
    assert f"关于印发{SEED}的通知" in keys
    assert f"江西省农业农村厅关于印发{SEED}的通知" in keys
    assert document_keys("通知") == set()
    numbered = document_keys("江西省人民政府关于支持最低生活保障的若干措施（赣府字〔2023〕5号）")
    assert "关于支持最低生活保障的若干措施" in numbered
    assert "江西省农作物种子管理办法（试行）" in document_keys("江西省农作物种子管理办法（试行）")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        (f"《{SEED}》政策解读", SEED),
        (f"一图读懂《{SEED}》", SEED),
        (f"图解：{SEED}", SEED),
        (f"{SEED}解读", SEED),
        (f"省农业农村厅负责同志就《{SEED}》答记者问", SEED),
        (f"《江西省农业农村厅关于印发〈{SEED}〉的通知》解读", SEED),
    ],
)
def test_reads_the_name_out_of_an_interpretation_title(title, name):
    assert name in interpretation_title_names(title)


def test_explicit_links_either_way(db):
    add_jd(db, 1, "图解", "2023-05-12")
    add_doc(db, 1, "某某通知", "2023-05-11", links=[jd_url(1)])
    add_doc(db, 2, "另一通知", "2023-05-11")
    add_jd(db, 2, "文字解读", "2023-05-12", links=[doc_url(2)])
    stats = link_interpretations(db)
    assert links_of(db) == {
        pair(1, 1): ("link_from_document", 1.0),
        pair(2, 2): ("link_from_interpretation", 1.0),
    }
    assert stats["links"] == 2 and stats["unresolved_page_links"] == 0


def test_a_link_to_a_page_not_in_the_library_is_counted_not_stored(db):
    add_doc(db, 1, "某某通知", "2023-05-11", links=["http://nync.example/art/missing.html"])
    assert link_interpretations(db)["unresolved_page_links"] == 1
    assert links_of(db) == {}


def test_title_quote_after_removing_issuer_and_wrapper(db):
    add_doc(db, 1, f"江西省农业农村厅关于印发《{SEED}》的通知", "2023-05-11", "赣农规〔2023〕2号")
    add_jd(db, 1, f"《{SEED}》政策解读", "2023-05-12")
    add_jd(db, 2, f"{SEED}解读", "2023-05-12")
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): ("title_quote", 0.9), pair(1, 2): ("title_quote", 0.9)}


def test_opening_quote_and_doc_number(db):
    add_doc(db, 1, f"江西省农业农村厅关于印发《{SEED}》的通知", "2023-05-11", "赣农规〔2023〕2号")
    add_doc(
        db, 2, "江西省农业农村厅关于做好化肥减量增效工作的通知", "2023-03-01", "赣农字〔2023〕9号"
    )
    add_jd(db, 1, "新闻发布会实录", "2023-05-12", body=f"近日，省农业农村厅印发了《{SEED}》。")
    add_jd(db, 2, "一图看懂", "2023-05-12", body="关于赣农字[2023]9号文件，有以下要点。")
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): ("opening_quote", 0.8), pair(2, 2): ("doc_number", 0.85)}


def test_a_quote_cited_as_basis_is_not_the_subject(db):
    add_doc(db, 1, "江西省农业农村厅关于做好化肥减量增效工作的通知", "2023-03-01")
    add_jd(
        db,
        1,
        "新闻发布会实录",
        "2023-05-12",
        body="根据《江西省农业农村厅关于做好化肥减量增效工作的通知》，省厅制定了新的方案。",
    )
    link_interpretations(db)
    assert links_of(db) == {}


def test_the_version_the_dates_say(db):
    # Two versions with the same title: the 2018 one is what a 2018 interpretation explains.
    add_doc(db, 1, SEED, "2018-03-01", "赣农规〔2018〕1号")
    add_doc(db, 2, SEED, "2023-05-11", "赣农规〔2023〕2号")
    add_jd(db, 1, f"《{SEED}》解读", "2018-03-02")
    add_jd(db, 2, f"《{SEED}》解读", "2023-05-12")
    link_interpretations(db)
    assert set(links_of(db)) == {pair(1, 1), pair(2, 2)}


def test_never_links_to_a_document_published_later(db):
    add_doc(db, 1, SEED, "2023-05-11")
    add_jd(db, 1, f"《{SEED}》解读", "2020-01-01")
    link_interpretations(db)
    assert links_of(db) == {}


def test_an_explicit_link_beats_a_same_titled_other_version(db):
    add_doc(db, 1, SEED, "2018-03-01")
    add_doc(db, 2, SEED, "2023-05-11")
    # The page links the old version although the dates would pick the new one.
    add_jd(db, 1, f"《{SEED}》解读", "2023-06-01", links=[doc_url(1)])
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): ("link_from_interpretation", 1.0)}


def test_a_national_document_with_a_similar_title_is_not_matched(db):
    add_doc(db, 1, SEED, "2023-05-11")
    add_jd(db, 1, "《农作物种子生产经营许可管理办法》解读", "2023-06-01")
    link_interpretations(db)
    assert links_of(db) == {}


def test_short_titles_are_ignored(db):
    add_doc(db, 1, "通知", "2023-05-11")
    add_jd(db, 1, "《通知》解读", "2023-06-01")
    link_interpretations(db)
    assert links_of(db) == {}


def test_counts_and_idempotence(db):
    add_doc(db, 1, SEED, "2023-05-11", links=[jd_url(1)])
    add_jd(db, 1, f"《{SEED}》解读", "2023-05-12")
    add_jd(db, 2, f"一图读懂《{SEED}》", "2023-05-12")
    add_jd(db, 3, "无关的解读", "2023-05-12")
    first = link_interpretations(db)
    rows = links_of(db)
    assert link_interpretations(db) == first
    assert links_of(db) == rows
    assert first["documents_with_interpretation"] == 1
    assert first["interpretations_unlinked"] == 1
    assert first["by_method"] == {"link_from_document": 1, "title_quote": 1}
    assert db.execute("SELECT interpretation_count FROM documents").fetchone()[0] == 2
    counts = dict(db.execute("SELECT url, document_count FROM interpretations").fetchall())
    assert counts == {jd_url(1): 1, jd_url(2): 1, jd_url(3): 0}
