"""Latency of every page of the site (issue 16), 1 and 16 readers, through the production server;
the code of another checkout served beside it on the same file: before and after in one run.

Serves a built library with the production command (``uvicorn corpus.site.asgi:app --workers W
--loop uvloop --http httptools``, immutable file) and asks every page of ``pages()``: the home
page, the ranked search (with filters, page 2, JSON), the documents and interpretations tables
(with their facets: no filter, one filter, two, a later page), the table search, a department
(and page 2 of its 现行有效目录), a site, a document, an interpretation, the exports (first page
of CSV; XLSX; the department's list as CSV), the feeds, the menu's other queries. Every answer is
checked (HTTP 200 and a marker of the page); a failure is counted and its time kept. With one
reader also ``extra_pages()``: Datasette's list of tables and the menu's other queries.

With ``--before-src DIR`` (a copy of the source tree of another commit, e.g. ``git archive
a35e9ed~1 corpus | tar -x -C DIR``) a second server runs that code (``PYTHONPATH=DIR``) on the same
file: rounds alternate between the two, so both see the same machine. Per reader count (``--readers
1 16``): one warm-up round (each page twice at once, so both workers have seen it), then
``--runs`` rounds (``--concurrent-runs`` with more than one reader); in a round the pages come in
turn, each asked by all the readers at once — 16 readers of one page arriving together, so a
page's time under load is its own and not that of the slowest page asked beside it. Reports
median / p95 / max per page, before and after.

    python bench/pages.py --db /tmp/lib.db --before-src /tmp/before --runs 5 --concurrent-runs 3 \\
        --readers 1 16 --workers 2 --json /tmp/pages.json

The file is served as it is (no migration, no build): build it first (``normdocs build``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_corpus  # noqa: E402
from serve import library_size, machine, percentile  # noqa: E402

from mirror.harness import Server  # noqa: E402

Q = quote


def _one(conn: sqlite3.Connection, sql: str, params=()):
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def facts(db: Path) -> dict:
    """What the pages are asked about: the biggest department, a document, an interpretation …"""
    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        department = _one(
            conn,
            "select department from document_departments group by department"
            " order by count(*) desc limit 1",
        )
        return {
            "department": department,
            "document": _one(
                conn,
                "select id from documents order by search_rowid limit 1 offset"
                " (select count(*) / 2 from documents)",
            ),  # fmt: skip
            "interpretation": _one(
                conn, "select id from interpretations order by id limit 1 offset 5"
            ),
            "site": _one(conn, "select site from documents group by site order by count(*) desc"),
            "site_title": _one(
                conn,
                "select title from sites where name ="
                " (select site from documents group by site order by count(*) desc limit 1)",
            ),
            "in_force": _one(conn, "select count(*) from documents where status = '现行有效'"),
        }
    finally:
        conn.close()


def pages(f: dict, next_token: str | None) -> list[tuple[str, str, bytes]]:
    """(name, path, a marker every answer must contain), in the order asked."""
    dept = Q(f["department"])
    out = [
        ("home /", "/", "按效力状态".encode()),
        ("search q=管理办法", f"/normdocs/search?q={Q('管理办法')}", "查询条件".encode()),
        (
            "search q=生态环境 + status, kind, since",
            f"/normdocs/search?q={Q('生态环境')}&status={Q('未知')}&kind=normative&since=2015",
            "查询条件".encode(),
        ),
        (
            "search q=管理办法 page=2",
            f"/normdocs/search?q={Q('管理办法')}&page=2",
            "查询条件".encode(),
        ),
        ("search.json q=安全生产", f"/normdocs/search.json?q={Q('安全生产')}&_shape=array", b"["),
        ("documents (5 facets)", "/normdocs/documents", b"facet-info"),
        ("documents?status=现行有效", f"/normdocs/documents?status={Q('现行有效')}", b"facet-info"),
        ("documents?issuer=<top>", f"/normdocs/documents?issuer={dept}", b"facet-info"),
        (
            "documents.json?year__gte=2020&kind=normative",
            "/normdocs/documents.json?year__gte=2020&kind=normative",
            b'"rows"',
        ),
        (
            "documents.json?kind=rule&year=2020",
            "/normdocs/documents.json?kind=rule&year=2020",
            b'"rows"',
        ),  # fmt: skip
        (
            "documents?_search=水利工程",
            f"/normdocs/documents?_search={Q('水利工程')}",
            b"facet-info",
        ),
        (
            "documents?_search=管理办法",
            f"/normdocs/documents?_search={Q('管理办法')}",
            b"facet-info",
        ),
        (
            "documents.json?_search=管理办法&status=已失效",
            f"/normdocs/documents.json?_search={Q('管理办法')}&status={Q('已失效')}",
            b'"rows"',
        ),
        # a word not asked before (FRESH): what a search costs before anything is kept
        ("search q=<a word not asked before>", "/normdocs/search?q={fresh}", "查询条件".encode()),
        (
            "documents?_search=<a word not asked before>",
            "/normdocs/documents?_search={fresh}",
            b"facet-info",
        ),  # fmt: skip
        ("interpretations (2 facets)", "/normdocs/interpretations", b"facet-info"),
        (
            "interpretations?_search=政策",
            f"/normdocs/interpretations?_search={Q('政策')}",
            b"facet-info",
        ),  # fmt: skip
        ("department <top>", f"/department/{dept}", f["department"].encode()),
        ("department <top> page=2", f"/department/{dept}?page=2", f["department"].encode()),
        ("site page", f"/normdocs/sites/{f['site']}", f["site_title"].encode()),
        ("document page", f"/normdocs/documents/{f['document']}", b'id="validity"'),
        ("interpretation page", f"/normdocs/interpretations/{f['interpretation']}", b"<h1>"),
        ("documents.csv (first page)", "/normdocs/documents.csv", b"id,"),
        (
            "documents.csv?status=现行有效 (first page)",
            f"/normdocs/documents.csv?status={Q('现行有效')}&_size=max",
            b"id,",
        ),  # fmt: skip
        (
            "documents.xlsx?kind=rule&year=2020",
            "/normdocs/documents.xlsx?kind=rule&year=2020",
            b"PK",
        ),  # fmt: skip
        (
            "department <top>: its download (CSV)",
            # what the page links: the build's numbering of the list after, the query before
            {
                "before": f"/normdocs/current_catalogue.csv?department={dept}",
                "after": f"/normdocs/department_catalogue.csv?department={dept}",
            },
            b"seq",
        ),
        ("changes.atom", "/normdocs/changes.atom", b"<feed"),
        ("changes.atom?department=<top>", f"/normdocs/changes.atom?department={dept}", b"<feed"),
        ("search_feed.atom q=生态环境", f"/normdocs/search_feed.atom?q={Q('生态环境')}", b"<feed"),
        ("newest.atom?department=<top>", f"/normdocs/newest.atom?department={dept}", b"<feed"),
    ]
    if next_token:
        out.insert(9, ("documents page 2 (_next)", f"/normdocs/documents?_next={Q(next_token)}",
                       b"facet-info"))  # fmt: skip
    return out


def extra_pages(f: dict) -> list[tuple[str, str, bytes]]:
    """Pages beyond issue 16's list, measured by one reader only: Datasette's list of tables and
    the menu's other queries (their SQL is the validity's and the links', outside the site)."""
    dept = Q(f["department"])
    return [
        ("database /normdocs", "/normdocs", "文件".encode()),
        (
            "query current_catalogue <top>",
            f"/normdocs/current_catalogue?department={dept}",
            "查询".encode(),
        ),  # fmt: skip
        ("query expiring", "/normdocs/expiring", "查询".encode()),
        ("query interpretation_rate", "/normdocs/interpretation_rate", "查询".encode()),
    ]


