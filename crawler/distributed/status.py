"""``normdocs status --redis URL``: what a distributed crawl is doing, from Redis alone.

The run and its state; per spider (CMS family) the requests queued and leased; the workers that
beat within one lease time (alive) with their host and pid; per host the requests started in the
last minute, in flight now, and its limits; the items waiting for the writer.
"""

from __future__ import annotations

import json

from redis import Redis

from crawler.distributed import run
from crawler.distributed.keys import WRITER_GROUP, lease_seconds


def snapshot(redis: Redis) -> dict:
    """The status as a dict (what ``--json`` prints)."""
    keys = run.KEYS
    run_id, state = run.state(redis, keys)
    found = run.read(redis, keys) if run_id is not None else None
    families = found[0].families if found else []
    now = run.server_ms(redis)
    queues = {}
    for family in families:
        s = keys.spider(family)
        queues[family] = {
            "queued": redis.zcard(s.queue),
            "leased": redis.zcard(s.leases),
            "reaped": int(redis.get(s.reaped) or 0),  # leases expired and put back this run
        }
    workers = []
    for worker, entry in sorted(run.worker_entries(redis, keys).items()):
        age = (now - entry.get("beat", 0)) / 1000
        if age <= lease_seconds():
            workers.append({"worker": worker, **entry, "seconds_since_beat": round(age, 1)})
    hosts = {}
    for host, limits in sorted(redis.hgetall(keys.hosts).items()):
        name = host.decode()
        starts = redis.zcount(keys.host_starts(name), now - 60000, "+inf")
        in_flight = redis.zcount(keys.host_tokens(name), now, "+inf")
        hosts[name] = {**json.loads(limits), "requests_last_minute": starts, "in_flight": in_flight}
    waiting = pending = 0
    if redis.exists(keys.stream):
        waiting = redis.xlen(keys.stream)
        for group in redis.xinfo_groups(keys.stream):
            if group["name"] in (WRITER_GROUP, WRITER_GROUP.encode()):
                pending = group["pending"]
    blocked = {k.decode(): v.decode() for k, v in redis.hgetall(keys.blocked).items()}
    return {
        "run": run_id,
        "state": state or None,
        "columns": found[0].columns if found else 0,
        "walks_ended": redis.hlen(keys.walked),
        "queues": queues,
        "queued": sum(q["queued"] for q in queues.values()),
        "leased": sum(q["leased"] for q in queues.values()),
        "reaped": sum(q["reaped"] for q in queues.values()),
        "workers": workers,
        "hosts": hosts,
        "blocked_hosts": blocked,
        "items_waiting_for_writer": waiting,
        "items_being_written": pending,
    }


def lines(status: dict) -> list[str]:
    """The status for a terminal."""
    if status["run"] is None:
        out = ["no run queued"]
    else:
        out = [
            f"run {status['run']} ({status['state']}): walks ended "
            f"{status['walks_ended']}/{status['columns']}, queued {status['queued']}, "
            f"leased {status['leased']} (expired and put back {status['reaped']}), items waiting for the writer "
            f"{status['items_waiting_for_writer']} ({status['items_being_written']} being written)"
        ]
        for family, q in status["queues"].items():
            out.append(
                f"  {family:<8} queued {q['queued']:>6}  leased {q['leased']:>4}"
                f"  reaped {q['reaped']:>4}"
            )
    out.append(f"workers alive: {len(status['workers'])}")
    for w in status["workers"]:
        out.append(
            f"  {w['host']} pid {w['pid']}: {w['state']} (run {w['run']}, "
            f"beat {w['seconds_since_beat']}s ago)"
        )
    for host, h in status["hosts"].items():
        out.append(
            f"host {host}: {h['requests_last_minute']} requests in the last minute, "
            f"{h['in_flight']} in flight; limit {h['limit']} at a time, delay {h['delay']:g}s"
        )
    for host, why in status["blocked_hosts"].items():
        out.append(f"blocked {host}: {why}")
    return out
