"""Builds at two as-of dates through the CLI: statuses move, the history says when and why."""

from __future__ import annotations

import sqlite_utils
from click.testing import CliRunner

from corpus.cli import cli
from corpus.store.identity import stable_id
from corpus.store.records import Attachment, DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db

SITE = "jx-portal"


def url(name: str) -> str:
    return f"http://portal.example/art/{name}.html"


DOCS = [
    # in force; repealed by the decision below from 2027-01-01 (its table is in a DOCX)
    dict(name="fund", title="江西省人民政府关于印发《江西省省级财政专项资金管理办法》的通知",
         number="赣府发〔2020〕8号", written="2020-03-02", validity="有效",
         body="本办法自2020年4月1日起施行，有效期10年。"),
    # in force until 2027-12-31 (its own term)
    dict(name="term", title="江西省人民政府办公厅关于进一步加强城市供水管理工作的通知",
         number="赣府厅字〔2022〕12号", written="2022-12-20", validity="",
         body="本通知自2023年1月1日起施行，有效期至2027年12月31日。"),
    # the decision, itself in force from 2027-01-01
    dict(name="decision", title="江西省人民政府关于废止部分省政府行政规范性文件的决定",
         number="赣府发〔2026〕30号", written="2026-10-12", validity="有效",
         body="经清理，决定对下列文件予以废止（目录见附件）。本决定自2027年1月1日起施行。",
         attachment="废止的省政府行政规范性文件目录\n序号 文件名称 文号 成文日期\n"
                    "1 江西省人民政府关于印发《江西省省级财政专项资金管理办法》的通知 赣府发〔2020〕8号 2020年3月2日"),
    # nothing known, at any date
    dict(name="unknown", title="关于开展春耕备耕工作的通知", number="", written="2024-02-01",
         validity="", body="请各地认真组织实施。"),
]  # fmt: skip


def fill(path) -> None:
    db = open_db(str(path))
    save_site(db, {"name": SITE, "title": "江西省人民政府", "family": "hanweb", "columns": []})
    for d in DOCS:
        attachments = []
        if "attachment" in d:
            attachments = [
                Attachment(
                    url(d["name"] + "-att") + "?f=1.docx", "目录.docx", "docx", d["attachment"]
                )
            ]
        save_document(
            db,
            DocumentRecord(
                url=url(d["name"]),
                site=SITE,
                kind="normative",
                title=d["title"],
                doc_number_raw=d["number"],
                doc_number=d["number"] or None,
                written_date=d["written"],
                published_date=d["written"],
                validity_raw=d["validity"],
                body_text=d["body"],
                attachments=attachments,
            ),  # fmt: skip
        )
    db.close()


def run_build(path, as_of: str) -> None:
    result = CliRunner().invoke(cli, ["build", "--db", str(path), "--as-of", as_of])
    assert result.exit_code == 0, result.output


def history(path) -> list[tuple]:
    """(document name, as_of, old status, new status) of every history row, in order."""
    names = {stable_id(url(d["name"])): d["name"] for d in DOCS}
    db = sqlite_utils.Database(path)
    return [
        (names[r["document_id"]], r["as_of"], r["old_status"], r["new_status"])
        for r in db.query("select * from status_history order by id")
    ]


def test_two_builds_record_every_change_with_its_date_and_reason(tmp_path):
    path = tmp_path / "library.db"
    fill(path)
    run_build(path, "2026-11-27")
    first = history(path)
    assert sorted(first) == [
        ("decision", "2026-11-27", None, "尚未生效"),
        ("fund", "2026-11-27", None, "现行有效"),
        ("term", "2026-11-27", None, "现行有效"),
        ("unknown", "2026-11-27", None, "未知"),
    ]
    run_build(path, "2026-11-27")  # the same date again: nothing changed, nothing recorded
    assert history(path) == first
    run_build(path, "2028-12-31")
    assert sorted(history(path)[len(first) :]) == [
        ("decision", "2028-12-31", "尚未生效", "现行有效"),
        ("fund", "2028-12-31", "现行有效", "已废止"),
        ("term", "2028-12-31", "现行有效", "已失效"),
    ]
    db = sqlite_utils.Database(path)
    change = db.execute(
        "select old_as_of, built_at, why from status_history where document_id = ? and old_status"
        " is not null",
        [stable_id(url("fund"))],
    ).fetchone()
    assert change[0] == "2026-11-27" and change[1]
    assert change[2].startswith(
        "据废止决定《江西省人民政府关于废止部分省政府行政规范性文件的决定》"
    )
    # going back in time is a change too
    run_build(path, "2026-11-27")
    assert sorted(history(path)[len(first) + 3 :]) == [
        ("decision", "2026-11-27", "现行有效", "尚未生效"),
        ("fund", "2026-11-27", "已废止", "现行有效"),
        ("term", "2026-11-27", "已失效", "现行有效"),
    ]


def test_the_relation_and_the_pending_act_are_stored(tmp_path):
    path = tmp_path / "library.db"
    fill(path)
    run_build(path, "2026-11-27")
    db = sqlite_utils.Database(path)
    (relation,) = db.query("select * from relations")
    assert (relation["from_document_id"], relation["to_document_id"], relation["relation"]) == (
        stable_id(url("decision")), stable_id(url("fund")), "repeals")  # fmt: skip
    assert (
        relation["source_url"].endswith("?f=1.docx") and relation["effective_date"] == "2027-01-01"
    )
    fund = db["documents"].get(stable_id(url("fund")))
    assert fund["status"] == "现行有效" and "定于2027年1月1日起废止" in fund["status_basis"]
    (act,) = db.query("select * from validity_evidence where kind = 'decision'")
    assert (act["status"], act["wins"], act["source_document_id"]) == (
        "已废止",
        0,
        relation["from_document_id"],
    )
    assert "尚未生效" in act["note"]
