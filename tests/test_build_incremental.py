"""A rebuild after a recrawl works out only what changed, and gives what a build from scratch gives.

The library holds documents that act on each other (a repeal decision, a citation, a repeal by a
later document), interpretations and links. After a first build, a "recrawl" stores changed pages
through ``save_document`` as the crawler does; the next build (which keeps its cache beside the
library) must equal, table by table (``corpus.build.fingerprint``), a build from scratch of the
same library: no cache, every article and keyword computed again.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from corpus.build import CACHE_SUFFIX, WORKERS_ENV, build, fingerprint
from corpus.search import index
from corpus.search.index import build_search_index
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import open_db
from corpus.validity.step import rewrite_from_first_difference

SITE = "jx-nync"
AS_OF = date(2026, 11, 27)


def url(name: str) -> str:
    return f"http://nync.example/art/{name}.html"


def record(name: str, **fields) -> DocumentRecord:
    fields.setdefault("kind", "normative")
    fields.setdefault("issuer", "江西省农业农村厅")
    return DocumentRecord(url=url(name), site=SITE, **fields)


DOCS = {
    "pesticide": dict(
        title="江西省农药经营许可管理办法", doc_number="赣农规〔2019〕1号", published_date="2019-01-10",
        body_text="第一条 为规范农药经营许可，制定本办法。\n第二十条 本办法自2019年2月1日起施行，有效期10年。",
    ),
    "seeds": dict(
        title="江西省农作物种子管理办法", doc_number="赣农规〔2020〕2号", published_date="2020-02-10",
        body_text="第一条 为加强农作物种子管理，制定本办法。\n第三十条 本办法自2020年3月1日起施行，有效期10年。",
    ),
    "decision": dict(
        title="江西省农业农村厅关于废止部分规范性文件的决定", doc_number="赣农规〔2024〕3号",
        published_date="2024-05-01",
        body_text="经研究，决定废止下列规范性文件：\n1.《江西省农作物种子管理办法》（赣农规〔2020〕2号）\n"
        "本决定自2024年6月1日起施行。",
    ),
    "citing": dict(
        title="江西省农业农村厅关于做好农药经营监管工作的通知", doc_number="赣农字〔2023〕9号",
        published_date="2023-03-01",
        body_text="按照《江西省农药经营许可管理办法》（赣农规〔2019〕1号）有关规定，做好农药经营监管。"
        "本通知自印发之日起施行。",
    ),
    "rule": dict(
        kind="rule", title="江西省农作物病虫害防治办法", published_date="2021-12-01",
        body_text="第一条 为防治农作物病虫害，制定本办法。\n第二十条 本办法自2022年1月1日起施行。",
    ),
    "fertilizer": dict(
        title="江西省农业农村厅关于推进化肥减量增效的通知", published_date="2022-06-05",
        written_date="2022-06-01", validity_raw="有效",
        body_text="各地要推进化肥减量增效，推广测土配方施肥。本通知自印发之日起施行，有效期5年。",
        links=[PageLink(url("jd-fertilizer"), "解读", "interpretation")],
    ),
    # repealed by title alone, in a clause of a later measure
    "machinery": dict(
        title="江西省农业机械安全监督管理办法", published_date="2018-05-01",
        body_text="第一条 为加强农业机械安全监督管理，制定本办法。\n第四十条 本办法自2018年6月1日起施行，有效期10年。",
    ),
    "promotion": dict(
        title="江西省农业农村厅关于印发《江西省农业机械推广办法》的通知", published_date="2022-02-20",
        body_text="第一条 为推广先进适用的农业机械，制定本办法。\n第三十条 本办法自2022年3月1日起施行。"
        "《江西省农业机械安全监督管理办法》同时废止。",
    ),
    "seedlings": dict(
        title="江西省农业农村厅关于加强水稻育秧工作的通知", published_date="2025-02-01",
        body_text="各地要加强水稻集中育秧，保障早稻生产。",
    ),
}  # fmt: skip
INTERPRETATIONS = {
    "jd-fertilizer": dict(title="图解化肥减量增效", published_date="2022-06-06"),
    "jd-seeds": dict(
        title="《江西省农作物种子管理办法》解读",
        published_date="2020-02-11",
        body_text="近日，江西省农业农村厅印发了《江西省农作物种子管理办法》。",
    ),
}


def fill(db: sqlite_utils.Database) -> None:
    save_site(db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []})
    for name, fields in DOCS.items():
        save_document(db, record(name, **fields))
    for name, fields in INTERPRETATIONS.items():
        save_interpretation(db, InterpretationRecord(url=url(name), site=SITE, **fields))


def recrawl(db: sqlite_utils.Database) -> None:
    """What a recrawl stores: changed pages, a new one, a moved date, a changed 有效性."""
    changed = {
        # a shorter term: its own status changes
        "seeds": {**DOCS["seeds"], "body_text": DOCS["seeds"]["body_text"].replace("10年", "3年")},
        # now cites the seeds measure instead: relations change, the pesticide one loses a citer
        "citing": {
            **DOCS["citing"],
            "body_text": "按照《江西省农作物种子管理办法》（赣农规〔2020〕2号）有关规定，做好种子监管。",
        },
        "rule": {**DOCS["rule"], "validity_raw": "已废止"},  # the page's field alone
        "seedlings": {**DOCS["seedlings"], "published_date": "2019-01-01"},  # moves in the index
    }
    for name, fields in changed.items():
        save_document(db, record(name, **fields))
    # a new document that repeals an unchanged one: the unchanged one's status must follow
    save_document(
        db,
        record(
            "repeal-pesticide",
            title="江西省农业农村厅关于废止《江西省农药经营许可管理办法》的决定",
            doc_number="赣农规〔2025〕1号",
            published_date="2025-03-01",
            body_text="决定废止《江西省农药经营许可管理办法》（赣农规〔2019〕1号）。本决定自2025年4月1日起施行。",
        ),
    )
    save_interpretation(
        db,
        InterpretationRecord(
            url=url("jd-fertilizer"),
            site=SITE,
            title="《江西省农业农村厅关于推进化肥减量增效的通知》图解",
            published_date="2022-06-06",
        ),
    )


def namesake(db: sqlite_utils.Database) -> None:
    """A second crawl finds an earlier measure of the same title as the one a clause repeals (the
    clause cannot tell which it means any more), and the pesticide measure renamed."""
    save_document(
        db,
        record(
            "machinery-2016",
            title="江西省农业机械安全监督管理办法",
            published_date="2016-03-01",
            body_text="第一条 为加强农业机械安全监督管理，制定本办法。",
        ),
    )
    renamed = {**DOCS["pesticide"], "title": "江西省农药经营许可办法"}
    save_document(db, record("pesticide", **renamed))


def from_scratch(path: Path, target: Path, as_of: date = AS_OF) -> dict:
    """``path`` copied to ``target`` and built with nothing kept: no cache, every article and
    keyword computed again; its fingerprint."""
    copy(path, target)
    db = sqlite_utils.Database(target)
    with db.conn:
        db.execute("UPDATE documents SET articles_hash = NULL, keywords_hash = NULL")
        db.execute("UPDATE interpretations SET keywords_hash = NULL")
    db.close()
    build(target, as_of)
    return fingerprint(sqlite_utils.Database(target))


def copy(path: Path, target: Path) -> None:
    """A copy of the library (its WAL included), without its cache."""
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copied:
        source.backup(copied)
    source.close()
    copied.close()


def stored(path: Path, change) -> None:
    """Run ``change`` on the library as a crawl would: its own connection, closed after."""
    db = open_db(str(path))
    change(db)
    db.close()


@pytest.fixture(autouse=True)
def update_the_index_however_much_changed(monkeypatch):
    """In a library this small every recrawl changes more than a rebuild's share of the rows."""
    monkeypatch.setattr(index, "REBUILD_SHARE", 1.0)


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "library.db"
    db = open_db(str(p))
    fill(db)
    db.close()
    return p


