"""The build: validity, evidence, links, search index and build_info, at two as-of dates."""

import json
from datetime import date

import pytest
import sqlite_utils

from corpus.build import build
from corpus.search.sql import SEARCH_SQL, register_functions
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import open_db

SITE = "jx-nync"
EARLY, LATE = date(2026, 11, 27), date(2028, 12, 31)


def url(name: str) -> str:
    return f"http://nync.example/art/{name}.html"


DOCS = [
    # in force until 2027-04-30, page silent
    dict(name="term", kind="normative", title="江西省农作物种子生产经营许可管理办法",
         published="2025-04-20", validity="",
         body="第三十条 本办法自2025年5月1日起施行，有效期至2027年4月30日。"),
    # 印发 date + 5 years, page still says 有效 after the term
    dict(name="five", kind="normative", title="江西省农业农村厅关于做好化肥减量增效工作的通知",
         written="2023-06-01", published="2023-06-05", validity="有效",
         body="各地要推进化肥减量增效。本通知自印发之日起施行，有效期5年。"),
    # takes effect in 2027
    dict(name="future", kind="normative", title="江西省高标准农田建设管理办法",
         published="2026-10-01", validity="",
         body="本办法自2027年1月1日起施行，有效期为五年。"),
    # repealed on the page
    dict(name="repealed", kind="normative", title="江西省农药经营许可管理办法",
         published="2019-01-01", validity="全文废止",
         body="本办法自2019年2月1日起施行，有效期5年。"),
    # a rule without a term
    dict(name="rule", kind="rule", title="江西省农作物病虫害防治办法",
         published="2021-12-01", validity="",
         body="第二十条 本办法自2022年1月1日起施行。"),
    # nothing known
    dict(name="unknown", kind="policy", title="关于开展春耕备耕工作的通知",
         published="2024-02-01", validity="", body="请各地认真组织实施。"),
]  # fmt: skip

EXPECTED = {
    EARLY: {"term": "现行有效", "five": "现行有效", "future": "尚未生效",
            "repealed": "已废止", "rule": "现行有效", "unknown": "未知"},
    LATE: {"term": "已失效", "five": "已失效", "future": "现行有效",
           "repealed": "已废止", "rule": "现行有效", "unknown": "未知"},
}  # fmt: skip


def fill(db: sqlite_utils.Database) -> None:
    save_site(db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []})
    for d in DOCS:
        save_document(
            db,
            DocumentRecord(
                url=url(d["name"]),
                site=SITE,
                kind=d["kind"],
                title=d["title"],
                written_date=d.get("written"),
                published_date=d["published"],
                validity_raw=d["validity"],
                body_text=d["body"],
                links=[PageLink(url(f"jd-{d['name']}"), "解读", "interpretation")]
                if d["name"] == "term"
                else [],
            ),
        )
    save_interpretation(
        db,
        InterpretationRecord(
            url=url("jd-term"), site=SITE, title="图解", published_date="2025-04-21"
        ),
    )
    save_interpretation(
        db,
        InterpretationRecord(
            url=url("jd-five"),
            site=SITE,
            title="《江西省农业农村厅关于做好化肥减量增效工作的通知》解读",
            published_date="2023-06-06",
        ),
    )


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "library.db"
    db = open_db(str(p))
    fill(db)
    db.close()
    return p


def statuses(db) -> dict[str, str]:
    return {
        r["url"].rsplit("/", 1)[1][:-5]: r["status"]
        for r in db.query("SELECT url, status FROM documents")
    }


@pytest.mark.parametrize("as_of", [EARLY, LATE])
def test_statuses_as_of_two_dates(path, as_of):
    report = build(path, as_of)
    db = sqlite_utils.Database(path)
    assert statuses(db) == EXPECTED[as_of]
    assert {r[0] for r in db.execute("SELECT status_as_of FROM documents")} == {as_of.isoformat()}
    assert report["documents"] == 6
    assert sum(report["status_counts"].values()) == 6


