"""Run a crawl in-process with the real Scrapy engine: ``crawl()`` and ``python -m crawler.run``.

One crawl per process: Twisted's reactor cannot be restarted, so tests and the CLI that need
several crawls run this module as a subprocess::

    python -m crawler.run --sites sites/mirror.yml --db data/normdocs.db [--site jx-nync]

``--settings-module M`` (or the environment variable ``NORMDOCS_SETTINGS_MODULE``) applies the
settings module ``M`` on top of ``crawler.settings``: its plain settings replace the production
ones, its dict settings (``DOWNLOADER_MIDDLEWARES``, ``DOWNLOAD_SLOTS`` …) extend them.
``-s NAME=VALUE`` overrides both. The local mirror's overlay is ``mirror.loopback``.

Exit codes: 0 a complete crawl, 1 a crawl that finished incomplete (see crawl_run_columns),
2 a sites file that cannot be used (one line on stderr naming the entry and the field).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import BaseSettings, Settings

from corpus.store.lock import CrawlRunning, crawl_lock
from corpus.store.save import close_interrupted_runs, start_run
from corpus.store.schema import open_db
from crawler.command import SETTINGS_MODULE_ENV
from crawler.sites import Site, SitesFileError, load_sites, select_sites
from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.jxnew import JxnewSpider
from crawler.spiders.trs import TrsSpider
from crawler.stats import ColumnStats, ProgressHook

# One spider class per CMS family; a site of a known family needs no code.
SPIDERS = {
    "hanweb": HanwebSpider,
    "jxnew": JxnewSpider,
    "trs": TrsSpider,
    "gkmlpt": GkmlptSpider,
}


def project_settings(overrides: dict | None = None, overlay: str | None = None) -> Settings:
    """``crawler.settings``, then the settings module ``overlay`` (default: the one named by
    ``NORMDOCS_SETTINGS_MODULE``, if any), then ``overrides``.

    The overlay's dict settings are merged into the production ones, key by key, so an overlay
    adds a downloader middleware or a download slot without dropping the production ones; its
    other settings replace them.
    """
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overlay = overlay or os.environ.get(SETTINGS_MODULE_ENV) or None
    if overlay:
        module = importlib.import_module(overlay)
        for name in dir(module):
            if not name.isupper():
                continue
            value = getattr(module, name)
            if isinstance(value, dict) and isinstance(settings.get(name), dict | BaseSettings):
                value = {**settings.getdict(name), **value}
            settings.set(name, value, priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def crawl(
    sites_file: str | Path,
    db_path: str | Path,
    site: str | None = None,
    settings: dict | None = None,
    progress: ProgressHook | None = None,
    settings_module: str | None = None,
) -> int:
    """Crawl the sites of ``sites_file`` (or the one called ``site``) into ``db_path``.

    Returns the ``crawl_runs`` id. Raises ``SitesFileError`` for a malformed sites file before
    anything is fetched. ``progress`` is called with a column's ``ColumnStats`` after each
    record is stored (stored so far against the site's reported total). ``settings_module`` is
    an overlay on the production settings (``project_settings``).
    """
    sites = select_sites(load_sites(sites_file), site)
    # One crawl per library at a time; the lock dies with its process, so a run left unfinished
    # by a killed crawl is marked interrupted here, and this crawl resumes where it stopped.
    lock = crawl_lock(db_path)
    db = open_db(str(db_path))
    close_interrupted_runs(db)
    run_id = start_run(db, str(sites_file), site)
    db.conn.close()

    overrides = {
        "NORMDOCS_DB": str(db_path),
        "NORMDOCS_RUN_ID": run_id,
        "NORMDOCS_PROGRESS": progress,
        **(settings or {}),
    }
    process = CrawlerProcess(project_settings(overrides, settings_module))
    for family, spider_cls in SPIDERS.items():
        chosen: list[Site] = [s for s in sites if s.family == family]
        if chosen:
            process.crawl(spider_cls, sites=chosen, sites_file=str(sites_file))
    process.start()
    lock.close()
    return run_id


def run_is_complete(db_path: str | Path, run_id: int) -> bool:
    """Whether the crawl_runs row says every column fetched what its site reported."""
    db = open_db(str(db_path))
    try:
        row = db.execute("SELECT complete FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    finally:
        db.conn.close()
    return bool(row and row[0])


def print_progress(stats: ColumnStats, every: int = 50) -> None:
    """A progress hook for terminals: a line per column every ``every`` items and when done."""
    done = stats.new + stats.changed + stats.unchanged
    if done % every and done != stats.reported:
        return
    total = stats.reported if stats.reported is not None else "?"
    print(f"{stats.site} {stats.kind} {stats.title}: {done}/{total} saved", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.run",
        description="Crawl the sites of a registry file into a SQLite library.",
        epilog="example: python -m crawler.run --sites sites/mirror.yml --db data/normdocs.db",
    )
    parser.add_argument("--sites", required=True, help="the sites registry (YAML)")
    parser.add_argument("--db", required=True, help="the SQLite library to write")
    parser.add_argument("--site", help="crawl only the site with this name")
    parser.add_argument("--log-level", default=None, help="Scrapy log level (default INFO)")
    parser.add_argument("--progress", action="store_true", help="show stored/reported per column")
    parser.add_argument(
        "--settings-module",
        metavar="MODULE",
        default=None,
        help=f"a settings module applied on top of crawler.settings (default: ${SETTINGS_MODULE_ENV})",
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, e.g. -s NORMDOCS_RECHECK_DAYS=0 (repeatable)",
    )
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set if "=" in item)
    if args.log_level:
        overrides["LOG_LEVEL"] = args.log_level
    progress = print_progress if args.progress else None
    try:
        run_id = crawl(
            args.sites,
            args.db,
            site=args.site,
            settings=overrides,
            progress=progress,
            settings_module=args.settings_module,
        )
    except (SitesFileError, CrawlRunning, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not run_is_complete(args.db, run_id):
        print(f"crawl run {run_id} is INCOMPLETE: see crawl_run_columns", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