def status(path: Path, name: str) -> str:
    db = sqlite_utils.Database(path)
    return db.execute(
        "SELECT status FROM documents WHERE id = ?", [stable_id(url(name))]
    ).fetchone()[0]


def test_a_rebuild_after_a_recrawl_equals_a_build_from_scratch(path, tmp_path):
    first = build(path, AS_OF)
    assert first["work"]["search_index"]["mode"] == "rebuilt"
    assert Path(f"{path}{CACHE_SUFFIX}").exists()
    assert status(path, "pesticide") == "现行有效"
    stored(path, recrawl)
    scratch = from_scratch(path, tmp_path / "scratch.db")
    report = build(path, AS_OF)
    assert fingerprint(sqlite_utils.Database(path)) == scratch
    # the dependence reached the unchanged document a new one repeals
    assert status(path, "pesticide") == "已废止"
    work = report["work"]
    assert work["validity"]["read"] == 4  # seeds, citing, seedlings (date), the new one
    assert work["validity"]["reused"] == len(DOCS) - 3
    assert work["articles"]["split"] == 5
    assert work["search_index"]["mode"] == "updated"
    assert 0 < work["search_index"]["indexed"] < len(DOCS) + 1 + len(INTERPRETATIONS)
    assert "unchanged" in report["breakdown"]


