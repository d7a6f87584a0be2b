"""A distributed crawl stopped on purpose, at a moment the mirror chooses (``mirror.hold``):

- a worker given SIGTERM while it holds leased requests finishes them (their outcomes
  committed, their leases ended by the commit, none reaped), sends its stats and exits 0 —
  without waiting for the run's shared queue to drain; a worker started afterwards finishes the
  run, every page stored once and asked of the mirror once;
- a coordinator killed with SIGKILL leaves its run abandoned: its writer and workers go on; the
  next ``normdocs crawl --redis`` is refused while the run's coordinator may still be alive,
  clears the run once it has been silent ``NORMDOCS_COORDINATOR_GONE_SECONDS``, and completes;
  the orphans leave the cleared run (the writer never writes the new run's items as the old
  one's) and the library is what a single machine leaves after a killed crawl and a rerun.

Real redis-server, real Scrapy, real processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from agreement import rows
from conftest import ROOT, redis_server
from redis import Redis
from servicekit import mirror, sites_file, truth_for
from test_distributed_crawl import (
    SITES,
    TIMEOUT,
    _children,
    _distributed,
    _env,
    _status,
    _stored,
    _until,
)

from crawler.distributed import run
from mirror.hold import Hold

pytestmark = pytest.mark.integration


def _worker(url: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "corpus.cli", "worker", "--redis", url, "--once"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _leases_of(redis: Redis, worker: str) -> set[tuple[str, str]]:
    """(owner hash, lease id) of every request ``worker`` holds now."""
    return {
        (key.decode(), lease.decode())
        for key in redis.scan_iter(match="normdocs:*:owner")
        for lease, owner in redis.hgetall(key).items()
        if owner.decode() == worker
    }


def _leased(redis: Redis, held: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of ``held`` still in their lease set."""
    return {
        (key, lease)
        for key, lease in held
        if redis.zscore(key.removesuffix(":owner") + ":leases", lease) is not None
    }


def _reaped(redis: Redis) -> int:
    return sum(int(redis.get(k) or 0) for k in redis.scan_iter(match="normdocs:*:reaped"))


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _every_page_once(db: Path, truth: dict) -> None:
    for table in ("documents", "interpretations"):
        stored = [r["url"] for r in rows(db, f"SELECT url FROM {table}")]
        assert sorted(stored) == sorted(p["url"] for p in truth[table])
    versions = rows(db, "SELECT url, count(*) AS n FROM document_versions GROUP BY url")
    assert {r["n"] for r in versions} == {1}
    assert len(versions) == len(truth["documents"]) + len(truth["interpretations"])
    want = sum(len(p["attachments"]) for p in [*truth["documents"], *truth["interpretations"]])
    attachments = rows(db, "SELECT count(*) AS n, count(text) AS t FROM attachments")[0]
    assert attachments["n"] == attachments["t"] == want


# ---------------------------------------------------------------- SIGTERM mid-run


