"""Scrapy settings: polite defaults for real government hosts.

Government hosts are slow, sometimes fragile and sometimes guarded by anti-bot gateways (瑞数 412,
加速乐 521). We crawl them like a careful person would: robots.txt obeyed, one request at a time
on average, a User-Agent that says who we are and how to reach us, and no hammering of challenge
pages. A settings module named by ``python -m crawler.run --settings-module`` (or the
``NORMDOCS_SETTINGS_MODULE`` environment variable) is applied on top of this one; its dict
settings extend these (``crawler.run.project_settings``).
"""

from __future__ import annotations

import os

BOT_NAME = "normdocs"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "normdocs/0.1 (+https://github.com/normdocs/normdocs; open library of normative documents)"
)

# Some Jiangxi hosts have no robots.txt (404): Scrapy then allows everything, which is right.
ROBOTSTXT_OBEY = True

# ---------------------------------------------------------------- politeness
# AutoThrottle adapts the delay to the server's latency; a target concurrency of 1 means "on
# average one request in flight per host", and DOWNLOAD_DELAY is its floor (AutoThrottle never
# goes below it). CONCURRENT_REQUESTS_PER_DOMAIN caps bursts.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0

DOWNLOADER_MIDDLEWARES = {
    # Faults of real hosts (crawler/errors.py has the table): challenges recognised and their
    # host blocked, retries spaced by a backoff, wrong charsets repaired, all of it recorded.
    "crawler.middlewares.FaultsMiddleware": 560,
    # After it: a page no declared charset decodes (GBK served as UTF-8, no <meta>) → gb18030.
    "crawler.charset.CharsetFallbackMiddleware": 555,
    "crawler.middlewares.RedirectLoopMiddleware": 620,
    # Last before the download: per-host limits held over every family's crawler of the process
    # (each Scrapy crawler has slots of its own; one host often serves several families).
    "crawler.hostlimit.HostLimitMiddleware": 960,
}

# Scrapy runs each callback's output through CONCURRENT_ITEMS asyncio workers, created anew for
# every response (100 by default). Our callbacks yield a few items or requests each and the
# pipeline is synchronous: 8 do the same work with a fifth less CPU per page (bench/crawl.py).
CONCURRENT_ITEMS = 8

# ---------------------------------------------------------------- faults
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# Scrapy's defaults, spelled out so nobody adds 412 (瑞数) or 521 (加速乐): a challenge page does
# not go away by asking again, and asking again is what gets a crawler banned.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retries wait base·2^(n−1) seconds (jittered, capped; a Retry-After is honoured): a struggling
# host gets room to recover instead of the same request again at once.
NORMDOCS_RETRY_BACKOFF = 2.0
NORMDOCS_RETRY_BACKOFF_MAX = 60.0
# Error answers (404, 412 …) reach the spider's errbacks as HttpError with the response, and are
# stored in crawl_errors with their status (412/521 as ``blocked``).
# Attachments are PDFs and Word files of a few MB; 50 MB leaves room and stops a runaway download.
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
# Unhandled exceptions in callbacks (not pages that fail to parse: those are caught and stored
# as crawl_errors). Fifty of them means the spider itself is broken: stop early, loudly.
CLOSESPIDER_ERRORCOUNT = 50

# ---------------------------------------------------------------- incremental crawls
# What a recrawl may skip (crawler/incremental.py; README "Daily refresh"). A column last crawled
# completely is walked until STOP_AFTER consecutive known, unchanged entries, if the site's total
# agrees; in full every FULL_WALK_DAYS. A known page is re-checked (conditional GET) after
# RECHECK_DAYS × ½…1, spread by URL; 0 re-checks every page. NORMDOCS_NOW (ISO) pins "now".
NORMDOCS_INCREMENTAL = True
NORMDOCS_INCREMENTAL_STOP_AFTER = 5
NORMDOCS_FULL_WALK_DAYS = 7.0
NORMDOCS_RECHECK_DAYS = 30.0
NORMDOCS_REUSE_ATTACHMENTS = True  # an attachment read before (same URL) is not fetched again

# ---------------------------------------------------------------- output
ITEM_PIPELINES = {"crawler.pipelines.SQLitePipeline": 300}
FEEDS: dict = {}
LOG_LEVEL = "INFO"
# Scrapy would build a DEBUG record for every response and item only for INFO to drop it.
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"
# No listening consoles: a crawler has no business opening ports on the machine it runs on.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# The first Set-Cookie makes Scrapy's cookie middleware ask tldextract for the public-suffix
# list, which it downloads from the internet unless told otherwise; offline (CI, the mirror) that
# means tracebacks and timeouts. An empty URL list makes tldextract use its bundled snapshot. It
# must be set before scrapy.downloadermiddlewares.cookies is imported, which happens after the
# settings module is read.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
