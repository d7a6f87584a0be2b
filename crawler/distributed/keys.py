"""The Redis keys of a distributed crawl, and the knobs of its leases.

One Redis server (or one database number of it) holds one run at a time. Every key starts with
``normdocs:`` so that the server can be shared with other programs; the coordinator deletes a
run's keys when the run is closed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PREFIX = "normdocs"
# How long a worker holds a request without a heartbeat before it goes back to the queue.
LEASE_SECONDS_ENV = "NORMDOCS_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 60.0
WRITER_GROUP = "writer"  # the consumer group of the item stream
# How long a run's coordinator may be silent before the next coordinator clears the run away.
COORDINATOR_GONE_ENV = "NORMDOCS_COORDINATOR_GONE_SECONDS"
DEFAULT_COORDINATOR_GONE_SECONDS = 30.0
# How many requests at the head of a queue a lease looks at for one whose host is free.
LEASE_WINDOW_ENV = "NORMDOCS_LEASE_WINDOW"
DEFAULT_LEASE_WINDOW = 64


def lease_seconds() -> float:
    """The lease time (``NORMDOCS_LEASE_SECONDS``, default 60 s; tests use a few seconds)."""
    try:
        return max(0.5, float(os.environ.get(LEASE_SECONDS_ENV) or DEFAULT_LEASE_SECONDS))
    except ValueError:
        return DEFAULT_LEASE_SECONDS


def lease_window() -> int:
    """How many requests at the head of the queue a lease looks at for one whose host has a free
    token (``NORMDOCS_LEASE_WINDOW``, default 64; 1: always the head)."""
    try:
        return max(1, int(os.environ.get(LEASE_WINDOW_ENV) or DEFAULT_LEASE_WINDOW))
    except ValueError:
        return DEFAULT_LEASE_WINDOW


def coordinator_gone_ms() -> int:
    """How long (ms) a run's coordinator may be silent before its run counts as abandoned
    (``NORMDOCS_COORDINATOR_GONE_SECONDS``, default 30 s; tests use a few seconds)."""
    try:
        seconds = float(os.environ.get(COORDINATOR_GONE_ENV) or DEFAULT_COORDINATOR_GONE_SECONDS)
    except ValueError:
        seconds = DEFAULT_COORDINATOR_GONE_SECONDS
    return int(max(0.5, seconds) * 1000)


@dataclass(frozen=True)
class SpiderKeys:
    """The request queue of one spider (one CMS family) and its leases."""

    queue: str  # zset: request id → -priority (ids ordered so that the newest comes first)
    # also, per download slot (host), `{queue}:{slot}`: the same ids and scores, of that slot
    slots: str  # set: the slots that have requests queued (whose `{queue}:{slot}` is not empty)
    leases: str  # zset: request id → deadline (ms, the Redis server's clock)
    payload: str  # hash: request id → the encoded request
    score: str  # hash: request id → its queue score, to put it back
    owner: str  # hash: request id → the worker holding it
    host: str  # hash: request id → "slot host:port" (its download slot, and its host to block)
    pages: str  # hash: canonical page URL → the first column that listed it (the registry)
    reaped: str  # string: how many expired leases went back to the queue (a counter)


@dataclass(frozen=True)
class Keys:
    """All keys of the run on a server."""

    prefix: str = PREFIX

    def spider(self, name: str) -> SpiderKeys:
        base = f"{self.prefix}:{name}"
        return SpiderKeys(
            queue=f"{base}:queue",
            slots=f"{base}:slots",
            leases=f"{base}:leases",
            payload=f"{base}:payload",
            score=f"{base}:score",
            owner=f"{base}:owner",
            host=f"{base}:host",
            pages=f"{base}:pages",
            reaped=f"{base}:reaped",
        )

    @property
    def run(self) -> str:
        """hash: the published run (id, sites, settings, state …), see ``run.py``."""
        return f"{self.prefix}:run"

    @property
    def memory(self) -> str:
        """string: the incremental memory of the library at the run's start (pickled)."""
        return f"{self.prefix}:memory"

    @property
    def known_attachments(self) -> str:
        """set: attachment URLs whose text the library holds."""
        return f"{self.prefix}:known-attachments"

    @property
    def sequence(self) -> str:
        """string: the counter request ids are drawn from."""
        return f"{self.prefix}:sequence"

    @property
    def stream(self) -> str:
        """stream: items for the writer."""
        return f"{self.prefix}:items"

    @property
    def walked(self) -> str:
        """hash: column URL → the state its list walk ended in (pickled ColumnCrawl)."""
        return f"{self.prefix}:walked"

    @property
    def blocked(self) -> str:
        """hash: host → why it is requested no more (an anti-bot challenge)."""
        return f"{self.prefix}:blocked"

    @property
    def blocked_status(self) -> str:
        """hash: host → the HTTP status of the challenge answer that blocked it."""
        return f"{self.prefix}:blocked-status"

    @property
    def workers(self) -> str:
        """hash: worker id → JSON {host, pid, run, beat, state}."""
        return f"{self.prefix}:workers"

    @property
    def hosts(self) -> str:
        """hash: host → JSON {limit, delay} as last set by a worker (for ``status``, and for
        ``scripts.LEASE``, which skips requests whose host is at its limit)."""
        return f"{self.prefix}:hosts"

    @property
    def host_prefix(self) -> str:
        """What a host's keys start with (``scripts.LEASE`` builds them from it)."""
        return f"{self.prefix}:host:"

    def host_tokens(self, host: str) -> str:
        """zset: token → expiry (ms): requests in flight to ``host`` over the cluster."""
        return f"{self.host_prefix}{host}:tokens"

    def host_next(self, host: str) -> str:
        """string: the earliest time (ms) the next request to ``host`` may start."""
        return f"{self.host_prefix}{host}:next"

    def host_starts(self, host: str) -> str:
        """zset: request starts to ``host`` in the last minute (for its rate)."""
        return f"{self.host_prefix}{host}:starts"

    def all_patterns(self) -> list[str]:
        """Patterns matching every key of a run (for clearing it)."""
        return [f"{self.prefix}:*"]
