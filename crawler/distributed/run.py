"""What a run publishes in Redis for the processes that join it, and how they read it.

The coordinator writes the run once (``publish``): its id in the library, the sites, the settings
(the overlay module's name and the overrides, so a bare ``normdocs worker`` crawls with the
run's settings), the incremental policy with the run's "now", and the library's memory at the
start. ``state`` moves seeding → running → closing → finalized; workers join a running run,
leave a closing one, and the writer marks it finalized once the run's rows are written.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis import Redis

from crawler.distributed import codec
from crawler.distributed.keys import Keys
from crawler.incremental import Memory, Policy
from crawler.sites import Site

KEYS = Keys()
SEEDING, RUNNING, CLOSING, FINALIZED = "seeding", "running", "closing", "finalized"


@dataclass
class RunInfo:
    """A published run."""

    run_id: int
    sites: list[Site]
    sites_file: str
    policy: Policy
    overlay: str | None = None  # the settings module laid over crawler.settings
    overrides: dict[str, Any] = field(default_factory=dict)  # settings given by name
    columns: int = 0  # how many column walks the run has

    @property
    def families(self) -> list[str]:
        return sorted({s.family for s in self.sites})


def publish(redis: Redis, info: RunInfo, memory: Memory, keys: Keys = KEYS) -> str:
    """Write the run (state ``seeding``) and its memory; returns the run's token."""
    token = uuid.uuid4().hex  # run ids repeat between libraries (and after a clear); this does not
    redis.set(keys.memory, codec.dumps(memory))
    redis.hset(
        keys.run,
        mapping={
            "id": info.run_id,
            "token": token,
            "info": codec.dumps(info),
            "state": SEEDING,
        },
    )
    return token


def read(redis: Redis, keys: Keys = KEYS) -> tuple[RunInfo, str] | None:
    """The published run and its state, or None."""
    found = redis.hmget(keys.run, ["info", "state"])
    if not found[0]:
        return None
    return codec.loads(found[0]), found[1].decode() if found[1] else ""


def state(redis: Redis, keys: Keys = KEYS) -> tuple[int | None, str]:
    """The run id and state, without unpickling the run."""
    run_id, run_state = redis.hmget(keys.run, ["id", "state"])
    return (int(run_id) if run_id else None), (run_state.decode() if run_state else "")


def beat(redis: Redis, keys: Keys = KEYS) -> None:
    """The coordinator is alive (its wait loops call this)."""
    redis.hset(keys.run, "beat", server_ms(redis))


def coordinator_silent_ms(redis: Redis, keys: Keys = KEYS) -> int | None:
    """How long ago the run's coordinator last beat (None: never)."""
    found = redis.hget(keys.run, "beat")
    return server_ms(redis) - int(found) if found else None


def token(redis: Redis, keys: Keys = KEYS) -> str:
    """The published run's own token ("" when there is none)."""
    found = redis.hget(keys.run, "token")
    return found.decode() if found else ""


_SET_STATE = """
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
return 1
"""


def set_state(redis: Redis, value: str, keys: Keys = KEYS, token: str = "") -> bool:
    """Move the run to ``value``; with ``token``, only if the run published is still that one
    (a writer of a run cleared away must not finalize the next run). True when set."""
    return bool(redis.eval(_SET_STATE, 1, keys.run, value, token))


def load_memory(redis: Redis, keys: Keys = KEYS) -> Memory:
    data = redis.get(keys.memory)
    return codec.loads(data) if data else Memory()


def clear(redis: Redis, keys: Keys = KEYS) -> None:
    """Delete every key of the run (the registry of workers stays: they outlive runs)."""
    for pattern in keys.all_patterns():
        batch = [
            k for k in redis.scan_iter(match=pattern, count=1000) if k != keys.workers.encode()
        ]
        for i in range(0, len(batch), 500):
            redis.delete(*batch[i : i + 500])


def worker_entries(redis: Redis, keys: Keys = KEYS) -> dict[str, dict]:
    """The workers that registered, by id: {host, pid, run, state, beat (server ms)}."""
    return {k.decode(): json.loads(v) for k, v in redis.hgetall(keys.workers).items()}


def server_ms(redis: Redis) -> int:
    """The Redis server's clock in milliseconds (the cluster's one clock)."""
    seconds, micros = redis.time()
    return seconds * 1000 + micros // 1000
