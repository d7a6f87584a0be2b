"""Serving for many readers: requests/s and latency of the site's pages under concurrent load.

Serves a built library with the production command (``uvicorn corpus.site.asgi:app --workers W
--loop uvloop --http httptools``, immutable file) on loopback and drives it with an asyncio/aiohttp load generator in this process:
C connections kept alive, each sending its next request as soon as the last answer is read, for
D seconds per page type. Page types: the home page, the ranked search page (HTML, a rotation of
Chinese queries), the document page (a rotation of documents); baselines in the same run: a
static file (/assets/normdocs.css) and Datasette's own /-/versions.json, the cheapest requests
the same server answers. Every answer is checked (HTTP 200 and a marker of the page).

    python bench/serve.py                          # crawl the mirror, build, measure W=1 and W=2
    python bench/serve.py --db data/demo.db --workers 1 2 4 --concurrency 32 --duration 15
    python bench/serve.py --synthetic 100000       # a synthetic library (bench/search_corpus.py)

The load generator shares the machine with the server (on 2 cores, W=2 competes with it), so the
numbers are a floor for what the server can do, comparable within one run. Results: a Markdown
table on stdout (paste into bench/README.md) and JSON with --json. Each page type is measured
in ``--repeat`` rounds and the median round is reported (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from mirror.harness import serve_on_socket

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 27)
QUERIES = ["生态环境", "农作物种子", "管理办法", "排污许可", "安全生产", "信息公开", "行政执法",
           "危险废物", "高标准农田", "资金管理", "有效期", "实施意见", "消防安全", "农产品质量",
           "督察", "赣府厅字", "规范性文件", "环境影响评价", "畜禽养殖", "乡村振兴"]  # fmt: skip


def machine() -> dict:
    """What the numbers were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    import datasette  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpu": cpu or platform.processor(),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "datasette": datasette.__version__,
        "uvicorn": uvicorn.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


# ---------------------------------------------------------------- the library


