"""Shared fixtures: the local mirror as a subprocess, its sites file, and one crawl of it.

``crawled_db`` is the library a real crawl of the whole mirror produces (real Scrapy engine over
loopback, real SQLite); build, search and Datasette tests reuse it, so it is made once a session.
Servers and crawls go through ``mirror.harness`` (the mirror binds its own free ports; crawls get
the loopback settings overlay).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mirror import harness
from mirror.harness import CrawlResult, run_crawl, wait_for_http

# The two lanes (make test / make test-fast): markers, --fast and its guard.
pytest_plugins = ("lanes",)

ROOT = harness.ROOT
CRAWL_TIMEOUT = harness.CRAWL_TIMEOUT

__all__ = ["CRAWL_TIMEOUT", "ROOT", "CrawlResult", "run_crawl", "wait_for_http"]


@pytest.fixture(scope="session")
def mirror_base_port(tmp_path_factory: pytest.TempPathFactory):
    """Serve the mirror (``python -m mirror serve``) for the session; yields its base port."""
    log = tmp_path_factory.mktemp("mirror") / "mirror.log"
    with harness.serve_mirror(log=log) as base:
        yield base


@pytest.fixture(scope="session")
def mirror_sites_file(mirror_base_port: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mirror's sites registry for the session's base port (``mirror.sites_yaml``)."""
    import mirror

    path = tmp_path_factory.mktemp("sites") / "mirror.yml"
    path.write_text(mirror.sites_yaml(mirror_base_port), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def mirror_crawl(mirror_sites_file: Path, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One full crawl of the mirror, made once per session."""
    db = tmp_path_factory.mktemp("crawl") / "normdocs.db"
    result = run_crawl(mirror_sites_file, db)
    print(f"\nmirror crawl: exit {result.returncode} in {result.seconds:.1f}s")
    if result.returncode != 0 or not db.exists():
        pytest.fail(f"crawl exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result


@pytest.fixture(scope="session")
def crawled_db(mirror_crawl: CrawlResult) -> Path:
    """The SQLite library a full crawl of the mirror produced (do not write to it)."""
    return mirror_crawl.db


# ---------------------------------------------------------------- a real Redis server

REDIS_SERVER = "/usr/bin/redis-server"


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of the caller's own on a unix socket in ``folder`` (no TCP port: nothing
    to choose, nothing another process could take); yields its URL, kills it at the end."""
    binary = shutil.which("redis-server") or REDIS_SERVER
    if not Path(binary).exists():
        # CI sets NORMDOCS_REQUIRE_REDIS=1 (.ci/run): there a missing server fails, never skips.
        if os.environ.get("NORMDOCS_REQUIRE_REDIS") == "1":
            pytest.fail("no redis-server, and NORMDOCS_REQUIRE_REDIS=1 (make redis)")
        pytest.skip("no redis-server (make redis)")
    sock = folder / "redis.sock"
    command = [binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {' '.join(command)}")
            time.sleep(0.02)
        yield f"unix://{sock}"
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def redis_module_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server for a test module (tests flush what they need)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
