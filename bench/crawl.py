"""Crawl throughput on a large mirror: the full pipeline against a bare downloader, plus a soak.

    .venv/bin/python bench/crawl.py --scale 17            # ≥ 20,000 pages with every family
    .venv/bin/python bench/crawl.py --scale 17 --no-soak

What it does, in one run, against one mirror (``python -m mirror serve --scale N``: N copies of
every site, ``mirror/scale.py``), with politeness off (no AutoThrottle, no delay, 32 requests in
flight):

1. **full**: ``crawler.run.crawl`` into a fresh library: lists, pages, attachments, parsing,
   SQLite. Every request that reaches the downloader is logged (method, URL, body).
2. **bare**: a spider that only downloads the logged requests, the same ones in the same number,
   and throws the answers away: the rate of the mirror and Scrapy's downloader alone.
3. **soak**: a fresh full crawl with 5% of URLs faulted (500, 503, timeouts, resets, truncated
   bodies, 1% each, once per URL); nothing may be lost: stored = expected, the run complete.

It prints pages/s of each, the ratio full ÷ bare (target ≥ 0.7) and the peak memory (RSS) of each
crawl process, and appends nothing anywhere: copy the numbers into bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_SLOTS": {"127.0.0.1": {"concurrency": 32, "delay": 0.0, "jitter": 0}},
    "LOG_LEVEL": "WARNING",
    "CONCURRENT_ITEMS": 8,  # crawler/settings.py; the same for the bare spider
}
SOAK_FAULTS = "*:500@1%,*:503@1%,*:timeout@1%,*:reset@1%,*:truncated@1%"


# ---------------------------------------------------------------- inside the crawl processes


class RequestLog:
    """A Scrapy extension: every request that reaches the downloader, one JSON line each."""

    def __init__(self, path: str) -> None:
        self.out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed with the spider

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206 - Scrapy's extension protocol
        from scrapy import signals  # noqa: PLC0415

        ext = cls(crawler.settings.get("BENCH_REQUEST_LOG"))
        crawler.signals.connect(ext.log, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.close, signal=signals.spider_closed)
        return ext

    def log(self, request, spider) -> None:  # noqa: ANN001
        body = base64.b64encode(request.body).decode() if request.body else ""
        headers = {}
        if request.headers.get(b"Content-Type"):
            headers["Content-Type"] = request.headers.get(b"Content-Type").decode()
        line = {"method": request.method, "url": request.url, "body": body, "headers": headers}
        self.out.write(json.dumps(line) + "\n")

    def close(self, spider) -> None:  # noqa: ANN001
        self.out.flush()


def run_full(sites: str, db: str, request_log: str | None, extra: dict) -> None:
    """One full crawl (this process): crawler.run.crawl with the mirror's loopback overlay and
    politeness off."""
    from crawler.run import crawl  # noqa: PLC0415
    from mirror.harness import OVERLAY  # noqa: PLC0415

    settings = {**POLITENESS_OFF, **extra}
    if request_log:
        settings["BENCH_REQUEST_LOG"] = request_log
        settings["EXTENSIONS"] = {"__main__.RequestLog": 0}
    crawl(sites, db, settings=settings, settings_module=OVERLAY)


def run_bare(request_log: str, stats_out: str) -> None:
    """Download every logged request once, parse nothing, store nothing (this process)."""
    import scrapy  # noqa: PLC0415
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    requests = [json.loads(line) for line in Path(request_log).read_text().splitlines()]

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # noqa: ANN202
            for r in requests:
                yield scrapy.Request(
                    r["url"],
                    method=r["method"],
                    body=base64.b64decode(r["body"]) if r["body"] else None,
                    headers=r["headers"],
                    callback=self.done,
                    errback=self.done,
                    dont_filter=True,
                )

        def done(self, _) -> None:  # noqa: ANN001
            return None

    settings = {
        **POLITENESS_OFF,
        "ROBOTSTXT_OBEY": False,  # robots.txt is in the log like any other request
        "RETRY_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "normdocs-bench",
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    Path(stats_out).write_text(json.dumps(crawler.stats.get_stats(), default=str))


# ---------------------------------------------------------------- the orchestra


def _child(args: list[str]) -> tuple[int, float, int]:
    """Run this script as a child; (exit code, wall seconds, peak RSS in MB)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss // 1024


def mirror_options(
    scale: int, faults: str = "", hang: float = 10.0, latency: float = 0.0
) -> list[str]:
    """``python -m mirror serve`` options: N copies, ``faults``, ``latency`` (``*:slow``)."""
    options = ["--scale", str(scale), "--fault-hang", str(hang)]
    if latency:
        faults = ",".join(filter(None, [faults, "*:slow@100%x1000000"]))
        options += ["--fault-delay", str(latency)]
    if faults:
        options += ["--faults", faults]
    return options


