"""The aiohttp server: one application per site, each on its own port from the base port.

The mirror binds its own listening sockets (``bind_ports``) before it builds the applications,
which need the base port for their links: with base port 0 it takes the first run of free
consecutive ports it can hold, so no other process can take them between choosing and serving.
``run`` blocks (for the CLI; ``port_file`` receives the base port once every site listens);
``serve_background`` serves from a daemon thread (for tests) and says which base it holds.

Instruments for benchmarks and politeness tests, all off by default (the answers are then exactly
as before): ``latency`` makes every answer wait that long, asynchronously, as a real host's answer
time (many requests are in flight at once); ``hosts`` K serves copy k of the world on the loopback
address ``127.0.0.(2 + k mod K)`` (``mirror.scale.host_of``; every 127.0.0.0/8 address is the
loopback interface on Linux), its links rewritten to that host, so that a crawl sees K distinct
hosts; ``stats`` (``mirror.stats.HostStats``) counts requests and requests in flight per host.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from . import conditional, gkmlpt, hanweb, jxnew, trs
from .faults import Faults
from .hold import Hold
from .model import Reply, Site
from .scale import host_of, on_host
from .stats import RESET_PATH, STATS_PATH, HostStats
from .world import World, world

FAMILIES: dict[str, Callable[..., Reply]] = {
    "hanweb": hanweb.handle,
    "jxnew": jxnew.handle,
    "trs": trs.handle,
    "gkmlpt": gkmlpt.handle,
}
HOST = "127.0.0.1"


def make_app(
    the_world: World,
    site: Site,
    base_port: int,
    faults: Faults | None = None,
    hold: Hold | None = None,
    *,
    latency: float = 0.0,
    host: str | None = None,
    stats: HostStats | None = None,
) -> web.Application:
    """The application serving ``site``: every path goes to its family's renderer.

    Article and column pages answer conditional GETs (``conditional.py``); ``faults`` switches on
    the faults of real hosts (``faults.py``); ``hold`` holds answers after its N-th request
    (``hold.py``); ``latency`` seconds pass before every answer; ``host``: the address this copy
    is served on, written into its links instead of 127.0.0.1 (``scale.on_host``); ``stats``
    counts every request per host and serves ``/_mirror/stats``.
    """
    family = FAMILIES[site.family]

    async def handle(request: web.Request) -> web.StreamResponse:
        if stats is None:
            return await serve(request)
        name = request.url.host or ""
        stats.enter(name)
        try:
            return await serve(request)
        finally:
            stats.leave(name)

    async def serve(request: web.Request) -> web.StreamResponse:
        if latency:
            await asyncio.sleep(latency)
        if hold is not None:
            await hold.gate(request.path_qs)
            if request.transport is None:
                return web.Response(status=499)  # the client went away while it was held
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await request.post()
            form = {k: v for k, v in posted.items() if isinstance(v, str)}

        def answer() -> Reply:
            reply = family(
                the_world, site, base_port, request.method, request.path, dict(request.query), form
            )
            reply = conditional.apply(
                the_world, site, request.method, request.path, request.headers, reply
            )
            return reply if host is None else on_host(reply, host)

        if faults is not None:
            return await faults.respond(request, site, answer, _response)
        return _response(answer())

    app = web.Application()
    if stats is not None:  # before the catch-all route; never counted

        async def show_stats(_: web.Request) -> web.Response:
            return web.json_response(stats.snapshot())

        async def reset_stats(_: web.Request) -> web.Response:
            stats.reset()
            return web.json_response(stats.snapshot())

        app.router.add_get(STATS_PATH, show_stats)
        app.router.add_post(RESET_PATH, reset_stats)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _response(reply: Reply) -> web.Response:
    """The aiohttp response for a family's ``Reply``."""
    if isinstance(reply.body, bytes):
        # A renderer may set Content-Type itself (a wrong or missing charset, on purpose: trs.py).
        own_type = "Content-Type" in reply.headers
        return web.Response(
            status=reply.status,
            body=reply.body,
            content_type=None if own_type else reply.content_type,
            headers=reply.headers,
        )
    return web.Response(
        status=reply.status,
        text=reply.body,
        content_type=reply.content_type,
        charset="utf-8",
        headers=reply.headers,
    )


