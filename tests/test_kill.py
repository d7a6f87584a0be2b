"""Resumable: a real crawl process killed with SIGKILL at several moments, then run again.

The moments are set by the mirror, not by a clock: it answers the first N requests of a crawl and
holds every later one (``mirror.hold.Hold``). Once it holds a request, the crawl is mid-flight
with exactly N answers given and the next asked for; the test kills it there, releases the held
answer, and starts the next run with another N. The killed runs have one request in flight
(``CONCURRENT_REQUESTS=1``): a crawl asks for the (N+1)-th answer only once it has done what it
can with the N-th, so what is stored at each kill is the same on every run. The first kill comes
when only robots.txt and the lists were answered (nothing can be stored yet), the next ones after
ever more article pages and attachments. Each kill hits a fresh run on the same library, which
resumes what the last one left. After every kill the file passes ``PRAGMA integrity_check``; after the last run the library
holds every page of the truth exactly once, every attachment's text, one version per page, and
the killed runs are marked interrupted.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from servicekit import FAST, crawl, crawl_args, mirror, rows, sites_file, truth_for

from mirror.faults import scope_of
from mirror.hold import Hold

pytestmark = pytest.mark.integration

SITES = ("jx-sthjt",)
# Answers each run gets before the mirror holds the rest. A full crawl of jx-sthjt asks 141
# requests (robots.txt, 3 list requests, 110 article pages, 27 attachments); a resumed run asks
# again for robots.txt and the lists, then only for what is not stored yet. The first run's 3
# answers are robots.txt and the first two list requests: no article page, so nothing stored.
# The others leave (on this world) 14, 56 and 102 of the 110 records stored.
MOMENTS = {
    "lists walked, no record stored yet": 3,
    "first records stored": 20,
    "halfway": 55,
    "near the end": 65,
}


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


def _kill_when_held(args: list[str], hold: Hold, timeout: float = 120) -> None:
    """Start a crawl, SIGKILL it once the mirror holds one of its requests, then release the
    held answers; fails if the crawl ends first."""
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not hold.wait_held(timeout):
            if proc.poll() is not None:
                raise AssertionError(
                    f"the crawl ended before the kill: {proc.stderr.read()[-2000:]}"
                )
            raise AssertionError("the mirror never held a request")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        hold.release()
        proc.stderr.close()


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("kill")
    db = tmp / "normdocs.db"
    hold = Hold(0)
    with mirror(hold=hold) as (base, _):
        sites = sites_file(tmp / "sites.yml", base, SITES)
        truth = truth_for(base, SITES)
        total = len(truth["documents"]) + len(truth["interpretations"])
        args = crawl_args(sites, db, {**FAST, "CONCURRENT_REQUESTS": "1"})
        at_kill, integrity, answered = {}, {}, {}
        for name, after in MOMENTS.items():
            hold.arm(after)
            _kill_when_held(args, hold)
            answered[name] = list(hold.answered)
            at_kill[name] = _stored(db)
            integrity[name] = _integrity(db)
        hold.arm(10**9)  # the last run is answered in full
        final = crawl(sites, db)
    print(f"\nkilled at (records stored / {total}): {at_kill}")
    return {
        "db": db,
        "truth": truth,
        "at_kill": at_kill,
        "integrity": integrity,
        "answered": answered,
        "final": final,
    }


def test_each_kill_came_with_exactly_n_answers_given(killed: dict) -> None:
    assert {name: len(keys) for name, keys in killed["answered"].items()} == MOMENTS
    first = killed["answered"]["lists walked, no record stored yet"]
    assert [scope_of(key.split("?")[0]) for key in first] == ["robots", "list", "list"]


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
