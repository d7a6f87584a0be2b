"""Dates a page states in its metadata (实施日期, 生效日期; 有效期至, 信息时效期, 废止日期) and the
公布 date a re-posted order states: read by the parsers, stored, and weighed by the build after
the document's own clauses (``corpus.validity.terms``), with the evidence saying where each date
came from (页面标注 or 正文).
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
import sqlite_utils
from scrapy.http import HtmlResponse

from corpus.build import build, fingerprint
from corpus.store.save import _digest, content_hash, save_document, save_site
from corpus.store.schema import MIGRATIONS, ensure_db_shape, open_db
from corpus.validity.rules import decide
from corpus.validity.step import apply_validity
from corpus.validity.terms import PAGE, PageDates, extract_term, promulgation_date
from crawler.parsers import trs

W, P = "2023-05-10", "2023-05-12"  # 成文日期, 发布日期
BEIJING = PageDates("实施日期", "2024-09-10", "废止日期", "2027-09-10")
CHANGSHA = PageDates("生效日期", "2022-08-01", "信息时效期", "2027-07-31")

# ---------------------------------------------------------------- precedence


@pytest.mark.parametrize(
    ("body", "page", "effective", "expires", "sources"),
    [
        # the body says nothing: the page's fields, as the page means them (废止日期: the first
        # day no longer in force; 信息时效期: the last day in force)
        ("一、加强管理。", BEIJING, "2024-09-10", "2027-09-09", (PAGE, PAGE)),
        ("一、加强管理。", CHANGSHA, "2022-08-01", "2027-07-31", (PAGE, PAGE)),
        # the body's own clauses win over the page's fields
        ("本办法自2024年9月10日起施行，有效期3年。", BEIJING, "2024-09-10", "2027-09-09",
         ("正文", "正文")),
        ("本办法自2023年1月1日起施行，有效期至2024年12月31日。", CHANGSHA, "2023-01-01",
         "2024-12-31", ("正文", "正文")),
        # each date on its own: the body's start, the page's end
        ("本通知自2018年6月26日起施行。", PageDates("", "", "信息时效期", "2023-06-26"),
         "2018-06-26", "2023-06-26", ("正文", PAGE)),
        # the page's start dates a span the body states
        ("本办法有效期5年。", PageDates("实施日期", "2023-06-01"), "2023-06-01", "2028-05-31",
         (PAGE, "正文")),
        # a clause that cannot be dated gives way to the page's date
        ("本通知自印发之日起施行。", PageDates("生效日期", "2022年8月18日"), "2022-08-18", None,
         (PAGE, "")),
        # a page value that is no date is no evidence
        ("一、加强管理。", PageDates("实施日期", "长期", "废止日期", "----"), None, None, ("", "")),
    ],
)  # fmt: skip
def test_the_page_fills_what_the_document_leaves_undated(body, page, effective, expires, sources):
    term = extract_term(body, "", None, None, page)
    assert (term.effective_date, term.expires_on) == (effective, expires)
    assert (term.effective_source, term.term_source) == sources
    assert not term.effective_problem and not term.expiry_problem


def test_the_quotes_name_the_page_field():
    term = extract_term("", "", None, None, BEIJING)
    assert term.effective_date_raw == "实施日期：2024-09-10"
    assert term.term_raw == "废止日期：2027-09-10"


def test_a_page_end_decides_the_status_as_term_evidence():
    term = extract_term("一、加强管理。", "", "2022-07-22", "2022-07-22", CHANGSHA)
    decided = decide("normative", None, term, date(2028, 1, 1))
    assert decided.status == "已失效"
    winner = next(e for e in decided.evidence if e.wins)
    assert (winner.kind, winner.source, winner.date) == ("term", PAGE, "2027-07-31")
    assert decide("normative", None, term, date(2026, 11, 27)).status == "现行有效"


# ---------------------------------------------------------------- the day a document was issued

ORDER = (
    "江西省人民政府令\n第232号\n"
    "《江西省人民政府关于废止〈江西省某办法〉的决定》已经2018年4月28日省人民政府第4次常务会议"
    "审议通过，现予公布，自公布之日起施行。\n省长\n2018年5月9日\n（此件主动公开）\n"
    "江西省人民政府关于废止《江西省某办法》的决定\n省政府决定废止《江西省某办法》"
    "（2007年9月13日江西省人民政府令第161号公布）。\n本决定自公布之日起施行。"
)
AMENDMENT = (
    "江西省人民政府令\n第223号\n省人民政府第66次常务会议决定对《江西省某办法》作如下修改：\n"
    "一、删除第十二条。\n本决定自公布之日起施行。\n"
    "《江西省某办法》根据本决定作相应修改，重新公布。\n江西省某办法\n"
    "(2011年8月26日省人民政府令第190号公布 2016年9月21日省人民政府令第223号修正)\n"
    "第三十二条 本办法自２０１１年１１月１日起施行。"
)


def test_a_reposted_order_takes_effect_on_the_day_it_states_it_was_promulgated():
    # the page re-posted it in 2020: its 成文日期 and 发布日期 are the posting day
    assert promulgation_date(ORDER) == ("2018-05-09", "2018年5月9日")
    term = extract_term(ORDER, "江西省人民政府关于废止《江西省某办法》的决定", "2020-03-11",
                        "2020-03-11")  # fmt: skip
    assert term.effective_date == "2018-05-09"
    assert term.effective_date_raw == "自公布之日起施行（公布日期据“2018年5月9日”）"
    assert term.effective_source == "正文"


def test_an_amendment_dates_its_own_number_in_the_history_note():
    day, quote = promulgation_date(AMENDMENT)
    assert day == "2016-09-21" and "第223号修正" in quote
    term = extract_term(AMENDMENT, "江西省人民政府关于修改《江西省某办法》的决定", "2020-03-13",
                        "2020-03-10")  # fmt: skip
    assert term.effective_date == "2016-09-21"


def test_another_orders_history_note_is_not_this_ones_date():
    body = AMENDMENT.replace("第223号修正", "第200号修正").replace("第223号\n", "第224号\n")
    assert promulgation_date(body) is None
    assert extract_term(body, "某决定", "2020-03-13", "2020-03-10").effective_date == "2020-03-13"


def test_a_notice_issued_on_its_written_date_not_on_the_day_the_site_posted_it():
    term = extract_term("本通知自发布之日起实施。", "", "2022-06-10", "2022-06-15")
    assert term.effective_date == "2022-06-10"


def test_a_period_from_the_documents_issue_to_a_last_day():
    body = "（一）自本文件发布之日起至2023年2月20日24:00止，在规划区内购买新建商品住房。"
    term = extract_term(body, "", "2022-11-26", "2022-11-29")
    assert (term.effective_date, term.expires_on) == ("2022-11-26", "2023-02-20")
    # another document's issue starts nothing of ours
    other = "自《某某实施细则》发布之日起至2023年2月20日止，按原规定执行。"
    assert extract_term(other, "", W, P).effective_date is None


# ---------------------------------------------------------------- parsers

PAGE_HTML = """<html><head><meta name="ArticleTitle" content="{title}"></head><body>
<ol class="doc-info">
<li>[发文机构] <span>北京市人民政府办公厅</span></li>
<li>[实施日期] <span>{effective}</span></li>
<li>[成文日期] <span>2024-09-09</span></li>
<li>[废止日期] <span>{repealed}</span></li>
<li>[发布日期] <span>2024-09-09</span></li>
</ol>
<div class="view TRS_UEDITOR"><p>各区人民政府：</p><p>现将有关事项通知如下。</p></div>
</body></html>"""

CHANGSHA_HTML = """<html><head><meta name="ArticleTitle" content="关于某事项的通知"></head><body>
<div class="wjxx"><ul>
<li><span>索 引 号：000014349/2022-01348</span></li>
<li><span>公布日期：2022-07-22</span></li>
<li><span>生 效 日 期：2022-08-01</span></li>
<li><span>信息时效期：2027-07-31</span></li>
<li><span>文&emsp;&emsp;号：长金管委〔2022〕3号</span></li>
</ul></div>
<div class="TRS_Editor"><p>各有关单位：</p><p>现将有关事项通知如下。</p></div>
</body></html>"""


def _parse(html: str, url: str = "https://example.gov.cn/zc/202409/t20240909_1.html"):
    response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8")
    return trs.parse_document(response, site="t", kind="normative")


def test_the_parser_reads_the_dates_a_page_states_with_their_labels():
    record = _parse(PAGE_HTML.format(title="关于某事项的通知", effective="2024-09-10",
                                     repealed="2027-09-10"))  # fmt: skip
    assert (record.page_effective_label, record.page_effective_raw) == ("实施日期", "2024-09-10")
    assert (record.page_expiry_label, record.page_expiry_raw) == ("废止日期", "2027-09-10")
    # placeholders and empty fields state nothing
    empty = _parse(PAGE_HTML.format(title="关于某事项的通知", effective="", repealed="----"))
    assert (empty.page_effective_raw, empty.page_expiry_label, empty.page_expiry_raw) == ("",) * 3


def test_a_date_shown_as_the_pages_validity_is_its_stated_end():
    record = _parse(CHANGSHA_HTML)
    assert (record.page_effective_label, record.page_effective_raw) == ("生效日期", "2022-08-01")
    assert (record.page_expiry_label, record.page_expiry_raw) == ("信息时效期", "2027-07-31")
    assert record.validity_raw == "2027-07-31"  # the page's field as shown, kept as it was


# ---------------------------------------------------------------- store and build


def _library(path) -> sqlite_utils.Database:
    db = open_db(str(path))
    save_site(db, {"name": "t", "title": "测试", "family": "trs", "columns": []})
    return db


def test_stored_and_weighed_by_the_build_with_their_source(tmp_path):
    db = _library(tmp_path / "lib.db")
    record = _parse(CHANGSHA_HTML)
    assert save_document(db, record) == "new"
    row = db.execute(
        "SELECT page_effective_label, page_effective_raw, page_expiry_label, page_expiry_raw"
        " FROM documents"
    ).fetchone()
    assert row == ("生效日期", "2022-08-01", "信息时效期", "2027-07-31")
    apply_validity(db, date(2028, 1, 1), "test")
    doc = db.execute("SELECT effective_date, expires_on, status FROM documents").fetchone()
    assert doc == ("2022-08-01", "2027-07-31", "已失效")
    evidence = db.execute(
        "SELECT kind, source, date, quote FROM validity_evidence WHERE kind != 'page_field'"
        " ORDER BY kind"
    ).fetchall()
    assert evidence == [
        ("effective_date", PAGE, "2022-08-01", "生效日期：2022-08-01"),
        ("term", PAGE, "2027-07-31", "信息时效期：2027-07-31"),
    ]


def test_a_page_without_such_fields_keeps_its_content_hash():
    """Fields added later count in the hash only when set: a recrawl of an unchanged page that
    shows none of them finds it unchanged (no new version of every stored page)."""
    record = _parse(PAGE_HTML.format(title="关于某事项的通知", effective="", repealed=""))
    with_fields = _parse(PAGE_HTML.format(title="关于某事项的通知", effective="2024-09-10",
                                          repealed=""))  # fmt: skip
    assert content_hash(record) != content_hash(with_fields)
    data = record.to_dict()
    for name in ("page_effective_label", "page_effective_raw", "page_expiry_label",
                 "page_expiry_raw"):  # fmt: skip
        assert data.pop(name) == ""
    data.pop("fetched_at")  # the hash as a record without the fields had it
    assert content_hash(record) == _digest(data)


def test_an_old_library_migrates_keeping_its_rows(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, sql in enumerate(MIGRATIONS[:-1], start=1):
        conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO sites (name, title, family) VALUES ('t', '测试', 'trs')")
    conn.execute(
        "INSERT INTO documents (id, url, site, kind, title, validity_raw)"
        " VALUES (1, 'https://a/1.html', 't', 'normative', '旧文件', '有效')"
    )
    conn.commit()
    conn.close()
    db = sqlite_utils.Database(path)
    ensure_db_shape(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    row = db.execute(
        "SELECT title, validity_raw, page_effective_raw, page_expiry_label FROM documents"
    ).fetchone()
    assert row == ("旧文件", "有效", "", "")
    apply_validity(db, date(2026, 11, 27), "test")  # the build reads the migrated library
    assert db.execute("SELECT status FROM documents").fetchone()[0] == "现行有效"


def test_a_rebuild_reads_a_document_again_when_only_its_pages_dates_changed(tmp_path):
    """The build cache keeps what each document read under a digest of what it read: the dates
    its page states are part of it, so a recrawl that changes only them is read again."""
    path = tmp_path / "lib.db"
    db = _library(path)
    save_document(db, _parse(CHANGSHA_HTML))
    build(path, date(2028, 1, 1))
    assert db.execute("SELECT expires_on, status FROM documents").fetchone() == (
        "2027-07-31",
        "已失效",
    )
    save_document(db, _parse(CHANGSHA_HTML.replace("2027-07-31", "2029-07-31")))
    build(path, date(2028, 1, 1))
    assert db.execute("SELECT expires_on, status FROM documents").fetchone() == (
        "2029-07-31",
        "现行有效",
    )
    fresh = tmp_path / "fresh.db"
    db2 = _library(fresh)
    save_document(db2, _parse(CHANGSHA_HTML.replace("2027-07-31", "2029-07-31")))
    build(fresh, date(2028, 1, 1))
    # the rebuild's evidence is a build from scratch's
    assert fingerprint(db)["validity_evidence"] == fingerprint(db2)["validity_evidence"]
