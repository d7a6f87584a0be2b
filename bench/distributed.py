"""Distributed crawl throughput: 1, 2, 4 workers against the single-machine crawl, same mirror.

    .venv/bin/python bench/distributed.py                         # defaults below
    .venv/bin/python bench/distributed.py --workers 1 2 4 --scale 8 --hosts 8 --latency 0.2
    .venv/bin/python bench/distributed.py --single-only            # only the single-machine crawl

One mirror for the whole run (``python -m mirror serve --scale N --hosts K --latency S --stats``:
N copies of every site on K loopback hosts, every answer after S seconds, requests counted per
host). Then, each into a fresh library:

1. **single**: ``python -m crawler.run`` (one process, the baseline);
2. **W workers** for each W: ``normdocs crawl --redis URL --workers W`` against a fresh
   ``redis-server`` this script starts on a unix socket (``--port 0 --save '' --appendonly no``).

Every crawl gets the same settings (``bench/cluster_settings.py``): ``--concurrency`` requests in
flight per process, ``--per-host`` per host (over all workers: the shared limiter), no
AutoThrottle. While the answer time, not the CPU, limits a process, W workers should go W times
as fast (target ≥ 0.8 × linear); the per-host limit caps the whole at K × per-host ÷ latency.

Measured per crawl: wall time of the command; pages = requests the mirror answered (its own
counter, reset before each crawl); CPU seconds of the crawl's process tree (``wait4``: the
command and every process it waited for — coordinator, workers, writer), split per role from
``/proc/<pid>/stat`` samples; the mirror's CPU; Redis commands (``total_commands_processed``
and ``INFO commandstats`` before and after, the bench's own INFO calls taken out); what the
library stored and whether the run was complete; the most requests in flight on one host. The
load average is printed before each crawl: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OVERLAY = "bench.cluster_settings"
CLOCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- CPU of a process tree


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return found


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of ``pid`` itself (not its children), from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK  # fields 14 and 15 of proc(5)


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            words = fh.read().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    for role in ("worker", "writer", "status"):
        if role in words:
            return role
    return "coordinator" if "crawl" in words else "crawl" if "crawler.run" in words else "other"


class TreeSampler:
    """Samples the CPU of every process under ``root`` twice a second, by role."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.last: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            stack = [self.root]
            while stack:
                pid = stack.pop()
                cpu = _cpu_seconds(pid)
                if cpu is not None:
                    role = self.last.get(pid, (None, 0))[0] or _role(pid)
                    self.last[pid] = (role, cpu)
                stack += _children(pid)
            self.done.wait(0.5)

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.thread.join()
        by_role: dict[str, float] = {}
        for role, cpu in self.last.values():
            by_role[role] = by_role.get(role, 0.0) + cpu
        by_role["processes"] = len(self.last)
        return by_role


def run_measured(
    command: list[str], env: dict[str, str], log: Path, timeout: float
) -> tuple[int, float, float, dict]:
    """Run ``command`` in a session of its own; (exit code, wall seconds, CPU seconds of it and
    every process it waited for, CPU by role sampled from /proc). After ``timeout`` seconds the
    whole session is killed (exit code -9): a stalled run does not stall the bench."""
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        sampler = TreeSampler(proc.pid)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)  # the session this bench started
            time.sleep(0.2)
    wall = time.monotonic() - started
    roles = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4 counts the processes the command waited for; a killed run's children were not
    # waited for, so the samples (which miss at most the last half second) may say more.
    sampled = sum(v for k, v in roles.items() if k not in ("processes", "redis-server"))
    return proc.returncode, wall, max(usage.ru_utime + usage.ru_stime, sampled), roles


# ---------------------------------------------------------------- Redis


