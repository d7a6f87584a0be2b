"""A whole list checked at once (corpus/check, `normdocs check`, the /check page).

A small library written here and built as of 2026-11-27: a notice printing a measure, two
versions of one measure (the newer repeals the older), a rule named by its 令号, a notice
published on two sites, two documents that share one 文号, a decision repealing a document
from 2027, and a document a dated repeal and an undatable 失效 decision both name. The matcher
is read through each kind of match; statuses as of other dates are compared with builds made
at those dates; the files read and written, the command and the page (a real Datasette,
in-process) are checked on the same library.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils
from click.testing import CliRunner

from corpus.build import build
from corpus.check.asof import statuses
from corpus.check.files import (
    BOM,
    MAX_ROWS,
    BadFile,
    is_header,
    read_inputs,
    to_csv,
    to_json,
    to_table,
    to_xlsx,
)
from corpus.check.match import COLUMNS, Library, check, parse, title_key
from corpus.cli import cli
from corpus.site.serve import checkpoint, make_datasette
from corpus.store.identity import stable_id
from corpus.store.normalize import normalize_title
from corpus.store.records import Attachment, DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db
from corpus.validity.step import apply_validity

AS_OF = date(2026, 11, 27)
PORTAL = "http://portal.example/art/"
LYJ = "http://lyj.example/art/"
STHJT = "http://sthjt.example/art/"

# name -> record fields (site, kind normative unless given)
DOCS: dict[str, dict] = {
    "road": dict(
        url=PORTAL + "road.html",
        title="江西省人民政府办公厅关于印发《江西省农村公路养护管理办法》的通知",
        doc_number="赣府厅字〔2022〕45号",
        issuer="江西省人民政府办公厅",
        written_date="2022-06-10",
        published_date="2022-06-15",
        validity_raw="有效",
        body_text="现将《江西省农村公路养护管理办法》印发给你们，请认真贯彻执行。\n"
        "本办法自2022年7月1日起施行，有效期5年。",
    ),
    "wetland_2021": dict(
        url=LYJ + "wetland-2021.html",
        site="jx-lyj",
        title="江西省林业局关于印发《江西省湿地保护修复管理办法》的通知",
        doc_number="赣林规〔2021〕3号",
        issuer="江西省林业局",
        written_date="2021-03-01",
        published_date="2021-03-05",
        body_text="本办法自2021年4月1日起施行，有效期5年。",
    ),
    "wetland_2024": dict(
        url=LYJ + "wetland-2024.html",
        site="jx-lyj",
        title="江西省林业局关于印发《江西省湿地保护修复管理办法》的通知",
        doc_number="赣林规〔2024〕2号",
        issuer="江西省林业局",
        written_date="2024-05-01",
        published_date="2024-05-06",
        body_text="本办法自2024年6月1日起施行，有效期5年。\n"
        "《江西省湿地保护修复管理办法》（赣林规〔2021〕3号）同时废止。",
    ),
    "openness": dict(
        url=PORTAL + "openness.html",
        kind="rule",
        title="江西省政府信息公开规定",
        doc_number="江西省人民政府令第251号",
        issuer="江西省人民政府",
        written_date="2021-03-01",
        published_date="2021-03-05",
        body_text="第一条 为了保障公民依法获取政府信息，制定本规定。\n本规定自2021年5月1日起施行。",
    ),
    "seeds": dict(
        url=PORTAL + "seeds.html",
        title="江西省农业农村厅关于加强农作物种子管理的通知",
        doc_number="赣农规〔2024〕2号",
        issuer="江西省农业农村厅",
        written_date="2024-06-01",
        published_date="2024-06-03",
        body_text="本通知自2024年7月1日起施行，有效期5年。",
    ),
    # one document on two sites
    "permits": dict(
        url=STHJT + "permits.html",
        site="jx-sthjt",
        title="江西省生态环境厅关于进一步规范排污许可管理的通知",
        doc_number="赣环规〔2023〕3号",
        issuer="江西省生态环境厅",
        written_date="2023-05-20",
        published_date="2023-05-22",
        validity_raw="有效",
        body_text="本通知自2023年6月1日起施行，有效期5年。",
    ),
    "permits_copy": dict(
        url=PORTAL + "permits.html",
        title="江西省生态环境厅关于进一步规范排污许可管理的通知",
        doc_number="赣环规〔2023〕3号",
        issuer="江西省生态环境厅",
        written_date="2023-05-20",
        published_date="2023-05-25",
        body_text="本通知自2023年6月1日起施行，有效期5年。",
    ),
    # two documents, one 文号 (a collision real sites have)
    "renewal": dict(
        url=PORTAL + "renewal.html",
        title="江西省人民政府办公厅关于规范城市更新行动有关事项的通知",
        doc_number="赣府厅字〔2016〕6号",
        issuer="江西省人民政府办公厅",
        written_date="2016-03-01",
        published_date="2016-03-02",
        body_text="本通知自印发之日起施行，有效期5年。",
    ),
    "open_data": dict(
        url=PORTAL + "open-data.html",
        title="江西省人民政府办公厅关于规范公共数据开放有关事项的通知",
        doc_number="赣府厅字〔2016〕6号",
        issuer="江西省人民政府办公厅",
        written_date="2016-04-01",
        published_date="2016-04-02",
        body_text="本通知自2016年5月1日起施行，有效期5年。",
    ),
    # repeals 农村公路养护管理办法 from 2027-01-01
    "decision": dict(
        url=PORTAL + "decision.html",
        title="江西省人民政府关于废止部分省政府行政规范性文件的决定",
        doc_number="赣府发〔2026〕30号",
        issuer="江西省人民政府",
        written_date="2026-10-12",
        published_date="2026-10-12",
        validity_raw="有效",
        body_text="经清理，决定对下列文件予以废止（目录见附件）。本决定自2027年1月1日起施行。",
        attachments=[
            Attachment(
                PORTAL + "decision-list.docx",
                "目录.docx",
                "docx",
                "废止的省政府行政规范性文件目录\n序号 文件名称 文号 成文日期\n"
                "1 江西省人民政府办公厅关于印发《江西省农村公路养护管理办法》的通知"
                " 赣府厅字〔2022〕45号 2022年6月10日",
            )
        ],
    ),
    # repealed from 2026-07-01 by a dated decision; an undatable decision also declares it 失效
    "credit": dict(
        url=STHJT + "credit.html",
        site="jx-sthjt",
        title="江西省生态环境厅关于规范企业环境信用评价有关事项的通知",
        doc_number="赣环规〔2025〕4号",
        issuer="江西省生态环境厅",
        written_date="2025-02-01",
        published_date="2025-02-03",
        body_text="本通知自2025年3月1日起施行，有效期5年。",
    ),
    "repeal_credit": dict(
        url=STHJT + "repeal-credit.html",
        site="jx-sthjt",
        title="江西省生态环境厅关于废止一批行政规范性文件的决定",
        doc_number="赣环规〔2026〕20号",
        issuer="江西省生态环境厅",
        written_date="2026-06-01",
        published_date="2026-06-02",
        body_text="经清理，决定对下列行政规范性文件予以废止：\n"
        "1.《江西省生态环境厅关于规范企业环境信用评价有关事项的通知》（赣环规〔2025〕4号）\n"
        "本决定自2026年7月1日起施行。",
    ),
    "void_credit": dict(
        url=STHJT + "void-credit.html",
        site="jx-sthjt",
        title="江西省生态环境厅关于宣布失效一批行政规范性文件的决定",
        doc_number="赣环规〔2026〕32号",
        issuer="江西省生态环境厅",
        written_date="2026-08-20",
        published_date="2026-08-31",
        body_text="经清理，决定对下列行政规范性文件宣布失效：\n"
        "1.《江西省生态环境厅关于规范企业环境信用评价有关事项的通知》（赣环规〔2025〕4号）\n"
        "本决定自2026年6月31日起施行。",
    ),
}
SITES = {"jx-portal": "江西省人民政府", "jx-lyj": "江西省林业局", "jx-sthjt": "江西省生态环境厅"}


def _id(name: str) -> int:
    return stable_id(DOCS[name]["url"])


def _make_library(path: Path) -> None:
    db = open_db(str(path))
    for name, title in SITES.items():
        save_site(db, {"name": name, "title": title, "family": "hanweb"})
    for fields in DOCS.values():
        record = {"site": "jx-portal", "kind": "normative", **fields}
        save_document(db, DocumentRecord(**record, doc_number_raw=fields["doc_number"]))
    db.conn.close()
    build(str(path), AS_OF)
    checkpoint(path)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("check") / "normdocs.db"
    _make_library(path)
    return path


@pytest.fixture(scope="module")
def conn(library):
    connection = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    yield connection
    connection.close()


def _link(doc_id: int) -> str:
    return f"/normdocs/documents/{doc_id}"


def _one(conn, line: str, as_of: date | None = None) -> dict:
    (row,) = check(conn, [line], as_of, link=_link)
    return row


# ---------------------------------------------------------------- the library as built


def test_the_build_gave_the_statuses_these_tests_expect(conn):
    got = dict(conn.execute("select id, status from documents"))
    assert got[_id("road")] == "现行有效"  # its repeal takes effect in 2027
    assert got[_id("wetland_2021")] == "已废止"
    assert got[_id("wetland_2024")] == "现行有效"
    assert got[_id("openness")] == "现行有效"
    assert got[_id("credit")] == "已废止"
    assert got[_id("decision")] == "尚未生效"


# ---------------------------------------------------------------- reading a line


@pytest.mark.parametrize(
    ("line", "title", "number"),
    [
        ("江西省农村公路养护管理办法", "江西省农村公路养护管理办法", None),
        ("1. 《江西省农村公路养护管理办法》", "《江西省农村公路养护管理办法》", None),
        ("（二）江西省农村公路养护管理办法；", "江西省农村公路养护管理办法", None),
        ("③江西省农村公路养护管理办法", "江西省农村公路养护管理办法", None),
        ("赣府厅字[2022]45号", "", "赣府厅字〔2022〕45号"),
        ("赣府厅字（2022）45号", "", "赣府厅字〔2022〕45号"),
        ("赣府厅字﹝２０２２﹞４５号", "", "赣府厅字〔2022〕45号"),
        ("赣府厅字2022年45号", "", "赣府厅字〔2022〕45号"),
        ("赣府厅字〔2022〕45", "", "赣府厅字〔2022〕45号"),
        ("赣府厅字 〔2022〕 45 号", "", "赣府厅字〔2022〕45号"),
        ("江西省湿地保护修复管理办法（赣林规〔2021〕3号）", "江西省湿地保护修复管理办法", "赣林规〔2021〕3号"),
        ("赣林规〔2021〕3号 江西省湿地保护修复管理办法", "江西省湿地保护修复管理办法", "赣林规〔2021〕3号"),
        ("2\t江西省湿地保护修复管理办法\t赣林规[2021]3号\t2021-03-01", "江西省湿地保护修复管理办法", "赣林规〔2021〕3号"),
        ("江西省湿地保护修复管理办法，赣林规〔2021〕3号，2021-03-01", "江西省湿地保护修复管理办法", "赣林规〔2021〕3号"),
        # a 文号 inside a title is part of it
        ("关于废止赣府发〔2015〕12号文件的决定", "关于废止赣府发〔2015〕12号文件的决定", None),
        ("江西省人民政府令第251号", "", "江西省人民政府令第251号"),
    ],
)  # fmt: skip
def test_a_line_is_read_as_a_title_and_a_number(line, title, number):
    q = parse(line)
    assert (q.title, q.number) == (title, number)


def test_a_notice_title_gives_the_measure_it_prints():
    q = parse("江西省林业局关于印发《江西省湿地保护修复管理办法》的通知")
    assert q.keys["measure_title"] == "江西省湿地保护修复管理办法"
    assert q.keys["title_without_issuer"] == "关于印发江西省湿地保护修复管理办法的通知"
    assert parse("关于印发江西省湿地保护修复管理办法的通知").keys["measure_title"] == (
        "江西省湿地保护修复管理办法"
    )


def test_the_fast_title_key_is_the_stores_normalize_title(conn):
    titles = [t for (t,) in conn.execute("select title from documents")]
    titles += ["《江西省Ｘ办法》（试行）", "关于［2022］　印发", "“引号” ‘单’ 「角」『括』 <x>", "(a)[b]",
               "全角　空格ＡＢＣ１２３", "〈书名〉《〈内〉》", "\u00a0不换行\u2003空格"]  # fmt: skip
    for t in titles:
        assert title_key(t) == normalize_title(t), t


# ---------------------------------------------------------------- each kind of match


@pytest.mark.parametrize(
    ("line", "match", "name", "confidence"),
    [
        ("江西省湿地保护修复管理办法（赣林规〔2021〕3号）", "title+doc_number", "wetland_2021", 1.0),
        ("江西省湿地保护修复管理办法 赣林规[2024]2号", "title+doc_number", "wetland_2024", 1.0),
        ("赣府厅字[2022]45号", "doc_number", "road", 0.95),
        ("赣府厅字２０２２年４５号", "doc_number", "road", 0.95),
        ("省政府令第251号", "doc_number", "openness", 0.95),
        ("江西省政府信息公开规定", "title", "openness", 0.9),
        ("《江西省农业农村厅关于加强农作物种子管理的通知》", "title", "seeds", 0.9),
        ("关于加强农作物种子管理的通知", "title_without_issuer", "seeds", 0.8),
        ("江西省农村公路养护管理办法", "measure_title", "road", 0.85),
        ("1. 《江西省农村公路养护管理办法》", "measure_title", "road", 0.85),
        ("关于印发江西省农村公路养护管理办法的通知", "title_without_issuer", "road", 0.8),
        ("农业农村厅关于加强农作物种子管理的通知", "fuzzy_title", "seeds", None),
        ("江西省农业农村厅关于加强农作物种子管理的通知（试行）", "fuzzy_title", "seeds", None),
        ("江西省农村公路养护管理办法（赣府厅字〔2022〕45号）", "title+doc_number", "road", 1.0),
        # the 文号 names it, the title is only alike / different
        ("江西省农村公路养护办法（赣府厅字〔2022〕45号）", "doc_number", "road", 0.9),
        ("随便写的标题（赣府厅字〔2022〕45号）", "doc_number", "road", 0.7),
    ],
)  # fmt: skip
def test_each_kind_of_match(conn, line, match, name, confidence):
    row = _one(conn, line)
    assert row["match"] == match, row
    assert row["link"] == _link(_id(name))
    assert row["url"] == DOCS[name]["url"]
    assert row["title"] == DOCS[name]["title"]
    assert row["doc_number"] == DOCS[name]["doc_number"]
    if confidence is None:
        assert 0 < row["confidence"] <= 0.75
    else:
        assert row["confidence"] == confidence
    assert row["candidates"] == []
    assert row["input"] == line


def test_a_row_has_every_column_with_the_status_and_its_basis(conn):
    row = _one(conn, "江西省农村公路养护管理办法")
    assert list(row) == list(COLUMNS)
    assert row["status"] == "现行有效"
    assert row["status_as_of"] == "2026-11-27"
    assert row["status_basis"].startswith("页面标注“有效”")
    assert "定于2027年1月1日起废止" in row["status_basis"]


def test_two_versions_of_one_title_are_never_resolved_silently(conn):
    for line in ["江西省湿地保护修复管理办法", "江西省林业局关于印发《江西省湿地保护修复管理办法》的通知",
                 "关于印发《江西省湿地保护修复管理办法》的通知"]:  # fmt: skip
        row = _one(conn, line)
        assert row["match"] == "ambiguous", line
        assert row["url"] == row["link"] == row["title"] == row["status"] == ""
        got = [(c["doc_number"], c["status"], c["link"]) for c in row["candidates"]]
        assert got == [  # newest first
            ("赣林规〔2024〕2号", "现行有效", _link(_id("wetland_2024"))),
            ("赣林规〔2021〕3号", "已废止", _link(_id("wetland_2021"))),
        ]
        assert 0 < row["confidence"] < 0.5


def test_a_number_two_documents_share_is_ambiguous_until_a_title_says_which(conn):
    row = _one(conn, "赣府厅字〔2016〕6号")
    assert row["match"] == "ambiguous"
    assert {c["link"] for c in row["candidates"]} == {
        _link(_id("renewal")),
        _link(_id("open_data")),
    }
    row = _one(conn, "关于规范公共数据开放有关事项的通知（赣府厅字〔2016〕6号）")
    assert (row["match"], row["link"]) == ("title+doc_number", _link(_id("open_data")))


def test_a_number_and_a_title_naming_two_documents_is_ambiguous(conn):
    row = _one(conn, "江西省政府信息公开规定（赣农规〔2024〕2号）")
    assert row["match"] == "ambiguous"
    assert {c["link"] for c in row["candidates"]} == {_link(_id("seeds")), _link(_id("openness"))}


def test_one_document_on_two_pages_is_one_document(conn):
    row = _one(conn, "江西省生态环境厅关于进一步规范排污许可管理的通知")
    assert row["match"] == "title"
    assert row["link"] == _link(_id("permits"))  # the page published first
    assert row["status"] == "现行有效"
    assert "同一文件见于2个页面" in row["note"]
    assert {c["link"] for c in row["candidates"]} == {
        _link(_id("permits")),
        _link(_id("permits_copy")),
    }


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("江西省不存在的管理办法", ""),
        ("赣农规〔2099〕1号", "库中未见文号赣农规〔2099〕1号"),
        # the title is in the library under other numbers: another version, not those
        ("江西省湿地保护修复管理办法（赣林规〔2019〕8号）", "同标题文件的文号为赣林规〔2021〕3号、赣林规〔2024〕2号"),
        # a word replaced or added inside the subject, or another year: other documents
        ("江西省农村公路养护管理办法实施细则", "最接近的是"),
        ("广东省农村公路养护管理办法", "最接近的是"),
        ("江西省农业农村厅关于进一步加强农作物种子管理的通知", "最接近的是"),
        ("2021年江西省政府信息公开规定", "最接近的是"),
        ("！！！", "未能读出标题或文号"),
    ],
)  # fmt: skip
def test_unmatched_rows_say_why(conn, line, note):
    row = _one(conn, line)
    assert row["match"] == "unmatched"
    assert row["confidence"] == 0.0
    assert row["url"] == row["link"] == row["status"] == "" and row["candidates"] == []
    assert note in row["note"]


def test_rows_come_back_in_order_one_per_input_duplicates_included(conn):
    lines = ["赣府厅字[2022]45号", "江西省不存在的管理办法", "赣府厅字[2022]45号"]
    rows = check(conn, lines, link=_link)
    assert [r["input"] for r in rows] == lines
    assert [r["match"] for r in rows] == ["doc_number", "unmatched", "doc_number"]


# ---------------------------------------------------------------- statuses as of a date


@pytest.mark.parametrize(
    "day", ["2021-06-01", "2024-01-01", "2026-01-01", "2027-03-01", "2031-12-31"]
)
def test_statuses_as_of_another_date_are_what_a_build_at_that_date_decides(library, tmp_path, day):
    rebuilt = tmp_path / "rebuilt.db"
    shutil.copy(library, rebuilt)
    build(str(rebuilt), date.fromisoformat(day))
    with sqlite3.connect(rebuilt) as c:
        truth = {
            i: (s, b) for i, s, b in c.execute("select id, status, status_basis from documents")
        }
    with sqlite3.connect(f"file:{library}?mode=ro", uri=True) as c:
        got = statuses(c, truth, date.fromisoformat(day))
    left_open = {_id("credit")}  # see the next test
    for doc_id, (status, basis) in truth.items():
        if doc_id in left_open and got[doc_id].status == "未知":
            continue
        assert (got[doc_id].status, got[doc_id].basis) == (status, basis), doc_id
        assert got[doc_id].as_of == day


def test_on_the_crawled_mirror_every_status_as_of_other_dates_is_a_builds(crawled_db, tmp_path):
    """The whole mirror (every rule of the rule book at work): statuses decided again from the
    evidence of one build equal, document by document, those of builds at the other dates."""
    built = tmp_path / "built.db"
    shutil.copy(crawled_db, built)
    apply_validity(sqlite_utils.Database(built), AS_OF, "test")
    with sqlite3.connect(built) as c:
        ids = [i for (i,) in c.execute("select id from documents")]
    for day in ("2019-01-01", "2025-06-30", "2027-01-01", "2030-12-31"):
        other = tmp_path / f"{day}.db"
        shutil.copy(crawled_db, other)
        apply_validity(sqlite_utils.Database(other), date.fromisoformat(day), "test")
        with sqlite3.connect(other) as c:
            truth = {i: (s, b) for i, s, b in c.execute("select id, status, status_basis from documents")}  # fmt: skip
        with sqlite3.connect(f"file:{built}?mode=ro", uri=True) as c:
            got = statuses(c, ids, date.fromisoformat(day))
        # equal, or 未知 saying the stored evidence cannot tell (never another status)
        unable = {i for i, g in got.items() if g.status == "未知" and "所存证据" in g.basis}
        assert {i: (g.status, g.basis) for i, g in got.items() if i not in unable} == {
            i: v for i, v in truth.items() if i not in unable
        }, day
        assert len(unable) <= len(ids) // 50, day
    assert len(ids) > 600


def test_a_status_an_undatable_act_could_change_is_unknown_never_a_guess(conn):
    # stored 已废止 (rule 1); before the repeal took effect the undatable 失效 decision would
    # decide, and what it would do is not in the stored evidence
    row = _one(conn, "赣环规〔2025〕4号", date(2026, 1, 1))
    assert row["status"] == "未知"
    assert "截至2026年1月1日的状态无法由所存证据判断" in row["status_basis"]
    assert "构建日期2026年11月27日的状态为已废止" in row["status_basis"]
    assert _one(conn, "赣环规〔2025〕4号", date(2026, 12, 31))["status"] == "已废止"


def test_evidence_of_a_kind_it_does_not_know_is_never_handed_back_as_something_else(
    library, tmp_path
):
    copy = tmp_path / "copy.db"
    shutil.copy(library, copy)
    with sqlite3.connect(copy) as c:
        c.execute(
            "insert into validity_evidence (document_id, status, kind, quote, date) values"
            " (?, '现行有效', 'extension', '有效期延长至2030年12月31日', '2026-12-01')",
            [_id("road")],
        )
        # an act extending the 有效期 keeps its new last day in its note only
        c.execute(
            "insert into validity_evidence (document_id, status, kind, quote, date, note) values"
            " (?, '现行有效', 'decision', '有效期延长至2030年12月31日', '2026-12-01',"
            " '自2026年12月1日起生效，有效期延长至2030年12月31日')",
            [_id("openness")],
        )
    with sqlite3.connect(copy) as c:
        got = statuses(c, [_id("road"), _id("openness"), _id("seeds")], date(2028, 1, 1))
    assert got[_id("road")].status == "未知"
    assert "所存证据（extension）无法据以重新判断截至2028年1月1日的状态" in got[_id("road")].basis
    assert got[_id("openness")].status == "未知"
    assert "所存证据（有效期延长）" in got[_id("openness")].basis
    assert got[_id("seeds")].status == "现行有效"


def test_the_same_list_as_of_other_dates(conn):
    lines = [
        "江西省农村公路养护管理办法",
        "赣林规〔2021〕3号",
        "江西省湿地保护修复管理办法（赣林规〔2024〕2号）",
    ]
    by_day = {
        None: ["现行有效", "已废止", "现行有效"],
        date(2024, 1, 1): ["现行有效", "现行有效", "尚未生效"],
        date(2027, 1, 1): ["已废止", "已废止", "现行有效"],
        date(2028, 1, 1): ["已废止", "已废止", "现行有效"],
    }
    for day, expected in by_day.items():
        rows = check(conn, lines, day, link=_link)
        assert [r["status"] for r in rows] == expected, day
        assert {r["status_as_of"] for r in rows} == {(day or AS_OF).isoformat()}


# ---------------------------------------------------------------- files in


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        ("标题\n江西省A办法\n\n赣府厅字[2022]45号\n".encode(), "list.txt", ["江西省A办法", "赣府厅字[2022]45号"]),
        ("江西省A办法\r\n江西省B办法".encode("gb18030"), "-", ["江西省A办法", "江西省B办法"]),
        (BOM + "江西省A办法\n".encode(), "list.txt", ["江西省A办法"]),
        ("江西省A办法\n".encode("utf-16"), "list.txt", ["江西省A办法"]),
        ("文件名称,文号\n江西省A办法,赣府厅字[2022]45号\n江西省B办法,\n".encode("gb18030"), "l.csv", ["江西省A办法", "江西省B办法"]),
        ("序号,文件名称\n1,江西省A办法\n2,\"江西省B办法，含逗号\"\n".encode(), "l.csv", ["江西省A办法", "江西省B办法，含逗号"]),
        ("江西省A办法\t赣府厅字[2022]45号\n江西省B办法\t\n".encode(), "l.csv", ["江西省A办法", "江西省B办法"]),
        (_xlsx([["标题"], ["江西省A办法"], [None], ["江西省B办法"]]), "l.xlsx", ["江西省A办法", "江西省B办法"]),
        (_xlsx([["序号", "文件名称/文号"], [1, "江西省A办法"], [2, "赣府厅字[2022]45号"]]), "l.xlsx", ["江西省A办法", "赣府厅字[2022]45号"]),
        (_xlsx([["江西省A办法"], [45]]), "", ["江西省A办法", "45"]),  # an .xlsx by its bytes
    ],
)  # fmt: skip
def test_inputs_are_read_from_text_csv_and_xlsx(data, name, expected):
    assert read_inputs(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "list.txt", "文件是空的"),
        (b" \n\n ", "list.csv", "文件是空的"),
        ("标题\n".encode(), "list.csv", "没有可核对的行"),
        (b"%PDF-1.7\n...", "list.pdf", "不支持 PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "list.xls", "旧版 Excel"),
        (b"PK\x03\x04" + b"\x00" * 100, "list.docx", "不支持 Word 文档"),
        (b"PK\x03\x04garbage", "list.xlsx", "无法读取 XLSX"),
        (b"not a workbook", "list.xlsx", "无法读取 XLSX"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "list.png", "不支持 .png"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "list.txt", "含二进制内容"),
        (bytes(range(1, 32)) * 10, "list.txt", "含控制字符"),
        ("\n".join(f"江西省第{i}号办法" for i in range(MAX_ROWS + 1)).encode(), "list.txt", "行数超过上限"),
        ("\n".join(["标题"] + [f"江西省第{i}号办法" for i in range(MAX_ROWS + 1)]).encode(), "l.csv", "行数超过上限"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_in_one_line(data, name, message):
    with pytest.raises(BadFile) as caught:
        read_inputs(data, name)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_list_of_exactly_the_limit_is_read():
    lines = [f"江西省第{i}号办法" for i in range(MAX_ROWS)]
    assert len(read_inputs("\n".join(lines).encode(), "list.txt")) == MAX_ROWS


@pytest.mark.parametrize(
    ("cell", "header"),
    [("标题", True), ("文件名称/文号", True), ("Title", True), ("规范性文件名称", True),
     ("序号", True), ("规范性文件管理办法", False), ("江西省A办法", False), ("赣府厅字[2022]45号", False)],
)  # fmt: skip
def test_a_header_is_told_from_an_input(cell, header):
    assert is_header(cell) is header


# ---------------------------------------------------------------- files out


@pytest.fixture(scope="module")
def rows(conn):
    lines = ["赣府厅字[2022]45号", "江西省湿地保护修复管理办法", "=HYPERLINK(\"http://evil\")", "@SUM(1)",
             "+1", "-1", "江西省不存在的管理办法"]  # fmt: skip
    return check(conn, lines, link=lambda i: f"https://normdocs.example/normdocs/documents/{i}")


def test_the_csv_is_for_excel_and_runs_no_formula(rows):
    data = to_csv(rows)
    assert data.startswith(BOM)
    table = list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))
    assert table[0] == list(COLUMNS)
    inputs = [r[0] for r in table[1:]]
    assert inputs[2:6] == ['\'=HYPERLINK("http://evil")', "'@SUM(1)", "'+1", "'-1"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in table[1:] for cell in r)
    ambiguous = table[2]
    assert ambiguous[1] == "ambiguous"
    assert ambiguous[COLUMNS.index("candidates")].count("\n") == 1  # two candidates, one a line


def test_the_xlsx_holds_every_row_and_no_formula(rows):
    data = to_xlsx(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    assert table[0] == list(COLUMNS)
    assert [r[0] for r in table[1:]] == [r["input"] for r in rows]
    assert all(c.data_type == "s" for r in sheet.iter_rows(min_row=2) for c in r if c.value and isinstance(c.value, str))  # fmt: skip
    assert table[1][COLUMNS.index("status")] == "现行有效"
    assert "<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> str:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_the_json_keeps_candidates_as_objects(rows):
    got = json.loads(to_json(rows))
    assert [r["match"] for r in got][:2] == ["doc_number", "ambiguous"]
    assert [c["doc_number"] for c in got[1]["candidates"]] == [
        "赣林规〔2024〕2号",
        "赣林规〔2021〕3号",
    ]


def test_the_table_shows_each_row_its_basis_and_candidates(rows):
    text = to_table(rows)
    assert "赣府厅字[2022]45号" in text and "依据：页面标注“有效”" in text
    assert text.count("候选：") == 2
    assert text.splitlines()[-1].startswith("7 rows: doc_number 1, ambiguous 1, unmatched 5")


# ---------------------------------------------------------------- normdocs check


def test_the_command_prints_a_table(library, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("江西省农村公路养护管理办法\n赣林规〔2021〕3号\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(listing), "--db", str(library)])
    assert result.exit_code == 0, result.output
    assert "measure_title" in result.output and "现行有效" in result.output


def test_the_command_reads_standard_input_and_writes_each_format(library, tmp_path):
    lines = "江西省农村公路养护管理办法\n江西省湿地保护修复管理办法\n"
    for ext in ("xlsx", "csv", "json"):
        out = tmp_path / f"out.{ext}"
        args = ["check", "-", "--db", str(library), "--as-of", "2027-06-01", "--out", str(out)]
        args += ["--site-url", "https://normdocs.example/"]
        result = CliRunner().invoke(cli, args, input=lines)
        assert result.exit_code == 0, result.output
        assert "2 rows, 1 matched, as of 2027-06-01" in result.output
    got = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert got[0]["status"] == "已废止"  # the decision took effect on 2027-01-01
    assert got[0]["link"] == f"https://normdocs.example/normdocs/documents/{_id('road')}"
    assert (tmp_path / "out.csv").read_bytes().startswith(BOM)
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["B3"].value == "ambiguous"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "文件是空的"),
        (b"%PDF-1.4", "list.pdf", "不支持 PDF"),
        ("\n".join(["x"] * (MAX_ROWS + 1)).encode(), "big.txt", "行数超过上限"),
    ],
)
def test_the_command_refuses_a_bad_file_with_code_2(library, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["check", str(path), "--db", str(library)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_command_refuses_a_missing_file_a_bad_out_and_a_file_that_is_no_library(
    library, tmp_path
):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(tmp_path / "none.txt"), "--db", str(library)])
    assert result.exit_code == 2 and "cannot read" in result.output
    listing = tmp_path / "list.txt"
    listing.write_text("江西省A办法\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(listing), "--db", str(library), "--out", "x.pdf"])
    assert result.exit_code == 2 and ".xlsx, .csv or .json" in result.output
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = runner.invoke(cli, ["check", str(listing), "--db", str(other)])
    assert result.exit_code == 2 and "not a normdocs library" in result.output


# ---------------------------------------------------------------- the page, through Datasette


@pytest.fixture(scope="module")
def site(library):
    """GET and POST through the real Datasette app, in-process."""
    ds = make_datasette(library)
    loop = asyncio.new_event_loop()

    def request(method: str, path: str, **kwargs):
        return loop.run_until_complete(getattr(ds.client, method)(path, **kwargs))

    yield request
    loop.close()


def _results(page: str) -> list[tuple[str, str, str]]:
    """(input, match, status) of each result row of the page."""
    out = []
    for tr in re.findall(r'<tr class="nd-match-[^"]*" data-match="([^"]+)">(.*?)</tr>', page, re.S):
        match, cells = tr
        tds = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        status = re.search(r'nd-status[^"]*">([^<]+)</span>', tds[5])
        out.append((html.unescape(tds[1]), match, status[1] if status else ""))
    return out


def test_the_page_offers_a_form_with_the_builds_date(site):
    page = site("get", "/check")
    assert page.status_code == 200
    assert '<textarea id="nd-lines" name="lines"' in page.text
    assert 'type="file" name="file"' in page.text
    assert 'name="as_of" value="2026-11-27"' in page.text
    assert 'id="results"' not in page.text
    assert '<a href="/check">批量核对</a>' in site("get", "/").text


def test_the_page_checks_pasted_lines_and_an_uploaded_csv(site):
    csv_file = "文件名称\n江西省政府信息公开规定\n赣府厅字〔2016〕6号\n".encode("gb18030")
    page = site(
        "post",
        "/check",
        data={"lines": "江西省农村公路养护管理办法\n\n江西省湿地保护修复管理办法", "as_of": ""},
        files={"file": ("清单.csv", csv_file, "text/csv")},
    )
    assert page.status_code == 200, page.text
    assert _results(page.text) == [
        ("江西省农村公路养护管理办法", "measure_title", "现行有效"),
        ("江西省湿地保护修复管理办法", "ambiguous", ""),
        ("江西省政府信息公开规定", "title", "现行有效"),
        ("赣府厅字〔2016〕6号", "ambiguous", ""),
    ]
    assert f'<a class="nd-doc" href="/normdocs/documents/{_id("road")}">' in page.text
    assert f'href="/normdocs/documents/{_id("wetland_2021")}"' in page.text  # a candidate
    assert "匹配 <strong" in page.text and 'nd-count-ambiguous">2<' in page.text


def test_the_page_checks_an_uploaded_xlsx_as_of_another_date(site):
    book = _xlsx([["序号", "标题"], [1, "江西省农村公路养护管理办法"], [2, "赣林规〔2024〕2号"]])
    page = site(
        "post",
        "/check",
        data={"lines": "", "as_of": "2027-02-01"},
        files={"file": ("list.xlsx", book, "application/octet-stream")},
    )
    assert page.status_code == 200, page.text
    assert _results(page.text) == [
        ("江西省农村公路养护管理办法", "measure_title", "已废止"),
        ("赣林规〔2024〕2号", "doc_number", "现行有效"),
    ]
    assert "效力状态截至 <strong>2027-02-01</strong>" in page.text


def _download(site, page: str, fmt: str):
    inputs = html.unescape(re.search(r'name="inputs" value="([^"]*)"', page)[1])
    as_of = re.search(r'<form class="nd-downloads".*?name="as_of" value="([^"]*)"', page, re.S)[1]
    return site("post", "/check", data={"inputs": inputs, "as_of": as_of, "format": fmt})


def test_the_results_download_as_xlsx_and_csv_for_excel(site):
    lines = "江西省农村公路养护管理办法\n=1+1\n江西省湿地保护修复管理办法"
    page = site("post", "/check", data={"lines": lines, "as_of": "2027-02-01"}).text
    xlsx = _download(site, page, "xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment; filename*=UTF-8''" in xlsx.headers["content-disposition"]
    table = list(
        openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
    )
    assert [r[:2] for r in table] == [
        ("input", "match"),
        ("江西省农村公路养护管理办法", "measure_title"),
        ("=1+1", "unmatched"),
        ("江西省湿地保护修复管理办法", "ambiguous"),
    ]
    assert table[1][COLUMNS.index("status")] == "已废止"
    assert table[1][COLUMNS.index("link")] == f"http://localhost/normdocs/documents/{_id('road')}"
    assert "<f>" not in _sheet_xml(xlsx.content)
    data = _download(site, page, "csv")
    assert data.status_code == 200 and data.content.startswith(BOM)
    csv_rows = list(csv.reader(io.StringIO(data.content[len(BOM) :].decode("utf-8"))))
    assert [r[0] for r in csv_rows] == ["input", "江西省农村公路养护管理办法", "'=1+1", "江西省湿地保护修复管理办法"]  # fmt: skip
    assert json.loads(_download(site, page, "json").content)[0]["status"] == "已废止"


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        ({"lines": ""}, None, "请粘贴要核对的文件标题或文号"),
        ({"lines": "x", "as_of": "2027-13-01"}, None, "日期格式不对"),
        ({"lines": ""}, {"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")}, "不支持 PDF"),
        ({"lines": ""}, {"file": ("a.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "application/vnd.ms-excel")}, "旧版 Excel"),
        ({"lines": ""}, {"file": ("a.csv", b"", "text/csv")}, "请粘贴"),
        ({"inputs": "not json"}, None, "下载请求已损坏"),
    ],
)  # fmt: skip
def test_the_page_refuses_what_it_cannot_read_with_a_message(site, data, files, message):
    page = (
        site("post", "/check", data=data, files=files)
        if files
        else site("post", "/check", data=data)
    )
    assert page.status_code == 400
    assert message in html.unescape(page.text)
    assert '<textarea id="nd-lines"' in page.text


def test_the_page_escapes_what_was_pasted(site):
    page = site("post", "/check", data={"lines": "<script>alert(1)</script>江西省A办法"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;江西省A办法" in page


def test_the_library_index_is_read_once_per_published_file(library, monkeypatch):
    from corpus.site import check_page

    ds = make_datasette(library)
    loads = []
    real = Library.load
    monkeypatch.setattr(Library, "load", classmethod(lambda cls, c: loads.append(1) or real(c)))

    async def twice():
        for _ in range(2):
            page = await ds.client.post("/check", data={"lines": "赣府厅字[2022]45号"})
            assert page.status_code == 200

    asyncio.run(twice())
    assert loads == [1]
    assert len(check_page._LIBRARIES) >= 1
