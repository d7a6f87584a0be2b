"""Shared fixtures: the local mirror as a subprocess, its sites file, and one crawl of it.

``crawled_db`` is the library a real crawl of the whole mirror produces (real Scrapy engine over
loopback, real SQLite); build, search and Datasette tests reuse it, so it is made once a session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CRAWL_TIMEOUT = 300


def mirror_site_count() -> int:
    """How many ports the mirror needs (one per site, from the base port; extra sites too)."""
    import mirror  # noqa: PLC0415

    return mirror.port_count()


def free_base_port(count: int, start: int = 18701) -> int:
    """A base port with ``count`` free consecutive ports after it (parallel test runs coexist)."""
    import socket  # noqa: PLC0415

    preferred = os.environ.get("NORMDOCS_MIRROR_PORT")
    candidates = [int(preferred)] if preferred else range(start, start + 2000, 50)
    for base in candidates:
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for the mirror")


def wait_for_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` gives any HTTP answer (a 404 counts: the server is up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError as exc:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode} before {url}") from exc
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from {url} after {timeout}s") from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def mirror_base_port(tmp_path_factory: pytest.TempPathFactory):
    """Serve the mirror (``python -m mirror serve``) for the session; yields its base port."""
    log = tmp_path_factory.mktemp("mirror") / "mirror.log"
    sites = mirror_site_count()
    base = free_base_port(sites)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mirror", "serve", "--base-port", str(base)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for offset in range(sites):
            wait_for_http(f"http://127.0.0.1:{base + offset}/", proc=proc)
        yield base
    except Exception:
        print(log.read_text(errors="replace")[-3000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def mirror_sites_file(mirror_base_port: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mirror's sites registry for the session's base port (``mirror.sites_yaml``)."""
    import mirror

    path = tmp_path_factory.mktemp("sites") / "mirror.yml"
    path.write_text(mirror.sites_yaml(mirror_base_port), encoding="utf-8")
    return path


@dataclass
class CrawlResult:
    """One ``python -m crawler.run`` subprocess: its library file, exit code, output, time."""

    db: Path
    returncode: int
    seconds: float
    stderr: str


def run_crawl(
    sites_file: Path, db: Path, *extra: str, timeout: float = CRAWL_TIMEOUT
) -> CrawlResult:
    """Crawl ``sites_file`` into ``db`` in a subprocess (one Twisted reactor per process)."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.run", "--sites", str(sites_file), "--db", str(db), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CrawlResult(db, proc.returncode, time.monotonic() - started, proc.stderr)


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
