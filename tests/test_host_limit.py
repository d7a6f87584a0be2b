"""Per-host limits hold over every family's crawler of one crawl (``crawler.hostlimit``).

A crawl runs one Scrapy crawler per CMS family, each with download slots of its own; a host that
serves several families (Jiangxi's portal: Hanweb and the new platform) would otherwise see each
crawler's limit at once. A real crawl of four families on one loopback host, measured by the
mirror's per-host counters, and the limiter's own bookkeeping on the real reactor.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from conftest import run_crawl

from crawler.hostlimit import HostLimits, limits_for
from mirror import scale
from mirror.server import serve_background
from mirror.stats import HostStats

# One site of each family: four Scrapy crawlers in one process, all on one host.
ONE_PER_FAMILY = ("jx-nync", "jx-gxt", "hn-nynct", "gd-gov")
LIMIT = 3


def test_the_crawlers_of_one_run_share_their_limits_and_others_do_not() -> None:
    assert limits_for(41) is limits_for("41")
    assert limits_for(41) is not limits_for(42)
    assert limits_for(None) is not limits_for(None)  # a crawler without a run: its own


def test_a_released_place_wakes_the_longest_waiting_request() -> None:
    """One place: the second and third wait, and are woken in turn, one per release."""
    limits = HostLimits()
    order: list[str] = []

    async def request(name: str) -> None:
        await limits.acquire("h", 1, 0.0)
        order.append(name)

    async def scenario() -> None:
        tasks = [asyncio.create_task(request(n)) for n in ("a", "b", "c")]
        await asyncio.sleep(0.01)
        assert order == ["a"] and len(limits.hosts["h"].waiting) == 2
        limits.release("h")
        await asyncio.sleep(0.01)
        assert order == ["a", "b"]
        limits.release("h")
        await asyncio.gather(*tasks)
        assert order == ["a", "b", "c"] and limits.most_in_flight["h"] == 1
        limits.release("h")
        limits.release("h")  # more releases than places never goes below zero
        assert limits.hosts["h"].in_flight == 0

    asyncio.run(scenario())


def test_the_delay_spaces_the_starts_of_a_host() -> None:
    limits = HostLimits()
    starts: list[float] = []

    async def scenario() -> None:
        for _ in range(3):
            await limits.acquire("h", 5, 0.05)
            starts.append(time.monotonic())

    asyncio.run(scenario())
    assert all(b - a >= 0.045 for a, b in zip(starts, starts[1:], strict=False)), starts


@pytest.mark.integration
def test_four_families_on_one_host_never_have_more_than_its_limit_in_flight(
    tmp_path: Path,
) -> None:
    """Without the shared limiter, the four crawlers reach up to 4 × LIMIT at once."""
    stats = HostStats()
    host = scale.host_of(0, 1)
    slots = {host: {"concurrency": LIMIT, "delay": 0.001, "jitter": 0}}
    background = serve_background(0, hosts=1, latency=0.05, stats=stats)
    try:
        sites = tmp_path / "sites.yml"
        sites.write_text(
            scale.sites_yaml(background.base_port, 1, names=ONE_PER_FAMILY, hosts=1),
            encoding="utf-8",
        )
        result = run_crawl(
            sites, tmp_path / "lib.db", settings={"DOWNLOAD_SLOTS": json.dumps(slots)}
        )
        seen = stats.snapshot()["hosts"]
    finally:
        background.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(seen) == {host}
    counted = seen[host]
    assert counted["requests"] > 100, counted
    assert 1 < counted["max_in_flight"] <= LIMIT, counted


def test_a_host_one_familys_crawler_found_blocked_is_blocked_for_the_others() -> None:
    """Two crawlers of one run (two families) share the blocked hosts; another run does not."""
    from scrapy.utils.test import get_crawler  # noqa: PLC0415 - only this test

    from crawler.middlewares import FaultsMiddleware  # noqa: PLC0415 - only this test

    def middleware(run_id: int) -> FaultsMiddleware:
        return FaultsMiddleware(get_crawler(settings_dict={"NORMDOCS_RUN_ID": run_id}))

    hanweb, jxnew, other_run = middleware(7001), middleware(7001), middleware(7002)
    hanweb.blocked["www.example.gov.cn"] = ("瑞数 412 challenge", 412)
    assert "www.example.gov.cn" in jxnew.blocked
    assert "www.example.gov.cn" not in other_run.blocked
