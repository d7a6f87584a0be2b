"""``normdocs refresh``: crawl, build and publish atomically; readers never see a half-built file.

Two refreshes of jx-nync into one working library, the second against the mirror after its
changes and as of a later date. While the second runs, a reader opens the published file again
and again: every time it finds a whole, built library, the old one or the new one. A reader that
kept the old file open goes on reading the old library.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT
from servicekit import FAST, mirror, rows, sites_file, truth_for

from mirror.harness import crawl_env

pytestmark = pytest.mark.integration

SITES = ("jx-nync",)


def _refresh(sites: Path, work: Path, published: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "corpus.cli", "refresh", "--sites", str(sites)]
    args += ["--db", str(work), "--publish", str(published), *extra]
    for name, value in FAST.items():
        args += ["--set", f"{name}={value}"]
    # `normdocs refresh` crawls through `python -m crawler.run`: the environment gives it the
    # loopback overlay (mirror.loopback), as the harness does for every crawl of the mirror.
    return subprocess.run(
        args, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300
    )


def _look(path: Path) -> tuple[str, int]:
    """What a new reader of the published file sees: its as-of date and its document count."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        as_of = con.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()[0]
        count = con.execute("SELECT count(*) FROM documents WHERE removed_at IS NULL").fetchone()
        return as_of, count[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("refresh")
    work, published = tmp / "work.db", tmp / "public" / "normdocs.db"
    with mirror() as (base, _):
        sites = sites_file(tmp / "sites.yml", base, SITES)
        first = _refresh(sites, work, published, "--as-of", "2026-11-27")
        before = _look(published)
        kept_open = sqlite3.connect(f"file:{published}?mode=ro", uri=True)
        kept_open.execute("SELECT count(*) FROM documents").fetchone()
    seen: list[tuple[str, int] | str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                seen.append(_look(published))
            except sqlite3.Error as exc:  # a half-built or missing file would land here
                seen.append(f"error: {exc}")

    with mirror(changes="all", base=base):
        thread = threading.Thread(target=reader)
        thread.start()
        try:
            second = _refresh(sites, work, published, "--as-of", "2026-12-01")
        finally:
            done.set()
            thread.join()
    after = _look(published)
    old_view = kept_open.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()[0]
    kept_open.close()
    return {
        "tmp": tmp, "base": base, "sites": sites, "work": work, "published": published,
        "first": first, "second": second, "before": before, "after": after, "seen": seen,
        "old_view": old_view,
    }  # fmt: skip


def test_a_refresh_publishes_a_built_self_contained_library(refreshed: dict) -> None:
    assert refreshed["first"].returncode == 0, refreshed["first"].stderr[-3000:]
    published = refreshed["published"]
    truth = truth_for(refreshed["base"], SITES)
    assert refreshed["before"] == ("2026-11-27", len(truth["documents"]))
    assert not Path(f"{published}-wal").exists()
    con = sqlite3.connect(published)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert not list(published.parent.glob(".*building*"))  # no temporary file left behind


def test_readers_never_see_a_half_built_library(refreshed: dict) -> None:
    assert refreshed["second"].returncode == 0, refreshed["second"].stderr[-3000:]
    seen = refreshed["seen"]
    old, new = refreshed["before"], refreshed["after"]
    assert new[0] == "2026-12-01" and new != old
    assert seen, "the reader never ran"
    assert set(seen) <= {old, new}, [s for s in seen if s not in (old, new)][:3]
    # Once the new library is there, it stays: the swap happened once, whole.
    first_new = seen.index(new) if new in seen else len(seen)
    assert all(s == new for s in seen[first_new:])
    print(f"\nreader looked {len(seen)} times during the refresh: {seen.count(old)} old, "
          f"{seen.count(new)} new, nothing else")  # fmt: skip


def test_a_reader_holding_the_old_file_keeps_reading_it(refreshed: dict) -> None:
    assert refreshed["old_view"] == "2026-11-27"


def test_the_second_refresh_was_incremental_and_kept_the_history(refreshed: dict) -> None:
    runs = rows(refreshed["work"], "SELECT * FROM crawl_runs ORDER BY id")
    assert len(runs) == 2 and runs[1]["requests"] < runs[0]["requests"] / 5
    changes = truth_for(refreshed["base"], SITES, changes="all")["changes"]
    new_doc = next(c["url"] for c in changes if c["change"] == "new-document")
    assert rows(refreshed["published"], "SELECT 1 FROM documents WHERE url = ?", new_doc)
    assert refreshed["after"][1] == refreshed["before"][1] + 1
    versions = rows(refreshed["published"], "SELECT count(*) AS n FROM document_versions")
    assert versions[0]["n"] == refreshed["after"][1] + len(
        rows(refreshed["published"], "SELECT 1 FROM interpretations")
    )


def test_an_incomplete_crawl_is_not_published_when_completeness_is_required(
    refreshed: dict,
) -> None:
    published = refreshed["published"]
    inode = published.stat().st_ino
    with mirror("jx-nync:412~detail", base=refreshed["base"]):
        result = _refresh(
            refreshed["sites"], refreshed["work"], published, "--as-of", "2026-12-02",
            "--require-complete", "--set", "NORMDOCS_RECHECK_DAYS=0",
        )  # fmt: skip
    assert result.returncode == 1 and "not published" in result.stderr
    assert published.stat().st_ino == inode
    assert _look(published)[0] == "2026-12-01"


def test_a_bad_sites_file_publishes_nothing_and_exits_2(refreshed: dict, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("sites: []\n", encoding="utf-8")
    result = _refresh(bad, tmp_path / "w.db", tmp_path / "p.db")
    assert result.returncode == 2 and not (tmp_path / "p.db").exists()


def test_the_site_publishes_freshness_crawl_runs_and_errors(refreshed: dict) -> None:
    import asyncio

    from corpus.site.serve import make_datasette

    ds = make_datasette(refreshed["published"])
    loop = asyncio.new_event_loop()
    try:

        def get(path: str) -> list[dict]:
            response = loop.run_until_complete(ds.client.get(path))
            assert response.status_code == 200, (path, response.text[:500])
            return response.json()

        (site,) = get("/normdocs/freshness.json?_shape=array")
        assert site["site"] == "jx-nync" and site["documents"] == refreshed["after"][1]
        assert site["last_complete_at"] and site["oldest_check"]
        runs = get("/normdocs/crawl_runs.json?_shape=array")
        assert [r["complete"] for r in runs] == [1, 1] and runs[0]["requests"] < runs[1]["requests"]
        assert get("/normdocs/crawl_errors.json?_shape=array&run_id=&error_class=&outcome=") == []
        assert get("/normdocs/removed_pages.json?_shape=array") == []
    finally:
        loop.close()


def test_one_refresh_publishes_to_several_replicas_and_names_the_one_it_could_not(
    tmp_path: Path,
) -> None:
    """Two --publish targets get the same checked bytes; then a third that cannot exist (its
    parent is a regular file) is named on the terminal with exit code 3, and the two others are
    replaced all the same. (A replica that fails part-way keeping its old file whole:
    tests/test_publish.py.)"""
    work = tmp_path / "work.db"
    first, second = tmp_path / "a" / "normdocs.db", tmp_path / "b" / "normdocs.db"
    (tmp_path / "not-a-dir").write_text("a file where a directory should be\n")
    broken = tmp_path / "not-a-dir" / "normdocs.db"
    with mirror() as (base, _):
        sites = sites_file(tmp_path / "sites.yml", base, SITES)
        ok = _refresh(sites, work, first, "--publish", str(second), "--as-of", "2026-11-27")
        assert ok.returncode == 0, ok.stderr[-3000:]
        assert f"published {first}" in ok.stderr and f"published {second}" in ok.stderr
        assert first.read_bytes() == second.read_bytes()
        documents = len(truth_for(base, SITES)["documents"])
        assert _look(first) == _look(second) == ("2026-11-27", documents)
        failed = _refresh(
            sites, work, first, "--publish", str(broken), "--publish", str(second),
            "--as-of", "2026-11-30",
        )  # fmt: skip
    assert failed.returncode == 3, failed.stderr[-3000:]
    assert f"published {first}" in failed.stderr and f"published {second}" in failed.stderr
    assert f"error: not published to {broken}" in failed.stderr
    assert _look(first) == _look(second) == ("2026-11-30", documents)
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "not-a-dir").is_file()
    for directory in (first.parent, second.parent, tmp_path):
        assert not list(directory.glob(".*building*")) and not list(directory.glob(".*publishing*"))


@pytest.fixture
def redis_url(tmp_path: Path):
    """A real redis-server of this test's own, on a unix socket (nothing listens on a port)."""
    import shutil  # noqa: PLC0415 - only this fixture
    import time  # noqa: PLC0415 - likewise

    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("no redis-server (make redis)")
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not sock.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"unix://{sock}?db=0"
    proc.terminate()
    proc.wait(10)


def test_a_distributed_refresh_publishes_to_every_replica(tmp_path: Path, redis_url: str) -> None:
    """`refresh --redis URL --workers 2`: the crawl is the distributed one (a coordinator, two
    workers, the writer); the build is published to two replicas, whole and alike."""
    work = tmp_path / "work.db"
    first, second = tmp_path / "a" / "normdocs.db", tmp_path / "b" / "normdocs.db"
    with mirror() as (base, _):
        sites = sites_file(tmp_path / "sites.yml", base, SITES)
        result = _refresh(
            sites, work, first, "--publish", str(second), "--as-of", "2026-11-27",
            "--redis", redis_url, "--workers", "2",
        )  # fmt: skip
        documents = len(truth_for(base, SITES)["documents"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert _look(first) == _look(second) == ("2026-11-27", documents)
    assert first.read_bytes() == second.read_bytes()
    assert rows(work, "SELECT complete FROM crawl_runs")[0]["complete"] == 1