def test_a_new_namesake_reaches_the_unchanged_documents_that_name_it(path, tmp_path):
    build(path, AS_OF)
    assert status(path, "machinery") == "已废止"
    stored(path, namesake)
    scratch = from_scratch(path, tmp_path / "scratch.db")
    report = build(path, AS_OF)
    assert fingerprint(sqlite_utils.Database(path)) == scratch
    # neither the clause's measure nor the one it named changed, yet both are worked out again
    assert status(path, "machinery") == "未知"  # which of the two is repealed is not known
    assert report["work"]["validity"]["read"] == 2
    assert report["work"]["validity"]["matched"] >= 4  # the new, the renamed, their namers
    assert report["work"]["validity"]["decided"] < len(DOCS) + 1


def test_a_rebuild_of_an_unchanged_library_works_out_nothing_again(path):
    build(path, AS_OF)
    before = fingerprint(sqlite_utils.Database(path))
    report = build(path, AS_OF)
    assert fingerprint(sqlite_utils.Database(path)) == before
    work = report["work"]
    assert (work["validity"]["read"], work["validity"]["documents_written"]) == (0, 0)
    assert (work["validity"]["evidence_written"], work["validity"]["relations_written"]) == (0, 0)
    assert work["articles"]["split"] == 0 and work["keywords"]["computed"] == 0
    rows = len(DOCS) + len(INTERPRETATIONS)
    assert work["search_index"] == {"mode": "updated", "indexed": 0, "unchanged": rows}
    assert (work["validity"]["matched"], work["validity"]["decided"]) == (0, 0)


def test_a_later_date_is_decided_again_from_what_was_read(path, tmp_path):
    build(path, AS_OF)
    later = date(2031, 1, 1)
    scratch = from_scratch(path, tmp_path / "scratch.db", later)
    report = build(path, later)
    assert report["work"]["validity"]["read"] == 0
    assert fingerprint(sqlite_utils.Database(path)) == scratch
    assert status(path, "fertilizer") == "已失效"


def test_an_index_written_since_by_anyone_else_is_rebuilt(path, tmp_path):
    build(path, AS_OF)
    stored(path, recrawl)
    scratch = from_scratch(path, tmp_path / "scratch.db")
    db = open_db(str(path))
    build_search_index(db)  # another writer rebuilt the index: the cache no longer describes it
    db.close()
    report = build(path, AS_OF)
    assert report["work"]["search_index"]["mode"] == "rebuilt"
    assert fingerprint(sqlite_utils.Database(path)) == scratch


def test_a_body_found_in_no_version_makes_the_index_rebuild(path, tmp_path):
    build(path, AS_OF)
    stored(path, recrawl)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM document_versions")  # the old bodies are nowhere now
    conn.close()
    scratch = from_scratch(path, tmp_path / "scratch.db")
    report = build(path, AS_OF)
    assert report["work"]["search_index"]["mode"] == "rebuilt"
    assert fingerprint(sqlite_utils.Database(path)) == scratch


