"""Linking interpretations to documents: hyperlinks, quoted titles, 文号, and the decoys."""

import pytest
import sqlite_utils

from corpus.links.linker import document_keys, interpretation_title_names, link_interpretations
from corpus.store.identity import stable_id
from corpus.store.normalize import BASIS_WORDS
from corpus.store.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import ensure_db_shape

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


@pytest.mark.parametrize("word", BASIS_WORDS)
def test_every_basis_word_marks_a_quote_as_cited(db, word):
    # the one list (corpus.store.normalize.BASIS_WORDS), read the same way by the validity reader
    add_doc(db, 1, "江西省农业农村厅关于做好化肥减量增效工作的通知", "2023-03-01")
    body = f"{word}《江西省农业农村厅关于做好化肥减量增效工作的通知》，省厅制定了新的方案。"
    add_jd(db, 1, "新闻发布会实录", "2023-05-12", body=body)
    link_interpretations(db)
    assert links_of(db) == {}


def test_a_quote_in_the_first_sentence_is_the_subject_when_no_basis_word_precedes_it(db):
    add_doc(db, 1, "江西省农业农村厅关于做好化肥减量增效工作的通知", "2023-03-01")
    body = "《江西省农业农村厅关于做好化肥减量增效工作的通知》近日印发，省厅制定了新的方案。"
    add_jd(db, 1, "新闻发布会实录", "2023-05-12", body=body)
    link_interpretations(db)
    assert set(links_of(db)) == {pair(1, 1)}


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


# ---------------------------------------------------------------- the hard cases, one by one

NOTICE = "关于进一步加强高标准农田建设工作的通知"


def add_issued(db, n, title, published, issuer, doc_number=None, written=None):
    save_document(
        db,
        DocumentRecord(
            url=doc_url(n),
            site=SITE,
            kind="normative",
            title=title,
            issuer=issuer,
            doc_number=doc_number,
            written_date=written,
            published_date=published,
        ),
    )


@pytest.fixture
def jx(db):
    """The fixture's site, in Jiangxi (attributions compare canonical department names)."""
    db["sites"].update(SITE, {"province": "江西省"})
    return db


def test_a_namesake_attributed_to_a_ministry_is_not_ours(jx):
    add_issued(jx, 1, f"江西省农业农村厅{NOTICE}", "2023-03-01", "江西省农业农村厅")
    add_jd(
        jx, 1, f"《{NOTICE}》解读", "2023-06-01", body=f"近日，农业农村部办公厅印发了《{NOTICE}》。"
    )
    link_interpretations(jx)
    assert links_of(jx) == {}
    note = jx.execute("SELECT link_note FROM interpretations").fetchone()[0]
    assert "农业农村部办公厅" in note and "发文机关不符" in note


def test_attribution_picks_the_issuer_among_namesakes(jx):
    add_issued(jx, 1, f"江西省人民政府{NOTICE}", "2023-03-01", "江西省人民政府")
    add_issued(jx, 2, f"江西省人民政府办公厅{NOTICE}", "2023-04-01", "江西省人民政府办公厅")
    # The dates alone would take the newer (办公厅); the lead says 省政府.
    add_jd(jx, 1, f"《{NOTICE}》解读", "2023-06-01", body=f"近日，省政府印发了《{NOTICE}》。")
    add_jd(jx, 2, f"《{NOTICE}》解读", "2023-06-01", body=f"近日，省政府办公厅印发了《{NOTICE}》。")
    link_interpretations(jx)
    assert links_of(jx) == {pair(1, 1): ("title_quote", 0.8), pair(2, 2): ("title_quote", 0.8)}


def test_a_bare_quote_without_attribution_is_weaker_and_says_it_chose(jx):
    add_issued(jx, 1, f"江西省人民政府{NOTICE}", "2023-03-01", "江西省人民政府")
    add_issued(jx, 2, f"江西省人民政府办公厅{NOTICE}", "2023-04-01", "江西省人民政府办公厅")
    add_jd(jx, 1, f"《{NOTICE}》解读", "2023-06-01")
    link_interpretations(jx)
    assert links_of(jx) == {pair(2, 1): ("title_quote", 0.75)}
    evidence = jx.execute("SELECT evidence FROM document_interpretations").fetchone()[0]
    assert "同名文件2份" in evidence


def test_the_repealed_older_version_named_in_the_lead_is_not_linked(jx):
    add_issued(jx, 1, SEED, "2016-03-01", "江西省农业农村厅", "赣农规〔2016〕3号")
    add_issued(jx, 2, SEED, "2023-05-11", "江西省农业农村厅", "赣农规〔2023〕2号")
    lead = f"近日，省农业农村厅印发了《{SEED}》（赣农规〔2023〕2号），原《{SEED}》（赣农规〔2016〕3号）同时废止。"
    add_jd(jx, 1, f"《{SEED}》解读", "2023-05-12", body=lead)
    add_jd(
        jx, 2, "新闻发布会实录", "2023-05-12", body="原赣农规〔2016〕3号文件同时废止，新办法更严。"
    )
    link_interpretations(jx)
    assert set(links_of(jx)) == {pair(2, 1)}


def test_only_the_first_sentence_of_the_body_names_the_subject(jx):
    add_issued(jx, 1, SEED, "2023-05-11", "江西省农业农村厅")
    add_issued(jx, 2, f"江西省农业农村厅{NOTICE}", "2023-01-11", "江西省农业农村厅")
    body = f"近日，省农业农村厅印发了《{SEED}》。该办法与《江西省农业农村厅{NOTICE}》相互衔接。"
    add_jd(jx, 1, "政策问答", "2023-05-12", body=body)
    add_jd(jx, 2, "政策问答", "2023-05-12", body=f"近日，省农业农村厅依据《{SEED}》，印发了新规。")
    link_interpretations(jx)
    assert links_of(jx) == {pair(1, 1): ("opening_quote", 0.8)}