def test_derived_columns_and_evidence(path):
    build(path, LATE)
    db = sqlite_utils.Database(path)
    row = db["documents"].get(stable_id(url("five")))
    assert (row["effective_date"], row["expires_on"]) == ("2023-06-01", "2028-05-31")
    assert row["effective_date_raw"] == "自印发之日起施行"
    assert row["term_raw"] == "有效期5年"
    assert row["status_basis"].startswith("有效期至2028年5月31日")
    evidence = list(
        db.query(
            "SELECT kind, status, wins FROM validity_evidence WHERE document_id = ? ORDER BY kind",
            [row["id"]],
        )
    )
    assert evidence == [
        {"kind": "effective_date", "status": "现行有效", "wins": 0},
        {"kind": "page_field", "status": "现行有效", "wins": 0},
        {"kind": "term", "status": "已失效", "wins": 1},
    ]
    # every document with a status other than 未知 has exactly one winning piece of evidence
    for doc_id, status in db.execute("SELECT id, status FROM documents"):
        wins = db.execute(
            "SELECT count(*) FROM validity_evidence WHERE document_id = ? AND wins = 1", [doc_id]
        ).fetchone()[0]
        assert wins == (0 if status == "未知" else 1)


def test_links_counts_search_and_build_info(path):
    report = build(path, EARLY)
    db = sqlite_utils.Database(path)
    assert report["links"]["by_method"] == {"link_from_document": 1, "title_quote": 1}
    counts = dict(db.execute("SELECT url, interpretation_count FROM documents").fetchall())
    assert counts[url("term")] == 1 and counts[url("five")] == 1 and counts[url("rule")] == 0
    info = {r["key"]: r["value"] for r in db.query("SELECT * FROM build_info")}
    assert info["as_of"] == "2026-11-27"
    assert json.loads(info["status_counts"])["现行有效"] == 3
    assert json.loads(info["links"])["links"] == 2
    assert "built_at" in info
    register_functions(db.conn)  # the site's search, as Datasette runs it
    params = {"q": "化肥", "kind": "", "status": "", "issuer": "", "since": "", "until": ""}
    assert [r["title"] for r in db.query(SEARCH_SQL, params)][0] == DOCS[1]["title"]


def test_checkpoints_the_wal(path):
    build(path, EARLY)
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def _snapshot(db) -> dict:
    tables = ["documents", "validity_evidence", "document_interpretations", "interpretations"]
    snap = {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    snap["fts"] = db.execute(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH '\"农作物\"' ORDER BY rowid"
    ).fetchall()
    snap["info"] = db.execute("SELECT * FROM build_info WHERE key != 'built_at'").fetchall()
    return snap


def test_building_twice_gives_the_same_library(path):
    build(path, EARLY)
    first = _snapshot(sqlite_utils.Database(path))
    build(path, EARLY)
    assert _snapshot(sqlite_utils.Database(path)) == first


def test_a_later_build_replaces_the_earlier_one(path):
    build(path, EARLY)
    build(path, LATE)
    db = sqlite_utils.Database(path)
    assert statuses(db) == EXPECTED[LATE]
    n = db.execute("SELECT count(*) FROM validity_evidence").fetchone()[0]
    build(path, LATE)
    assert db.execute("SELECT count(*) FROM validity_evidence").fetchone()[0] == n


def test_a_library_of_a_thousand_documents_builds_in_seconds(tmp_path):
    db = open_db(str(tmp_path / "big.db"))
    save_site(db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []})
    body = "\n".join(
        f"第{i}条 各地要加强农作物种子生产经营管理，推进生态环境保护和化肥减量增效工作。"
        for i in range(40)
    )
    for n in range(1000):
        save_document(
            db,
            DocumentRecord(
                url=url(f"bulk{n}"),
                site=SITE,
                kind="normative",
                title=f"江西省农业农村厅关于印发《第{n}号管理办法》的通知",
                doc_number=f"赣农规〔2023〕{n}号",
                published_date="2023-05-11",
                body_text=body + f"\n本办法自2023年6月1日起施行，有效期{n % 5 + 1}年。",
            ),
        )
    # Speed is measured in bench/, never asserted here: this checks that a big build completes.
    report = build(db, EARLY)
    assert report["documents"] == 1000
