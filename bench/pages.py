"""Latency of the pages analysts use (issue 16), one reader at a time, through the production server.

Serves a built library with the production command (``uvicorn corpus.site.asgi:app``, immutable
file; ``bench/serve.py``'s ``served``) and asks every page of ``PAGES`` in turn, ``--runs`` times
after one warm-up round, one request at a time. Reports median / p95 / max per page. Every answer
is checked (HTTP 200 and a marker of the page).

    python bench/pages.py --db /tmp/copy-of-a-built-library.db --runs 7

``--db`` is brought up to the current schema first (``corpus.store.schema.open_db``, WAL folded),
as ``normdocs serve`` and the build would: give it a copy, never the only one. ``--as-is`` serves
it at the schema it has (the "before" copy of a comparison).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import library_size, machine, percentile, served  # noqa: E402

from corpus.site.serve import checkpoint  # noqa: E402
from corpus.store.schema import open_db  # noqa: E402

Q = quote


def pages(department: str) -> dict[str, tuple[str, bytes]]:
    """Page name → (path, a marker every answer must contain)."""
    return {
        "home": ("/", "按效力状态".encode()),
        "search (ranked)": (f"/normdocs/search?q={Q('管理办法')}", "查询条件".encode()),
        "documents?status=现行有效 (facets)": (
            f"/normdocs/documents?status={Q('现行有效')}",
            b"facet",
        ),
        "documents?_search=水利工程": (f"/normdocs/documents?_search={Q('水利工程')}", b"facet"),
        "documents.json?_search=管理办法&status=已失效": (
            f"/normdocs/documents.json?_search={Q('管理办法')}&status={Q('已失效')}",
            b'"rows"',
        ),
        "documents.json?year__gte=2020&kind=normative": (
            "/normdocs/documents.json?year__gte=2020&kind=normative",
            b'"rows"',
        ),
        "documents (no filter)": ("/normdocs/documents", b"facet"),
        "department": (f"/department/{Q(department)}", department.encode()),
        "documents.csv (first page)": ("/normdocs/documents.csv", b"id,"),
    }


def top_issuer(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    name = conn.execute(
        "select issuer from documents where issuer is not null group by issuer"
        " order by count(*) desc limit 1"
    ).fetchone()[0]
    conn.close()
    return name


def fetch(url: str, marker: bytes) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        status = response.status
    elapsed = time.perf_counter() - started
    if status != 200 or marker not in body:
        raise RuntimeError(f"{url}: HTTP {status}, marker {marker!r} missing")
    return elapsed


def measure(db: Path, runs: int, workers: int = 1) -> list[dict]:
    todo = pages(top_issuer(db))
    times: dict[str, list[float]] = {name: [] for name in todo}
    with served(db, workers) as base:
        for path, marker in todo.values():  # warm-up round
            fetch(base + path, marker)
        for _ in range(runs):  # rounds in turn: a burst of load spreads over all pages
            for name, (path, marker) in todo.items():
                times[name].append(fetch(base + path, marker))
    rows = []
    for name, values in times.items():
        ms = [v * 1000 for v in values]
        rows.append(
            {
                "page": name,
                "path": todo[name][0],
                "median_ms": round(statistics.median(ms), 1),
                "p95_ms": round(percentile(ms, 95), 1),
                "max_ms": round(max(ms), 1),
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    out = ["| page | median ms | p95 ms | max ms |", "|---|---:|---:|---:|"]
    out += [f"| {r['page']} | {r['median_ms']} | {r['p95_ms']} | {r['max_ms']} |" for r in rows]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a copy of a built library")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--as-is", action="store_true", help="serve the file at its schema (a 'before' copy)"
    )
    args = parser.parse_args()
    if not args.as_is:
        db = open_db(str(args.db))  # the current schema, as `normdocs serve` would apply it
        db.conn.close()
    checkpoint(str(args.db))
    info = {"machine": machine(), "library": library_size(args.db), "runs": args.runs}
    print(json.dumps(info, ensure_ascii=False), file=sys.stderr)
    rows = measure(args.db, args.runs, args.workers)
    print(json.dumps(info, ensure_ascii=False))
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps({**info, "results": rows}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