def crawl_mirror(workdir: Path) -> Path:
    """Crawl the local mirror and build the library as of AS_OF (``normdocs demo --no-serve``)."""
    db = workdir / "normdocs.db"
    # --mirror-port 0: the mirror binds free ports itself (mirror.harness.serve_mirror)
    subprocess.run(
        [sys.executable, "-m", "corpus.cli", "demo", "--db", str(db), "--no-serve",
         "--mirror-port", "0", "--as-of", AS_OF.isoformat()],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return db


def synthetic(workdir: Path, n: int) -> Path:
    """A synthetic library of ``n`` documents (issue 6's bench corpus), built as of AS_OF."""
    sys.path.insert(0, str(ROOT / "bench"))
    from search_corpus import write_library  # noqa: PLC0415

    from corpus.build import build  # noqa: PLC0415

    db = workdir / "normdocs.db"
    write_library(db, n)
    build(str(db), AS_OF)
    return db


def sample_documents(db: Path, n: int = 50) -> list[int]:
    """``n`` document ids, spread over the library (deterministic)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = [r[0] for r in conn.execute("select id from documents order by id")]
    conn.close()
    return random.Random(20261127).sample(ids, min(n, len(ids)))


def library_size(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    docs = conn.execute("select count(*) from documents").fetchone()[0]
    interps = conn.execute("select count(*) from interpretations").fetchone()[0]
    conn.close()
    return {"documents": docs, "interpretations": interps, "mb": round(db.stat().st_size / 1e6, 1)}


# ---------------------------------------------------------------- the server


@contextmanager
def served(db: Path, workers: int, loop: str = "uvloop", http: str = "httptools") -> Iterator[str]:
    """``uvicorn corpus.site.asgi:app --workers W`` over ``db`` on a loopback socket bound here and
    handed to it (``--fd``, ``mirror.harness.serve_on_socket``); yields its base URL."""
    env = {**os.environ, "NORMDOCS_DB": str(db)}

    def command(fd: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", "corpus.site.asgi:app", "--workers", str(workers),
                "--loop", loop, "--http", http, "--fd", str(fd), "--log-level", "warning",
                "--no-access-log"]  # fmt: skip

    with serve_on_socket(command, ready_path="/-/versions.json", env=env) as base:
        yield base


# ---------------------------------------------------------------- the load


def pages(doc_ids: list[int]) -> dict[str, tuple[list[str], bytes]]:
    """Page type → (paths to rotate through, a marker every answer must contain)."""
    from urllib.parse import quote  # noqa: PLC0415

    return {
        "static file (baseline)": (["/assets/normdocs.css"], b".nd-status"),
        "/-/versions.json (baseline)": (["/-/versions.json"], b'"datasette"'),
        "home": (["/"], "按效力状态".encode()),
        "search": ([f"/normdocs/search?q={quote(q)}" for q in QUERIES], "查询条件".encode()),
        "document": ([f"/normdocs/documents/{i}" for i in doc_ids], b'id="validity"'),
    }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def load(base: str, paths: list[str], marker: bytes, concurrency: int, seconds: float):
    """Drive ``paths`` for ``seconds`` with ``concurrency`` keep-alive connections."""
    import aiohttp  # noqa: PLC0415

    latencies: list[float] = []
    errors = 0
    counter = 0
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < stop:
                path = paths[counter % len(paths)]
                counter += 1
                started = time.perf_counter()
                try:
                    async with session.get(base + path) as response:
                        body = await response.read()
                        ok = response.status == 200 and marker in body
                except aiohttp.ClientError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def measure(
    db: Path, workers: int, concurrency: int, seconds: float, loop: str, http: str, repeat: int
) -> list[dict]:
    """Every page type against one server with ``workers`` workers, ``repeat`` rounds.

    The rounds go through all page types in turn, so a burst of other load on the machine
    spreads over them; each row reports the round with the median req/s, and the range.
    """
    with served(db, workers, loop, http) as base:
        kinds = pages(sample_documents(db))
        for paths, _ in kinds.values():
            # warm-up: every path once (templates compiled, pages of the file cached)
            for path in paths:
                urllib.request.urlopen(base + path, timeout=30).close()
        rounds: dict[str, list[dict]] = {name: [] for name in kinds}
        for _ in range(repeat):
            for name, (paths, marker) in kinds.items():
                result = asyncio.run(load(base, paths, marker, concurrency, seconds))
                rounds[name].append(result)
                print(f"  W={workers} {loop} {name}: {result}", file=sys.stderr)
    rows = []
    for name, results in rounds.items():
        ordered = sorted(results, key=lambda r: r["rps"])
        median = ordered[len(ordered) // 2]
        rows.append(
            {"page": name, "workers": workers, "server": f"{loop}/{http}",
             "concurrency": concurrency, **median,
             "rps_range": [ordered[0]["rps"], ordered[-1]["rps"]],
             "errors": sum(r["errors"] for r in results)}
        )  # fmt: skip
    return rows


def markdown(rows: list[dict]) -> str:
    """The results as a Markdown table, with the ratio to the static-file baseline of the run."""
    out = [
        "| page | workers | server | conc. | req/s (median) | range of rounds | p50 ms | p95 ms"
        " | p99 ms | errors | req/s ÷ static |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        static = next(
            x["rps"]
            for x in rows
            if (x["workers"], x["server"]) == (r["workers"], r["server"]) and "static" in x["page"]
        )
        out.append(
            f"| {r['page']} | {r['workers']} | {r['server']} | {r['concurrency']}"
            f" | {r['rps']} | {r['rps_range'][0]}–{r['rps_range'][1]}"
            f" | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']}"
            f" | {r['rps'] / static:.2f} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a built library (default: crawl the mirror)")
    parser.add_argument("--synthetic", type=int, help="generate and build N synthetic documents")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page type")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--loop", default="uvloop", help="uvicorn --loop (asyncio shows Kludex/uvicorn#3149)"
    )
    parser.add_argument("--http", default="httptools", help="uvicorn --http (h11, httptools)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="normdocs-bench-") as tmp:
        workdir = Path(tmp)
        if args.db:
            db = args.db
        elif args.synthetic:
            db = synthetic(workdir, args.synthetic)
        else:
            db = crawl_mirror(workdir)
        info = {"machine": machine(), "library": library_size(db), "duration_s": args.duration}
        print(json.dumps(info, ensure_ascii=False), file=sys.stderr)
        rows = [
            r
            for w in args.workers
            for r in measure(
                db, w, args.concurrency, args.duration, args.loop, args.http, args.repeat
            )
        ]
    print(json.dumps(info, ensure_ascii=False))
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps({**info, "results": rows}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
