"""Helpers for the crawl-as-a-service tests: a mirror in this process, crawls with settings.

The mirror runs in a background thread of the test process (``mirror.server.serve_background``)
so a test can switch its faults or changes, hold its answers and read what it served; crawls run
as subprocesses (``python -m crawler.run`` through ``mirror.harness``), one Twisted reactor each,
exactly as in production but for the loopback settings overlay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from mirror import harness
from mirror.harness import CrawlResult
from mirror.hold import Hold

HANWEB_SITES = ("jx-portal", "jx-nync", "jx-sthjt")
# Fast, but the same handling as production: short timeouts, small backoff, small size limit.
FAST = {
    "DOWNLOAD_TIMEOUT": "2",
    "NORMDOCS_RETRY_BACKOFF": "0.05",
    "NORMDOCS_RETRY_BACKOFF_MAX": "0.2",
    "DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "DOWNLOAD_WARNSIZE": str(512 * 1024),
}


@contextmanager
def mirror(
    faults: str = "",
    changes: str = "",
    base: int | None = None,
    hold: Hold | None = None,
    **options: float,
) -> Iterator[tuple[int, object]]:
    """Serve the mirror (with ``faults`` / ``changes``, answers held by ``hold``, a
    ``mirror.hold.Hold``) on ``base`` or on free ports the mirror binds itself; yields (base
    port, faults)."""
    from mirror.changes import changed_world  # noqa: PLC0415
    from mirror.faults import Faults  # noqa: PLC0415
    from mirror.server import serve_background  # noqa: PLC0415

    served = Faults.from_spec(faults, **options)
    the_world = changed_world(changes) if changes else None
    background = serve_background(base or 0, faults=served, the_world=the_world, hold=hold)
    try:
        yield background.base_port, served
    finally:
        background.stop()


def sites_file(
    path: Path,
    base: int,
    names: tuple[str, ...] = HANWEB_SITES,
    columns: dict[str, tuple[str, ...]] | None = None,
) -> Path:
    """The mirror's registry for ``base``, limited to the sites called ``names`` and, for a site
    named in ``columns``, to its columns whose URL contains one of the given strings."""
    import mirror as mirror_pkg  # noqa: PLC0415

    data = yaml.safe_load(mirror_pkg.sites_yaml(base))
    data["sites"] = [s for s in data["sites"] if s["name"] in names]
    for site in data["sites"]:
        keep = (columns or {}).get(site["name"])
        if keep:
            site["columns"] = [c for c in site["columns"] if any(k in c["url"] for k in keep)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def crawl_args(sites: Path, db: Path, settings: dict[str, str] | None = None) -> list[str]:
    """The command line of a crawl with ``settings`` (FAST by default)."""
    chosen = FAST if settings is None else settings
    return harness.crawl_command(sites, db, chosen, "--log-level", "WARNING")


def crawl(
    sites: Path, db: Path, settings: dict[str, str] | None = None, timeout: float = 300
) -> CrawlResult:
    """Crawl in a subprocess, as production does."""
    chosen = FAST if settings is None else settings
    return harness.run_crawl(sites, db, "--log-level", "WARNING", settings=chosen, timeout=timeout)


def rows(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    """Query a library (read only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def truth_for(
    base: int,
    sites: tuple[str, ...] = HANWEB_SITES,
    changes: str = "",
    columns: dict[str, tuple[str, ...]] | None = None,
) -> dict:
    """The mirror's truth for ``base`` (changed by ``changes``), limited as ``sites_file``."""
    import mirror as mirror_pkg  # noqa: PLC0415
    from mirror import changes as mirror_changes  # noqa: PLC0415

    full = mirror_changes.truth(base, changes) if changes else mirror_pkg.truth(base)

    def kept(page: dict) -> bool:
        wanted = (columns or {}).get(page["site"])
        in_column = not wanted or any(k in page["column_url"] for k in wanted)
        return page["site"] in sites and in_column

    return {
        **full,
        "sites": [s for s in full["sites"] if s["name"] in sites],
        "documents": [d for d in full["documents"] if kept(d)],
        "interpretations": [i for i in full["interpretations"] if kept(i)],
    }