@pytest.fixture(scope="module")
def terminated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``--workers 0``; worker A (by hand) holds the requests the mirror holds after its 60th
    answer; A gets SIGTERM, the answers are released; A must finish and exit on its own (nobody
    else is there to empty the queue); then worker B finishes the run."""
    tmp = tmp_path_factory.mktemp("distributed-sigterm")
    db = tmp / "sigterm.db"
    hold = Hold(60)
    env = _env(lease=60)  # the default: a lease that had to expire would show as reaped
    out: dict = {"db": db}
    with redis_server(tmp) as url, mirror(hold=hold) as (base, faults):
        redis = Redis.from_url(url)
        sites = sites_file(tmp / "sites.yml", base, SITES)
        out["truth"] = truth_for(base, SITES)
        log = (tmp / "coordinator.log").open("w+")
        coordinator = subprocess.Popen(
            _distributed(sites, db, url, "--workers", "0"), cwd=ROOT, env=env, stdout=log, stderr=log
        )  # fmt: skip
        a = b = None
        try:
            _until(lambda: _status(url)["state"] == "running", "running run")
            a = _worker(url, env)
            assert hold.wait_held(120), "the mirror never held a request"
            a_id = f"{socket.gethostname()}:{a.pid}"
            held = _until(lambda: _leases_of(redis, a_id), "leases held by worker A")
            out["held"] = len(held)
            out["held_at_mirror"] = list(hold.held)
            a.send_signal(signal.SIGTERM)
            hold.release()
            out["a_code"] = a.wait(120)
            out["still_leased"] = _leased(redis, held)
            out["a_leases_after"] = _leases_of(redis, a_id)
            out["status_after_a"] = _status(url)
            out["reaped_after_a"] = _reaped(redis)
            b = _worker(url, env)
            out["code"] = coordinator.wait(TIMEOUT)
            out["b_code"] = b.wait(60)
        finally:
            for proc in (coordinator, a, b):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait()
            hold.release()
        log.seek(0)
        out["output"] = log.read()
        out["hits"] = dict(faults.hits)
        out["pids"] = (a.pid, b.pid)
    print(
        f"\nsigterm: worker A held {out['held']} leases ({len(out['held_at_mirror'])} requests"
        f" held at the mirror); after A left: {out['status_after_a']['queued']} queued,"
        f" {out['status_after_a']['leased']} leased, {out['reaped_after_a']} reaped"
    )
    return out


def test_a_worker_given_sigterm_commits_what_it_holds_and_exits_0(terminated: dict) -> None:
    assert terminated["held"] >= 1 and terminated["held_at_mirror"]
    assert terminated["a_code"] == 0
    # every lease A held was ended by its commit: none left, none reaped, nothing leased at all
    assert terminated["still_leased"] == set()
    assert terminated["a_leases_after"] == set()
    assert terminated["reaped_after_a"] == 0
    status = terminated["status_after_a"]
    assert status["leased"] == 0 and status["reaped"] == 0
    # it left while the run still had work: it did not wait for the shared queue to drain
    assert status["queued"] > 0 and status["state"] == "running"


def test_after_the_sigterm_the_run_completes_every_page_stored_and_asked_once(
    terminated: dict,
) -> None:
    assert terminated["code"] == 0, terminated["output"][-4000:]
    assert terminated["b_code"] == 0
    db = terminated["db"]
    assert _integrity(db) == "ok"
    _every_page_once(db, terminated["truth"])
    # no request done twice: each URL asked of the mirror once (robots.txt once per worker)
    twice = {k: n for k, n in terminated["hits"].items() if n > 1 and k[1] != "/robots.txt"}
    assert twice == {}
    assert all(n <= 2 for k, n in terminated["hits"].items() if k[1] == "/robots.txt")
    (row,) = rows(db, "SELECT * FROM crawl_runs")
    assert row["complete"] == 1 and row["finish_reason"] == "finished"
    stats = json.loads(row["stats"])
    assert stats["normdocs/distributed/reaped"] == 0  # every lease ended by a commit
    assert not stats.get("normdocs/distributed/lease_lost")
    # both workers sent their stats: A's on its way out, B's at the end
    assert sorted(w["pid"] for w in stats["workers"].values()) == sorted(terminated["pids"])
    for worker in stats["workers"].values():
        assert {s["finish_reason"] for s in worker["spiders"].values()} == {"finished"}


# ---------------------------------------------------------------- the coordinator killed

GONE_SECONDS = 10  # NORMDOCS_COORDINATOR_GONE_SECONDS for this test (the default is 30)


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie nobody reaped counts as exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return True
    return fields[0] in ("Z", "X")


@pytest.fixture(scope="module")
def abandoned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("distributed-abandoned")
    db = tmp / "abandoned.db"
    hold = Hold(60)
    env = {**_env(lease=5), "NORMDOCS_COORDINATOR_GONE_SECONDS": str(GONE_SECONDS)}
    out: dict = {"db": db}
    orphans: list[int] = []
    with redis_server(tmp) as url, mirror(hold=hold) as (base, _):
        redis = Redis.from_url(url)
        sites = sites_file(tmp / "sites.yml", base, SITES)
        out["truth"] = truth_for(base, SITES)
        command = _distributed(sites, db, url, "--workers", "2")
        log = (tmp / "coordinator.log").open("w+")
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            assert hold.wait_held(120), "the mirror never held a request"
            orphans = list(_children(first.pid))
            out["orphans"] = len(orphans)
            first.send_signal(signal.SIGKILL)
            first.wait()
            out["first_run"] = run.state(redis)[0]
            out["at_kill"] = _stored(db)
            hold.release()
            # at once: the run's coordinator beat a moment ago; it may be alive: refused
            out["busy"] = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            _until(
                lambda: (run.coordinator_silent_ms(redis) or 0) > GONE_SECONDS * 1000,
                "the abandoned run's silence",
                GONE_SECONDS + 60,
            )
            out["again"] = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
            )
            out["orphans_left"] = _until(lambda: all(_gone(p) for p in orphans), "orphans gone", 60)
        finally:
            for pid in orphans:
                if not _gone(pid):
                    os.kill(pid, signal.SIGKILL)
            hold.release()
    print(
        f"\nabandoned: {out['at_kill']} records stored when the coordinator was killed;"
        f" the next run: exit {out['again'].returncode}"
    )
    return out


def test_while_the_killed_coordinator_may_be_alive_another_is_refused(abandoned: dict) -> None:
    busy = abandoned["busy"]
    assert busy.returncode == 2, busy.stderr[-3000:]
    assert f"run {abandoned['first_run']} is running" in busy.stderr


def test_after_its_silence_the_abandoned_run_is_cleared_and_the_next_completes(
    abandoned: dict,
) -> None:
    again = abandoned["again"]
    assert again.returncode == 0, again.stderr[-4000:]
    assert f"run {abandoned['first_run']} on " in again.stderr and "cleared" in again.stderr
    assert abandoned["orphans"] == 3  # the writer and two workers outlived their coordinator
    assert abandoned["orphans_left"]  # and left the cleared run
    db = abandoned["db"]
    assert _integrity(db) == "ok"
    _every_page_once(db, abandoned["truth"])


def test_the_abandoned_run_is_marked_interrupted_as_after_a_killed_crawl(abandoned: dict) -> None:
    db = abandoned["db"]
    first, second = rows(db, "SELECT * FROM crawl_runs ORDER BY id")
    assert first["id"] == abandoned["first_run"]
    assert first["complete"] == 0 and first["finish_reason"].startswith("interrupted")
    assert not rows(db, "SELECT * FROM crawl_run_columns WHERE run_id = ?", first["id"])
    assert second["complete"] == 1 and second["finish_reason"] == "finished"
    # the writer's working rows of both runs are gone; nothing of the second run was written
    # under the first one's id after the clear
    for table in ("crawl_run_pages", "crawl_run_listed", "crawl_run_tally"):
        assert not rows(db, f"SELECT * FROM {table}")
    assert {r["run_id"] for r in rows(db, "SELECT run_id FROM crawl_run_stream")} <= {
        first["id"],
        second["id"],
    }
