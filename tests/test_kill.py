"""Resumable: a real crawl process killed with SIGKILL at several moments, then run again.

The mirror answers every request after a short delay (``*:slow``) so that a crawl of jx-sthjt
(110 pages) lasts a few seconds and each kill lands where it is meant to: while the lists
are walked and before any record is stored, just after the first records, halfway, and near the
end. Each kill hits a fresh run on the same library, which resumes what the last one left. After
every kill the file passes ``PRAGMA integrity_check``; after the last run the library holds every
page of the truth exactly once, every attachment's text, one version per page, and the killed
runs are marked interrupted.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT
from servicekit import crawl, crawl_args, mirror, rows, sites_file, truth_for

pytestmark = pytest.mark.integration

SITES = ("jx-sthjt",)


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(
                "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM interpretations)"
            ).fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _kill_when(
    args: list[str], ready: Callable[[], bool], timeout: float = 120
) -> subprocess.Popen:
    """Start a crawl, SIGKILL it as soon as ``ready()``; fails if it ends first."""
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise AssertionError(f"the crawl ended before the kill: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the kill moment never came")
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("kill")
    db = tmp / "normdocs.db"
    with mirror("*:slow", delay=0.05) as (base, faults):
        sites = sites_file(tmp / "sites.yml", base, SITES)
        truth = truth_for(base, SITES)
        total = len(truth["documents"]) + len(truth["interpretations"])
        args = crawl_args(sites, db)

        def details_asked() -> bool:
            return any("/art/" in key for _, key in list(faults.hits))

        moments = {
            "lists walked, no record stored yet": lambda: details_asked() and _stored(db) == 0,
            "first records stored": lambda: _stored(db) >= 5,
            "halfway": lambda: _stored(db) >= total // 2,
            "near the end": lambda: _stored(db) >= total * 95 // 100,
        }
        at_kill, integrity = {}, {}
        for name, ready in moments.items():
            _kill_when(args, ready)
            at_kill[name] = _stored(db)
            integrity[name] = _integrity(db)
        final = crawl(sites, db)
    print(f"\nkilled at (records stored / {total}): {at_kill}")
    return {"db": db, "truth": truth, "at_kill": at_kill, "integrity": integrity, "final": final}


def test_every_kill_leaves_a_sound_file(killed: dict) -> None:
    assert set(killed["integrity"].values()) == {"ok"}
    stored = list(killed["at_kill"].values())
    assert stored[0] == 0 and 0 < stored[1] < stored[2] < stored[3] < len(killed["truth"]["documents"]) + len(killed["truth"]["interpretations"])  # fmt: skip


def test_after_the_kills_the_next_run_completes_and_the_file_is_sound(killed: dict) -> None:
    assert killed["final"].returncode == 0, killed["final"].stderr[-3000:]
    assert _integrity(killed["db"]) == "ok"


def test_nothing_is_lost_and_nothing_is_duplicated(killed: dict) -> None:
    db, truth = killed["db"], killed["truth"]
    for table in ("documents", "interpretations"):
        stored = [r["url"] for r in rows(db, f"SELECT url FROM {table}")]
        assert len(stored) == len(set(stored))
        assert set(stored) == {p["url"] for p in truth[table]}
    versions = rows(db, "SELECT url, count(*) AS n FROM document_versions GROUP BY url")
    assert {r["n"] for r in versions} == {1}
    assert len(versions) == len(truth["documents"]) + len(truth["interpretations"])
    want = {
        (p["url"], a["url"]): a["text"]
        for p in [*truth["documents"], *truth["interpretations"]]
        for a in p["attachments"]
    }
    got = {
        (r["parent_url"], r["url"]): r["text"]
        for r in rows(
            db,
            "SELECT a.url, a.text, coalesce(d.url, i.url) AS parent_url FROM attachments a"
            " LEFT JOIN documents d ON a.parent_table = 'documents' AND d.id = a.parent_id"
            " LEFT JOIN interpretations i"
            "   ON a.parent_table = 'interpretations' AND i.id = a.parent_id",
        )
    }
    assert got == want


def test_the_killed_runs_are_marked_interrupted_and_the_last_is_complete(killed: dict) -> None:
    runs = rows(killed["db"], "SELECT * FROM crawl_runs ORDER BY id")
    assert len(runs) == len(killed["at_kill"]) + 1
    assert all(r["finish_reason"].startswith("interrupted") for r in runs[:-1])
    assert all(r["complete"] == 0 for r in runs[:-1])
    assert runs[-1]["complete"] == 1 and runs[-1]["finish_reason"] == "finished"