def bind_ports(
    count: int,
    base_port: int = 0,
    host: str = HOST,
    attempts: int = 200,
    host_at: Callable[[int], str] | None = None,
) -> tuple[int, list[socket.socket]]:
    """Bind ``count`` consecutive ports on ``host``; returns (base port, the bound sockets).

    From ``base_port`` exactly (OSError if one of its ports is taken), or, for 0, from a base the
    system offers: when one of the ports after it is taken, every socket is closed and another
    base is tried. The sockets are bound, not yet listening; the caller owns them. ``host_at``
    (offset → address), when given, binds each port on an address of its own instead.
    """
    where = host_at or (lambda _offset: host)
    for _ in range(1 if base_port else attempts):
        held: list[socket.socket] = []
        try:
            held.append(_bound(where(0), base_port))
            base = held[0].getsockname()[1]
            if base + count - 1 > 65535:
                raise OSError(f"no {count} ports after {base}")
            for offset in range(1, count):
                held.append(_bound(where(offset), base + offset))
            return base, held
        except OSError:
            for sock in held:
                sock.close()
            if base_port:
                raise
    raise OSError(f"no {count} consecutive free ports on {host} after {attempts} tries")


def _bound(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port); port 0 lets the system choose."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As asyncio does for its own listeners: a port an earlier server left in TIME_WAIT can be
        # bound again (one another process listens on cannot).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclasses.dataclass
class Serving:
    """A started mirror: the base port it holds and what to close to stop it."""

    base_port: int
    runners: list[web.AppRunner]
    spare: list[socket.socket]  # ports of the span that no site serves, held all the same

    async def close(self) -> None:
        for runner in self.runners:
            await runner.cleanup()
        for sock in self.spare:
            sock.close()


