"""The mirror's instruments for scale and politeness: an answer time (``latency``), copies of the
world on many loopback hosts (``hosts``), and per-host counters (``mirror.stats``).

Real servers on real sockets (127.0.0.2, 127.0.0.3 … are the loopback interface on Linux), real
HTTP requests, a real crawl of two copies on two hosts compared with each copy's truth.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from agreement import agrees, page_checks
from conftest import run_crawl

from mirror import scale, truth
from mirror.harness import serve_mirror
from mirror.server import serve_background
from mirror.stats import HostStats

pytestmark = pytest.mark.integration

LINK = re.compile(rb"https?://(127\.0\.0\.\d+):\d+")


def get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def at_once(urls: list[str]) -> float:
    """GET every URL from a thread of its own, all released together; the seconds it took."""
    barrier = threading.Barrier(len(urls) + 1)
    failures: list[str] = []

    def one(url: str) -> None:
        barrier.wait()
        if get(url)[0] != 200:
            failures.append(url)

    threads = [threading.Thread(target=one, args=(u,)) for u in urls]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    assert not failures
    return time.monotonic() - started


@contextmanager
def served(**options: object) -> Iterator[tuple[int, HostStats | None]]:
    background = serve_background(0, **options)
    try:
        yield background.base_port, options.get("stats")
    finally:
        background.stop()


def test_every_answer_waits_the_latency_and_many_wait_at_once() -> None:
    with served(latency=0.5, stats=HostStats()) as (base, stats):
        started = time.monotonic()
        assert get(f"http://127.0.0.1:{base}/robots.txt")[0] == 200
        assert time.monotonic() - started >= 0.5
        took = at_once([f"http://127.0.0.1:{base}/robots.txt"] * 12)
        assert took < 1.4, f"12 answers of 0.5 s took {took:.2f} s: not served at once"
        seen = stats.snapshot()
    assert seen["hosts"]["127.0.0.1"]["requests"] == 13
    assert seen["hosts"]["127.0.0.1"]["max_in_flight"] == 12
    assert seen["total"]["in_flight"] == 0


def test_counters_are_per_host_name_whatever_the_port_and_can_be_reset() -> None:
    """Three copies on two hosts: copies 0 and 2 on 127.0.0.2 (different ports, one host),
    copy 1 on 127.0.0.3."""
    with served(tenants=3, hosts=2, latency=0.3, stats=HostStats()) as (base, stats):
        two, three = scale.host_of(0, 2), scale.host_of(1, 2)
        assert (two, three, scale.host_of(2, 2)) == ("127.0.0.2", "127.0.0.3", "127.0.0.2")
        copy0, copy1, copy2 = (scale.copy_base(base, k) for k in range(3))
        at_once([f"http://{two}:{copy0}/robots.txt"] * 5 + [f"http://{two}:{copy2}/robots.txt"] * 4)
        for _ in range(3):
            assert get(f"http://{three}:{copy1}/robots.txt")[0] == 200
        # Nothing is served on 127.0.0.1, nor a copy on the other host's address.
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{copy0}/robots.txt", timeout=5)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://{three}:{copy0}/robots.txt", timeout=5)
        status, body = get(f"http://{three}:{copy1}/_mirror/stats")  # any port; not counted
        assert status == 200
        seen = json.loads(body)
        assert seen == stats.snapshot()
        assert set(seen["hosts"]) == {two, three}
        assert seen["hosts"][two]["requests"] == 9 and seen["hosts"][two]["max_in_flight"] == 9
        assert seen["hosts"][three]["requests"] == 3 and seen["hosts"][three]["max_in_flight"] == 1
        assert seen["hosts"][three]["min_interval"] >= 0.3  # one after the other, 0.3 s each
        assert seen["total"] == {**seen["total"], "requests": 12, "max_in_flight": 9}
        status, body = get(f"http://{two}:{copy2}/_mirror/stats/reset", data=b"")
        assert status == 200 and json.loads(body)["hosts"] == {}
        get(f"http://{three}:{copy1}/robots.txt")
        after = stats.snapshot()
    assert after["hosts"] == {
        three: {"requests": 1, "in_flight": 0, "max_in_flight": 1, "seconds": 0.0,
                "min_interval": None},
    }  # fmt: skip


def _sample_paths(base: int) -> list[str]:
    """Paths (from the copy's base port) of column pages, documents, interpretations, list
    answers and attachments of copy 0: one of each site at least."""
    one = truth(base)
    urls = [c["url"] for s in one["sites"] for c in s["columns"]]
    seen_sites: set[str] = set()
    for page in one["documents"] + one["interpretations"]:
        if page["site"] not in seen_sites or page.get("attachments"):
            urls.append(page["url"])
            urls += [a["url"] for a in page.get("attachments", [])][:1]
            seen_sites.add(page["site"])
        if len(urls) > 120:
            break
    return [u.split("127.0.0.1:", 1)[1] for u in urls]


def test_a_copy_on_another_host_is_the_same_world_with_that_host_in_its_links() -> None:
    """Copy 0 served on 127.0.0.2 (latency and counters on) against the default mirror on
    127.0.0.1 at the same ports: every answer is byte for byte the default one, 127.0.0.1
    written 127.0.0.2; binary files unchanged. The default mirror has no /_mirror/ path."""
    with served(tenants=2, hosts=2, latency=0.01, stats=HostStats()) as (base, _):
        try:
            default = serve_background(base)  # the same ports, on 127.0.0.1
        except OSError:
            pytest.skip(f"127.0.0.1:{base}… taken by another process")
        try:
            assert get(f"http://127.0.0.1:{base}/_mirror/stats")[0] == 404
            paths = _sample_paths(base)
            assert len(paths) > 40
            linked = 0
            for path in paths:
                status, plain = get(f"http://127.0.0.1:{path}")
                assert status == 200, path
                status, moved = get(f"http://127.0.0.2:{path}")
                assert status == 200, path
                assert moved == plain.replace(b"127.0.0.1", b"127.0.0.2"), path
                hosts = set(LINK.findall(moved))
                assert hosts <= {b"127.0.0.2"}, (path, hosts)
                linked += bool(hosts)
            assert linked  # pages that link absolutely (to other sites, files) were among them
        finally:
            default.stop()


def test_each_copys_truth_is_on_its_own_host_and_ports() -> None:
    base = 30001
    for k, host in ((0, "127.0.0.2"), (1, "127.0.0.3"), (2, "127.0.0.4"), (3, "127.0.0.2")):
        copy = scale.copy_truth(base, k, hosts=3)
        plain = truth(scale.copy_base(base, k))
        assert len(copy["documents"]) == len(plain["documents"])
        text = json.dumps(copy)
        assert "127.0.0.1" not in text
        assert set(re.findall(r"http://(127\.0\.0\.\d+):", text)) == {host}
        assert copy == json.loads(json.dumps(plain).replace("127.0.0.1", host))
    assert scale.copy_truth(base, 1) == truth(scale.copy_base(base, 1))  # no hosts: as before
    registry = scale.sites_yaml(base, 4, names=("jx-nync",), hosts=3)
    assert re.findall(r"home_url: http://(127\.0\.0\.\d+):", registry) == [
        "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.2",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        scale.host_of(0, 254)


SITES = ("jx-portal", "jx-nync", "jx-sthjt")  # one family: one Scrapy crawler, one set of slots
DOC_FIELDS = ("title", "doc_number", "issuer", "written_date", "published_date", "body_text")
LIMIT = 3  # requests in flight per host that the crawl is given (DOWNLOAD_SLOTS)


def test_a_crawl_of_copies_on_two_hosts_stores_each_copys_truth_within_the_host_limit(
    tmp_path: Path,
) -> None:
    """Two copies of the Hanweb sites, on 127.0.0.2 and 127.0.0.3, crawled at once with at most
    LIMIT requests in flight per host: every document of each copy's truth is stored and agrees;
    the mirror saw both hosts, several requests at once on each, never more than LIMIT.

    The slots have a delay of 1 ms: with a delay of 0, Scrapy 2.19 starts every queued request of
    a slot at once, past its concurrency (test below)."""
    stats = HostStats()
    slots = {
        h: {"concurrency": LIMIT, "delay": 0.001, "jitter": 0} for h in ("127.0.0.2", "127.0.0.3")
    }
    with served(tenants=2, hosts=2, latency=0.05, stats=stats) as (base, _):
        sites = tmp_path / "sites.yml"
        sites.write_text(scale.sites_yaml(base, 2, names=SITES, hosts=2), encoding="utf-8")
        result = run_crawl(
            sites, tmp_path / "lib.db", settings={"DOWNLOAD_SLOTS": json.dumps(slots)}
        )
        seen = stats.snapshot()
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(seen["hosts"]) == {"127.0.0.2", "127.0.0.3"}
    for host, counted in seen["hosts"].items():
        assert counted["requests"] > 50, (host, counted)
        assert 1 < counted["max_in_flight"] <= LIMIT, (host, counted)
    compared = 0
    for k in range(2):
        copy = scale.copy_truth(base, k, hosts=2)
        for page in (d for d in copy["documents"] if d["site"] in SITES):
            for field, want, got in page_checks(tmp_path / "lib.db", "documents", page, DOC_FIELDS):
                assert agrees(want, got), (page["url"], field, want, got)
                compared += 1
    assert compared > 200


SLOT_PROBE = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
base = int(sys.argv[1])
class Probe(scrapy.Spider):
    name = "probe"
    async def start(self):
        for i in range(30):
            yield scrapy.Request(f"http://127.0.0.2:{base}/robots.txt?{i}", dont_filter=True)
    def parse(self, response):
        pass
process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_SLOTS": {"127.0.0.2": {"concurrency": 2, "delay": 0}}})
process.crawl(Probe)
process.start()
"""


@pytest.mark.xfail(
    strict=True,
    reason="Scrapy 2.19: with a slot delay of 0 the downloader starts every queued request of "
    "the slot before any of them counts as transferring, so the slot's concurrency is not held "
    "(the production settings have a delay, and hold it). Strict: passes once Scrapy holds it.",
)
def test_a_slot_with_no_delay_holds_its_concurrency(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415 - only this test
    import sys  # noqa: PLC0415 - only this test

    stats = HostStats()
    with served(hosts=1, latency=0.3, stats=stats) as (base, _):
        probe = tmp_path / "probe.py"
        probe.write_text(SLOT_PROBE, encoding="utf-8")
        subprocess.run([sys.executable, str(probe), str(base)], check=True, timeout=120)
        seen = stats.snapshot()["hosts"]["127.0.0.2"]
    assert seen["requests"] == 30
    assert seen["max_in_flight"] <= 2, seen


def test_the_command_line_writes_the_counters_to_a_file(tmp_path: Path) -> None:
    stats_file = tmp_path / "stats.json"
    options = ("--scale", "2", "--hosts", "2", "--latency", "0.05", "--stats-file", str(stats_file))
    with serve_mirror(*options, host="127.0.0.2") as base:
        copy1 = scale.copy_base(base, 1)
        for _ in range(3):
            assert get(f"http://127.0.0.3:{copy1}/robots.txt")[0] == 200
        deadline = time.monotonic() + 10
        while True:
            seen = json.loads(stats_file.read_text()) if stats_file.exists() else {}
            if seen.get("hosts", {}).get("127.0.0.3", {}).get("requests") == 3:
                break
            assert time.monotonic() < deadline, seen
            time.sleep(0.1)
    assert seen["hosts"]["127.0.0.2"]["requests"] >= 1  # the harness's readiness check
    assert seen["hosts"]["127.0.0.3"]["max_in_flight"] == 1
