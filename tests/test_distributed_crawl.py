"""The distributed crawl end to end: real redis-server, real Scrapy, the mirror.

Two workers and the writer (``normdocs crawl --redis``) crawl the whole mirror and store what
the single-machine crawl (``python -m crawler.run``, the session's ``crawled_db``) stores, table
by table; a worker and the writer killed with SIGKILL mid-run lose nothing and double nothing
once the writer is started again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from agreement import agrees, rows
from conftest import ROOT, redis_server
from servicekit import mirror, sites_file, truth_for

from mirror import harness
from mirror.hold import Hold

pytestmark = pytest.mark.integration

TIMEOUT = 300
# Compared table by table; what differs between any two crawls is left out: times, run ids,
# row ids of the run tables, the process, the Scrapy stats, the registry file's path.
TABLES = {
    "documents": ("url",),
    "interpretations": ("url",),
    "document_versions": ("url", "version"),
    "attachments": ("id",),
    "page_links": ("from_id", "to_url"),
    "column_items": ("column_url", "url"),
    "http_state": ("url",),
    "crawl_errors": ("url", "error_class", "outcome", "reason"),
    "blocked_hosts": ("host",),
    "crawl_run_columns": ("column_url",),
    "columns": ("url",),
    "sites": ("name",),
    "crawl_runs": (),
}
IGNORED = {
    "fetched_at", "first_seen_at", "last_checked_at", "last_changed_at", "first_listed_at",
    "last_listed_at", "at", "run_id", "last_crawled_at", "last_complete_at",
    "last_full_walk_at", "started_at", "finished_at", "pid", "seconds", "stats", "requests",
    "registry", "sites_file",
}  # fmt: skip
# row ids in the order rows were written (not the same order in two crawls)
IGNORED_BY_TABLE = {"crawl_errors": {"id"}, "crawl_runs": {"id"}, "document_versions": {"id"}}


def _env(lease: float = 5) -> dict[str, str]:
    return {**harness.crawl_env(), "NORMDOCS_LEASE_SECONDS": str(lease)}


def _distributed(sites: Path, db: Path, redis_url: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "corpus.cli", "crawl", "--sites", str(sites), "--db", str(db),
        "--redis", redis_url, *extra,
    ]  # fmt: skip


def _keyed(db: Path, table: str, key: tuple[str, ...]) -> dict[tuple, dict]:
    """The table's rows by key (a repeated key, as crawl_errors may hold, numbered)."""
    out: dict[tuple, dict] = {}
    seen: Counter = Counter()
    skip = IGNORED | IGNORED_BY_TABLE.get(table, set())
    for row in rows(db, f"SELECT * FROM {table}"):
        values = {k: row[k] for k in row.keys() if k not in skip}  # noqa: SIM118 - a sqlite3.Row
        base = tuple(row[k] for k in key)
        seen[base] += 1
        out[(*base, seen[base])] = values
    return out