@contextmanager
def served(db: Path, workers: int, src: Path | None = None):
    """``uvicorn corpus.site.asgi:app --workers W --host 127.0.0.1 --port P`` over ``db``, as in
    production; the code of ``src`` if given (``PYTHONPATH``, run from outside the checkout so the
    checkout's own directory is not first on ``sys.path``). Not ``--fd``: uvicorn takes a passed
    socket for a Unix one and leaves Nagle on, and every keep-alive request then waits ~40 ms for
    a delayed ACK (the port is found free, then given: a race another process could win)."""
    env = {**os.environ, "NORMDOCS_DB": str(db)}
    if src:
        env["PYTHONPATH"] = str(src)  # before the editable install of this checkout
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uvicorn = Path(sys.executable).with_name("uvicorn")  # its script: sys.path[0] is bin/
    command = [str(uvicorn), "corpus.site.asgi:app", "--workers", str(workers), "--loop", "uvloop",
               "--http", "httptools", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    with Server(command, env=env, cwd=tempfile.gettempdir()) as server:
        base = f"http://127.0.0.1:{port}"
        server.wait_for_http(base + "/-/versions.json", timeout=300)
        yield base


async def _ask(session, url: str, marker: bytes) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        async with session.get(url) as response:
            body = await response.read()
            ok = response.status == 200 and marker in body
    except Exception:  # a timeout or a reset: counted, the round goes on
        ok = False
    return time.perf_counter() - started, ok


# Words of the library's texts (bench/search_corpus.py's query lists), each asked once per server
# where a page's path has ``{fresh}``: the site keeps a search's counts per process, so the same
# word asked again measures the kept count, a new one what a search costs the first time.
FRESH = [w for w in search_corpus.TWO + search_corpus.THREE + search_corpus.FOUR
         + search_corpus.LONG + search_corpus.MULTI if " " not in w and '"' not in w]  # fmt: skip
_fresh_used: dict[str, int] = {}


def _fresh(label: str) -> str:
    """The next word ``label``'s server has not been asked (cycling when the list runs out)."""
    n = _fresh_used[label] = _fresh_used.get(label, -1) + 1
    return Q(FRESH[n % len(FRESH)])


async def _round(session, label: str, base: str, todo, readers: int, out: dict) -> None:
    """Every page in turn; each asked by ``readers`` at once (a burst of that page alone)."""
    for name, path, marker in todo:
        path = path[label] if isinstance(path, dict) else path
        urls = [base + (path.format(fresh=_fresh(label)) if "{fresh}" in path else path)
                for _ in range(readers)]  # fmt: skip
        for elapsed, ok in await asyncio.gather(*(_ask(session, url, marker) for url in urls)):
            out[name]["times"].append(elapsed)
            out[name]["errors"] += not ok


async def measure(bases: dict[str, str], todo, readers: int, runs: int) -> dict:
    """{server: {page: {"times": [...], "errors": n}}} over ``runs`` rounds, servers alternating."""
    import aiohttp  # noqa: PLC0415 - the mirror extra, as bench/serve.py

    out = {label: {n: {"times": [], "errors": 0} for n, _, _ in todo} for label in bases}
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for label, base in bases.items():  # warm-up: templates, page cache, counts read
            warm = {n: {"times": [], "errors": 0} for n, _, _ in todo}
            await _round(session, label, base, todo, 2, warm)
        labels = list(bases)
        for run in range(runs):
            order = labels if run % 2 == 0 else labels[::-1]
            for label in order:
                await _round(session, label, bases[label], todo, readers, out[label])
                print(f"  readers={readers} run {run + 1}/{runs} {label}", file=sys.stderr)
    return out


def summary(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {
        "median": round(statistics.median(ms), 1),
        "p95": round(percentile(ms, 95), 1),
        "max": round(max(ms), 1),
        "n": len(ms),
    }


def markdown(results: dict, labels: list[str]) -> str:
    head = "| page | " + " | ".join(f"{label} median | p95 | max" for label in labels) + " |"
    out = [head, "|---|" + "---:|---:|---:|" * len(labels)]
    names = list(next(iter(results.values())))
    for name in names:
        cells = []
        for label in labels:
            r = results[label][name]
            s = summary(r["times"])
            err = f" ({r['errors']} failed)" if r["errors"] else ""
            cells.append(f"{s['median']}{err} | {s['p95']} | {s['max']}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a built library")
    parser.add_argument("--before-src", type=Path, help="source tree of the 'before' code")
    parser.add_argument("--runs", type=int, default=5, help="rounds with one reader")
    parser.add_argument(
        "--concurrent-runs", type=int, default=3, help="rounds with more readers than one"
    )
    parser.add_argument("--readers", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every time as JSON")
    parser.add_argument(
        "--only", nargs="+", help="only the pages whose name has one of these (e.g. _search)"
    )
    args = parser.parse_args()

    f = facts(args.db)
    info = {
        "machine": machine(),
        "library": library_size(args.db),
        "runs": args.runs,
        "concurrent_runs": args.concurrent_runs,
        "workers": args.workers,
        "loadavg_start": os.getloadavg(),
        **{k: f[k] for k in ("department", "in_force")},
    }
    print(json.dumps(info, ensure_ascii=False), file=sys.stderr)
    results = {}
    with ExitStack() as stack:
        bases = {}
        if args.before_src:
            bases["before"] = stack.enter_context(served(args.db, args.workers, args.before_src))
        bases["after"] = stack.enter_context(served(args.db, args.workers))
        import urllib.request  # noqa: PLC0415

        with urllib.request.urlopen(bases["after"] + "/normdocs/documents.json") as r:
            token = json.loads(r.read()).get("next")
        todo = pages(f, token)
        for readers in args.readers:
            # the extra pages with one reader only: under load they would time the others
            asked = todo + extra_pages(f) if readers == 1 else todo
            if args.only:
                asked = [page for page in asked if any(w in page[0] for w in args.only)]
            runs = args.runs if readers == 1 else args.concurrent_runs
            results[readers] = asyncio.run(measure(bases, asked, readers, runs))
    info["loadavg_end"] = os.getloadavg()
    print(json.dumps(info, ensure_ascii=False))
    labels = list(bases)
    for readers, result in results.items():
        print(f"\n### {readers} reader{'s' if readers > 1 else ''}\n")
        print(markdown(result, labels))
    if args.json:
        args.json.write_text(
            json.dumps(
                {**info, "results": {str(k): v for k, v in results.items()}},
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
