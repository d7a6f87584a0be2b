"""Settings overlay for bench/distributed.py: the mirror on many loopback hosts, crawled with a
per-host limit and a per-process concurrency, as a real crawl of many slow hosts is.

Laid over the production settings like ``mirror.loopback`` (``--settings-module
bench.cluster_settings``; a distributed run hands the module's name to every worker). The numbers
come from the environment the bench sets, so that one module serves every configuration:

* ``NORMDOCS_BENCH_CONCURRENCY``: requests in flight per crawl process (``CONCURRENT_REQUESTS``);
* ``NORMDOCS_BENCH_PER_HOST``: requests in flight per host (over all workers, with the shared
  limiter), and ``NORMDOCS_BENCH_DELAY`` seconds between two starts on a host. The delay is never
  0: with a slot delay of 0 Scrapy 2.19 does not hold a slot's concurrency
  (tests/test_mirror_stats.py).

AutoThrottle stays off for the mirror's hosts (``mirror.loopback.LoopbackMiddleware``).
"""

from __future__ import annotations

import os

from mirror.loopback import DOWNLOADER_MIDDLEWARES, LOOPBACK_HOSTS  # noqa: F401 - settings

concurrency = int(os.environ.get("NORMDOCS_BENCH_CONCURRENCY", "8"))
per_host = int(os.environ.get("NORMDOCS_BENCH_PER_HOST", "4"))
delay = max(float(os.environ.get("NORMDOCS_BENCH_DELAY", "0.001")), 0.001)

CONCURRENT_REQUESTS = concurrency
CONCURRENT_REQUESTS_PER_DOMAIN = per_host
DOWNLOAD_DELAY = delay
DOWNLOAD_SLOTS = {h: {"concurrency": per_host, "delay": delay, "jitter": 0} for h in LOOPBACK_HOSTS}
LOG_LEVEL = "WARNING"