def agreement(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Per table: (fields equal, fields compared), rows matched by key."""
    result = {}
    for table, key in TABLES.items():
        left, right = _keyed(a, table, key), _keyed(b, table, key)
        equal = compared = 0
        for k in left.keys() | right.keys():
            mine, theirs = left.get(k), right.get(k)
            for column in mine or theirs:  # type: ignore[union-attr]
                compared += 1
                equal += (
                    mine is not None and theirs is not None and agrees(mine[column], theirs[column])
                )
        result[table] = (equal, compared)
    return result


@pytest.fixture(scope="module")
def distributed_db(
    mirror_sites_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("distributed")
    db = tmp / "distributed.db"
    with redis_server(tmp) as url:
        done = subprocess.run(
            _distributed(mirror_sites_file, db, url, "--workers", "2"),
            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
    return db, done


def test_two_workers_store_what_one_machine_stores_table_by_table(
    distributed_db: tuple[Path, subprocess.CompletedProcess], crawled_db: Path
) -> None:
    db, done = distributed_db
    assert done.returncode == 0, done.stderr[-4000:]
    found = agreement(db, crawled_db)
    equal = sum(e for e, _ in found.values())
    compared = sum(c for _, c in found.values())
    print(f"\ndistributed vs single-machine: {equal}/{compared} fields equal")
    for table, (e, c) in found.items():
        print(f"  {table:<18} {e}/{c}")
    assert compared > 10000
    assert found == {t: (c, c) for t, (_, c) in found.items()}


def test_the_distributed_run_reports_as_a_single_machine_run_does(
    distributed_db: tuple[Path, subprocess.CompletedProcess],
) -> None:
    db, done = distributed_db
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["complete"] == 1 and run["finish_reason"] == "finished"
    assert (
        f"run {run['id']}: complete; fetched {run['fetched']} of {run['reported']}" in done.stderr
    )
    assert done.stderr.count("ok  ") == len(rows(db, "SELECT * FROM crawl_run_columns"))
    stats = json.loads(run["stats"])
    workers = stats["workers"]
    assert len(workers) == 2 and all(w["pid"] and w["host"] for w in workers.values())
    per_worker = sum(
        s.get("downloader/request_count", 0)
        for w in workers.values()
        for s in w["spiders"].values()
    )
    assert stats["downloader/request_count"] == per_worker == run["requests"] > run["fetched"]
    # the writer's working tables are emptied when the run is closed
    for table in ("crawl_run_pages", "crawl_run_listed", "crawl_run_tally"):
        assert not rows(db, f"SELECT * FROM {table}")


# ---------------------------------------------------------------- killed mid-run

SITES = ("jx-sthjt",)  # 141 requests: robots.txt, 3 list requests, 110 pages, 27 attachments


def _children(pid: int) -> dict[int, str]:
    """The child processes of ``pid`` and their command lines."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = cmdline.decode()
    return found


def _stored(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return (
                con.execute("SELECT count(*) FROM documents").fetchone()[0]
                + con.execute("SELECT count(*) FROM interpretations").fetchone()[0]
            )
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("distributed-kill")
    db = tmp / "killed.db"
    hold = Hold(60)  # answer 60 requests, then hold every one until released
    with redis_server(tmp) as url, mirror(hold=hold) as (base, _):
        sites = sites_file(tmp / "sites.yml", base, SITES)
        truth = truth_for(base, SITES)
        log = (tmp / "coordinator.log").open("w+")
        # tokens of a killed worker's requests expire after 5 s (not the download timeout)
        command = _distributed(
            sites, db, url, "--workers", "2", "--set", "NORMDOCS_HOST_TOKEN_SECONDS=5"
        )
        coordinator = subprocess.Popen(command, cwd=ROOT, env=_env(lease=3), stderr=log, stdout=log)
        restarted = None
        try:
            assert hold.wait_held(120), "the mirror never held a request"
            children = _children(coordinator.pid)
            workers = [p for p, c in children.items() if " worker " in c]
            (writer,) = [p for p, c in children.items() if " writer " in c]
            assert len(workers) == 2
            os.kill(workers[0], signal.SIGKILL)
            os.kill(writer, signal.SIGKILL)
            waiting = _waiting_items(url)
            at_kill = _stored(db)
            hold.release()
            restarted = subprocess.Popen(
                [sys.executable, "-m", "corpus.cli", "writer", "--redis", url, "--db", str(db), "--once"],
                cwd=ROOT, env=_env(lease=3), stderr=log, stdout=log,
            )  # fmt: skip
            code = coordinator.wait(TIMEOUT)
            writer_code = restarted.wait(60)
        finally:
            for proc in (coordinator, restarted):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait()
            hold.release()
        log.seek(0)
        output = log.read()
    print(f"\nkill: {at_kill} records stored when a worker and the writer were killed")
    return {
        "db": db,
        "truth": truth,
        "code": code,
        "writer_code": writer_code,
        "output": output,
        "at_kill": at_kill,
        "waiting": waiting,
    }


def _waiting_items(url: str) -> int:
    from redis import Redis  # noqa: PLC0415 - only here

    return Redis.from_url(url).xlen("normdocs:items")


def test_after_the_kills_the_run_completes(killed: dict) -> None:
    assert killed["code"] == 0, killed["output"][-4000:]
    assert killed["writer_code"] == 0
    total = len(killed["truth"]["documents"]) + len(killed["truth"]["interpretations"])
    assert 0 < killed["at_kill"] < total  # killed mid-run: some stored, not all
    con = sqlite3.connect(killed["db"])
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_after_the_kills_nothing_is_lost_and_nothing_doubled(killed: dict) -> None:
    db, truth = killed["db"], killed["truth"]
    for table in ("documents", "interpretations"):
        stored = [r["url"] for r in rows(db, f"SELECT url FROM {table}")]
        assert sorted(stored) == sorted(p["url"] for p in truth[table])
    versions = rows(db, "SELECT url, count(*) AS n FROM document_versions GROUP BY url")
    assert {r["n"] for r in versions} == {1}
    assert len(versions) == len(truth["documents"]) + len(truth["interpretations"])
    attachments = rows(db, "SELECT count(*) AS n, count(text) AS t FROM attachments")[0]
    want = sum(len(p["attachments"]) for p in [*truth["documents"], *truth["interpretations"]])
    assert attachments["n"] == attachments["t"] == want
    assert not rows(db, "SELECT * FROM crawl_errors")  # this site has no faults: none recorded
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["complete"] == 1 and run["finish_reason"] == "finished"
    assert run["fetched"] == run["reported"] == run["listed"] == len(versions)
    assert run["stored"] == len(versions) and run["errors"] == 0
    # the killed worker's leases went back to the queue when they expired, and were counted
    assert json.loads(run["stats"])["normdocs/distributed/reaped"] >= 1


# ---------------------------------------------------------------- recrawls


def _second_run(db: Path) -> dict:
    """The second run of a library: its columns (counts and mode) and its totals."""
    (run,) = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")
    columns = {
        r["column_url"]: {k: r[k] for k in r.keys() if k not in ("run_id",)}  # noqa: SIM118 - a sqlite3.Row
        for r in rows(db, "SELECT * FROM crawl_run_columns WHERE run_id = ?", run["id"])
    }
    totals = ("reported", "listed", "fetched", "stored", "known", "removed", "errors", "complete")
    robots = json.loads(run["stats"]).get("robotstxt/request_count", 0)
    return {
        "columns": columns,
        "run": {k: run[k] for k in totals},
        # each worker reads a host's robots.txt for itself: the pages asked are what compares
        "pages asked": run["requests"] - robots,
        "robots.txt": robots,
    }


@pytest.mark.parametrize("recheck", ["30", "0"], ids=["incremental", "everything-due"])
def test_a_distributed_recrawl_counts_and_costs_what_a_single_machine_one_does(
    crawled_db: Path, mirror_sites_file: Path, tmp_path: Path, recheck: str
) -> None:
    """A second crawl of a complete library: incremental walks stop at known pages (their
    unreached pages credited as known), and with every page due for a re-check each is asked
    conditionally (304) — the same counts, notes and requests as a single machine."""
    single, distributed = tmp_path / "single.db", tmp_path / "distributed.db"
    for copy in (single, distributed):
        copy.write_bytes(crawled_db.read_bytes())
    setting = {"NORMDOCS_RECHECK_DAYS": recheck}
    one = harness.run_crawl(mirror_sites_file, single, settings=setting)
    assert one.returncode == 0, one.stderr[-3000:]
    with redis_server(tmp_path) as url:
        command = _distributed(
            mirror_sites_file, distributed, url, "--workers", "2",
            "--set", f"NORMDOCS_RECHECK_DAYS={recheck}",
        )  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=TIMEOUT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    want, got = _second_run(single), _second_run(distributed)
    print(f"\nrecrawl ({recheck}): single machine {want['pages asked']} pages asked + "
          f"{want['robots.txt']} robots.txt, distributed {got['pages asked']} + {got['robots.txt']}")  # fmt: skip
    assert got["run"] == want["run"]
    assert got["columns"] == want["columns"]
    assert got["pages asked"] == want["pages asked"]


# ---------------------------------------------------------------- a worker joined by hand


def _status(url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "corpus.cli", "status", "--redis", url, "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _until(found, what: str, timeout: float = 120):
    import time  # noqa: PLC0415 - only here

    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        assert time.monotonic() < deadline, f"no {what} after {timeout:g}s"
        time.sleep(0.2)


def test_a_worker_started_by_hand_joins_with_the_runs_settings_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    """`--workers 0`: nobody but a bare `normdocs worker` (no overlay of its own, no sites file,
    no library) crawls the run, with the run's overlay; `status` shows it; after the run it
    waits for the next one, and SIGTERM ends it."""
    db = tmp_path / "hand.db"
    bare_env = {k: v for k, v in _env().items() if k != harness.SETTINGS_MODULE_ENV}
    with redis_server(tmp_path) as url, mirror() as (base, _):
        sites = sites_file(tmp_path / "sites.yml", base, SITES)
        coordinator = subprocess.Popen(
            _distributed(sites, db, url, "--workers", "0"),
            cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        worker = None
        try:
            _until(lambda: _status(url)["state"] == "running", "running run")
            worker = subprocess.Popen(
                [sys.executable, "-m", "corpus.cli", "worker", "--redis", url],
                cwd=ROOT, env=bare_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            seen = _until(
                lambda: (s := _status(url))["workers"] and s["hosts"] and s, "worker and host"
            )
            assert [w["pid"] for w in seen["workers"]] == [worker.pid]
            # the run's overlay (mirror.loopback: 8 at a time, no delay), not production's 2 / 1 s
            assert seen["hosts"]["127.0.0.1"]["limit"] == 8
            assert seen["hosts"]["127.0.0.1"]["delay"] == 0
            _, stderr = coordinator.communicate(timeout=TIMEOUT)
            assert coordinator.returncode == 0, stderr[-3000:]
            # the run is over and cleared; the worker (same process, a fresh image) waits
            after = _until(
                lambda: (s := _status(url))["run"] is None and s["workers"] and s, "idle worker"
            )
            assert after["workers"][0]["pid"] == worker.pid and worker.poll() is None
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(30) == 0
        finally:
            for proc in (coordinator, worker):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait()
    (run,) = rows(db, "SELECT complete, stats FROM crawl_runs")
    assert run["complete"] == 1
    assert [w["pid"] for w in json.loads(run["stats"])["workers"].values()] == [worker.pid]