async def start(
    base_port: int = 0,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
    layout_changed: tuple[str, ...] = (),
    hold: Hold | None = None,
    *,
    latency: float = 0.0,
    hosts: int = 0,
    stats: HostStats | None = None,
) -> Serving:
    """Bind the ports (``bind_ports``: 0 takes free ones) and start every site on them.

    ``the_world`` replaces the default world (e.g. one with ``mirror.changes`` applied);
    ``tenants`` > 1 serves that many copies of it on the following ports (``mirror.scale``);
    the sites named in ``layout_changed`` serve a redesigned list layout that a crawler of the
    old one cannot read (a crawl of them must say so, loudly); ``hold`` holds answers after its
    N-th request (``mirror.hold``); ``latency``: seconds before every answer; ``hosts`` K > 0:
    copy k on the address ``scale.host_of(k, K)`` instead of ``host``; ``stats`` counts requests
    per host (``mirror.stats``).
    """
    the_world = the_world or world()
    span = max(s.offset for s in the_world.sites) + 1  # ports one copy of the world takes
    host_at = (lambda offset: host_of(offset // span, hosts)) if hosts else None
    base_port, sockets = bind_ports(span * tenants, base_port, host, host_at=host_at)
    serving = Serving(base_port, [], [])
    used: set[int] = set()
    try:
        for tenant in range(tenants):
            base = base_port + tenant * span
            for site in the_world.sites:
                if site.name in layout_changed:
                    site = dataclasses.replace(site, layout_changed=True)
                app = make_app(
                    the_world, site, base, faults, hold, latency=latency, stats=stats,
                    host=host_of(tenant, hosts) if hosts else None,
                )  # fmt: skip
                # A short shutdown: a ``timeout`` fault's answers would otherwise hold it for a
                # minute.
                runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
                await runner.setup()
                serving.runners.append(runner)
                index = tenant * span + site.offset
                await web.SockSite(runner, sockets[index]).start()
                used.add(index)
    except BaseException:
        await serving.close()
        for index, sock in enumerate(sockets):
            if index not in used:
                sock.close()
        raise
    serving.spare = [sock for index, sock in enumerate(sockets) if index not in used]
    return serving


def write_port_file(path: str | Path, base_port: int) -> None:
    """Write ``base_port`` to ``path`` in one step: a reader sees the whole number or no file."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(f"{base_port}\n", encoding="utf-8")
    os.replace(partial, path)


def run(
    base_port: int = 8701,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
    layout_changed: tuple[str, ...] = (),
    port_file: str | Path | None = None,
    *,
    latency: float = 0.0,
    hosts: int = 0,
    stats: HostStats | None = None,
    stats_file: str | Path | None = None,
) -> None:
    """Serve every site until interrupted (blocking); base port 0 takes free ports.

    Once every site listens, the base port is written to ``port_file`` (if given) and a line
    naming each site's port is printed. With ``stats_file`` (``stats`` made if not given) the
    per-host counters are written there twice a second while they change, and at the end.
    """
    if stats_file and stats is None:
        stats = HostStats()

    async def main() -> None:
        serving = await start(
            base_port, host, faults, the_world, tenants, layout_changed,
            latency=latency, hosts=hosts, stats=stats,
        )  # fmt: skip
        base = serving.base_port
        sites = (the_world or world()).sites
        names = ", ".join(f"{s.name}:{base + s.offset}" for s in sites)
        if tenants > 1:
            last = base + tenants * (max(s.offset for s in sites) + 1) - 1
            names += f" (and {tenants - 1} more copies of each, up to port {last})"
        where = host
        if hosts:
            where = f"{host_of(0, hosts)}–{host_of(min(tenants, hosts) - 1, hosts)}"
        if stats_file:
            stats.write(stats_file)
        if port_file:
            write_port_file(port_file, base)
        print(f"mirror serving on {where}: {names}", flush=True)
        writer = asyncio.create_task(_keep_writing(stats, stats_file)) if stats_file else None
        try:
            await asyncio.Event().wait()
        finally:
            if writer is not None:
                writer.cancel()
            await serving.close()
            if stats_file:
                stats.write(stats_file)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


async def _keep_writing(stats: HostStats, path: str | Path, every: float = 0.5) -> None:
    """Rewrite the stats file whenever the counters moved (checked every ``every`` seconds)."""
    written = stats.changes
    while True:
        await asyncio.sleep(every)
        if stats.changes != written:
            written = stats.changes
            stats.write(path)


@dataclasses.dataclass
class Background:
    """A mirror served from a daemon thread: its base port, and ``stop()``."""

    base_port: int
    stop: Callable[[], None]


def serve_background(
    base_port: int = 0,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
    layout_changed: tuple[str, ...] = (),
    hold: Hold | None = None,
    *,
    latency: float = 0.0,
    hosts: int = 0,
    stats: HostStats | None = None,
) -> Background:
    """Serve from a daemon thread (base port 0: free ports); returns once every site listens.

    ``latency``, ``hosts`` and ``stats`` as for ``start``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            holder["serving"] = loop.run_until_complete(
                start(
                    base_port,
                    host,
                    faults,
                    the_world,
                    tenants,
                    layout_changed,
                    hold,
                    latency=latency,
                    hosts=hosts,
                    stats=stats,
                )  # fmt: skip
            )
        except OSError as exc:  # a port in use
            holder["error"] = exc
            return
        finally:
            ready.set()
        loop.run_forever()

    thread = threading.Thread(target=target, daemon=True, name=f"mirror-{base_port}")
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("mirror did not start within 30 s")
    if "error" in holder:
        raise holder["error"]
    serving: Serving = holder["serving"]

    def stop() -> None:
        if hold is not None:
            hold.release()  # a held answer would keep its connection open through the shutdown
        asyncio.run_coroutine_threadsafe(serving.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return Background(serving.base_port, stop)


def start_background(
    base_port: int,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
) -> Callable[[], None]:
    """Serve from a daemon thread on ``base_port``; returns a function that stops the server."""
    return serve_background(base_port, host, faults, the_world, tenants).stop
