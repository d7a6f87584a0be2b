"""Per-host counters at the mirror: how many requests each host name got, and how many at once.

Scrapy keys its download slots by host name (without the port), and politeness is a promise per
host: so the mirror counts per ``Host`` host name, whatever port was asked. For every host it
keeps the requests received, the most that were in flight at the same moment (received, not yet
answered: the answer time ``--latency`` and any fault's delay included), and the shortest gap
between two consecutive requests' arrivals; and the same over the whole mirror. A test reads them
from the object (``serve_background(stats=…)``), a process from any port of the mirror
(``GET /_mirror/stats``, ``POST /_mirror/stats/reset``, with ``python -m mirror serve --stats``)
or from the file ``--stats-file`` rewrites while it changes. Without those options nothing is
counted and no ``/_mirror/`` path exists: the mirror's answers are as before.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

STATS_PATH = "/_mirror/stats"
RESET_PATH = "/_mirror/stats/reset"


@dataclass
class _Counter:
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    first: float | None = None  # monotonic time of the first request since the reset
    last: float | None = None
    min_interval: float | None = None  # shortest gap between two consecutive arrivals

    def enter(self, now: float) -> None:
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.last is not None:
            gap = now - self.last
            self.min_interval = gap if self.min_interval is None else min(self.min_interval, gap)
        if self.first is None:
            self.first = now
        self.last = now

    def clear(self) -> None:
        """Forget what was counted; requests still in flight stay in flight."""
        self.requests = 0
        self.max_in_flight = self.in_flight
        self.first = self.last = self.min_interval = None

    def view(self) -> dict:
        span = (self.last - self.first) if self.first is not None else 0.0
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "seconds": round(span, 6),
            "min_interval": None if self.min_interval is None else round(self.min_interval, 6),
        }


class HostStats:
    """Thread-safe per-host counters (``enter``/``leave`` around every answer)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, _Counter] = {}
        self._total = _Counter()
        self.changes = 0  # bumped on every change (the stats file is rewritten when it moved)

    def enter(self, host: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._hosts.setdefault(host, _Counter()).enter(now)
            self._total.enter(now)
            self.changes += 1

    def leave(self, host: str) -> None:
        with self._lock:
            self._hosts[host].in_flight -= 1
            self._total.in_flight -= 1
            self.changes += 1

    def reset(self) -> None:
        """Start counting again (requests in flight are still counted as in flight)."""
        with self._lock:
            for counter in self._hosts.values():
                counter.clear()
            self._hosts = {h: c for h, c in self._hosts.items() if c.in_flight}
            self._total.clear()
            self.changes += 1

    def snapshot(self) -> dict:
        """{"hosts": {host: counters}, "total": counters} (counters: requests, in_flight,
        max_in_flight, seconds from the first request to the last, min_interval)."""
        with self._lock:
            return {
                "hosts": {h: c.view() for h, c in sorted(self._hosts.items())},
                "total": self._total.view(),
            }

    def write(self, path: str | Path) -> None:
        """Write the snapshot to ``path`` in one step (a reader sees a whole file)."""
        path = Path(path)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(self.snapshot(), indent=1) + "\n", encoding="utf-8")
        os.replace(partial, path)
