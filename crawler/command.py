"""The command line of one crawl in its own process (``python -m crawler.run``).

Twisted's reactor runs once per process, so everything that crawls more than once (the daily
refresh, the tests, the benches, the demo) starts a crawl as a child process; this is the one
place its command line is spelled. It imports nothing heavy: callers need not load Scrapy.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

# A settings module applied over crawler.settings for every crawl that sees this variable (the
# mirror's loopback overlay, for commands that crawl through ``crawler.run`` themselves).
SETTINGS_MODULE_ENV = "NORMDOCS_SETTINGS_MODULE"


def crawl_command(
    sites: str | Path,
    db: str | Path,
    *,
    site: str | None = None,
    settings: Mapping[str, object] | None = None,
    settings_module: str | None = None,
    log_level: str | None = None,
) -> list[str]:
    """``python -m crawler.run`` for ``sites`` into ``db``: only ``site`` if given, a settings
    module over the production settings, ``settings`` (``-s NAME=VALUE`` each) and a log level."""
    command = [sys.executable, "-m", "crawler.run", "--sites", str(sites), "--db", str(db)]
    if site:
        command += ["--site", site]
    if settings_module:
        command += ["--settings-module", settings_module]
    if log_level:
        command += ["--log-level", log_level]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    return command
