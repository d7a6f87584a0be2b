"""Partial stops and extensions of other documents, through a real build at two as-of dates.

A small library: a notice stopping one article of a document (…第五条停止执行) and a policy in
another (停止执行《…》中的…政策), a notice extending terms (one before its end, one after it had
run out, one to a day before the later date), a notice in effect from 2027 that repeals one
article (废止《…》第八条) and extends another term, a repeal that comes after a partial stop, and
two documents of one title named by title only. Statuses, the stored last day and its words,
the evidence rows, the relations (none for these acts) and the canned queries are checked.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from corpus.build import build
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db
from corpus.validity.queries import EXPIRING_SQL, STALE_SQL

SITE = "jx-nync"
EARLY, LATE = "2026-11-27", "2028-12-31"


def url(name: str) -> str:
    return f"http://nync.example/art/{name}.html"


DOCS = {
    # the targets
    "seed": dict(title="江西省农业农村厅关于印发《江西省良种补贴管理办法》的通知",
                 number="赣农规〔2024〕3号", written="2024-03-01", validity="有效",
                 body="本办法自2024年4月1日起施行，有效期5年。"),
    "fund": dict(title="江西省农业农村厅关于印发《江西省农机购置补贴实施细则》的通知",
                 number="赣农规〔2023〕5号", written="2023-06-01", validity="",
                 body="本细则自2023年7月1日起施行，有效期至2028年6月30日。"),
    "water": dict(title="江西省农业农村厅关于加强农田水利设施管护的通知",
                  number="赣农字〔2021〕9号", written="2021-10-20", validity="",
                  body="本通知自2021年11月1日起施行，有效期至2026年11月3日。"),
    "late": dict(title="江西省农业农村厅关于做好农业保险工作的通知",
                 number="赣农字〔2019〕4号", written="2019-05-01", validity="有效",
                 body="本通知自2019年6月1日起施行，有效期至2024年5月31日。"),
    "short": dict(title="江西省农业农村厅关于支持家庭农场发展的意见",
                  number="赣农字〔2022〕7号", written="2022-01-10", validity="",
                  body="本意见自2022年2月1日起施行，有效期至2027年1月31日。"),
    "later": dict(title="江西省农业农村厅关于印发《江西省农产品冷链物流补助办法》的通知",
                  number="赣农规〔2022〕2号", written="2022-02-15", validity="",
                  body="本办法自2022年3月1日起施行，有效期至2027年2月28日。"),
    "brand": dict(title="江西省农业农村厅关于印发《江西省农业品牌培育办法》的通知",
                  number="赣农规〔2024〕8号", written="2024-08-01", validity="现行有效",
                  body="本办法自2024年9月1日起施行，有效期5年。"),
    "twin_a": dict(title="江西省农业农村厅关于规范农村土地流转的通知", number="",
                   written="2020-04-01", validity="", body="本通知自2020年5月1日起施行，有效期10年。"),
    "twin_b": dict(title="江西省农业农村厅关于规范农村土地流转的通知", number="",
                   written="2021-04-01", validity="", body="本通知自2021年5月1日起施行，有效期10年。"),
    # the notices
    "stop": dict(title="江西省农业农村厅关于停止执行部分行政规范性文件有关条款的通知",
                 number="赣农规〔2026〕11号", written="2026-10-26", validity="",
                 body="经研究，决定：\n"
                      "一、《江西省良种补贴管理办法》（赣农规〔2024〕3号）第五条停止执行。\n"
                      "二、停止执行《江西省农机购置补贴实施细则》（赣农规〔2023〕5号）中的叠加补贴政策。\n"
                      "三、《关于规范农村土地流转的通知》第七条停止执行。\n"
                      "四、《江西省设施农业用地管理办法》（赣农规〔2018〕6号）第三条停止执行。\n"
                      "本通知自印发之日起施行。"),
    "extend": dict(title="江西省农业农村厅关于延长部分行政规范性文件有效期的通知",
                   number="赣农规〔2026〕12号", written="2026-10-27", validity="",
                   body="经评估，决定延长下列行政规范性文件的有效期：\n"
                        "一、将《关于加强农田水利设施管护的通知》（赣农字〔2021〕9号）的有效期延长至2029年12月31日。\n"
                        "二、《关于做好农业保险工作的通知》（赣农字〔2019〕4号）有效期延长至2028年12月31日。\n"
                        "三、将《江西省农机购置补贴实施细则》（赣农规〔2023〕5号）的有效期延长至2028年11月30日。\n"
                        "本通知自印发之日起施行。"),
    "adjust": dict(title="江西省农业农村厅关于调整部分行政规范性文件有关政策的通知",
                   number="赣农规〔2026〕13号", written="2026-10-28", validity="",
                   body="一、废止《江西省农业品牌培育办法》（赣农规〔2024〕8号）第八条。\n"
                        "二、《江西省农产品冷链物流补助办法》（赣农规〔2022〕2号）有效期延长至2029年6月30日。\n"
                        "三、《关于支持家庭农场发展的意见》（赣农字〔2022〕7号）有效期延长至2029年6月30日。\n"
                        "本通知自2027年1月1日起施行。"),
    "repeal": dict(title="江西省农业农村厅关于印发《江西省良种补贴管理办法》的通知",
                   number="赣农规〔2028〕1号", written="2028-03-01", validity="",
                   body="本办法自2028年4月1日起施行，有效期5年。"
                        "《江西省良种补贴管理办法》（赣农规〔2024〕3号）同时废止。"),
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, sqlite3.Connection]:
    """The library built as of each date."""
    out = {}
    for as_of in (EARLY, LATE):
        path = tmp_path_factory.mktemp(f"parts-{as_of}") / "library.db"
        db = open_db(str(path))
        save_site(
            db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []}
        )
        for name, d in DOCS.items():
            save_document(
                db,
                DocumentRecord(
                    url=url(name), site=SITE, kind="normative", title=d["title"],
                    doc_number_raw=d["number"], doc_number=d["number"] or None,
                    written_date=d["written"], published_date=d["written"],
                    validity_raw=d["validity"], body_text=d["body"],
                ),
            )  # fmt: skip
        db.close()
        build(str(path), date.fromisoformat(as_of))
        conn = sqlite3.connect(path)
        conn.row_factory = sqlite3.Row
        out[as_of] = conn
    return out


def _doc(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
    return conn.execute("select * from documents where id = ?", [stable_id(url(name))]).fetchone()


def _acts(conn: sqlite3.Connection, name: str) -> list[tuple]:
    """(status, wins, date, the source's name, note) of each act of another document on it."""
    names = {stable_id(url(n)): n for n in DOCS}
    return [
        (r["status"], r["wins"], r["date"], names.get(r["source_document_id"]), r["note"])
        for r in conn.execute(
            "select * from validity_evidence where document_id = ? and kind = 'clause'"
            " order by rowid",
            [stable_id(url(name))],
        )
    ]


EXPECTED = {
    # name: (status early, status late, last day early, last day late)
    "seed": ("部分失效", "已废止", "2029-03-31", "2029-03-31"),  # partly stopped, then repealed
    "fund": ("部分失效", "已失效", "2028-11-30", "2028-11-30"),  # extended, then its end passed
    "water": ("现行有效", "现行有效", "2029-12-31", "2029-12-31"),  # extended before its end
    "late": ("已失效", "已失效", "2024-05-31", "2024-05-31"),  # extended after its end
    "short": ("现行有效", "现行有效", "2027-01-31", "2029-06-30"),  # extended from 2027
    "later": ("现行有效", "现行有效", "2027-02-28", "2029-06-30"),
    "brand": ("现行有效", "部分失效", "2029-08-31", "2029-08-31"),  # an article repealed in 2027
    "twin_a": ("未知", "未知", "2030-04-30", "2030-04-30"),  # one of two of that title: 未知
    "twin_b": ("未知", "未知", "2031-04-30", "2031-04-30"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_statuses_and_last_days_at_both_dates(built, name):
    early, late, end_early, end_late = EXPECTED[name]
    for as_of, status, end in ((EARLY, early, end_early), (LATE, late, end_late)):
        row = _doc(built[as_of], name)
        assert (row["status"], row["expires_on"]) == (status, end), (as_of, row["status_basis"])


def test_the_evidence_quotes_the_clause_and_names_the_notice(built):
    conn = built[EARLY]
    assert _acts(conn, "seed") == [
        ("部分失效", 1, "2026-10-26", "stop", "自2026年10月26日起生效"),
        ("已废止", 0, "2028-04-01", "repeal", "自2028年4月1日起生效，截至2026年11月27日尚未生效"),
    ]  # fmt: skip
    row = conn.execute(
        "select quote, source, source_url from validity_evidence where document_id = ?"
        " and kind = 'clause'",
        [stable_id(url("seed"))],
    ).fetchone()
    assert row["quote"] == "一、《江西省良种补贴管理办法》（赣农规〔2024〕3号）第五条停止执行。"
    assert row["source"] == DOCS["stop"]["title"] and row["source_url"] == url("stop")
    seed = _doc(conn, "seed")
    assert seed["status_basis"] == (
        "据部分失效条款《江西省农业农村厅关于停止执行部分行政规范性文件有关条款的通知》"
        "（赣农规〔2026〕11号），自2026年10月26日起部分失效（页面仍标注“有效”）"
        "（《江西省农业农村厅关于印发〈江西省良种补贴管理办法〉的通知》（赣农规〔2028〕1号）"
        "定于2028年4月1日起废止）"
    )
    # the policy stop and the extension of one document: both shown, the stop decides
    assert _acts(conn, "fund") == [
        ("部分失效", 1, "2026-10-26", "stop", "自2026年10月26日起生效"),
        ("现行有效", 0, "2026-10-27", "extend", "自2026年10月27日起生效，有效期延长至2028年11月30日"),
    ]  # fmt: skip


def test_an_extension_sets_the_last_day_and_its_words(built):
    water = _doc(built[EARLY], "water")
    assert water["term_raw"] == (
        "一、将《关于加强农田水利设施管护的通知》（赣农字〔2021〕9号）的有效期延长至2029年12月31日。"
    )
    assert water["status_basis"] == (
        "自2021年11月1日起施行，有效期经《江西省农业农村厅关于延长部分行政规范性文件有效期的通知》"
        "（赣农规〔2026〕12号）延长至2029年12月31日（原至2026年11月3日），截至2026年11月27日在有效期内"
    )  # fmt: skip
    assert [a[:2] for a in _acts(built[EARLY], "water")] == [("现行有效", 1)]
    # made after the term had run out: shown, never applied
    late = _doc(built[EARLY], "late")
    assert late["term_raw"] == "有效期至2024年5月31日"
    assert late["status_basis"] == (
        "有效期至2024年5月31日，已于截至日期（2026年11月27日）前届满（页面仍标注“有效”）"
    )
    ((status, wins, _, source, note),) = _acts(built[EARLY], "late")
    assert (status, wins, source) == ("现行有效", 0, "extend") and "无从延长" in note
    # pending in 2026: named in the basis; in effect in 2028
    assert _doc(built[EARLY], "short")["status_basis"].endswith(
        "定于2027年1月1日起将有效期延长至2029年6月30日）"
    )
    assert "（原至2027年1月31日）" in _doc(built[LATE], "short")["status_basis"]
    fund = _doc(built[LATE], "fund")
    assert fund["status_basis"].startswith("有效期经《江西省农业农村厅关于延长部分行政规范性文件")
    assert "已于截至日期（2028年12月31日）前届满" in fund["status_basis"]


def test_a_later_repeal_beats_the_partial_stop(built):
    seed = _doc(built[LATE], "seed")
    assert seed["status_basis"].startswith("据同时废止条款《江西省农业农村厅关于印发")
    wins = [a for a in _acts(built[LATE], "seed") if a[1]]
    assert [(a[0], a[3]) for a in wins] == [("已废止", "repeal")]


def test_partial_stops_and_extensions_are_evidence_only(built):
    conn = built[EARLY]
    names = {stable_id(url(n)): n for n in DOCS}
    relations = {
        (names[r["from_document_id"]], names.get(r["to_document_id"]), r["relation"])
        for r in conn.execute("select * from relations")
    }
    assert relations == {("repeal", "seed", "replaces")}  # a new version of the same title
    # two documents of the title named without a 文号: an act on each that cannot be applied
    for twin in ("twin_a", "twin_b"):
        ((status, wins, day, source, note),) = _acts(conn, twin)
        assert (status, wins, day, source) == ("未知", 1, None, "stop")
        assert "同名文件2份" in note
        assert _doc(conn, twin)["status_basis"].startswith(
            "《江西省农业农村厅关于停止执行部分行政规范性文件有关条款的通知》（赣农规〔2026〕11号）"
            "部分停止执行本文件，但"
        )
    # naming no stored document: nothing kept (like a 失效 clause)
    assert not conn.execute("select * from relations where to_document_id is null").fetchall()


def test_the_canned_queries_read_the_moved_last_day(built):
    conn = built[EARLY]
    params = {"days": "90", "department": ""}
    expiring = {r["doc_number"] for r in conn.execute(EXPIRING_SQL, params)}
    # 赣农字〔2022〕7号 ends 2027-01-31 (its extension applies only from 2027); 赣农字〔2021〕9号
    # ended 2026-11-03 by its own term but is extended: neither expiring soon nor stale
    assert "赣农字〔2022〕7号" in expiring and "赣农字〔2021〕9号" not in expiring
    stale = {r["doc_number"] for r in conn.execute(STALE_SQL)}
    assert stale == {"赣农字〔2019〕4号"}