def test_an_interpretation_may_come_before_the_documents_page(jx):
    # Signed 2023-05-02, interpreted 2023-05-04, put on its site only 2023-05-10.
    add_issued(jx, 1, SEED, "2023-05-10", "江西省农业农村厅", written="2023-05-02")
    add_jd(jx, 1, f"《{SEED}》解读", "2023-05-04")
    link_interpretations(jx)
    row = jx.execute("SELECT days_after, synchronous FROM document_interpretations").fetchone()
    assert row == (-6, 1)


def test_two_documents_in_one_interpretation(jx):
    other = "江西省农作物品种审定实施细则"
    add_issued(jx, 1, SEED, "2023-05-11", "江西省农业农村厅")
    add_issued(jx, 2, other, "2023-05-09", "江西省农业农村厅")
    add_jd(
        jx, 1, "政策问答", "2023-05-12", body=f"近日，省农业农村厅印发了《{SEED}》和《{other}》。"
    )
    add_jd(jx, 2, f"《{SEED}》和《{other}》政策解读", "2023-05-12")
    link_interpretations(jx)
    assert set(links_of(jx)) == {pair(1, 1), pair(2, 1), pair(1, 2), pair(2, 2)}


@pytest.mark.parametrize(
    ("label", "method"),
    [
        ("相关解读", "link_from_document"),
        ("列表", "link_from_list"),
        ("relation", "relation_field"),
    ],
)
def test_explicit_links_record_where_they_were_found(db, label, method):
    save_document(
        db,
        DocumentRecord(
            url=doc_url(1),
            site=SITE,
            kind="normative",
            title="某某通知",
            links=[PageLink(url=jd_url(1), text="解读", role="interpretation", label=label)],
        ),
    )
    add_jd(db, 1, "图解", "2023-05-12")
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): (method, 1.0)}


def test_unlinked_interpretations_say_why(jx):
    add_issued(jx, 1, SEED, "2023-05-11", "江西省农业农村厅", "赣农规〔2023〕2号")
    add_jd(jx, 1, "《农业行政处罚程序规定》解读", "2023-06-01")
    add_jd(jx, 2, f"《{SEED}》解读", "2020-01-01")
    add_jd(jx, 3, "赣农规〔2019〕9号文件政策解读", "2023-06-01")
    add_jd(jx, 4, "春耕备耕怎么干", "2023-06-01")
    link_interpretations(jx)
    notes = [r[0] for r in jx.execute("SELECT link_note FROM interpretations ORDER BY url")]
    assert "《农业行政处罚程序规定》，库中无此文件" in notes[0]
    assert "晚于解读" in notes[1]
    assert "赣农规〔2019〕9号，库中无此文号" in notes[2]
    assert notes[3] == "未引用库中文件的标题或文号，也无原文链接"


def test_a_namesake_issued_later_is_not_taken_whoever_the_lead_names(jx):
    # The lead names one issuer for two documents; its namesake of the second came a year later.
    measure = "江西省数字政府建设管理办法（试行）"
    add_issued(jx, 1, "江西省电力设施保护规定", "2015-09-09", "江西省人民政府")
    add_issued(
        jx,
        2,
        f"江西省人民政府办公厅关于印发《{measure}》的通知",
        "2015-09-26",
        "江西省人民政府办公厅",
    )
    add_issued(jx, 3, f"江西省人民政府关于印发《{measure}》的通知", "2016-04-23", "江西省人民政府")
    lead = f"近日，江西省人民政府印发了《江西省电力设施保护规定》和《{measure}》。"
    add_jd(jx, 1, "政策问答", "2015-09-28", body=lead)
    link_interpretations(jx)
    assert links_of(jx) == {pair(1, 1): ("opening_quote", 0.8), pair(2, 1): ("opening_quote", 0.7)}


def test_a_link_from_both_pages_is_one_row_with_both_pieces_of_evidence(db):
    add_jd(db, 1, "图解", "2023-05-12", links=[doc_url(1)])
    add_doc(db, 1, "某某通知", "2023-05-11", links=[jd_url(1)])
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): ("link_from_document", 1.0)}
    evidence = db.execute("SELECT evidence FROM document_interpretations").fetchone()[0]
    assert "文件页" in evidence and "解读页" in evidence


def test_a_doc_number_inside_a_quoted_basis_is_not_the_subject(jx):
    basis = "江西省农业农村厅关于加强种子管理的若干措施（赣农字〔2016〕10号）"
    add_issued(jx, 1, SEED, "2023-05-11", "江西省农业农村厅")
    add_issued(jx, 2, basis, "2016-03-01", "江西省农业农村厅", "赣农字〔2016〕10号")
    lead = f"近日，省农业农村厅依据《{basis}》，印发了《{SEED}》。"
    add_jd(jx, 1, "解读：我省出台种子管理新举措", "2023-05-12", body=lead)
    link_interpretations(jx)
    assert links_of(jx) == {pair(1, 1): ("opening_quote", 0.8)}


def test_a_relation_field_on_an_interpretation_is_a_relation_link(db):
    add_doc(db, 1, "某某通知", "2023-05-11")
    save_interpretation(
        db,
        InterpretationRecord(
            url=jd_url(1),
            site=SITE,
            title="图解",
            published_date="2023-05-12",
            links=[PageLink(url=doc_url(1), text="", role="document", label="relation")],
        ),
    )
    link_interpretations(db)
    assert links_of(db) == {pair(1, 1): ("relation_field", 1.0)}
