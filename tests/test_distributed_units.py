"""The distributed crawl's parts against a real Redis server: leases, commits, the limiter, the
writer's idempotence (crawler/distributed/; docs/distributed.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from redis import Redis
from scrapy import Request

from corpus.store.records import CrawlError
from corpus.store.save import start_run
from corpus.store.schema import open_db
from crawler.distributed import codec, run
from crawler.distributed.keys import WRITER_GROUP, Keys
from crawler.distributed.queue import LEASE, LeasedQueue, commit, push_op, reap
from crawler.distributed.scripts import scripts
from crawler.distributed.spider import Wrapped, distributed
from crawler.distributed.writer import Writer
from crawler.spiders.hanweb import HanwebSpider

pytestmark = pytest.mark.integration


@pytest.fixture
def redis(redis_module_url: str) -> Redis:
    server = Redis.from_url(redis_module_url)
    server.flushall()
    return server


def _spider(redis: Redis, worker: str = "here:1"):
    spider = distributed(HanwebSpider)(sites=[], redis=redis)
    spider.worker_id = worker
    return spider


def _queue(redis: Redis, spider) -> LeasedQueue:
    return LeasedQueue(redis, spider, "normdocs:%(spider)s:queue")


def _seed(redis: Redis, spider, *urls: str) -> None:
    keys = Keys()
    ops = [push_op(r, codec.encode_request(r, spider)) for r in map(_request(spider), urls)]
    assert commit(redis, keys, keys.spider(spider.name), ops)


def _request(spider):
    return lambda url: Request(url, callback=spider.parse_column, errback=spider.list_failed)


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_a_leased_request_stays_on_the_server_until_its_outcome_is_committed(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    s = queue.spider_keys
    _seed(redis, spider, "http://a.example/1")
    request = queue.pop()
    assert request is not None and request.url == "http://a.example/1"
    assert (
        isinstance(request.callback, Wrapped) and request.callback.original == spider.parse_column
    )
    lease = request.meta[LEASE]
    assert (redis.zcard(s.queue), redis.zcard(s.leases)) == (0, 1)
    assert redis.hexists(s.payload, lease)  # the request's bytes are still there
    assert queue.pop() is None
    # its outcome: one new request and one item, with the lease's end, in one step
    more = Request("http://a.example/2", callback=spider.parse_column)
    item = ("X", codec.dumps(CrawlError("http://a.example/1", "x", "parse", "s")))
    assert commit(
        redis, Keys(), s, [push_op(more, codec.encode_request(more, spider)), item], lease, "here:1"
    )
    assert (redis.zcard(s.queue), redis.zcard(s.leases), redis.xlen(Keys().stream)) == (1, 0, 1)
    assert not redis.hexists(s.payload, lease)


def test_an_expired_lease_goes_back_to_the_queue_and_its_late_outcome_is_refused(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NORMDOCS_LEASE_SECONDS", "0.5")
    dead, alive = _spider(redis, "dead:1"), _spider(redis, "alive:2")
    s = Keys().spider(dead.name)
    _seed(redis, dead, "http://a.example/1")
    first = _queue(redis, dead).pop()
    assert first is not None and _queue(redis, alive).pop() is None
    _wait(lambda: reap(redis, s) == 1)  # nobody beat for it: back in the queue
    second = _queue(redis, alive).pop()
    assert second is not None and second.url == first.url
    # the dead worker wakes up: its outcome is refused, nothing of it written
    late = ("X", codec.dumps(CrawlError(first.url, "late", "parse", "s")))
    assert not commit(redis, Keys(), s, [late], first.meta[LEASE], "dead:1")
    assert redis.xlen(Keys().stream) == 0
    assert commit(redis, Keys(), s, [], second.meta[LEASE], "alive:2")
    assert redis.zcard(s.leases) == 0


def test_a_heartbeat_keeps_a_lease(redis: Redis, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NORMDOCS_LEASE_SECONDS", "0.5")
    spider = _spider(redis)
    s = Keys().spider(spider.name)
    _seed(redis, spider, "http://a.example/1")
    request = _queue(redis, spider).pop()
    for _ in range(4):
        assert (
            scripts(redis).extend(
                keys=[s.leases, s.owner], args=["here:1", 500, request.meta[LEASE]]
            )
            == 1
        )
        time.sleep(0.25)
        assert reap(redis, s) == 0
    assert (
        scripts(redis).extend(keys=[s.leases, s.owner], args=["other:9", 500, request.meta[LEASE]])
        == 0
    )


def test_a_retry_is_queued_and_its_parent_lease_ended_in_one_step(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    s = queue.spider_keys
    _seed(redis, spider, "http://a.example/1")
    parent = queue.pop()
    retry = parent.replace(dont_filter=True)  # what RetryMiddleware does: a copy, same meta
    retry.meta["retry_times"] = 1
    queue.push(retry)
    assert (redis.zcard(s.queue), redis.zcard(s.leases)) == (1, 0)
    again = queue.pop()
    assert again.url == parent.url and again.meta["retry_times"] == 1
    assert again.meta[LEASE] != parent.meta[LEASE]
    assert again.callback.original == spider.parse_column  # unwrapped to be sent, wrapped again


def test_the_newest_request_of_a_priority_comes_first(redis: Redis):
    spider = _spider(redis)
    _seed(redis, spider, "http://a.example/1", "http://a.example/2")
    urgent = Request("http://a.example/0", callback=spider.parse_column, priority=5)
    s = Keys().spider(spider.name)
    commit(redis, Keys(), s, [push_op(urgent, codec.encode_request(urgent, spider))])
    queue = _queue(redis, spider)
    assert [queue.pop().url for _ in range(3)] == [
        "http://a.example/0",
        "http://a.example/2",
        "http://a.example/1",
    ]


def test_a_page_is_claimed_once_with_its_request(redis: Redis):
    spider = _spider(redis)
    s = Keys().spider(spider.name)
    detail = Request("http://a.example/p", callback=spider.parse_detail)
    op = push_op(detail, codec.encode_request(detail, spider))
    assert commit(redis, Keys(), s, [("C", "http://a.example/p", "col-a", 1), op])
    assert commit(redis, Keys(), s, [("C", "http://a.example/p", "col-b", 1), op])
    assert redis.zcard(s.queue) == 1
    assert redis.hget(s.pages, "http://a.example/p") == b"col-a"


def test_the_limiter_holds_a_host_to_its_concurrency_and_delay(redis: Redis):
    keys = Keys()
    acquire = scripts(redis).acquire

    def ask(host: str, token: str, limit: int, delay_ms: int = 0, ttl_ms: int = 60000) -> int:
        k = [keys.host_tokens(host), keys.host_next(host), keys.host_starts(host), keys.blocked]
        return int(acquire(keys=k, args=[host, token, limit, delay_ms, ttl_ms, host]))

    assert ask("a", "t1", 2) == 0 and ask("a", "t2", 2) == 0
    assert ask("a", "t3", 2) == 20  # two in flight: wait
    k = [keys.host_tokens("a"), keys.host_next("a"), keys.host_starts("a"), keys.blocked]
    assert acquire(keys=k, args=["a", "t3", 2, 0, 60000, "a", 160]) == 160  # the asker's backoff
    assert ask("b", "u1", 2) == 0  # another host is another matter
    redis.zrem(keys.host_tokens("a"), "t1")
    assert ask("a", "t3", 2) == 0
    # a delay between starts
    assert ask("c", "v1", 10, delay_ms=300) == 0
    wait = ask("c", "v2", 10, delay_ms=300)
    assert 0 < wait <= 300
    _wait(lambda: ask("c", "v2", 10, delay_ms=300) == 0)
    # tokens expire: a dead worker does not hold its host for ever
    assert ask("d", "w1", 1, ttl_ms=200) == 0 and ask("d", "w2", 1, ttl_ms=200) > 0
    _wait(lambda: ask("d", "w2", 1, ttl_ms=200) == 0)
    # a blocked host is refused
    redis.hset(keys.blocked, "e", "HTTP 412")
    assert ask("e", "x1", 5) == -1


def test_the_writer_applies_a_stream_entry_once(redis: Redis, tmp_path: Path):
    db_path = tmp_path / "w.db"
    db = open_db(str(db_path))
    run_id = start_run(db, "sites.yml", None)
    keys = Keys()
    redis.hset(keys.run, mapping={"id": run_id, "state": run.RUNNING})
    writer = Writer(redis, db, run_id, keys)
    writer.ensure_group()
    for n in range(3):
        error = CrawlError(f"http://a.example/{n}", "HTTP 404", "http_status", "s", 404)
        redis.xadd(keys.stream, {"item": codec.dumps(error)})
    entries = writer.read(pending=False)
    assert len(entries) == 3
    assert writer.apply_batch(entries) == 3
    # the same entries again (a writer killed after its commit, before its XACK): nothing twice
    assert writer.apply_batch(entries) == 0
    again = Writer(redis, open_db(str(db_path)), run_id, keys)
    assert again.apply_batch(entries) == 0
    count = db.execute("SELECT count(*) FROM crawl_errors WHERE run_id = ?", [run_id]).fetchone()[0]
    assert count == 3
    assert redis.xlen(keys.stream) == 0  # acknowledged and deleted
    assert not redis.xpending(keys.stream, WRITER_GROUP)["pending"]


def test_a_worker_of_a_cleared_run_takes_and_commits_nothing_of_the_next_one(redis: Redis):
    """Run tokens: a worker of a run cleared away (its coordinator gone) cannot lease a request
    of the run published after it, nor commit into it; the writer cannot finalize it."""
    keys = Keys()
    redis.hset(keys.run, mapping={"id": 1, "token": "new", "state": run.RUNNING})
    old, new = _spider(redis, "old:1"), _spider(redis, "new:2")
    old.run_token, new.run_token = "old", "new"
    s = keys.spider(old.name)
    _seed(redis, old, "http://a.example/1")
    assert _queue(redis, old).pop() is None  # not its run
    item = ("X", codec.dumps(CrawlError("http://a.example/x", "x", "parse", "s")))
    assert not old.commit([item])
    assert redis.xlen(keys.stream) == 0
    leased = _queue(redis, new).pop()
    assert leased is not None and new.commit([item], leased.meta[LEASE])
    assert redis.xlen(keys.stream) == 1 and redis.zcard(s.leases) == 0
    assert not run.set_state(redis, run.FINALIZED, keys, "old")
    assert run.state(redis, keys)[1] == run.RUNNING
    assert run.set_state(redis, run.FINALIZED, keys, "new")


def test_reaped_leases_are_counted(redis: Redis, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NORMDOCS_LEASE_SECONDS", "0.5")
    spider = _spider(redis)
    s = Keys().spider(spider.name)
    _seed(redis, spider, "http://a.example/1", "http://a.example/2")
    queue = _queue(redis, spider)
    first, second = queue.pop(), queue.pop()
    assert commit(redis, Keys(), s, [], first.meta[LEASE], "here:1")
    assert reap(redis, s) == 0 and redis.get(s.reaped) is None  # ended by commit: not counted
    _wait(lambda: reap(redis, s) == 1)
    assert int(redis.get(s.reaped)) == 1 and second is not None


def test_a_draining_worker_has_no_pending_request_though_the_run_has(redis: Redis):
    """SIGTERM: the scheduler says it has nothing pending, so the engine goes idle once the
    held requests are done (the run's shared queue would otherwise keep it open)."""
    from crawler.distributed.queue import LeasedScheduler  # noqa: PLC0415

    spider = _spider(redis)
    _seed(redis, spider, "http://a.example/1")
    scheduler = LeasedScheduler(redis)
    scheduler.queue = _queue(redis, spider)
    scheduler.spider = spider
    assert scheduler.has_pending_requests()
    spider.draining = True
    assert not scheduler.has_pending_requests()
    assert scheduler.next_request() is None


# ---------------------------------------------------------------- the host-aware lease


def _busy(redis: Redis, host: str, limit: int = 2, in_flight: int = 2, delay: float = 0) -> None:
    """``host`` announced with ``limit`` and ``in_flight`` live tokens (as the limiter does)."""
    keys = Keys()
    redis.hset(keys.hosts, host, json.dumps({"limit": limit, "delay": delay}))
    now_ms = run.server_ms(redis)
    for n in range(in_flight):
        redis.zadd(keys.host_tokens(host), {f"{host}-{n}": now_ms + 60000})


def test_a_lease_passes_over_requests_whose_host_is_at_its_limit(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    s = queue.spider_keys
    # the newest first: busy/3, busy/2, busy/1, then free/1
    _seed(redis, spider, "http://free.example/1", *(f"http://busy.example/{n}" for n in (1, 2, 3)))
    assert redis.hget(s.host, redis.zrange(s.queue, 0, 0)[0]) == b"busy.example busy.example"
    _busy(redis, "busy.example")
    first = queue.pop()
    assert first.url == "http://free.example/1"
    # the others stay in their order; no host is free any more among them: the head
    assert [queue.pop().url for _ in range(3)] == [f"http://busy.example/{n}" for n in (3, 2, 1)]
    # the host of a request is forgotten with its lease
    assert redis.hexists(s.host, first.meta[LEASE])
    assert commit(redis, Keys(), s, [], first.meta[LEASE], "here:1")
    assert not redis.hexists(s.host, first.meta[LEASE])


def test_a_host_below_its_limit_unannounced_or_with_expired_tokens_is_free(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    keys = Keys()
    _seed(redis, spider, "http://new.example/1", "http://b.example/1", "http://a.example/1")
    _busy(redis, "a.example", limit=3, in_flight=3)
    redis.zadd(keys.host_tokens("a.example"), {"a.example-0": run.server_ms(redis) - 1})  # expired
    _busy(redis, "b.example", limit=3, in_flight=3)
    assert queue.pop().url == "http://a.example/1"  # two live tokens of three
    _busy(redis, "a.example", limit=3, in_flight=3)
    assert queue.pop().url == "http://new.example/1"  # not announced by any limiter yet: free


def test_all_hosts_busy_the_head_is_leased(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    _seed(redis, spider, "http://b.example/1", "http://a.example/1")
    _busy(redis, "a.example")
    _busy(redis, "b.example", limit=1, in_flight=1)
    assert queue.pop().url == "http://a.example/1"  # never starved
    assert queue.pop().url == "http://b.example/1"


def test_a_blocked_host_or_one_in_its_delay_is_passed_over(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    keys = Keys()
    _seed(redis, spider, "http://ok.example/1", "http://slow.example/1", "http://bad.example:81/1")
    redis.hset(keys.blocked, "bad.example:81", "HTTP 412")  # blocked per host:port
    _busy(redis, "slow.example", limit=5, in_flight=1, delay=10)
    redis.set(keys.host_next("slow.example"), run.server_ms(redis) + 10000)  # next start in 10 s
    assert queue.pop().url == "http://ok.example/1"
    assert queue.pop().url == "http://bad.example:81/1"  # none free: the head
    redis.delete(keys.host_next("slow.example"))
    _seed(redis, spider, "http://bad.example:81/2")
    assert queue.pop().url == "http://slow.example/1"


def test_a_lease_takes_the_highest_priority_a_free_host_can_start(redis: Redis):
    spider = _spider(redis)
    queue = _queue(redis, spider)
    s = queue.spider_keys
    urgent = [
        Request(f"http://{h}.example/u", callback=spider.parse_column, priority=5)
        for h in ("busy", "free")
    ]
    ops = [push_op(r, codec.encode_request(r, spider)) for r in urgent]
    assert commit(redis, Keys(), s, ops)
    _seed(redis, spider, "http://free.example/1", "http://busy.example/2")
    _busy(redis, "busy.example")
    # queue order: free/u, busy/u (priority 5, newest first), busy/2, free/1
    assert queue.pop().url == "http://free.example/u"
    assert queue.pop().url == "http://free.example/1"  # busy/u and busy/2 cannot start
    redis.delete(Keys().host_tokens("busy.example"))
    assert queue.pop().url == "http://busy.example/u"  # its host free again: first again
    assert queue.pop().url == "http://busy.example/2"


def test_beyond_its_window_a_lease_finds_a_free_host_by_its_own_queue(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NORMDOCS_LEASE_WINDOW", "2")
    spider = _spider(redis)
    queue = _queue(redis, spider)
    s = queue.spider_keys
    old = Request("http://free.example/old", callback=spider.parse_column, priority=-1)
    assert commit(redis, Keys(), s, [push_op(old, codec.encode_request(old, spider))])
    _seed(redis, spider, "http://other.example/1", "http://free.example/1")
    _seed(redis, spider, *(f"http://busy.example/{n}" for n in (1, 2)))
    _busy(redis, "busy.example")
    # busy/2, busy/1 fill the window; beyond it each host's first: free/1 before other/1
    # (newer), and before free/old (a lower priority)
    assert redis.smembers(s.slots) == {b"busy.example", b"free.example", b"other.example"}
    assert queue.pop().url == "http://free.example/1"
    assert queue.pop().url == "http://other.example/1"
    assert redis.smembers(s.slots) == {b"busy.example", b"free.example"}  # other's queue empty
    assert queue.pop().url == "http://free.example/old"
    assert queue.pop().url == "http://busy.example/2"  # none free: the head
    assert queue.pop().url == "http://busy.example/1"
    assert not redis.smembers(s.slots) and not redis.exists(f"{s.queue}:busy.example")


def test_a_reaped_request_keeps_its_host(redis: Redis, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NORMDOCS_LEASE_SECONDS", "0.5")
    spider = _spider(redis)
    s = Keys().spider(spider.name)
    _seed(redis, spider, "http://free.example/1", "http://busy.example/1")
    _busy(redis, "busy.example")
    first = _queue(redis, spider).pop()
    assert first.url == "http://free.example/1"
    assert redis.smembers(s.slots) == {b"busy.example"}
    _wait(lambda: reap(redis, s) == 1)
    assert redis.smembers(s.slots) == {b"busy.example", b"free.example"}  # back in its queue
    assert redis.zcard(f"{s.queue}:free.example") == 1
    assert _queue(redis, spider).pop().url == "http://free.example/1"  # still passed over busy/1