@contextmanager
def redis_server(work: Path):
    """A fresh redis-server on a unix socket of its own; yields (URL, client)."""
    import redis  # noqa: PLC0415 - only the distributed runs need it

    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    sock = work / "redis.sock"
    sock.unlink(missing_ok=True)
    command = [binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
               "--save", "", "--appendonly", "no", "--dir", str(work)]  # fmt: skip
    log = (work / "redis.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        client = redis.Redis(unix_socket_path=str(sock))
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except (redis.ConnectionError, FileNotFoundError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {command}") from None
                time.sleep(0.05)
        yield f"unix://{sock}?db=0", client, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def redis_commands(client) -> tuple[int, dict[str, int]]:  # noqa: ANN001
    """(total_commands_processed, calls per command) right now."""
    total = int(client.info("stats")["total_commands_processed"])
    per = {
        k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in client.info("commandstats").items()
    }
    return total, per


# ---------------------------------------------------------------- one crawl


@dataclass
class Result:
    mode: str
    workers: int
    code: int
    wall: float
    pages: int
    cpu: float
    roles: dict
    mirror_cpu: float
    stored: int
    complete: bool | None
    max_host_in_flight: int
    hosts_seen: int
    load: tuple[float, float, float]
    redis_total: int = 0
    redis_top: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


def _mirror_stats(url: str, reset: bool = False) -> dict:
    request = urllib.request.Request(url + ("/reset" if reset else ""), data=b"" if reset else None)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())


def _library(db: Path) -> tuple[int, bool | None]:
    if not db.exists():
        return 0, None
    con = sqlite3.connect(db)
    try:
        stored = sum(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "interpretations")
        )
        run = con.execute("SELECT complete FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return stored, (bool(run[0]) if run else None)


def crawl_once(
    mode: str,
    workers: int,
    sites: Path,
    work: Path,
    stats_url: str,
    mirror_pid: int,
    env: dict,
    timeout: float,
) -> Result:
    db = work / f"{mode}-{workers}.db"
    for f in work.glob(f"{db.name}*"):
        f.unlink()
    log = work / f"{mode}-{workers}.log"
    _mirror_stats(stats_url, reset=True)
    mirror_before = _cpu_seconds(mirror_pid) or 0.0
    load = os.getloadavg()
    redis_total, redis_top = 0, []
    if mode == "single":
        command = [sys.executable, "-m", "crawler.run", "--sites", str(sites), "--db", str(db),
                   "--settings-module", OVERLAY, "--log-level", "WARNING"]  # fmt: skip
        code, wall, cpu, roles = run_measured(command, env, log, timeout)
    else:
        with redis_server(work) as (url, client, redis_pid):
            command = [sys.executable, "-m", "corpus.cli", "crawl", "--sites", str(sites),
                       "--db", str(db), "--redis", url, "--workers", str(workers),
                       "--settings-module", OVERLAY]  # fmt: skip
            before, before_per = redis_commands(client)
            redis_cpu = _cpu_seconds(redis_pid) or 0.0
            code, wall, cpu, roles = run_measured(command, env, log, timeout)
            after, after_per = redis_commands(client)
            roles["redis-server"] = (_cpu_seconds(redis_pid) or 0.0) - redis_cpu
            redis_total = after - before - 1  # the INFO that read `after`… (1 call each)
            delta = {k: v - before_per.get(k, 0) for k, v in after_per.items()}
            delta["info"] = delta.get("info", 0) - 3  # the bench's own INFO calls
            redis_top = sorted(((k, v) for k, v in delta.items() if v > 0), key=lambda kv: -kv[1])
    seen = _mirror_stats(stats_url)
    mirror_cpu = (_cpu_seconds(mirror_pid) or 0.0) - mirror_before
    stored, complete = _library(db)
    hosts = seen["hosts"]
    result = Result(
        mode, workers, code, wall, seen["total"]["requests"], cpu, roles, mirror_cpu, stored,
        complete, max((h["max_in_flight"] for h in hosts.values()), default=0), len(hosts), load,
        redis_total, redis_top,
    )  # fmt: skip
    if code not in (0, 1):
        print(f"  !! {mode} {workers}: exit {code}; its output: {log}\n"
              + log.read_text(errors="replace")[-2000:])  # fmt: skip
    return result


def report(
    results: list[Result], expected: int, per_host: int, concurrency: int, latency: float
) -> None:
    one = next((r for r in results if r.mode == "distributed" and r.workers == 1), None)
    single = next((r for r in results if r.mode == "single"), None)
    print()
    print(
        "| crawl | workers | wall s | pages | pages/s | × 1 worker | ÷ linear | CPU s | CPU ms/page "
        "| Redis cmds/page | stored / expected | complete | most in flight on a host | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|")
    for r in results:
        speed = r.rate / one.rate if one and one.rate else float("nan")
        linear = speed / r.workers if r.mode == "distributed" else float("nan")
        cmds = r.redis_total / r.pages if r.pages and r.mode == "distributed" else float("nan")
        name = (
            "single machine (`python -m crawler.run`)"
            if r.mode == "single"
            else "`normdocs crawl --redis`"
        )
        print(f"| {name} | {r.workers} | {r.wall:.1f} | {r.pages} | {r.rate:.1f} | {speed:.2f} | "
              f"{linear:.2f} | {r.cpu:.1f} | {1000 * r.cpu / max(r.pages, 1):.2f} | {cmds:.1f} | "
              f"{r.stored} / {expected} | {r.complete} | {r.max_host_in_flight} (limit {per_host}) | "
              f"{'/'.join(f'{x:.1f}' for x in r.load)} |")  # fmt: skip
    print()
    for r in results:
        roles = ", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.roles.items()
        )
        print(f"{r.mode} {r.workers}: CPU by role (sampled) {roles}; mirror {r.mirror_cpu:.1f} s")
        if r.redis_top:
            top = ", ".join(f"{k} {v}" for k, v in r.redis_top[:10])
            print(
                f"    Redis: {r.redis_total} commands ({r.redis_total / max(r.pages, 1):.1f}/page): {top}"
            )
    ceiling = concurrency / latency
    print(
        f"\nOne process's ceiling while the answer time limits it: {concurrency} in flight ÷ "
        f"{latency:g} s = {ceiling:.0f} pages/s."
    )
    best = max(
        (r for r in results if r.mode == "distributed"), key=lambda r: r.workers, default=None
    )
    if best and best.pages:
        ms = 1000 * best.cpu / best.pages
        print(
            f"CPU per page at {best.workers} workers: {ms:.2f} ms (coordinator + workers + writer); "
            f"one core does {1000 / ms:.0f} pages/s. Ten 2-core machines (20 cores, one writer): "
            f"{20 * 1000 / ms:.0f} pages/s if nothing else limits; the writer and Redis are "
            f"single processes: see their share above."
        )
    if single and one:
        print(
            f"1 worker ÷ single machine: {one.rate / single.rate:.2f} of the pages/s, "
            f"{(one.cpu / max(one.pages, 1)) / (single.cpu / max(single.pages, 1)):.2f}× the CPU per page."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=8, help="copies of the mirror")
    parser.add_argument(
        "--hosts", type=int, default=8, help="loopback hosts the copies spread over"
    )
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before every answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight per process")
    parser.add_argument("--per-host", type=int, default=4, help="requests in flight per host")
    parser.add_argument("--sites", default="", help="only these mirror sites (comma-separated)")
    parser.add_argument("--single-only", action="store_true", help="only the single-machine crawl")
    parser.add_argument("--no-single", action="store_true", help="skip the single-machine crawl")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one crawl may take")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from mirror import scale  # noqa: PLC0415

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    work.mkdir(parents=True, exist_ok=True)
    names = tuple(args.sites.split(",")) if args.sites else None
    env = {
        **os.environ,
        "NORMDOCS_BENCH_CONCURRENCY": str(args.concurrency),
        "NORMDOCS_BENCH_PER_HOST": str(args.per_host),
        "NORMDOCS_SETTINGS_MODULE": OVERLAY,
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; date {date.today()}; workdir {work}")  # fmt: skip
    first_host = scale.host_of(0, args.hosts)
    options = ("--scale", str(args.scale), "--hosts", str(args.hosts), "--latency",
               str(args.latency), "--stats")  # fmt: skip
    with mirror_process(options, first_host, work) as (base, mirror_pid):
        sites = work / "sites.yml"
        sites.write_text(
            scale.sites_yaml(base, args.scale, names, hosts=args.hosts), encoding="utf-8"
        )
        expected = scale.expected_pages(base, args.scale, names)
        want = expected["documents"] + expected["interpretations"]
        print(f"mirror: {args.scale} copies on {min(args.scale, args.hosts)} hosts "
              f"({first_host}…), ports {base}–{base + scale.span() * args.scale - 1}, "
              f"{args.latency:g} s per answer; {want} documents + interpretations expected; "
              f"{args.concurrency} requests in flight per process, {args.per_host} per host")  # fmt: skip
        stats_url = f"http://{first_host}:{base}/_mirror/stats"
        plan = [] if args.no_single else [("single", 1)]
        if not args.single_only:
            plan += [("distributed", w) for w in args.workers]
        results = []
        for mode, workers in plan:
            print(f"-- {mode} {workers}: load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())}",
                  flush=True)  # fmt: skip
            r = crawl_once(mode, workers, sites, work, stats_url, mirror_pid, env, args.timeout)
            print(
                f"   {r.pages} pages in {r.wall:.1f} s = {r.rate:.1f}/s; CPU {r.cpu:.1f} s; "
                f"stored {r.stored}/{want}; complete {r.complete}; exit {r.code}",
                flush=True,
            )
            results.append(r)
    report(results, want, args.per_host, args.concurrency, args.latency)
    return 0


@contextmanager
def mirror_process(options: tuple[str, ...], host: str, work: Path):
    """``python -m mirror serve`` (the harness's ``Server``); yields (base port, its pid)."""
    from mirror.harness import Server, mirror_command  # noqa: PLC0415

    port_file = work / "mirror-port"
    port_file.unlink(missing_ok=True)
    command = mirror_command(*options, port_file=port_file)
    with Server(command, log=work / "mirror.log") as server:

        def base() -> int | None:
            try:
                return int(port_file.read_text())
            except (FileNotFoundError, ValueError):
                return None

        port = server.wait_until(base, 300, "base port")
        server.wait_for_http(f"http://{host}:{port}/robots.txt", 300)
        yield port, server.process.pid


if __name__ == "__main__":
    sys.exit(main())
