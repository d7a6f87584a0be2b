"""Crawl time of the whole mirror, per CMS family, against the Hanweb-only mirror of before.

Serves the mirror once, then crawls (``python -m crawler.run``, real Scrapy engine over loopback,
fresh SQLite file each time) alternately:

* ``hanweb``: the three Hanweb sites only — the whole mirror before issue 3 (the baseline);
* ``all``: every site of the default sites file (Hanweb, Jiangxi new platform, TRS, gkmlpt);
* one run per other family alone (``jxnew``, ``trs``, ``gkmlpt``).

Prints the median wall time of each, pages per second, and the ratio all/hanweb measured in this
run. Usage::

    python bench/crawl_families.py [--rounds 3] [--base-port 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mirror  # noqa: E402
from mirror.harness import run_crawl, serve_mirror  # noqa: E402


def crawl(sites: Path, workdir: Path, label: str, n: int) -> tuple[float, int]:
    db = workdir / f"{label}-{n}.db"
    result = run_crawl(sites, db, "--log-level", "WARNING", timeout=3600)
    seconds = result.seconds
    if result.returncode != 0:
        raise SystemExit(f"{label}: exit {result.returncode}\n{result.stderr[-2000:]}")
    con = sqlite3.connect(db)
    pages = con.execute(
        "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM interpretations)"
    ).fetchone()[0]
    con.close()
    return seconds, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base-port", type=int, default=0, help="0: free ports (default)")
    args = parser.parse_args()
    with serve_mirror(base_port=args.base_port) as base:
        registry = yaml.safe_load(mirror.sites_yaml(base))
        families = {s["family"] for s in registry["sites"]}
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            files = {}
            for label in ["all", *sorted(families)]:
                chosen = [s for s in registry["sites"] if label in ("all", s["family"])]
                path = workdir / f"{label}.yml"
                path.write_text(yaml.safe_dump({"sites": chosen}, allow_unicode=True), "utf-8")
                files[label] = path
            crawl(files["all"], workdir, "warm-up", 0)  # the mirror renders attachments once
            times: dict[str, list[float]] = {label: [] for label in files}
            pages: dict[str, int] = {}
            for n in range(args.rounds):
                for label, path in files.items():
                    seconds, count = crawl(path, workdir, label, n)
                    times[label].append(seconds)
                    pages[label] = count
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"{'crawl':<8} {'pages':>6} {'median s':>9} {'pages/s':>8}  runs")
        for label, values in times.items():
            median = statistics.median(values)
            runs = " ".join(f"{v:.1f}" for v in values)
            print(
                f"{label:<8} {pages[label]:>6} {median:>9.2f} {pages[label] / median:>8.1f}  {runs}"
            )
        ratio = statistics.median(times["all"]) / statistics.median(times["hanweb"])
        print(f"whole mirror / Hanweb-only mirror (the mirror before issue 3): {ratio:.2f}x time, "
              f"{pages['all'] / pages['hanweb']:.2f}x pages")  # fmt: skip


if __name__ == "__main__":
    main()
