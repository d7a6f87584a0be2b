"""Politeness over a distributed crawl, measured at the server: two workers never have more
requests in flight to a host than its limit, and a host one worker found blocked is not
requested by the other (crawler/distributed/limiter.py).

The sites are tiny Hanweb-shaped servers of this test (aiohttp, in a thread of this process)
that count what they are asked: requests in flight per Host at the worst moment, requests per
path. Without the shared limiter two workers with a limit of two each would have four in flight.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from agreement import rows
from aiohttp import web
from conftest import ROOT, redis_server
from fake_hanweb import _li

from mirror import harness

pytestmark = pytest.mark.integration

COLUMN = "/col/col100/index.html"
PAGES = 24


@dataclass
class Counts:
    """What a server was asked."""

    in_flight: Counter = field(default_factory=Counter)  # Host → now
    most: Counter = field(default_factory=Counter)  # Host → the most at once
    paths: Counter = field(default_factory=Counter)  # (Host, path) → requests


def _column(links: list[str]) -> str:
    records = "".join(_li(link, f"文件{i}") for i, link in enumerate(links))
    return f"""<html><body><div id="900"><script type="text/xml"><datastore>
<nextgroup><![CDATA[]]></nextgroup><recordset>{records}</recordset></datastore></script></div>
<script>var param_900 = {{col:1,appid:1,webid:9,path:'/',columnid:100,sourceContentType:1,unitid:'900',webname:'测试站',permissiontype:0}};</script>
<script>$('#900').jpage({{proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:{len(links)},totalRecord:{len(links)},groupSize:1,objId:'900',ajaxParam:param_900}});</script>
</body></html>"""


def _article(title: str) -> str:
    return f"""<html><head><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2024-01-02 09:00"><meta name="ContentSource" content="测试厅"></head>
<body><div id="zoom"><meta name="ContentStart"><p>{title}正文。</p><meta name="ContentEnd"></div>
</body></html>"""


def _app(counts: Counts, column: str | None, delay: float, challenge: bool) -> web.Application:
    @web.middleware
    async def count(request: web.Request, handler):
        host = request.headers.get("Host", "")
        counts.paths[host, request.path] += 1
        counts.in_flight[host] += 1
        counts.most[host] = max(counts.most[host], counts.in_flight[host])
        try:
            return await handler(request)
        finally:
            counts.in_flight[host] -= 1

    async def robots(request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def list_page(request: web.Request) -> web.Response:
        return web.Response(text=column or "", content_type="text/html")

    async def article(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        if challenge:  # 瑞数: HTTP 412 and a page of script
            return web.Response(status=412, text="<html><script>$_ts=1</script></html>")
        return web.Response(text=_article(request.path), content_type="text/html")

    app = web.Application(middlewares=[count])
    app.router.add_get("/robots.txt", robots)
    app.router.add_get(COLUMN, list_page)
    app.router.add_get("/art/{name}", article)
    return app


@contextmanager
def serve(
    counts: Counts, column: str | None = None, *, delay: float = 0.0, challenge: bool = False
) -> Iterator[str]:
    """One site on a loopback port the system gives; yields its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app(counts, column, delay, challenge))
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def _sites(path: Path, origin: str) -> Path:
    path.write_text(
        "sites:\n  - name: slow-site\n    title: 测试站\n    family: hanweb\n"
        f"    columns:\n      - {{url: '{origin}{COLUMN}', kind: normative}}\n",
        encoding="utf-8",
    )
    return path


def _crawl(
    sites: Path, db: Path, redis_url: str, limit: int, *settings: str
) -> subprocess.CompletedProcess:
    slots = json.dumps({"127.0.0.1": {"concurrency": limit, "delay": 0}})
    command = [
        sys.executable, "-m", "corpus.cli", "crawl", "--sites", str(sites), "--db", str(db),
        "--redis", redis_url, "--workers", "2", "--set", f"DOWNLOAD_SLOTS={slots}",
    ]  # fmt: skip
    for setting in settings:
        command += ["--set", setting]
    env = {**harness.crawl_env(), "NORMDOCS_LEASE_SECONDS": "5"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _by_worker(db: Path, stat: str) -> list[int]:
    """A Scrapy stat of each worker of the run (its spiders' added)."""
    (run,) = rows(db, "SELECT stats FROM crawl_runs")
    workers = json.loads(run["stats"])["workers"].values()
    return [sum(s.get(stat, 0) for s in w["spiders"].values()) for w in workers]


def test_two_workers_never_have_more_than_the_host_limit_in_flight(tmp_path: Path) -> None:
    counts = Counts()
    links = [f"/art/{i}.html" for i in range(PAGES)]
    with redis_server(tmp_path) as url, serve(counts, _column(links), delay=0.2) as origin:
        done = _crawl(_sites(tmp_path / "sites.yml", origin), tmp_path / "a.db", url, limit=2)
    assert done.returncode == 0, done.stderr[-3000:]
    host = origin.removeprefix("http://")
    print(f"\nmost requests in flight at {host}: {counts.most[host]} (limit 2, 2 workers)")
    assert counts.most[host] == 2  # never more than the limit, and the limit is reached
    assert all(n > 0 for n in _by_worker(tmp_path / "a.db", "downloader/request_count"))
    assert sum(n for (h, p), n in counts.paths.items() if p.startswith("/art/")) == PAGES


def test_a_host_one_worker_found_blocked_is_not_requested_by_another(tmp_path: Path) -> None:
    counts = Counts()
    # The challenge comes after a second, and each worker holds two requests at most: the other
    # worker has taken pages of the host from the queue by then, and waits for its turn.
    with serve(counts, challenge=True, delay=1.0) as blocked:
        links = [f"{blocked}/art/{i}.html" for i in range(PAGES)]
        with redis_server(tmp_path) as url, serve(counts, _column(links)) as origin:
            sites = _sites(tmp_path / "sites.yml", origin)
            done = _crawl(sites, tmp_path / "b.db", url, 1, "CONCURRENT_REQUESTS=2")
    assert done.returncode == 1, done.stderr[-3000:]  # nothing of the column could be fetched
    host = blocked.removeprefix("http://")
    asked = sum(n for (h, p), n in counts.paths.items() if h == host and p.startswith("/art/"))
    print(f"\nrequests to the blocked host: {asked} of {PAGES} pages listed (2 workers)")
    assert asked == 1
    db = tmp_path / "b.db"
    # both workers took pages of the blocked host from the queue; one asked the host once
    taken = _by_worker(db, "scheduler/dequeued/redis")
    assert len(taken) == 2 and all(n > 0 for n in taken), taken
    errors = rows(db, "SELECT error_class, count(*) AS n FROM crawl_errors GROUP BY error_class")
    assert [(r["error_class"], r["n"]) for r in errors] == [("blocked", PAGES)]
    (row,) = rows(db, "SELECT host, status FROM blocked_hosts")
    assert (row["host"], row["status"]) == (host, 412)
