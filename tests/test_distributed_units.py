"""The distributed crawl's parts against a real Redis server: leases, commits, the limiter, the
writer's idempotence (crawler/distributed/; docs/distributed.md)."""

from __future__ import annotations

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
    assert ask("a", "t3", 2) > 0  # two in flight: wait
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