def test_an_unreadable_cache_is_replaced(path, tmp_path):
    build(path, AS_OF)
    Path(f"{path}{CACHE_SUFFIX}").write_bytes(b"not a database" * 100)
    for leftover in ("-wal", "-shm"):
        Path(f"{path}{CACHE_SUFFIX}{leftover}").unlink(missing_ok=True)
    stored(path, recrawl)
    scratch = from_scratch(path, tmp_path / "scratch.db")
    report = build(path, AS_OF)
    assert report["work"]["validity"]["reused"] == 0
    assert fingerprint(sqlite_utils.Database(path)) == scratch
    assert build(path, AS_OF)["work"]["validity"]["read"] == 0  # and it is kept again


def test_a_library_in_memory_builds_without_a_cache():
    db = sqlite_utils.Database(memory=True)
    from corpus.store.schema import ensure_db_shape

    ensure_db_shape(db)
    fill(db)
    report = build(db, AS_OF)
    assert report["work"]["validity"]["read"] == len(DOCS)
    assert build(db, AS_OF)["work"]["validity"]["reused"] == 0


def test_rewriting_from_the_first_difference_leaves_rowids_as_a_rewrite_would(tmp_path):
    db = sqlite_utils.Database(tmp_path / "t.db")
    db.execute("CREATE TABLE t (a, b)")
    rows = [(1, "x"), (2, "y"), (3, "z")]
    assert rewrite_from_first_difference(db, "t", ("a", "b"), rows) == 3
    assert rewrite_from_first_difference(db, "t", ("a", "b"), rows) == 0
    assert rewrite_from_first_difference(db, "t", ("a", "b"), [(1, "x"), (9, "q")]) == 1
    assert db.execute("SELECT rowid, a, b FROM t ORDER BY rowid").fetchall() == [
        (1, 1, "x"),
        (2, 9, "q"),
    ]
    db.execute("DELETE FROM t WHERE rowid = 1")  # rowids not 1, 2, …: everything again
    assert rewrite_from_first_difference(db, "t", ("a", "b"), rows) == 3
    assert db.execute("SELECT rowid, a FROM t ORDER BY rowid").fetchall() == [
        (1, 1),
        (2, 2),
        (3, 3),
    ]


WORKER_BUILD = """
import json, sys
from datetime import date
import corpus.build
corpus.build.PARALLEL_FROM = 1  # even a handful of rows
import corpus.articles.step
corpus.articles.step.CHUNK = 2  # documents split into many files, copied in in order
assert corpus.build.Workers().available(), "no workers: the build below would work alone"
report = corpus.build.build(sys.argv[1], date.fromisoformat(sys.argv[2]))
print(json.dumps({"workers": report["workers"], "read": report["work"]["validity"]["read"]}))
"""


@pytest.mark.integration  # starts worker processes
def test_a_build_by_worker_processes_equals_one_in_a_single_process(path, tmp_path, monkeypatch):
    """The build with worker processes runs in a process of its own: the build forks workers
    only where no other thread runs, and a test session has threads (servers, pools)."""
    import json  # noqa: PLC0415 - only this test
    import os  # noqa: PLC0415 - only this test
    import subprocess  # noqa: PLC0415 - only this test
    import sys  # noqa: PLC0415 - only this test

    copy(path, tmp_path / "alone.db")
    monkeypatch.setenv(WORKERS_ENV, "1")
    build(tmp_path / "alone.db", AS_OF)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_BUILD, str(path), AS_OF.isoformat()],
        env={**os.environ, WORKERS_ENV: "2"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"workers": 2, "read": len(DOCS)}
    assert fingerprint(sqlite_utils.Database(path)) == fingerprint(
        sqlite_utils.Database(tmp_path / "alone.db")
    )


@pytest.mark.integration  # starts a process, to have the pid of one that ended
def test_the_scratch_folder_of_a_killed_build_is_swept_and_a_live_ones_kept(tmp_path, monkeypatch):
    import subprocess  # noqa: PLC0415 - only this test
    import tempfile  # noqa: PLC0415 - only this test

    from corpus.articles import step  # noqa: PLC0415 - only this test

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that has ended: its pid names a dead build
    dead = tmp_path / f"{step.SCRATCH}{gone.pid}-abc"
    live = tmp_path / f"{step.SCRATCH}{os.getpid()}-def"
    other = tmp_path / f"{step.SCRATCH}xyz"  # not ours to judge (no pid)
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "0.db").write_bytes(b"")
    assert step.sweep_scratch() == [dead]
    assert not dead.exists() and live.exists() and other.exists()