def _library(db: Path) -> dict:
    import sqlite3  # noqa: PLC0415

    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        run = dict(con.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
        run["documents"] = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        run["interpretations"] = con.execute("SELECT count(*) FROM interpretations").fetchone()[0]
    finally:
        con.close()
    run["stats"] = json.loads(run["stats"])
    return run


def _rate(stats: dict) -> tuple[int, float, float]:
    pages = int(stats.get("downloader/response_count", 0))
    seconds = float(stats.get("elapsed_time_seconds", 0))
    return pages, seconds, pages / seconds if seconds else 0.0


def throughput(work: Path, sites: Path) -> None:
    """The full crawl, then the bare one over the same requests, against one mirror."""
    log = work / "requests.jsonl"
    log.unlink(missing_ok=True)
    db = work / "full.db"
    for f in work.glob("full.db*"):
        f.unlink()
    code, wall, full_rss = _child(["_full", str(sites), str(db), str(log)])
    full = _library(db)
    stats_file = work / "bare.json"
    _, bare_wall, bare_rss = _child(["_bare", str(log), str(stats_file)])
    bare_stats = json.loads(stats_file.read_text())
    f_pages, f_secs, f_rate = _rate(full["stats"])
    b_pages, b_secs, b_rate = _rate(bare_stats)
    logged = sum(1 for _ in log.open())
    print(f"full : {f_pages} pages in {f_secs:.1f} s = {f_rate:.1f} pages/s; peak RSS {full_rss} MB;"
          f" stored {full['documents']} documents + {full['interpretations']} interpretations;"
          f" complete {full['complete']} (exit {code})")  # fmt: skip
    print(f"bare : {b_pages} pages in {b_secs:.1f} s = {b_rate:.1f} pages/s; peak RSS {bare_rss} MB"
          f" ({logged} logged requests replayed)")  # fmt: skip
    print(f"ratio full ÷ bare = {f_rate / b_rate:.3f} (target ≥ 0.7)")


def soak(work: Path, sites: Path, expected: dict) -> None:
    """A fresh full crawl against a mirror with SOAK_FAULTS: nothing may be lost."""
    soak_db = work / "soak.db"
    for f in work.glob("soak.db*"):
        f.unlink()
    code, wall, soak_rss = _child(["_full", str(sites), str(soak_db), "", "soak"])
    soaked = _library(soak_db)
    s_pages, s_secs, s_rate = _rate(soaked["stats"])
    retried = soaked["stats"].get("retry/count", 0)
    stored = soaked["documents"] + soaked["interpretations"]
    want = expected["documents"] + expected["interpretations"]
    print(f"soak : {SOAK_FAULTS}: {s_pages} pages in {s_secs:.1f} s ({retried} retries);"
          f" stored {stored} of {want} expected; complete {soaked['complete']};"
          f" failed errors {soaked['errors']}; peak RSS {soak_rss} MB")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=17, help="copies of the mirror")
    parser.add_argument("--no-soak", action="store_true", help="skip the 5%% faults soak run")
    parser.add_argument("--soak-only", action="store_true", help="only the soak run")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the mirror waits before each answer (0: as fast as it can)",
    )
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from mirror import scale  # noqa: PLC0415
    from mirror.harness import serve_mirror  # noqa: PLC0415

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    ports = scale.span() * args.scale
    sites = work / "sites.yml"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    runs = []
    if not args.soak_only:
        runs.append(("throughput", mirror_options(args.scale, latency=args.latency)))
    if not args.no_soak:
        runs.append(("soak", mirror_options(args.scale, SOAK_FAULTS, hang=10.0)))
    base, expected = 0, {}
    for name, options in runs:
        # The first mirror binds free ports (base 0); the next one takes the same ports again,
        # so that the sites file written for the first serves every run.
        with serve_mirror(*options, base_port=base, timeout=300) as base:
            if not expected:
                sites.write_text(scale.sites_yaml(base, args.scale), encoding="utf-8")
                expected = scale.expected_pages(base, args.scale)
                print(f"date: {date.today()}; mirror: {args.scale} copies on ports"
                      f" {base}–{base + ports - 1}, {args.latency:g} s per answer")  # fmt: skip
                print(f"expected: {expected['documents']} documents,"
                      f" {expected['interpretations']} interpretations")  # fmt: skip
            if name == "throughput":
                throughput(work, sites)
            else:
                soak(work, sites, expected)
    return 0


def _child_main(argv: list[str]) -> int:
    command = argv[0]
    if command == "_full":
        sites, db, log = argv[1], argv[2], argv[3] or None
        extra = {}
        if len(argv) > 4 and argv[4] == "soak":
            extra = {"DOWNLOAD_TIMEOUT": 5, "NORMDOCS_RETRY_BACKOFF": 0.5}
        run_full(sites, db, log, extra)
        return 0
    if command == "_bare":
        run_bare(argv[1], argv[2])
        return 0
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        sys.exit(_child_main(sys.argv[1:]))
    sys.exit(main())
