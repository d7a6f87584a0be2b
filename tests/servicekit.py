"""Helpers for the crawl-as-a-service tests: a mirror in this process, crawls with settings.

The mirror runs in a background thread of the test process (``mirror.server.start_background``)
so a test can switch its faults or changes and read what it served; crawls run as subprocesses
(``python -m crawler.run``), one Twisted reactor each, exactly as in production.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from conftest import ROOT, CrawlResult, free_base_port

HANWEB_SITES = ("jx-portal", "jx-nync", "jx-sthjt")
# Fast, but the same handling as production: short timeouts, small backoff, small size limit.
FAST = {
    "DOWNLOAD_TIMEOUT": "2",
    "NORMDOCS_RETRY_BACKOFF": "0.05",
    "NORMDOCS_RETRY_BACKOFF_MAX": "0.2",
    "DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "DOWNLOAD_WARNSIZE": str(512 * 1024),
}


def port_span() -> int:
    """Ports one copy of the mirror takes (every site, extra ones included)."""
    from mirror.world import world  # noqa: PLC0415

    return max(s.offset for s in world().sites) + 1


@contextmanager
def mirror(
    faults: str = "", changes: str = "", base: int | None = None, **options: float
) -> Iterator[tuple[int, object]]:
    """Serve the mirror (with ``faults`` / ``changes``) on ``base`` or free ports; yields (base
    port, faults)."""
    from mirror.changes import changed_world  # noqa: PLC0415
    from mirror.faults import Faults  # noqa: PLC0415
    from mirror.server import start_background  # noqa: PLC0415

    served = Faults.from_spec(faults, **options)
    the_world = changed_world(changes) if changes else None
    base = base or free_base_port(port_span(), start=21000)
    stop = start_background(base, faults=served, the_world=the_world)
    try:
        yield base, served
    finally:
        stop()


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
    args = [sys.executable, "-m", "crawler.run", "--sites", str(sites), "--db", str(db)]
    args += ["--log-level", "WARNING"]
    for name, value in (FAST if settings is None else settings).items():
        args += ["-s", f"{name}={value}"]
    return args


def crawl(
    sites: Path, db: Path, settings: dict[str, str] | None = None, timeout: float = 300
) -> CrawlResult:
    """Crawl in a subprocess, as production does."""
    started = time.monotonic()
    proc = subprocess.run(
        crawl_args(sites, db, settings), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    return CrawlResult(db, proc.returncode, time.monotonic() - started, proc.stderr)


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
